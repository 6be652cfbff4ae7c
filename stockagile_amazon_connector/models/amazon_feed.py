import logging

from odoo import _, api, fields, models
from odoo.tools import SQL, split_every
from odoo.tools.translate import LazyTranslate

from ..services import ThrottledError, TransientError, payloads
from ..services.const import MAX_MESSAGES_PER_LISTINGS_FEED
from .amazon_job_mixin import PRIORITY_BULK, REFRESH_MAX_IDS
from .amazon_listing import OFFER_PRODUCT_TYPE

_lt = LazyTranslate(__name__)

_logger = logging.getLogger(__name__)

FEED_STATES = [
    ("prepared", "Uploaded"),
    ("submitted", "Submitted"),
    ("done", "Done"),
    ("error", "Error"),
]
#: Seconds between two looks at a feed Amazon is still processing.
FEED_POLL_DELAY = 30
#: Seconds before creating an uploaded feed again after an outage said nothing of when.
FEED_CREATE_RETRY = 5


class AmazonFeed(models.Model):
    """A JSON_LISTINGS_FEED sent to Amazon, kept until its processing report is applied.

    A feed carries the offers of one marketplace. ``message_map`` remembers, per message, which
    offer it updates and with which quantity and price, so that the report marks each offer
    synced or in error with Amazon's own message. An offer's ``feed_id`` is the last feed that
    carries it: an older feed's report never applies to it (stale-feed guard, per offer).

    A feed whose document was uploaded but whose ``createFeed`` Amazon throttled (or could not
    answer) is kept *Uploaded* with its document id, carrying its offers, and created by a job
    of its own (:meth:`_amazon_job_create`): a retry never uploads the document again.
    """

    _name = "amazon.feed"
    _inherit = ["amazon.job.mixin"]
    _description = "Amazon Listings Feed"
    _order = "id desc"
    _rec_name = "feed_ref"

    account_id = fields.Many2one("amazon.account", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="account_id.company_id", store=True)
    marketplace_id = fields.Many2one("amazon.marketplace", required=True)
    feed_ref = fields.Char(string="Feed ID", readonly=True, index=True)
    document_ref = fields.Char(
        string="Feed document ID",
        readonly=True,
        help="The document uploaded to Amazon for this feed, kept until createFeed succeeds.",
    )
    state = fields.Selection(FEED_STATES, default="submitted", required=True, readonly=True)
    message_count = fields.Integer(readonly=True)
    message_map = fields.Json(readonly=True)
    accepted_count = fields.Integer(readonly=True)
    error_count = fields.Integer(readonly=True)
    last_error = fields.Text(readonly=True)
    listing_ids = fields.One2many("amazon.listing", "feed_id", readonly=True)
    offer_ids = fields.One2many("amazon.offer", "feed_id", readonly=True)

    # ------------------------------------------------------------------
    # Submission
    # ------------------------------------------------------------------

    @api.model
    def _submit_offers(self, account, service, marketplace, offers):
        """Send ``offers`` (of ``marketplace``) as feeds of 25,000 messages at most."""
        listings = offers.listing_id
        quantities = listings._amazon_quantities() if account.sync_stock else {}
        feeds = self.browse()
        for chunk in split_every(MAX_MESSAGES_PER_LISTINGS_FEED, offers.ids, offers.browse):
            try:
                feeds |= self._submit_chunk(account, service, marketplace, chunk, quantities)
            except ThrottledError as error:
                if not feeds:
                    raise  # nothing uploaded yet: the job waits for createFeed's pace
                # Feeds already created must not be rolled back: the rest goes later.
                account._enqueue_feed(marketplace, eta=max(1, round(error.retry_after or 1)))
                break
        feeds.filtered(lambda feed: feed.state == "submitted")._enqueue_check(FEED_POLL_DELAY // 10)
        return feeds

    def _submit_chunk(self, account, service, marketplace, offers, quantities):
        messages, message_map, sent = [], {}, offers.browse()
        for offer in offers:
            listing = offer.listing_id
            quantity = quantities.get(listing.id)
            price = listing._amazon_price(marketplace) if account.sync_price else None
            number = len(messages) + 1
            try:
                patches = listing._amazon_patches(marketplace, quantity, price)
                message = payloads.partial_update_message(
                    number, listing.sku, OFFER_PRODUCT_TYPE, patches
                )
            except ValueError as error:
                # This offer's own data (e.g. a negative price): it alone is refused.
                offer._mark_failed(str(error))
                continue
            messages.append(message)
            message_map[str(number)] = [offer.id, quantity, price]
            sent |= offer
        if not messages:
            return self.browse()
        document = payloads.listings_feed_document(account.seller_id, messages)
        # Raises ThrottledError before uploading anything while createFeed must wait.
        document_ref = service.upload_listings_feed_document(marketplace.api_ref, document)
        feed = self.create(
            {
                "account_id": account.id,
                "marketplace_id": marketplace.id,
                "state": "prepared",
                "document_ref": document_ref,
                "message_count": len(messages),
                "message_map": message_map,
            }
        )
        sent.write({"feed_id": feed.id, "state": "pending"})
        sent.listing_id._amazon_summarise()
        try:
            feed._create_feed(service)
        except (ThrottledError, TransientError) as error:
            # The document is uploaded: keep the feed (committed with this job) and create it
            # in a job of its own, which never uploads the document again.
            wait = error.retry_after if error.retry_after is not None else FEED_CREATE_RETRY
            feed._enqueue_create(max(1, round(wait)))
        return feed

    def _create_feed(self, service):
        """createFeed of this uploaded feed; it is then *Submitted*."""
        self.ensure_one()
        feed_ref = service.create_listings_feed(self.marketplace_id.api_ref, self.document_ref)
        self.write({"feed_ref": feed_ref, "state": "submitted"})

    def _enqueue_create(self, delay=None):
        """Create these uploaded feeds on Amazon in ``delay`` seconds (a job each)."""
        for feed in self:
            feed._amazon_delay(
                feed.account_id,
                "create",
                priority=PRIORITY_BULK,
                eta=delay or None,
                description=_lt(
                    "Amazon: create the uploaded feed on %(marketplace)s",
                    marketplace=feed.marketplace_id.name,
                ),
            )._amazon_job_create()

    def _amazon_job_create(self):
        """Job: createFeed of an uploaded feed (its document is not uploaded again).

        A feed whose offers all went to a later feed meanwhile is dropped instead: Amazon
        would only be sent values older than that feed's.
        """
        self._amazon_claim_job()
        feed = self.sudo().exists()
        if not feed or feed.state != "prepared":
            return "nothing to do"
        # One creation at a time (a concurrent one is retried by queue_job), then read.
        self.env.cr.execute(
            "SELECT id FROM amazon_feed WHERE id = %s FOR NO KEY UPDATE NOWAIT", [feed.id]
        )
        feed.invalidate_recordset()
        if feed.state != "prepared":
            return "nothing to do"
        if not feed.offer_ids:
            feed.unlink()
            return "superseded by a later feed"
        account = feed.account_id
        service = account._get_sp_api_service()
        with feed._amazon_unit(account):
            feed._create_feed(service)
        feed._enqueue_check(FEED_POLL_DELAY // 10)
        return feed.feed_ref

    def _enqueue_check(self, delay=FEED_POLL_DELAY):
        """Look at these feeds on Amazon in ``delay`` seconds (a job each)."""
        for feed in self:
            feed._amazon_delay(
                feed.account_id,
                "check",
                priority=PRIORITY_BULK,
                eta=delay or None,
                description=_lt("Amazon: report of feed %(feed)s", feed=feed.feed_ref),
            )._amazon_job_check()

    # ------------------------------------------------------------------
    # Processing reports
    # ------------------------------------------------------------------

    @api.model
    def _cron_check_feeds(self):
        """Safety net: enqueue the check of every feed still submitted, and the creation of
        every uploaded one (identities dedupe)."""
        self.search([("state", "=", "submitted")])._enqueue_check(0)
        self.search([("state", "=", "prepared")])._enqueue_create()

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
            offers = self.offer_ids
            offers._mark_failed(message)
            self.write({"state": "error", "last_error": message, "offer_ids": [(5,)]})
            offers.listing_id._queue_changes(kind="all", offers=offers)
            return True
        self._apply_report(service.get_feed_result(status.result_document_id))
        return True

    def _apply_report(self, report):
        """Mark each offer of the feed synced or in error from Amazon's processing report.

        Only the offers this feed still carries (a later feed carries the others). An offer
        patched after this feed was built may have been overwritten by the feed at Amazon (which
        does not order the two): it is pushed again, with the values Odoo wants now.
        """
        self.ensure_one()
        errors = {}
        for issue in report.get("issues", []):
            if issue.get("severity") == "ERROR" and issue.get("messageId") is not None:
                errors.setdefault(str(issue["messageId"]), []).append(issue)
        offers = self.offer_ids._amazon_take()
        mine = set(offers.ids)
        patched_since = set(
            offers.filtered(
                lambda offer: offer.last_patch_date and offer.last_patch_date >= self.create_date
            ).ids
        )
        synced_rows = []
        for number, (offer_id, quantity, price) in (self.message_map or {}).items():
            if offer_id not in mine:
                continue  # sent again in a later feed since: that feed's report decides
            if number in errors:
                self._mark_message_failed(offer_id, errors[number])
            elif offer_id not in patched_since:
                synced_rows.append((offer_id, quantity, price))
        self._mark_synced_rows(synced_rows)
        self.write(
            {
                "state": "done",
                "accepted_count": len(synced_rows) + len(patched_since),
                "error_count": len(errors),
                "offer_ids": [(5,)],
            }
        )
        again = offers.browse(sorted(patched_since))
        if again:
            again.listing_id._queue_changes(kind="all", offers=again)
        # Changes queued meanwhile and not pushed yet (e.g. they went to a feed job that
        # skipped them): push them now.
        # Offers whose marketplace has a feed job waiting are left to it: a later *Sync all*
        # queued them for that feed, which would otherwise find nothing to send.
        changed = (
            self.env["amazon.listing.change"].sudo().search([("offer_id", "in", offers.ids)])
        ).offer_id - again
        changed = self.env["amazon.sync.engine"]._without_feed_job(changed)
        if changed:
            self.env["amazon.sync.engine"]._enqueue(changed)
        self.env["amazon.offer.withdrawal"]._amazon_after_feed(self)
        offers.listing_id._amazon_summarise()

    def _mark_message_failed(self, offer_id, issues):
        offer = self.env["amazon.offer"].browse(offer_id).exists()
        if not offer:
            return
        message = "\n".join(f"[{i.get('code')}] {i.get('message')}" for i in issues)
        not_found = any(_is_not_found(issue) for issue in issues)
        offer._mark_failed(
            message, state="not_found" if not_found else "error", amazon_text=message
        )

    def _mark_synced_rows(self, rows):
        """Write the sent quantity and price of many offers in one query per batch.

        Raw SQL because a report may cover 25,000 offers (measured: the ORM's write per
        listing dominated *Sync all*); pending ORM writes of offers are flushed first.
        """
        self.env["amazon.offer"].flush_model()
        now = fields.Datetime.now()
        for batch in split_every(5000, rows):
            values = SQL(", ").join(
                SQL("(%s, %s::integer, %s::numeric)", offer_id, quantity, price)
                for offer_id, quantity, price in batch
            )
            self.env.cr.execute(
                SQL(
                    """
                    UPDATE amazon_offer AS offer
                       SET state = 'synced',
                           last_error = NULL,
                           last_error_details = NULL,
                           last_sync_date = %s,
                           last_quantity_sent = COALESCE(sent.quantity, offer.last_quantity_sent),
                           last_price_sent = COALESCE(sent.price, offer.last_price_sent)
                      FROM (VALUES %s) AS sent(id, quantity, price)
                     WHERE offer.id = sent.id
                    """,
                    now,
                    values,
                )
            )
        self.env["amazon.offer"].invalidate_model()
        if len(rows) <= REFRESH_MAX_IDS:
            listings = self.env["amazon.offer"].browse([row[0] for row in rows]).listing_id
            listings._amazon_refresh_forms(listings.product_id, listings.product_tmpl_id)


def _is_not_found(issue):
    """True for the report issue Amazon gives for a SKU it has no listing for."""
    text = f"{issue.get('code', '')} {issue.get('message', '')}".lower()
    return "not found" in text or "does not exist" in text or "no listing" in text
