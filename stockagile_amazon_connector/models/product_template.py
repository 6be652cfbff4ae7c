from odoo import _, api, fields, models
from odoo.exceptions import MissingError


class ProductTemplate(models.Model):
    """The template shows and sets *Sync with Amazon* for all its variants."""

    _inherit = "product.template"

    amazon_sync = fields.Boolean(
        string="Sync with Amazon",
        compute="_compute_amazon_sync",
        inverse="_inverse_amazon_sync",
        search="_search_amazon_sync",
        help="Keep the stock and price of this product up to date on every Amazon account of its "
        "company. Its internal reference must be the Amazon seller SKU of an existing listing.",
    )
    amazon_listing_ids = fields.One2many(
        "amazon.listing", "product_tmpl_id", string="Amazon Listings", readonly=True
    )

    amazon_can_create = fields.Boolean(
        compute="_compute_amazon_can_create",
        help="An account of the product's company creates products on Amazon and the product's "
        "SKU has no listing there yet.",
    )
    amazon_creation_ids = fields.One2many(
        "amazon.listing.creation",
        compute="_compute_amazon_can_create",
        string="Amazon creations",
    )

    @api.depends_context("company", "uid")
    @api.depends("product_variant_ids.amazon_can_create")
    def _compute_amazon_can_create(self):
        # Only Amazon Users see the creations: for anyone else no Amazon record is read.
        if not self.env.su and not self.env.user.has_group(
            "stockagile_amazon_connector.group_amazon_user"
        ):
            self.amazon_can_create = False
            self.amazon_creation_ids = False
            return
        for template in self:
            variants = template.product_variant_ids
            template.amazon_can_create = len(variants) == 1 and variants.amazon_can_create
            template.amazon_creation_ids = variants.amazon_creation_ids

    def action_amazon_create_listing(self):
        """*Create on Amazon* for the variants of the selected products."""
        self._amazon_check_exist()
        return self.product_variant_ids.action_amazon_create_listing()

    @api.depends("product_variant_ids.amazon_sync")
    def _compute_amazon_sync(self):
        for template in self:
            variants = template.product_variant_ids
            template.amazon_sync = bool(variants) and all(variants.mapped("amazon_sync"))

    def _inverse_amazon_sync(self):
        for template in self:
            template.product_variant_ids.amazon_sync = template.amazon_sync

    def _search_amazon_sync(self, operator, value):
        if operator not in ("=", "!="):
            return []
        synced = (operator == "=") == bool(value)
        return [("product_variant_ids.amazon_sync", "=" if synced else "!=", True)]

    @api.model_create_multi
    def create(self, vals_list):
        """Keep *Sync with Amazon* ticked on a new product (form or XML-RPC).

        The field's inverse writes the variants, but ``create`` runs it before the template's
        variants exist: the tick is applied to the variants once they are created instead.
        """
        synced = [bool(vals.pop("amazon_sync", False)) for vals in vals_list]
        templates = super().create(vals_list)
        to_sync = templates.browse(
            [template.id for template, sync in zip(templates, synced, strict=True) if sync]
        )
        if to_sync:
            to_sync.product_variant_ids.write({"amazon_sync": True})
        return templates

    def write(self, vals):
        moved = self.browse()
        if "company_id" in vals:
            moved = self.filtered(lambda template: template.company_id.id != vals["company_id"])
        result = super().write(vals)
        if "list_price" in vals or "taxes_id" in vals:
            self.product_variant_ids.filtered("amazon_sync")._amazon_queue_price_changes()
        if moved:
            variants = moved.with_context(active_test=False).product_variant_ids
            variants.filtered("amazon_sync")._amazon_company_changed()
        return result

    def unlink(self):
        # The variants go with the template (in SQL, not through their unlink): their SKUs are
        # withdrawn from Amazon first.
        variants = self.with_context(active_test=False).product_variant_ids
        variants.filtered("amazon_sync")._amazon_disable_listings(reason="deleted")
        return super().unlink()

    def action_amazon_enable_sync(self):
        """Enable Amazon sync on every variant of the selected products."""
        self._amazon_check_exist()
        return self.product_variant_ids.action_amazon_enable_sync()

    def action_amazon_disable_sync(self):
        """Disable Amazon sync on every variant of the selected products."""
        self._amazon_check_exist()
        return self.product_variant_ids.action_amazon_disable_sync()

    def action_amazon_sync_now(self):
        """Push stock and price of the selected products to Amazon now."""
        self._amazon_check_exist()
        return self.product_variant_ids.action_amazon_sync_now()

    def _amazon_check_exist(self):
        """Refuse ids that do not exist (XML-RPC callers), naming them; nothing is changed."""
        missing = self - self.exists()
        if missing:
            raise MissingError(
                _(
                    "Product (product.template) id %(ids)s does not exist or was deleted: "
                    "nothing was changed.",
                    ids=", ".join(str(i) for i in missing.ids),
                )
            )
