from odoo import _, api, fields, models
from odoo.exceptions import UserError


class ProductProduct(models.Model):
    """Products carry the *Sync with Amazon* flag; their listings are the bindings to accounts."""

    _inherit = "product.product"

    amazon_sync = fields.Boolean(
        string="Sync with Amazon",
        copy=False,
        help="Keep the stock and price of this product up to date on every Amazon account of its "
        "company. Its internal reference must be the Amazon seller SKU of an existing listing.",
    )
    amazon_listing_ids = fields.One2many(
        "amazon.listing", "product_id", string="Amazon Listings", readonly=True
    )

    @api.model_create_multi
    def create(self, vals_list):
        products = super().create(vals_list)
        products.filtered("amazon_sync")._amazon_enable_listings()
        return products

    def write(self, vals):
        if vals.get("amazon_sync"):
            self._amazon_check_skus(vals.get("default_code"))
        if "default_code" in vals and not vals["default_code"]:
            self.filtered("amazon_sync")._amazon_check_skus(False)
        result = super().write(vals)
        if "amazon_sync" in vals:
            if vals["amazon_sync"]:
                self._amazon_enable_listings()
            else:
                self._amazon_disable_listings()
        elif "default_code" in vals:
            self.filtered("amazon_sync")._amazon_enable_listings()
        return result

    # ------------------------------------------------------------------
    # Listings
    # ------------------------------------------------------------------

    def _amazon_check_skus(self, default_code=None):
        """Refuse to sync products without an internal reference, naming them."""
        if default_code:
            return
        missing = self.filtered(lambda product: not product.default_code)
        if missing:
            raise UserError(
                _(
                    "Amazon needs the seller SKU of each synced product in its Internal Reference. "
                    "Set it on: %(products)s",
                    products=", ".join(missing.mapped("display_name")),
                )
            )

    def _amazon_accounts(self):
        """Active Amazon accounts that sell this product (those of its company, or all)."""
        self.ensure_one()
        companies = self.company_id or self.env.companies
        return self.env["amazon.account"].search([("company_id", "in", companies.ids)])

    def _amazon_enable_listings(self):
        """Create or reactivate a listing per account, then queue a full push of each."""
        self._amazon_check_skus()
        Listing = self.env["amazon.listing"].sudo().with_context(active_test=False)
        listings = Listing.browse()
        existing = {
            (listing.product_id.id, listing.account_id.id): listing
            for listing in Listing.search([("product_id", "in", self.ids)])
        }
        to_create = []
        for product in self:
            for account in product._amazon_accounts():
                listing = existing.get((product.id, account.id))
                if listing:
                    if not listing.active or listing.sku != product.default_code:
                        listing.write(
                            {"active": True, "sku": product.default_code, "state": "pending"}
                        )
                    listings |= listing
                else:
                    to_create.append(
                        {
                            "product_id": product.id,
                            "account_id": account.id,
                            "sku": product.default_code,
                        }
                    )
        listings |= Listing.create(to_create)
        listings._queue_changes(kind="all")
        return listings

    def _amazon_disable_listings(self):
        """Archive the listings: nothing more is sent to Amazon, the history stays."""
        listings = self.env["amazon.listing"].sudo().search([("product_id", "in", self.ids)])
        if listings:
            self.env["amazon.sync.engine"]._dequeue(listings)
            listings.write({"active": False})

    def _amazon_queue_price_changes(self):
        """Queue a price push of the synced products (their sales price changed)."""
        listings = (
            self.env["amazon.listing"]
            .sudo()
            .search([("product_id", "in", self.ids), ("account_id.sync_price", "=", True)])
        )
        listings._queue_changes(kind="price")

    # ------------------------------------------------------------------
    # Actions (buttons and list bulk actions)
    # ------------------------------------------------------------------

    def action_amazon_enable_sync(self):
        """Enable Amazon sync on the selected products (refused if one has no SKU)."""
        self._amazon_check_skus()
        self.filtered(lambda product: not product.amazon_sync).write({"amazon_sync": True})
        return self._amazon_notify(_("Amazon sync enabled on %(count)s products.", count=len(self)))

    def action_amazon_disable_sync(self):
        """Stop syncing the selected products with Amazon."""
        self.filtered("amazon_sync").write({"amazon_sync": False})
        return self._amazon_notify(
            _("Amazon sync disabled on %(count)s products.", count=len(self))
        )

    def action_amazon_sync_now(self):
        """Push stock and price of the selected synced products to Amazon now."""
        listings = self.env["amazon.listing"].sudo().search([("product_id", "in", self.ids)])
        if not listings:
            raise UserError(
                _("None of the selected products is synced with Amazon: enable the sync first.")
            )
        return listings.action_sync_now()

    def _amazon_notify(self, message):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("Amazon"),
                "message": message,
                "type": "success",
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }
