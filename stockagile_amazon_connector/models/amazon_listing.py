import logging

import psycopg2

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import float_round

from .. import odoo_compat
from ..services import payloads
from .amazon_job_mixin import REFRESH_MAX_IDS

_logger = logging.getLogger(__name__)

#: Product type sent with offer-only updates (quantity, price): Amazon's generic ``PRODUCT``
#: type accepts them for any existing listing, so the listing's real type need not be fetched.
OFFER_PRODUCT_TYPE = "PRODUCT"

LISTING_STATES = [
    ("pending", "Pending"),
    ("synced", "Synced"),
    ("error", "Error"),
    ("not_found", "Not on Amazon"),
]


@odoo_compat.sql_constraints(
    (
        "product_account_unique",
        "UNIQUE(product_id, account_id)",
        "A product has one listing per Amazon account.",
    ),
    (
        "sku_account_unique",
        "UNIQUE(sku, account_id)",
        "Two products of one Amazon account cannot share a SKU.",
    ),
)
class AmazonListing(models.Model):
    """Binding of a product to an Amazon account: the seller SKU and what was last pushed.

    One listing per product and account. Listings are written by the sync engine only (users
    enable or disable sync on the product), so that stock moves never wait on their rows: a stock
    change is queued as an ``amazon.listing.change`` instead.
    """

    _name = "amazon.listing"
    _inherit = ["amazon.job.mixin"]
    _description = "Amazon Listing"
    _order = "account_id, sku"
    _rec_name = "sku"

    account_id = fields.Many2one(
        "amazon.account", required=True, ondelete="cascade", index=True, readonly=True
    )
    company_id = fields.Many2one(related="account_id.company_id", store=True, index=True)
    product_id = fields.Many2one(
        "product.product", required=True, ondelete="cascade", index=True, readonly=True
    )
    product_tmpl_id = fields.Many2one(related="product_id.product_tmpl_id", store=True, index=True)
    sku = fields.Char(
        string="SKU",
        required=True,
        index=True,
        help="Seller SKU = the product's internal reference.",
    )
    active = fields.Boolean(default=True, help="Archived when sync is disabled; history is kept.")
    state = fields.Selection(
        LISTING_STATES,
        default="pending",
        required=True,
        readonly=True,
        index=True,
        help="Pending: waiting for its first push (or a feed's report).\n"
        "Synced: Amazon accepted the last quantity and price.\n"
        "Error: Amazon refused the last push or could not be reached; see the last error. It is "
        "retried automatically.\n"
        "Not on Amazon: Amazon has no listing with this SKU. Create the listing in Seller Central "
        "(or fix the internal reference) and press Sync now.",
    )
    last_quantity_sent = fields.Integer(readonly=True)
    last_price_sent = fields.Monetary(string="Price sent", readonly=True)
    last_sync_date = fields.Datetime(string="Last Sync", readonly=True)
    last_error = fields.Text(
        readonly=True, help="Why the last push failed and what to do about it."
    )
    last_error_details = fields.Text(
        string="Amazon's answer",
        readonly=True,
        help="Amazon's own text of the last refusal, as it came (for Seller Central support).",
    )
    currency_id = fields.Many2one(
        "res.currency",
        compute="_compute_currency_id",
        help="Currency of the price sent: that of the account's marketplace.",
    )
    feed_id = fields.Many2one(
        "amazon.feed",
        readonly=True,
        ondelete="set null",
        help="Unused since offers carry their own feed (kept for databases of 1.0).",
    )
    offer_ids = fields.One2many(
        "amazon.offer",
        "listing_id",
        string="Offers",
        readonly=True,
        help="The listing in each marketplace of its account: quantity, price and state there.",
    )
    offer_count = fields.Integer(compute="_compute_offer_count")
    offer_error_count = fields.Integer(
        compute="_compute_offer_count", help="Offers Amazon refused or does not know."
    )
    change_ids = fields.One2many("amazon.listing.change", "listing_id", readonly=True)
    has_pending_changes = fields.Boolean(compute="_compute_has_pending_changes")

    @api.depends("account_id.marketplace_ids.currency_id", "company_id.currency_id")
    def _compute_currency_id(self):
        for listing in self:
            # The listing shows its first offer's values (see _amazon_summarise).
            marketplace = listing.offer_ids[:1].marketplace_id
            listing.currency_id = marketplace.currency_id or listing.company_id.currency_id

    @api.depends("offer_ids.state")
    def _compute_offer_count(self):
        for listing in self:
            listing.offer_count = len(listing.offer_ids)
            listing.offer_error_count = len(
                listing.offer_ids.filtered(lambda offer: offer.state in ("error", "not_found"))
            )

    @api.depends("change_ids")
    def _compute_has_pending_changes(self):
        for listing in self:
            listing.has_pending_changes = bool(listing.change_ids)

    # ------------------------------------------------------------------
    # What Amazon should hold: the one place deciding quantities and prices
    # ------------------------------------------------------------------

    def _amazon_quantities(self):
        """Return ``{listing id: quantity to offer}`` for these listings.

        Quantity = free quantity (on hand minus reserved) in the account warehouse's stock
        locations, minus the account's safety stock, never negative, rounded down to units.
        Read per warehouse in one query for the whole batch.
        """
        quantities = {}
        for account in self.account_id:
            listings = self.filtered(lambda listing, a=account: listing.account_id == a)
            products = listings.product_id.with_context(warehouse_id=account.warehouse_id.id)
            free = {product["id"]: product["free_qty"] for product in products.read(["free_qty"])}
            for listing in listings:
                available = free.get(listing.product_id.id, 0.0) - account.safety_stock
                quantities[listing.id] = max(
                    0, int(float_round(available, 0, rounding_method="DOWN"))
                )
        return quantities

    def _amazon_price(self, marketplace):
        """Price offered on ``marketplace``, taxes included, in the marketplace currency.

        From the account's pricelist when it has one, else the product's sales price; EU
        marketplaces show prices with taxes, so the product's sales taxes are added.
        """
        self.ensure_one()
        account = self.account_id
        product = self.product_id.with_company(account.company_id)
        currency = marketplace.currency_id
        if account.pricelist_id:
            # What a sales order in the pricelist's currency charges, converted: a rule's fixed
            # price is in the pricelist's currency, which Odoo does not convert by itself.
            pricelist = account.pricelist_id
            price = pricelist.currency_id._convert(
                pricelist._get_product_price(product, 1.0),
                currency,
                account.company_id,
                fields.Date.today(),
            )
        else:
            price = product.currency_id._convert(
                product.lst_price, currency, account.company_id, fields.Date.today()
            )
        taxes = product.taxes_id.filtered(lambda t: t.company_id == account.company_id)
        if taxes:
            price = taxes.compute_all(price, currency=currency, product=product)["total_included"]
        return currency.round(price)

    def _amazon_patches(self, marketplace, quantity=None, price=None):
        """Patch operations setting ``quantity`` and ``price`` (each left out when None).

        :raise ValueError: the price is 0 or below the account's floor (the offer's own
            problem: it is recorded on the offer and nothing is sent).
        """
        self.ensure_one()
        if price is not None and price >= 0:  # a negative one is refused by the payload
            try:
                self.account_id._amazon_check_price(price, self.product_id, marketplace)
            except UserError as error:
                raise ValueError(error.args[0]) from error
        patches = []
        if quantity is not None:
            patches.append(payloads.fulfillment_availability_patch(quantity))
        if price is not None:
            patches.append(
                payloads.purchasable_offer_patch(
                    marketplace.api_ref, marketplace.currency_id.name, price
                )
            )
        return patches

    # ------------------------------------------------------------------
    # Outcomes, written by the sync engine
    # ------------------------------------------------------------------

    def write(self, vals):
        result = super().write(vals)
        if {"state", "last_quantity_sent", "last_price_sent", "active"} & vals.keys() and (
            len(self) <= REFRESH_MAX_IDS  # a bulk write (a feed) reloads no form
        ):
            self._amazon_refresh_forms(self.product_id, self.product_tmpl_id)
        return result

    def _amazon_jobs(self, states):
        """The listing's jobs and those of its offers (each offer is pushed by its own)."""
        return super()._amazon_jobs(states) | self.offer_ids._amazon_jobs(states)

    @api.depends_context("uid")
    def _compute_amazon_job_error(self):
        result = super()._compute_amazon_job_error()
        for listing in self:
            if not listing.amazon_job_error:
                errors = listing.offer_ids.filtered("amazon_job_error")[:1]
                listing.amazon_job_error = errors.amazon_job_error or False
        return result

    def _amazon_error_advice(self, state):
        """What the user should do about Amazon's refusal of this listing's last push."""
        self.ensure_one()
        if state == "not_found":
            return self.env._(
                "Amazon has no listing with the SKU %(sku)s on this account's marketplaces. "
                "Create it in Seller Central (or with Create on Amazon) or correct the "
                "product's internal reference, then press Sync now.",
                sku=self.sku,
            )
        return self.env._(
            "Amazon refused the quantity or price of %(sku)s. Check the product's price and "
            "the listing in Seller Central (Amazon's answer is below), then press Sync now.",
            sku=self.sku,
        )

    # ------------------------------------------------------------------
    # Queue
    # ------------------------------------------------------------------

    def _queue_changes(self, kind="stock", offers=None):
        """Queue a push of these listings' offers; the jobs run as soon as this transaction
        commits.

        :param offers: only these offers (default: every offer of the listings, bound first
            in the marketplaces of their accounts).
        """
        listings = self.filtered("active")
        if not listings:
            return
        if offers is None:
            offers = listings._amazon_offers()
        offers = offers.filtered(lambda offer: offer.listing_id in listings)
        if not offers:
            return
        self.env["amazon.listing.change"].sudo().create(
            [
                {"listing_id": offer.listing_id.id, "offer_id": offer.id, "kind": kind}
                for offer in offers
            ]
        )
        self.env["amazon.sync.engine"]._enqueue(offers)
        self.env["amazon.sync.engine"]._enqueue_after_commit(offers)

    def _amazon_offers(self):
        """These listings' offers in their accounts' marketplaces (bound when missing)."""
        offers = self.env["amazon.offer"].sudo().search([("listing_id", "in", self.ids)])
        offers = offers.filtered(
            lambda offer: offer.marketplace_id in offer.account_id.marketplace_ids
        )
        bound = {(offer.listing_id.id, offer.marketplace_id.id) for offer in offers}
        missing = self.filtered(
            lambda listing: any(
                (listing.id, marketplace.id) not in bound
                for marketplace in listing.account_id.marketplace_ids
            )
        )
        if missing:
            offers |= self.env["amazon.offer"].sudo()._amazon_bind(missing)
        return offers

    def _amazon_summarise(self):
        """Write on each listing the summary of its offers: the worst state, the first
        offer's values, the errors of every offer in error.

        Two offer jobs of one listing (two marketplaces) may summarise at once: the loser of
        that race (a serialization failure) leaves the summary to an after-commit pass, so
        that a push Amazon accepted is never rolled back for a summary.
        """
        for listing in self.sudo():
            try:
                with self.env.cr.savepoint():
                    listing._amazon_write_summary()
            except (psycopg2.errors.SerializationFailure, psycopg2.errors.LockNotAvailable):
                listing._amazon_summarise_after_commit()

    def _amazon_write_summary(self):
        self.ensure_one()
        offers = self.offer_ids.filtered(
            lambda offer: offer.marketplace_id in self.account_id.marketplace_ids
        )
        if not offers:
            return
        states = set(offers.mapped("state"))
        state = next(s for s in ("error", "not_found", "pending", "synced") if s in states)
        failed = offers.filtered(lambda offer: offer.state in ("error", "not_found"))
        first = offers[:1]
        values = {
            "state": state,
            "last_quantity_sent": first.last_quantity_sent,
            "last_price_sent": first.last_price_sent,
            "last_sync_date": max(
                offers.mapped(
                    lambda o: o.last_sync_date or fields.Datetime.from_string("1970-01-01")
                )
            ),
            "last_error": "\n".join(
                f"{offer.marketplace_id.code}: {offer.last_error}"
                if len(offers) > 1
                else offer.last_error
                for offer in failed
                if offer.last_error
            )
            or False,
            "last_error_details": "\n".join(
                offer.last_error_details for offer in failed if offer.last_error_details
            )
            or False,
        }
        if values["last_sync_date"].year == 1970:
            del values["last_sync_date"]
        changed = {
            name: value
            for name, value in values.items()
            if self._fields[name].convert_to_write(self[name], self) != value
        }
        if changed:
            self.write(changed)

    def _amazon_summarise_after_commit(self):
        data = self.env.cr.postcommit.data
        ids = data.setdefault("amazon_listings_to_summarise", set())
        if not ids:
            registry, uid = self.env.registry, self.env.uid

            def summarise():
                with registry.cursor() as cr:
                    env = api.Environment(cr, uid, {})
                    env["amazon.listing"].sudo().browse(ids).exists()._amazon_summarise()

            self.env.cr.postcommit.add(summarise)
        ids.update(self.ids)

    def action_sync_now(self):
        """Send these listings' quantity and price to Amazon, in the background.

        Amazon Users may push the listings of their companies. Pushing writes listing states and
        the queue, which they may only read: once the caller's group and access to every one of
        these listings are checked, the push is queued as superuser for these listings only.
        """
        listings = self._check_amazon_pushable()
        listings._queue_changes(kind="all")
        return self.env["amazon.sync.engine"]._queued_notification(listings)

    # ------------------------------------------------------------------
    # Jobs
    # ------------------------------------------------------------------

    def _amazon_job_push(self):
        """Job of 1.0 (one per listing), still queued on an upgraded database: its listing's
        offers are pushed each by its own job now."""
        self._amazon_claim_job()
        listing = self.sudo().exists()
        if not listing or not listing.active:
            return "listing archived"
        offers = listing._amazon_offers()
        self.env["amazon.sync.engine"]._enqueue(offers)
        return "pushed per offer"

    def _check_amazon_pushable(self):
        """These listings as superuser, after checking the caller may push them.

        :raise AccessError: the caller is no Amazon User, or one listing is of a company the
            caller may not access (nothing is queued nor sent).
        """
        # The integration user ships Amazon deliveries and does nothing else (README, Roles).
        if not self.env.is_superuser() and (
            not self.env.user.has_group("stockagile_amazon_connector.group_amazon_user")
            or self.env.user.has_group("stockagile_amazon_connector.group_amazon_integration")
        ):
            raise AccessError(_("Only Amazon Users may send products to Amazon: nothing was sent."))
        self.check_access("read")
        outside = self.sudo().filtered(lambda listing: listing.company_id not in self.env.companies)
        if outside and not self.env.su:
            raise AccessError(
                _("These Amazon listings belong to another company: nothing was sent.")
            )
        return self.sudo()
