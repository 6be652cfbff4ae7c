import logging

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..services import AccountConfig, AmazonError, MarketplaceRef, RateLimiter, SpApiService
from .amazon_marketplace import REGIONS

_logger = logging.getLogger(__name__)

#: One rate limiter per database and account, shared by every request and cron of this process,
#: so that the pace of each SP-API operation stays under Amazon's usage plan.
_RATE_LIMITERS = {}

CONNECTION_STATES = [
    ("not_tested", "Not tested"),
    ("connected", "Connected"),
    ("error", "Error"),
]


class AmazonAccount(models.Model):
    """A Seller Central account: the credentials, where it sells, and from which warehouse.

    This is the connector's *backend*: every binding, order and return belongs to one account, and
    ``_get_sp_api_service`` is the single seam through which the models reach Amazon.
    """

    _name = "amazon.account"
    _description = "Amazon Seller Account"
    _inherit = ["mail.thread"]
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
    last_error = fields.Text(readonly=True, copy=False)
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
    listing_count = fields.Integer(compute="_compute_listing_count")
    listing_error_count = fields.Integer(compute="_compute_listing_count")

    @api.depends("listing_ids.state")
    def _compute_listing_count(self):
        for account in self:
            account.listing_count = len(account.listing_ids)
            account.listing_error_count = len(
                account.listing_ids.filtered(lambda lst: lst.state in ("error", "not_found"))
            )

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

    def _get_sp_api_config(self):
        """Return the service layer's view of this account (secrets read as superuser)."""
        self.ensure_one()
        account = self.sudo()
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
                for marketplace in account.marketplace_ids
            ),
            sp_api_endpoint=account.sp_api_endpoint or None,
            lwa_token_endpoint=account.lwa_token_endpoint or None,
            timeout=account.request_timeout or 20.0,
        )

    def _get_sp_api_service(self):
        """Return the object that talks to Amazon for this account.

        Every call to Amazon goes through here: focused unit tests patch this method, integration
        tests point the account's endpoints at the local sandbox.
        """
        self.ensure_one()
        limiter = _RATE_LIMITERS.setdefault((self.env.cr.dbname, self.id), RateLimiter())
        return SpApiService(self._get_sp_api_config(), limiter=limiter)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_test_connection(self):
        """Ask Amazon which marketplaces the seller may sell on, and record the outcome.

        The outcome is written on the account (not raised) so that the error state and its message
        stay saved; the user gets a notification saying the same thing.
        """
        self.ensure_one()
        try:
            participations = self._get_sp_api_service().get_marketplace_participations()
            message = self._check_participations(participations)
        except AmazonError as error:
            message = error.message
        if message:
            self._set_connection_error(message)
            return self._notify(_("Connection to Amazon failed"), message, "danger")
        self.write(
            {
                "connection_state": "connected",
                "last_error": False,
                "last_connection_test": fields.Datetime.now(),
            }
        )
        return self._notify(
            _("Connected to Amazon"),
            _("Amazon accepted the credentials of %(account)s.", account=self.name),
            "success",
        )

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

    def _set_connection_error(self, message):
        """Put the account in error with a message the user can act on (never a secret)."""
        _logger.warning("Amazon account %s: connection test failed: %s", self.id, message)
        self.write(
            {
                "connection_state": "error",
                "last_error": message,
                "last_connection_test": fields.Datetime.now(),
            }
        )

    def _set_sync_error(self, message):
        """Show on the account why pushes stopped (the queue keeps everything for the retry)."""
        _logger.warning("Amazon account %s: sync stopped: %s", self.id, message)
        if self.sync_error != message:
            self.sync_error = message

    def action_sync_all_products(self):
        """Send stock and price of every synced product of the account in feeds."""
        self.ensure_one()
        listings = self.listing_ids.filtered("active")
        if not listings:
            return self._notify(
                _("Nothing to sync"),
                _("No product is synced with this account yet: tick Sync with Amazon on products."),
                "warning",
            )
        self.env["amazon.sync.engine"]._dequeue(listings)
        try:
            self.env["amazon.feed"]._submit_listings(self, self._get_sp_api_service(), listings)
        except AmazonError as error:
            self._set_sync_error(error.message)
            listings._queue_changes(kind="all")  # nothing lost: the engine retries
            return self._notify(_("Amazon refused the feed"), error.message, "danger")
        return self._notify(
            _("Feeds sent to Amazon"),
            _(
                "Amazon is processing %(count)s products; their state follows its report.",
                count=len(listings),
            ),
            "success",
        )

    def action_view_listings(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "stockagile_amazon_connector.amazon_listing_action"
        )
        action["domain"] = [("account_id", "=", self.id)]
        action["context"] = {"default_account_id": self.id}
        return action

    def action_view_scheduled_actions(self):
        """Open the connector's scheduled actions (intervals are editable there)."""
        crons = self.env["ir.cron"].search(
            [
                (
                    "model_id.model",
                    "in",
                    ("amazon.sync.engine", "amazon.feed", "amazon.account", "amazon.shipment"),
                )
            ]
        )
        return {
            "type": "ir.actions.act_window",
            "name": _("Amazon scheduled actions"),
            "res_model": "ir.cron",
            "view_mode": "list,form",
            "domain": [("id", "in", crons.ids)],
        }

    def _notify(self, title, message, kind):
        """Return a client action showing a notification, and reload the form behind it."""
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": title,
                "message": message,
                "type": kind,
                "sticky": kind == "danger",
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }
