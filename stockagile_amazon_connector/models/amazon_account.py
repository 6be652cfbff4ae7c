import logging
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools.translate import LazyTranslate

from .. import odoo_compat
from ..services import AccountConfig, AmazonError, MarketplaceRef, RateLimiter, SpApiService
from ..services.const import USAGE_PLANS
from .amazon_job_mixin import PRIORITY_BULK, PRIORITY_IMPORT, account_channel
from .amazon_marketplace import REGIONS

_lt = LazyTranslate(__name__)

_logger = logging.getLogger(__name__)

CONNECTION_STATES = [
    ("not_tested", "Not tested"),
    ("connected", "Connected"),
    ("error", "Error"),
]

#: Shortest poll interval (minutes) that stays under searchOrders' sustained rate (1 per 3 min).
MIN_ORDER_SYNC_INTERVAL = int(-(-1 / USAGE_PLANS["searchOrders"].rate // 60))


class AmazonAccount(models.Model):
    """A Seller Central account: the credentials, where it sells, and from which warehouse.

    This is the connector's *backend*: every binding, order and return belongs to one account, and
    ``_get_sp_api_service`` is the single seam through which the models reach Amazon.
    """

    _name = "amazon.account"
    _description = "Amazon Seller Account"
    _inherit = ["mail.thread", "amazon.job.mixin"]
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    seller_id = fields.Char(
        string="Seller ID", required=True, tracking=True, help="Merchant token of Seller Central."
    )
    region = fields.Selection(REGIONS, required=True, default="eu", tracking=True)
    marketplace_ids = fields.Many2many(
        "amazon.marketplace",
        string="Marketplaces",
        required=True,
        domain="[('region', '=', region)]",
        help="Marketplaces of the account's region where its offers are synchronised.",
    )
    warehouse_id = fields.Many2one(
        "stock.warehouse",
        required=True,
        check_company=True,
        tracking=True,
        help="Its free quantity is what Amazon sells; Amazon orders are delivered from it.",
    )
    pricelist_id = fields.Many2one(
        "product.pricelist",
        check_company=True,
        help="Prices sent to Amazon come from this pricelist, else from the sales price.",
    )

    # Credentials: only Amazon managers read or write them (see security/), never logged.
    lwa_client_id = fields.Char(
        string="LWA Client ID", groups="stockagile_amazon_connector.group_amazon_manager"
    )
    lwa_client_secret = fields.Char(
        string="LWA Client Secret", groups="stockagile_amazon_connector.group_amazon_manager"
    )
    refresh_token = fields.Char(groups="stockagile_amazon_connector.group_amazon_manager")
    sp_api_endpoint = fields.Char(
        string="SP-API Endpoint",
        groups="stockagile_amazon_connector.group_amazon_manager",
        help="Leave empty for Amazon's regional endpoint. Set it to reach another SP-API host, "
        "such as the local Amazon sandbox.",
    )
    lwa_token_endpoint = fields.Char(
        string="LWA Token Endpoint",
        groups="stockagile_amazon_connector.group_amazon_manager",
        help="Leave empty for https://api.amazon.com/auth/o2/token.",
    )
    request_timeout = fields.Float(
        default=20.0, help="Seconds an SP-API call may take before it counts as failed."
    )

    connection_state = fields.Selection(
        CONNECTION_STATES,
        default="not_tested",
        readonly=True,
        copy=False,
        help="Not tested: the credentials were never tried.\n"
        "Connected: the last test reached Amazon and every marketplace is open to the seller.\n"
        "Error: the last test failed; the last error says why and what to do.",
    )
    last_error = fields.Text(
        readonly=True, copy=False, help="Why the last connection test failed and what to do."
    )
    last_error_details = fields.Text(
        string="Amazon's answer",
        readonly=True,
        copy=False,
        help="Amazon's own text of the last failed connection test, as it came (no secret).",
    )
    last_connection_test = fields.Datetime(readonly=True, copy=False)

    # Catalog sync
    sync_stock = fields.Boolean(
        string="Sync stock", default=True, help="Send the free quantity of synced products."
    )
    sync_price = fields.Boolean(
        string="Sync prices", default=True, help="Send the price of synced products."
    )
    safety_stock = fields.Float(
        digits="Product Unit of Measure",
        help="Units kept back from Amazon: the quantity sent is the free quantity minus this.",
    )
    sync_error = fields.Text(
        readonly=True,
        copy=False,
        help="Why the last stock or price push of this account stopped (it will be retried).",
    )
    listing_ids = fields.One2many("amazon.listing", "account_id", string="Listings")
    # Product creation (issue 13): off by default; only managers write accounts.
    create_products = fields.Boolean(
        string="Create products on Amazon",
        help="Offer *Create on Amazon* on products whose SKU has no listing yet: an offer on the "
        "ASIN matching the barcode, or a new product with its product type's attributes. The "
        "SP-API application needs the Product Listing role.",
    )
    creation_handling_time = fields.Integer(
        string="Handling time (days)",
        default=2,
        help="Days between an order and its shipment, sent with the offers of created listings.",
    )
    # Two counts that never mix: the synced products whose SKU Amazon has (or has yet to
    # confirm), and the SKUs Amazon answered it does not know.
    listing_count = fields.Integer(
        compute="_compute_listing_count",
        help="Synced products of this account whose SKU Amazon knows (or has yet to confirm).",
    )
    listing_unknown_count = fields.Integer(
        string="Not on Amazon",
        compute="_compute_listing_count",
        help="Synced products whose SKU Amazon does not know: create the listing in Seller "
        "Central or fix the product's internal reference.",
    )

    @api.depends("listing_ids.state")
    def _compute_listing_count(self):
        for account in self:
            unknown = account.listing_ids.filtered(lambda lst: lst.state == "not_found")
            account.listing_unknown_count = len(unknown)
            account.listing_count = len(account.listing_ids) - len(unknown)

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------

    @api.constrains("region", "marketplace_ids")
    def _check_marketplace_region(self):
        """One SP-API endpoint serves one region: a marketplace elsewhere could never be reached."""
        for account in self:
            foreign = account.marketplace_ids.filtered_domain([("region", "!=", account.region)])
            if foreign:
                raise ValidationError(
                    _(
                        "Marketplaces %(names)s are not in the account's region (%(region)s). "
                        "Create another account for them.",
                        names=", ".join(foreign.mapped("name")),
                        region=dict(REGIONS)[account.region],
                    )
                )

    # ------------------------------------------------------------------
    # The seam to Amazon
    # ------------------------------------------------------------------

    def _get_sp_api_config(self, marketplaces=None):
        """Return the service layer's view of this account (secrets read as superuser).

        :param marketplaces: other marketplaces the service may call too (one removed from the
            account, whose offers are withdrawn there).
        """
        self.ensure_one()
        account = self.sudo()
        markets = account.marketplace_ids | (marketplaces or account.marketplace_ids.browse())
        return AccountConfig(
            seller_id=account.seller_id,
            lwa_client_id=account.lwa_client_id or "",
            lwa_client_secret=account.lwa_client_secret or "",
            refresh_token=account.refresh_token or "",
            region=account.region,
            marketplaces=tuple(
                MarketplaceRef(
                    api_ref=marketplace.api_ref,
                    code=marketplace.code,
                    region=marketplace.region,
                    currency=marketplace.currency_id.name,
                )
                for marketplace in markets
            ),
            sp_api_endpoint=account.sp_api_endpoint or None,
            lwa_token_endpoint=account.lwa_token_endpoint or None,
            timeout=account.request_timeout or 20.0,
        )

    def _get_sp_api_service(self, marketplaces=None):
        """Return the object that talks to Amazon for this account.

        Every call to Amazon goes through here: focused unit tests patch this method, integration
        tests point the account's endpoints at the local sandbox. Its rate limiter keeps the
        pacing state in PostgreSQL (``amazon.rate.bucket``), shared by every worker and server,
        and keeps one token back for calls that reach Amazon in another order than granted.
        """
        self.ensure_one()
        store = self.env["amazon.rate.bucket"]._store(self._get_rate_limit_key())
        return SpApiService(
            self._get_sp_api_config(marketplaces), limiter=RateLimiter(store=store, headroom=1)
        )

    def _get_rate_limit_key(self):
        """Key of this account's pacing buckets: Amazon meters per selling partner, so accounts
        of one seller and region (even in different companies) share them."""
        self.ensure_one()
        return f"{self.seller_id}:{self.region}"

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_test_connection(self):
        """Ask Amazon which marketplaces the seller may sell on, and record the outcome.

        The outcome is written on the account (not raised) so that the error state and its message
        stay saved; the user gets a notification saying the same thing.
        """
        self.ensure_one()
        self._check_amazon_manager()
        details = False
        try:
            participations = self._get_sp_api_service().get_marketplace_participations()
            message = self._check_participations(participations)
        except AmazonError as error:
            message, details = self._connection_advice(error), error.message
        if message:
            self._set_connection_error(message, details)
            return self._notify(_("Connection to Amazon failed"), message, "danger")
        self.write(
            {
                "connection_state": "connected",
                "last_error": False,
                "last_error_details": False,
                "last_connection_test": fields.Datetime.now(),
                # Amazon answered: the pause an outage set is over, and so is its banner.
                "sync_error": False,
                "amazon_outage_until": False,
            }
        )
        # The jobs an outage postponed run now rather than at their next attempt.
        self.env["queue.job"].sudo().search(
            [
                ("channel", "=", account_channel(self)),
                ("state", "=", "pending"),
                ("eta", "!=", False),
            ]
        ).write({"eta": False})
        return self._notify(
            _("Connected to Amazon"),
            _("Amazon accepted the credentials of %(account)s.", account=self.name),
            "success",
        )

    def _check_amazon_manager(self):
        """Refuse callers who are not Amazon Managers of these accounts' companies.

        Actions that talk to Amazon on behalf of a whole account (test the connection, send
        every product, import orders or returns) write the account and the records they track:
        only managers can complete them, so only managers may start them, over the UI or
        XML-RPC. Record rules keep them to the accounts of their allowed companies.

        :raise AccessError: the caller is not an Amazon Manager or may not edit the accounts.
        """
        if not self.env.is_superuser() and not self.env.user.has_group(
            "stockagile_amazon_connector.group_amazon_manager"
        ):
            raise AccessError(
                _("Only Amazon Managers may do this on Amazon accounts: nothing was sent.")
            )
        self.check_access("write")

    def _check_participations(self, participations):
        """Return an error message when a configured marketplace is closed to the seller."""
        open_ids = {p.marketplace_id for p in participations if p.is_participating}
        missing = self.marketplace_ids.filtered(lambda m: m.api_ref not in open_ids)
        if not missing:
            return False
        return _(
            "The seller does not participate in %(names)s on Amazon. Remove them from the "
            "account or enable them in Seller Central.",
            names=", ".join(missing.mapped("name")),
        )

    def _connection_advice(self, error):
        """What the user should do about a failed connection test, from the error's code.

        Amazon's own text (operation names, error codes, hosts) stays one click away in
        *Amazon's answer*; a code with no advice here shows that text itself.
        """
        code = error.code or ""
        if code == "invalid_client":
            return _(
                "Amazon refused the LWA client ID or client secret: copy them again from your "
                "application in Seller Central (Apps and Services > Develop Apps), then press "
                "Test connection."
            )
        if code in ("invalid_grant", "unauthorized_client"):
            return _(
                "Amazon refused the refresh token: authorise the application again in Seller "
                "Central, paste the new refresh token in Credentials, then press Test connection."
            )
        if code in ("lwa_unreachable", "lwa_timeout"):
            return _(
                "Login with Amazon cannot be reached: check the server's Internet access and the "
                "LWA token endpoint in Credentials (empty: Amazon's own), then press Test "
                "connection."
            )
        if code in ("unreachable", "timeout"):
            return _(
                "Amazon's Selling Partner API cannot be reached: check the server's Internet "
                "access and the SP-API endpoint in Credentials (empty: Amazon's regional one), "
                "then press Test connection."
            )
        if code == "access_denied":
            return _(
                "Amazon denied access: check in Seller Central that the application has the "
                "roles it needs and that the seller authorised it, then press Test connection."
            )
        return error.message

    def _set_connection_error(self, message, details=False):
        """Put the account in error with a message the user can act on (never a secret).

        :param details: Amazon's own text, kept in *Amazon's answer*.
        """
        _logger.warning(
            "Amazon account %s: connection test failed: %s", self.id, details or message
        )
        self.write(
            {
                "connection_state": "error",
                "last_error": message,
                "last_error_details": details,
                "last_connection_test": fields.Datetime.now(),
            }
        )

    def _set_sync_error(self, message):
        """Show on the account why pushes stopped (the queue keeps everything for the retry)."""
        _logger.warning("Amazon account %s: sync stopped: %s", self.id, message)
        if self.sync_error != message:
            self.sync_error = message

    @api.model_create_multi
    def create(self, vals_list):
        accounts = super().create(vals_list)
        accounts._amazon_list_synced_products()
        return accounts

    def _amazon_list_synced_products(self):
        """Give the products already ticked for sync a listing in these new accounts, with an
        offer per marketplace, pushed: a product ticked before its account exists sells there
        as soon as the account does."""
        Product = self.env["product.product"].sudo()
        for account in self.filtered("active"):
            products = Product.with_company(account.company_id).search(
                [
                    ("amazon_sync", "=", True),
                    ("company_id", "in", [False, account.company_id.id]),
                ]
            )
            products._amazon_enable_listings(accounts=account)

    def write(self, vals):
        before = {}
        if "marketplace_ids" in vals or "active" in vals:
            before = {account: (account.active, account.marketplace_ids) for account in self}
        result = super().write(vals)
        if "marketplace_ids" in vals:
            self._amazon_bind_offers()
        for account, (was_active, marketplaces) in before.items():
            account._amazon_withdraw_left(was_active, marketplaces)
        return result

    def _amazon_withdraw_left(self, was_active, marketplaces):
        """Set to 0 on Amazon the offers this account no longer syncs: all of them when it is
        archived, those of the marketplaces removed from it (see ``amazon.offer.withdrawal``).

        Otherwise Amazon keeps selling, at the last quantity sent, stock nobody updates.

        :param was_active: whether the account was active before the change.
        :param marketplaces: its marketplaces before the change.
        """
        self.ensure_one()
        if not was_active:
            return
        listings = self.sudo().listing_ids.filtered("active")
        Withdrawal = self.env["amazon.offer.withdrawal"]
        if not self.active:
            Withdrawal._amazon_withdraw(listings, "account_archived", marketplaces)
            return
        removed = marketplaces - self.marketplace_ids
        if removed:
            Withdrawal._amazon_withdraw(listings, "marketplace_removed", removed)

    def _amazon_bind_offers(self):
        """Give the account's synced listings their offers in marketplaces added to it; the
        new offers are pushed (those of the other marketplaces are untouched)."""
        listings = self.sudo().listing_ids.filtered("active")
        if not listings:
            return
        before = self.env["amazon.offer"].sudo().search([("listing_id", "in", listings.ids)])
        offers = listings._amazon_offers() - before
        if offers:
            offers.listing_id._queue_changes(kind="all", offers=offers)

    def action_sync_all_products(self):
        """Send stock and price of every synced product of the account, as feeds.

        One feed job per marketplace, each in a transaction of its own: a throttle on one
        marketplace postpones that marketplace's job only, and no feed Amazon accepted is
        ever rolled back with another marketplace's.
        """
        self.ensure_one()
        self._check_amazon_manager()
        listings = self.listing_ids.filtered("active")
        if not listings:
            return self._notify(
                _("Nothing to sync"),
                _("No product is synced with this account yet: tick Sync with Amazon on products."),
                "warning",
            )
        offers = listings.sudo()._amazon_offers()
        self.env["amazon.listing.change"].sudo().create(
            [
                {"listing_id": offer.listing_id.id, "offer_id": offer.id, "kind": "all"}
                for offer in offers
            ]
        )
        for marketplace in self.marketplace_ids:
            self._enqueue_feed(marketplace)
        if len(listings) == 1:
            message = _(
                "%(product)s queued for Amazon in a feed; its state follows Amazon's report. "
                "Follow them:",
                product=listings.product_id.display_name or listings.sku,
            )
        else:
            message = _(
                "%(count)s products queued for Amazon in feeds; their state follows Amazon's "
                "report. Follow them:",
                count=len(listings),
            )
        return self._notify(
            _("Feeds queued for Amazon"),
            message,
            "success",
            links=self._links_to_follow("listings", "jobs"),
        )

    def _enqueue_feed(self, marketplace=None, eta=None):
        """Enqueue the feed job of ``marketplace`` (one pending per marketplace; default:
        every marketplace of the account), in ``eta`` seconds if given."""
        self.ensure_one()
        for market in marketplace or self.marketplace_ids:
            self._amazon_delay(
                self,
                f"feed:{market.id}",
                priority=PRIORITY_BULK,
                eta=eta,
                description=_lt(
                    "Amazon: feed of %(account)s's queued offers on %(marketplace)s",
                    account=self.name,
                    marketplace=market.name,
                ),
            )._amazon_job_push_feed(market.id)

    def _amazon_job_push_feed(self, marketplace_id=None):
        """Job: send the account's queued offers of one marketplace as JSON_LISTINGS_FEED.

        :param marketplace_id: the marketplace; None (a job stored by 1.0, one per account):
            a job per marketplace is enqueued instead.
        """
        self._amazon_claim_job()
        account = self.sudo().exists()
        if not account or not account.active:
            return "account archived"
        if not isinstance(marketplace_id, int):
            account._enqueue_feed()
            return "one feed job per marketplace"
        marketplace = account.marketplace_ids.filtered(lambda m: m.id == marketplace_id)
        if not marketplace:
            return "marketplace no longer sold on"
        return self.env["amazon.sync.engine"].sudo()._push_feed(account, marketplace)

    amazon_outage_until = fields.Datetime(
        readonly=True,
        copy=False,
        help="Amazon could not be reached for this account: its jobs wait until then.",
    )

    def _amazon_outage_left(self):
        """Seconds this account's jobs still wait after an outage (0: go ahead).

        Read from the database, not the cache: another job sets it in its own transaction.
        """
        self.env.cr.execute(
            "SELECT EXTRACT(EPOCH FROM amazon_outage_until - (clock_timestamp() AT TIME ZONE "
            "'UTC')) FROM amazon_account WHERE id = %s",
            [self.id],
        )
        row = self.env.cr.fetchone()
        return max(0, int(-(-(row[0] or 0) // 1))) if row and row[0] else 0

    def _amazon_pause_after_outage(self, seconds):
        """Pause the account's jobs for ``seconds``, committed at once (own cursor).

        The failing job's transaction is rolled back, so the pause is written through another
        connection; a row this job itself locked is left alone (never a self-deadlock).
        """
        with self.env.registry.cursor() as cr:
            cr.execute(
                """
                UPDATE amazon_account SET amazon_outage_until =
                       (clock_timestamp() AT TIME ZONE 'UTC') + make_interval(secs => %s)
                 WHERE id IN (SELECT id FROM amazon_account WHERE id = %s
                                 FOR NO KEY UPDATE SKIP LOCKED)
                """,
                [seconds, self.id],
            )

    job_failed_count = fields.Integer(
        compute="_compute_job_failed_count",
        groups="stockagile_amazon_connector.group_amazon_manager",
        help="Jobs of this account that failed: open them to see why and requeue them.",
    )

    def _compute_job_failed_count(self):
        jobs = self.env["queue.job"].sudo()
        for account in self:
            account.job_failed_count = jobs.search_count(
                [("channel", "=", account_channel(account)), ("state", "=", "failed")]
            )

    def action_view_jobs(self):
        """Open this account's jobs, failed first (Amazon managers)."""
        self.ensure_one()
        self._check_amazon_manager()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "stockagile_amazon_connector.amazon_job_action"
        )
        action["domain"] = [("channel", "=", account_channel(self))]
        return action

    def action_view_listings(self):
        """Open the account's listings Amazon knows (those it does not: *Not on Amazon*)."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "stockagile_amazon_connector.amazon_listing_action"
        )
        action["domain"] = [("account_id", "=", self.id), ("state", "!=", "not_found")]
        action["context"] = {"default_account_id": self.id}
        return action

    def action_view_scheduled_actions(self):
        """Open the connector's scheduled actions (intervals are editable there)."""
        # The connector's own scheduled actions, whatever model each one runs on.
        cron_ids = (
            self.env["ir.model.data"]
            .sudo()  # ir.model.data is readable by administrators only; the ids say nothing
            .search([("module", "=", "stockagile_amazon_connector"), ("model", "=", "ir.cron")])
            .mapped("res_id")
        )
        crons = self.env["ir.cron"].search([("id", "in", cron_ids)])
        return {
            "type": "ir.actions.act_window",
            "name": _("Amazon scheduled actions"),
            "res_model": "ir.cron",
            "view_mode": "list,form",
            "domain": [("id", "in", crons.ids)],
        }

    def _notify(self, title, message, kind, links=None):
        """Return a client action showing a notification, and reload the form behind it.

        :param links: ``[(label, action xml id)]``: where to follow what was queued, shown after
            the message (the web client's notification ``links``).
        """
        links = links or []
        if links:
            message = "%s " % message.replace("%", "%%") + " · ".join(["%s"] * len(links))
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": title,
                "message": message,
                "links": [
                    {"label": label, "url": f"/odoo/action-{xml_id}"} for label, xml_id in links
                ],
                "type": kind,
                "sticky": kind == "danger",
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def _links_to_follow(self, *lists):
        """``(label, action)`` of the lists where the work just queued shows up (managers)."""
        names = {
            "listings": (_("Listings"), "stockagile_amazon_connector.amazon_listing_action"),
            "orders": (_("Orders"), "stockagile_amazon_connector.amazon_sale_order_action"),
            "returns": (_("Returns"), "stockagile_amazon_connector.amazon_return_action"),
            "jobs": (_("Jobs"), "stockagile_amazon_connector.amazon_job_action"),
        }
        return [names[name] for name in lists]

    # ------------------------------------------------------------------
    # Orders: import options, the order cursor and its crons
    # (the import itself is ``amazon.order.importer``)
    # ------------------------------------------------------------------

    sync_orders = fields.Boolean(
        string="Import orders", default=True, help="Import this account's Amazon orders."
    )
    orders_last_sync = fields.Datetime(
        string="Orders imported up to",
        copy=False,
        help="The import cursor: every order Amazon updated before this moment is in the ERP. It "
        "only moves past orders that were imported; an order that failed is retried next time.",
    )
    orders_next_sync = fields.Datetime(string="Next order import", readonly=True, copy=False)
    order_sync_interval = fields.Integer(
        string="Order import interval",
        default=5,
        help="Minutes between two polls of Amazon for orders. Amazon allows searchOrders about "
        "once every 3 minutes sustained.",
    )
    orders_poll_error = fields.Text(
        readonly=True, copy=False, help="Why the last poll of Amazon for orders stopped."
    )
    orders_sync_error = fields.Text(
        compute="_compute_orders_sync_error",
        help="Why the last poll stopped, and the orders whose import failed (their jobs can be "
        "requeued once the cause is fixed; a newer update of the order on Amazon is imported "
        "on its own).",
    )
    fba_import = fields.Boolean(
        string="Import FBA orders",
        help="Import orders fulfilled by Amazon as sales already delivered from the Amazon stock "
        "location, so that reporting is complete; the warehouse's stock is not touched.",
    )
    fba_location_id = fields.Many2one(
        "stock.location",
        string="FBA stock location",
        check_company=True,
        domain="[('usage', '=', 'internal'), ('warehouse_id', '=', False)]",
        help="Where FBA sales are delivered from: outside every warehouse, so that FBM stock and "
        "the quantities sent to Amazon stay untouched. Created on the first FBA order if empty.",
    )
    anonymize_after_days = fields.Integer(
        string="Erase buyer data after (days)",
        default=30,
        help="Days after delivery (or cancellation) after which the buyer's name, address and "
        "phone are erased from the order's partners, as Amazon's data protection policy asks. "
        "0 keeps them.",
    )
    shipping_product_id = fields.Many2one(
        "product.product",
        string="Shipping product",
        default=lambda self: self.env.ref(
            "stockagile_amazon_connector.product_amazon_shipping", raise_if_not_found=False
        ),
        help="Product of the order lines charging Amazon's shipping fees.",
    )
    discount_product_id = fields.Many2one(
        "product.product",
        string="Promotion product",
        default=lambda self: self.env.ref(
            "stockagile_amazon_connector.product_amazon_promotion", raise_if_not_found=False
        ),
        help="Product of the negative order lines of Amazon promotions.",
    )
    order_ids = fields.One2many("sale.order", "amazon_account_id", string="Amazon orders")
    order_count = fields.Integer(compute="_compute_order_count")

    def _compute_order_count(self):
        counts = dict(
            self.env["sale.order"]._read_group(
                [("amazon_account_id", "in", self.ids)], ["amazon_account_id"], ["__count"]
            )
        )
        for account in self:
            account.order_count = counts.get(account, 0)

    def _compute_orders_sync_error(self):
        for account in self:
            prefix = f"{account._amazon_job_key('order')}:"
            failed = (
                self.env["queue.job"]
                .sudo()
                .search(
                    [("state", "=", "failed"), ("identity_key", "=like", f"{prefix}%")],
                    order="id desc",
                    limit=20,
                )
            )
            lines = [account.orders_poll_error] if account.orders_poll_error else []
            for binding in (
                self.env["amazon.order"]
                .sudo()
                .search([("account_id", "=", account.id), ("to_review", "=", True)], limit=20)
            ):
                lines.append(
                    _(
                        "Order %(ref)s (to review): %(error)s",
                        ref=binding.amazon_order_ref,
                        error=binding.review_reason,
                    )
                )
            for job in failed:
                ref = job.identity_key[len(prefix) :].split("@", 1)[0]
                lines.append(
                    _("Order %(ref)s: %(error)s", ref=ref, error=job.exc_message or job.exc_name)
                )
            account.orders_sync_error = "\n".join(lines) or False

    @api.constrains("order_sync_interval")
    def _check_order_sync_interval(self):
        for account in self:
            if account.order_sync_interval < MIN_ORDER_SYNC_INTERVAL:
                raise ValidationError(
                    _(
                        "Amazon allows searching orders about once every %(minutes)s minutes: "
                        "the import interval cannot be shorter.",
                        minutes=MIN_ORDER_SYNC_INTERVAL,
                    )
                )

    # ------------------------------------------------------------------
    # Import
    # ------------------------------------------------------------------

    def action_sync_orders(self):
        """Ask Amazon for the orders updated since the last import, now (in the background)."""
        self._check_amazon_manager()
        for account in self:
            account._enqueue_order_poll()
        return self._notify(
            _("Amazon orders"),
            _(
                "Import of the orders of %(accounts)s queued: new orders appear as soon as "
                "Amazon has answered. Follow it:",
                accounts=", ".join(self.mapped("name")),
            ),
            "success",
            links=self._links_to_follow("orders", "jobs"),
        )

    @api.model
    def _cron_recover_interrupted_jobs(self):
        """Run again the Amazon jobs a dead process left started (nothing is lost)."""
        return self.env["amazon.job.mixin"]._amazon_recover_interrupted_jobs()

    @api.model
    def _cron_sync_orders(self):
        """Enqueue the order poll of every active account whose poll interval has elapsed."""
        now = fields.Datetime.now()
        for account in self.search([("sync_orders", "=", True)]):
            if account.orders_next_sync and account.orders_next_sync > now:
                continue
            account._enqueue_order_poll()

    def _enqueue_order_poll(self, delay=None, page_token=None, since=None):
        """Enqueue this account's order poll (one pending at a time), in ``delay`` seconds.

        :param page_token: the next page of a poll under way (with the ``since`` it used).
        """
        self.ensure_one()
        self._amazon_delay(
            self,
            "orders",
            priority=PRIORITY_IMPORT,
            eta=delay,
            description=_lt("Amazon: poll orders of %(account)s", account=self.name),
        )._amazon_job_poll_orders(page_token=page_token, since=since)

    def _schedule_next_order_sync(self, delay=None, page_token=None, since=None):
        """Set when the cron may poll this account again (``delay`` seconds, else its interval).

        With ``delay`` (Amazon asked to wait) the poll, or its page under way, is enqueued to
        run then.
        """
        self.ensure_one()
        seconds = delay if delay is not None else self.order_sync_interval * 60
        self.orders_next_sync = fields.Datetime.now() + timedelta(seconds=seconds)
        if delay is not None:
            self._enqueue_order_poll(delay=delay or None, page_token=page_token, since=since)

    def _amazon_job_poll_orders(self, page_token=None, since=None):
        """Job: read one page of the orders Amazon updated since the cursor; a job each."""
        self._amazon_claim_job()
        account = self.sudo().exists()
        if not account or not account.active:
            return "account archived"
        return (
            self.env["amazon.order.importer"]
            .sudo()
            ._sync_account(account, page_token=page_token, since=since)
        )

    def _amazon_job_import_order(self, data):
        """Job: create or update the sales order of one Amazon order."""
        self._amazon_claim_job()
        account = self.sudo().with_company(self.company_id)
        return self.env["amazon.order.importer"].sudo()._import_one(account, data)

    def _get_fba_location(self):
        """The account's FBA location, created outside any warehouse on first use."""
        self.ensure_one()
        if not self.fba_location_id:
            self.sudo().fba_location_id = (
                self.env["stock.location"]
                .sudo()
                .create(
                    {
                        "name": _("Amazon FBA (%(account)s)", account=self.name),
                        "usage": "internal",
                        "location_id": odoo_compat.physical_locations(self.env).id,
                        "company_id": self.company_id.id,
                    }
                )
            )
        return self.fba_location_id

    # ------------------------------------------------------------------
    # Personal data
    # ------------------------------------------------------------------

    @api.model
    def _cron_anonymize_orders(self):
        """Enqueue, per account, the erasure of buyer data of its old orders."""
        for account in self.search([("anonymize_after_days", ">", 0)]):
            account._amazon_delay(
                account,
                "erase",
                priority=PRIORITY_BULK,
                description=_lt(
                    "Amazon: erase old buyer data of %(account)s", account=account.name
                ),
            )._amazon_job_erase_buyer_data()

    def _amazon_job_erase_buyer_data(self):
        """Job: erase buyer data of orders delivered or cancelled long enough ago."""
        self._amazon_claim_job()
        for account in self.sudo().filtered("anonymize_after_days"):
            limit = fields.Datetime.now() - timedelta(days=account.anonymize_after_days)
            orders = self.env["sale.order"].search(
                [
                    ("amazon_account_id", "=", account.id),
                    ("amazon_anonymized", "=", False),
                    ("state", "in", ("draft", "sale", "cancel")),
                ]
            )
            due = orders.filtered(lambda order, lim=limit: order._amazon_done_before(lim))
            due._amazon_anonymize()
            # The import jobs of these orders hold the buyer's data in their arguments.
            self.env["queue.job"].sudo().search(
                [
                    ("channel", "=", account_channel(account)),
                    ("method_name", "=", "_amazon_job_import_order"),
                    ("state", "in", ("done", "cancelled", "failed")),
                    ("date_created", "<", limit),
                ]
            ).unlink()
            # So do orders to review (Amazon's data, the buyer's included): Retry asks Amazon.
            self.env["amazon.order"].search(
                [
                    ("account_id", "=", account.id),
                    ("raw_data", "!=", False),
                    ("write_date", "<", limit),
                ]
            ).write({"raw_data": False})

    def action_view_amazon_orders(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "stockagile_amazon_connector.amazon_sale_order_action"
        )
        action["domain"] = [("amazon_account_id", "=", self.id)]
        action["context"] = {}
        return action

    # ------------------------------------------------------------------
    # Returns: options, the returns cursor and its cron
    # (the import itself is ``amazon.returns.importer``)
    # ------------------------------------------------------------------

    sync_returns = fields.Boolean(
        string="Import returns",
        default=True,
        help="Import the returns of merchant-fulfilled orders as return pickings.",
    )
    returns_last_sync = fields.Datetime(
        string="Returns imported up to",
        copy=False,
        help="The returns cursor: every return requested before this moment is recorded. It "
        "only moves once a whole returns report was read and each of its returns recorded.",
    )
    returns_report_id = fields.Char(
        string="Pending returns report",
        readonly=True,
        copy=False,
        help="Amazon is still generating this returns report; the next run reads it.",
    )
    returns_report_start = fields.Datetime(readonly=True, copy=False)
    returns_report_end = fields.Datetime(readonly=True, copy=False)
    returns_location_id = fields.Many2one(
        "stock.location",
        string="Returns location",
        check_company=True,
        domain="[('usage', '=', 'internal'), ('company_id', 'in', [company_id, False])]",
        help="Where returned items are received. Empty: the stock of the order's warehouse, so "
        "that they can be sold again at once. A location inside the account's warehouse counts "
        "in what Amazon sells; one outside (e.g. a quarantine) does not.",
    )
    returns_credit_note = fields.Boolean(
        string="Credit note on return",
        help="When a return is received and its order was invoiced, create a draft credit note "
        "of the returned items.",
    )
    returns_sync_error = fields.Text(
        readonly=True, copy=False, help="Why the last returns import stopped (retried next time)."
    )
    return_ids = fields.One2many("amazon.return", "account_id", string="Amazon returns")
    return_count = fields.Integer(compute="_compute_return_count")
    return_review_count = fields.Integer(compute="_compute_return_count")

    def _compute_return_count(self):
        groups = self.env["amazon.return"]._read_group(
            [("account_id", "in", self.ids)], ["account_id", "state"], ["__count"]
        )
        counts, review = {}, {}
        for account, state, count in groups:
            counts[account] = counts.get(account, 0) + count
            if state == "review":
                review[account] = count
        for account in self:
            account.return_count = counts.get(account, 0)
            account.return_review_count = review.get(account, 0)

    # ------------------------------------------------------------------
    # Import
    # ------------------------------------------------------------------

    def action_sync_returns(self):
        """Ask Amazon for the returns since the last import, now (in the background)."""
        self._check_amazon_manager()
        for account in self:
            account._schedule_returns_run(0)
        to_review = self.env["amazon.return"].search_count(
            [("account_id", "in", self.ids), ("state", "=", "review")]
        )
        if not to_review:
            message = _(
                "Import queued: returns appear once Amazon has prepared its report (usually "
                "within minutes). No return is to review now. Follow it:"
            )
        elif to_review == 1:
            message = _(
                "Import queued: returns appear once Amazon has prepared its report (usually "
                "within minutes). One return is to review now. Follow it:"
            )
        else:
            message = _(
                "Import queued: returns appear once Amazon has prepared its report (usually "
                "within minutes). %(count)s returns are to review now. Follow it:",
                count=to_review,
            )
        return self._notify(
            _("Amazon returns"),
            message,
            "success",
            links=self._links_to_follow("returns", "jobs"),
        )

    @api.model
    def _cron_sync_returns(self):
        """Enqueue the returns import of every active account that imports them."""
        for account in self.search([("sync_returns", "=", True)]):
            account._schedule_returns_run(0)

    def _schedule_returns_run(self, seconds):
        """Enqueue this account's returns import in ``seconds`` (a pending report, a throttle)."""
        self.ensure_one()
        self._amazon_delay(
            self,
            "returns",
            priority=PRIORITY_BULK,
            eta=max(int(seconds), 0) or None,
            description=_lt("Amazon: import returns of %(account)s", account=self.name),
        )._amazon_job_poll_returns()

    def _amazon_job_record_return(self, rma, rows, as_of=None):
        """Job: record (and process) one return of Amazon's returns report (as of ``as_of``)."""
        self._amazon_claim_job()
        account = self.sudo().with_company(self.company_id)
        return (
            self.env["amazon.returns.importer"].sudo()._record_one(account, rma, rows, as_of=as_of)
        )

    def _amazon_job_poll_returns(self):
        """Job: advance the returns import as far as Amazon allows now."""
        self._amazon_claim_job()
        account = self.sudo().exists()
        if not account or not account.active:
            return "account archived"
        return self.env["amazon.returns.importer"].sudo()._sync_account(account)

    def action_view_amazon_returns(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "stockagile_amazon_connector.amazon_return_action"
        )
        action["domain"] = [("account_id", "=", self.id)]
        action["context"] = {}
        return action
