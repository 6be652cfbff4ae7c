import logging

from odoo import api, fields, models
from odoo.tools import SQL
from odoo.tools.translate import LazyTranslate

from .. import odoo_compat
from .amazon_job_mixin import REFRESH_MAX_IDS
from .amazon_listing import LISTING_STATES

_lt = LazyTranslate(__name__)

_logger = logging.getLogger(__name__)

#: How a listing's state summarises its offers: the first state one of its offers has wins.
STATE_PRIORITY = ("error", "not_found", "pending", "synced")


@odoo_compat.sql_constraints(
    (
        "listing_marketplace_unique",
        "UNIQUE(listing_id, marketplace_id)",
        "A listing has one offer per marketplace.",
    ),
)
class AmazonOffer(models.Model):
    """Binding of a listing to one marketplace: what Amazon holds there and what it should.

    Amazon keeps quantity and price per marketplace (a Pan-EU seller's SKU has one offer on
    .es, .fr, .de...): each has its own currency, its own answer from Amazon and its own feed in
    flight, so each is a row of its own, unique on ``(listing, marketplace)``. Pushes, feeds'
    reports and errors are recorded here; the listing's state summarises its offers.

    Jobs take their offer's row first (:meth:`_amazon_take`), so that two pushes of one offer
    never overlap, and read the values to send after the lock.
    """

    _name = "amazon.offer"
    _inherit = ["amazon.job.mixin", "amazon.binding.mixin"]
    _description = "Amazon Offer (listing in one marketplace)"
    _order = "listing_id, marketplace_id"
    _rec_name = "sku"
    _amazon_binding_key = ("listing_id", "marketplace_id")
    _amazon_binding_lock = "NO KEY UPDATE"

    listing_id = fields.Many2one(
        "amazon.listing", required=True, ondelete="cascade", index=True, readonly=True
    )
    marketplace_id = fields.Many2one(
        "amazon.marketplace", required=True, ondelete="cascade", readonly=True
    )
    account_id = fields.Many2one(related="listing_id.account_id", store=True, index=True)
    company_id = fields.Many2one(related="listing_id.company_id", store=True, index=True)
    product_id = fields.Many2one(related="listing_id.product_id")
    sku = fields.Char(related="listing_id.sku", string="SKU")
    active = fields.Boolean(related="listing_id.active", store=True)
    currency_id = fields.Many2one(related="marketplace_id.currency_id")
    state = fields.Selection(
        LISTING_STATES,
        default="pending",
        required=True,
        readonly=True,
        index=True,
        help="Pending: waiting for its first push (or a feed's report).\n"
        "Synced: Amazon accepted the last quantity and price in this marketplace.\n"
        "Error: Amazon refused the last push here or could not be reached; see the last "
        "error. It is retried automatically.\n"
        "Not on Amazon: Amazon has no listing with this SKU in this marketplace.",
    )
    last_quantity_sent = fields.Integer(readonly=True)
    last_price_sent = fields.Monetary(string="Price sent", readonly=True)
    last_sync_date = fields.Datetime(string="Last Sync", readonly=True)
    last_patch_date = fields.Datetime(
        readonly=True, help="When a patch was last sent for this offer (real time)."
    )
    last_error = fields.Text(readonly=True)
    last_error_details = fields.Text(string="Amazon's answer", readonly=True)
    feed_id = fields.Many2one(
        "amazon.feed", readonly=True, ondelete="set null", help="Feed awaiting Amazon's report."
    )
    quantity_wanted = fields.Integer(
        compute="_compute_wanted", help="The free quantity Amazon should offer now."
    )
    price_wanted = fields.Monetary(
        compute="_compute_wanted", help="The price Amazon should show now, in this currency."
    )

    def _compute_wanted(self):
        quantities = self.listing_id._amazon_quantities() if self.listing_id else {}
        for offer in self:
            offer.quantity_wanted = quantities.get(offer.listing_id.id, 0)
            offer.price_wanted = offer.listing_id._amazon_price(offer.marketplace_id)

    # ------------------------------------------------------------------
    # Binding
    # ------------------------------------------------------------------

    @api.model
    def _amazon_bind(self, listings):
        """Make sure each of ``listings`` has an offer per marketplace of its account.

        ``INSERT … ON CONFLICT DO NOTHING``: two transactions binding one listing at once
        (a product ticked while a marketplace is added) never fail on the unique constraint.

        :return: the offers of ``listings`` in their accounts' marketplaces.
        """
        pairs = [
            (listing.id, marketplace.id)
            for listing in listings
            for marketplace in listing.account_id.marketplace_ids
        ]
        if not pairs:
            return self.browse()
        self.env["amazon.listing"].flush_model()
        now = fields.Datetime.now()
        values = SQL(", ").join(SQL("(%s, %s)", listing_id, mkt_id) for listing_id, mkt_id in pairs)
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO amazon_offer (listing_id, marketplace_id, account_id, company_id,
                                          active, state, create_date, write_date,
                                          create_uid, write_uid)
                SELECT pair.listing_id, pair.marketplace_id, listing.account_id,
                       listing.company_id, listing.active, 'pending', %s, %s, %s, %s
                  FROM (VALUES %s) AS pair(listing_id, marketplace_id)
                  JOIN amazon_listing listing ON listing.id = pair.listing_id
                ON CONFLICT (listing_id, marketplace_id) DO NOTHING
                """,
                now,
                now,
                self.env.uid,
                self.env.uid,
                values,
            )
        )
        self.invalidate_model()
        listings.invalidate_recordset(["offer_ids"])
        return self.search(
            [
                ("listing_id", "in", listings.ids),
                ("marketplace_id", "in", listings.account_id.marketplace_ids.ids),
            ]
        ).filtered(lambda offer: offer.marketplace_id in offer.account_id.marketplace_ids)

    @api.model
    def _amazon_binding_insert_values(self, key_vals):
        """A new offer carries its listing's stored values (the SQL insert fills them)."""
        listing = self.env["amazon.listing"].sudo().browse(key_vals["listing_id"])
        return {
            "account_id": listing.account_id.id,
            "company_id": listing.company_id.id,
            "active": listing.active,
            "state": "pending",
        }

    def _amazon_take(self):
        """Lock these offers' rows until the commit, then read: the binding mixin's lock.

        ``NO KEY UPDATE`` (:attr:`_amazon_binding_lock`): stock moves keep queuing changes
        (their rows reference the offer) while a job holds it. A concurrent job of one of them
        is retried by queue_job (:class:`~.amazon_binding_mixin.AmazonBindingError`).
        """
        return self._amazon_take_bindings()

    # ------------------------------------------------------------------
    # Outcomes
    # ------------------------------------------------------------------

    def _mark_synced(self, quantity=None, price=None, patched=False):
        values = {
            "state": "synced",
            "last_error": False,
            "last_error_details": False,
            "last_sync_date": fields.Datetime.now(),
        }
        if patched:
            values["last_patch_date"] = values["last_sync_date"]
        if quantity is not None:
            values["last_quantity_sent"] = quantity
        if price is not None:
            values["last_price_sent"] = price
        self.write(values)
        self.listing_id._amazon_summarise()

    def _mark_failed(self, message, state="error", amazon_text=None):
        """Record why the push failed; the offer stays retryable.

        :param message: what the user reads; ignored when ``amazon_text`` is given.
        :param state: ``error`` or ``not_found``.
        :param amazon_text: Amazon's raw answer, kept in *Amazon's answer*.
        """
        _logger.info("Amazon offers %s: %s", self.mapped("sku"), amazon_text or message)
        values = {
            "state": state,
            "last_error_details": amazon_text or False,
            "last_sync_date": fields.Datetime.now(),
        }
        for offer in self:
            advice = offer.listing_id._amazon_error_advice(state) if amazon_text else message
            offer.write({**values, "last_error": advice})
        self.listing_id._amazon_summarise()

    def write(self, vals):
        result = super().write(vals)
        if {"state", "last_quantity_sent", "last_price_sent"} & vals.keys() and (
            len(self) <= REFRESH_MAX_IDS
        ):
            self._amazon_refresh_forms(self.listing_id.product_id, self.listing_id.product_tmpl_id)
        return result

    # ------------------------------------------------------------------
    # Jobs
    # ------------------------------------------------------------------

    def _amazon_enqueue_push(self):
        """Enqueue one push job per offer (one pending job per offer: changes coalesce)."""
        for offer in self:
            offer._amazon_delay(
                offer.account_id,
                "push",
                description=_lt(
                    "Amazon: push %(sku)s (%(marketplace)s)",
                    sku=offer.sku,
                    marketplace=offer.marketplace_id.code,
                ),
            )._amazon_job_push()

    def _amazon_job_push(self):
        """Job: push this offer's queued changes to its marketplace."""
        self._amazon_claim_job()
        offer = self.sudo()._amazon_take()
        if not offer or not offer.active or not offer.account_id.active:
            return "offer or account archived"
        if offer.marketplace_id not in offer.account_id.marketplace_ids:
            return "marketplace no longer sold on"
        return self.env["amazon.sync.engine"].sudo()._push_offer(offer)

    def action_sync_now(self):
        """Button *Retry* on an offer: send its quantity and price again, in the background."""
        offers = self.listing_id._check_amazon_pushable() and self.sudo()
        offers.listing_id._queue_changes(kind="all", offers=offers)
        return self.env["amazon.sync.engine"]._queued_notification(offers.listing_id)
