import logging

from odoo import _, api, fields, models
from odoo.tools import SQL, split_every

from ..services import payloads
from ..services.const import MAX_MESSAGES_PER_LISTINGS_FEED
from .amazon_job_mixin import PRIORITY_BULK, REFRESH_MAX_IDS
from .amazon_listing import OFFER_PRODUCT_TYPE

_logger = logging.getLogger(__name__)

FEED_STATES = [
    ("submitted", "Submitted"),
    ("done", "Done"),
    ("error", "Error"),
]
#: Seconds between two looks at a feed Amazon is still processing.
FEED_POLL_DELAY = 30


class AmazonFeed(models.Model):
    """A JSON_LISTINGS_FEED sent to Amazon, kept until its processing report is applied.

    ``message_map`` remembers, per message, which listing it updates and with which quantity and
    price, so that the report marks each listing synced or in error with Amazon's own message.
    """

    _name = "amazon.feed"
    _inherit = ["amazon.job.mixin"]
    _description = "Amazon Listings Feed"
    _order = "id desc"
    _rec_name = "feed_ref"

    account_id = fields.Many2one("amazon.account", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="account_id.company_id", store=True)
    marketplace_id = fields.Many2one("amazon.marketplace", required=True)
    feed_ref = fields.Char(string="Feed ID", required=True, readonly=True, index=True)
    state = fields.Selection(FEED_STATES, default="submitted", required=True, readonly=True)
    message_count = fields.Integer(readonly=True)
    message_map = fields.Json(readonly=True)
    accepted_count = fields.Integer(readonly=True)
    error_count = fields.Integer(readonly=True)
    last_error = fields.Text(readonly=True)
    listing_ids = fields.One2many("amazon.listing", "feed_id", readonly=True)

    # ------------------------------------------------------------------
    # Submission
    # ------------------------------------------------------------------

    @api.model
    def _submit_listings(self, account, service, listings):
        """Send ``listings`` as feeds (one per marketplace, 25,000 messages each at most)."""
        quantities = listings._amazon_quantities() if account.sync_stock else {}
        feeds = self.browse()
        for marketplace in account.marketplace_ids:
            for chunk in split_every(MAX_MESSAGES_PER_LISTINGS_FEED, listings.ids, listings.browse):
                feeds |= self._submit_chunk(account, service, marketplace, chunk, quantities)
        feeds._enqueue_check(FEED_POLL_DELAY // 10)
        return feeds

    def _submit_chunk(self, account, service, marketplace, listings, quantities):
        messages, message_map, sent = [], {}, listings.browse()
        for listing in listings:
            quantity = quantities.get(listing.id)
            price = listing._amazon_price(marketplace) if account.sync_price else None
            number = len(messages) + 1
            try:
                patches = listing._amazon_patches(marketplace, quantity, price)
                message = payloads.partial_update_message(
                    number, listing.sku, OFFER_PRODUCT_TYPE, patches
                )
            except ValueError as error:
                # This listing's own data (e.g. a negative price): it alone is refused.
                listing._mark_failed(str(error))
                continue
            messages.append(message)
            message_map[str(number)] = [listing.id, quantity, price]
            sent |= listing
        if not messages:
            return self.browse()
        listings = sent
        document = payloads.listings_feed_document(account.seller_id, messages)
        feed_ref = service.submit_listings_feed(marketplace.api_ref, document)
        feed = self.create(
            {
                "account_id": account.id,
                "marketplace_id": marketplace.id,
                "feed_ref": feed_ref,
                "message_count": len(messages),
                "message_map": message_map,
            }
        )
        listings.write({"feed_id": feed.id, "state": "pending"})
        return feed

    def _enqueue_check(self, delay=FEED_POLL_DELAY):
        """Look at these feeds on Amazon in ``delay`` seconds (a job each)."""
        for feed in self:
            feed._amazon_delay(
                feed.account_id,
                "check",
                priority=PRIORITY_BULK,
                eta=delay or None,
                description=_("Amazon: report of feed %(feed)s", feed=feed.feed_ref),
            )._amazon_job_check()

    # ------------------------------------------------------------------
    # Processing reports
    # ------------------------------------------------------------------

    @api.model
    def _cron_check_feeds(self):
        """Safety net: enqueue the check of every feed still submitted (identities dedupe)."""
        self.search([("state", "=", "submitted")])._enqueue_check(0)

    def _amazon_job_check(self):
        """Job: apply the feed's processing report, or look again later while Amazon works."""
        self._amazon_claim_job()
        feed = self.sudo().exists()
        if not feed or feed.state != "submitted":
            return "nothing to do"
        with feed._amazon_unit(feed.account_id):
            done = feed._check_feed()
        if not done:
            feed._enqueue_check()
            return "still processing"
        return feed.state

    def _check_feed(self):
        """Look at the feed on Amazon; return True when it is finished and applied."""
        self.ensure_one()
        service = self.account_id._get_sp_api_service()
        status = service.get_feed(self.feed_ref)
        if not status.done:
            return False
        if status.processing_status != "DONE" or not status.result_document_id:
            message = _(
                "Amazon could not process feed %(feed)s (%(status)s). The listings will be sent "
                "again.",
                feed=self.feed_ref,
                status=status.processing_status,
            )
            listings = self.listing_ids
            listings._mark_failed(message)
            self.write({"state": "error", "last_error": message, "listing_ids": [(5,)]})
            listings._queue_changes(kind="all")
            return True
        self._apply_report(service.get_feed_result(status.result_document_id))
        return True

    def _apply_report(self, report):
        """Mark each listing of the feed synced or in error from Amazon's processing report."""
        self.ensure_one()
        errors = {}
        for issue in report.get("issues", []):
            if issue.get("severity") == "ERROR" and issue.get("messageId") is not None:
                errors.setdefault(str(issue["messageId"]), []).append(issue)
        synced_rows = []
        mine = set(self.listing_ids.ids)
        for number, (listing_id, quantity, price) in (self.message_map or {}).items():
            if listing_id not in mine:
                continue  # sent again in a later feed since: that feed's report decides
            if number in errors:
                self._mark_message_failed(listing_id, errors[number])
            else:
                synced_rows.append((listing_id, quantity, price))
        listings = self.listing_ids
        self._mark_synced_rows(synced_rows)
        self.write(
            {
                "state": "done",
                "accepted_count": len(synced_rows),
                "error_count": len(errors),
                "listing_ids": [(5,)],
            }
        )
        # Changes queued while Amazon processed the feed were held back (a patch could have
        # been overtaken by the feed): Amazon holds the feed's values, so send the newer ones.
        changed = (
            self.env["amazon.listing.change"]
            .sudo()
            .search([("listing_id", "in", listings.ids)])
            .listing_id
        )
        if changed:
            changed.write({"state": "pending"})
            self.env["amazon.sync.engine"]._enqueue(changed)

    def _mark_message_failed(self, listing_id, issues):
        listing = self.env["amazon.listing"].browse(listing_id).exists()
        if not listing:
            return
        message = "\n".join(f"[{i.get('code')}] {i.get('message')}" for i in issues)
        not_found = any(_is_not_found(issue) for issue in issues)
        listing._mark_failed(
            message, state="not_found" if not_found else "error", amazon_text=message
        )

    def _mark_synced_rows(self, rows):
        """Write the sent quantity and price of many listings in one query per batch.

        Raw SQL because a report may cover 25,000 listings (measured: the ORM's write per
        listing dominated *Sync all*); pending ORM writes of listings are flushed first.
        """
        self.env["amazon.listing"].flush_model()
        now = fields.Datetime.now()
        for batch in split_every(5000, rows):
            values = SQL(", ").join(
                SQL("(%s, %s::integer, %s::numeric)", listing_id, quantity, price)
                for listing_id, quantity, price in batch
            )
            self.env.cr.execute(
                SQL(
                    """
                    UPDATE amazon_listing AS listing
                       SET state = 'synced',
                           last_error = NULL,
                           last_error_details = NULL,
                           last_sync_date = %s,
                           last_quantity_sent = COALESCE(sent.quantity, listing.last_quantity_sent),
                           last_price_sent = COALESCE(sent.price, listing.last_price_sent)
                      FROM (VALUES %s) AS sent(id, quantity, price)
                     WHERE listing.id = sent.id
                    """,
                    now,
                    values,
                )
            )
        self.env["amazon.listing"].invalidate_model()
        if len(rows) <= REFRESH_MAX_IDS:
            listings = self.env["amazon.listing"].browse([row[0] for row in rows])
            listings._amazon_refresh_forms(listings.product_id, listings.product_tmpl_id)


def _is_not_found(issue):
    """True for the report issue Amazon gives for a SKU it has no listing for."""
    text = f"{issue.get('code', '')} {issue.get('message', '')}".lower()
    return "not found" in text or "does not exist" in text or "no listing" in text
