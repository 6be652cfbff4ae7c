"""A pricelist rule created, changed or deleted moves the price of the Amazon offers priced by
its pricelist (issue 24): their price push is queued."""

from odoo import api, models


class ProductPricelistItem(models.Model):
    _inherit = "product.pricelist.item"

    @api.model_create_multi
    def create(self, vals_list):
        items = super().create(vals_list)
        items._amazon_queue_prices(items._amazon_price_scope())
        return items

    def write(self, vals):
        # The scope before (a rule moved from one product to another) and after the write.
        before = self._amazon_price_scope()
        result = super().write(vals)
        self._amazon_queue_prices(before, self._amazon_price_scope())
        return result

    def unlink(self):
        scope = self._amazon_price_scope()
        result = super().unlink()
        self._amazon_queue_prices(scope)
        return result

    def _amazon_price_scope(self):
        """``(pricelists, product ids or None for every product)`` these rules price.

        Read as superuser: the products a rule names may be another company's, and only the
        Amazon queue is written from it.
        """
        items = self.sudo().with_context(active_test=False)
        product_ids = set()
        for item in items:
            if item.applied_on == "0_product_variant":
                product_ids.update(item.product_id.ids)
            elif item.applied_on == "1_product":
                product_ids.update(item.product_tmpl_id.product_variant_ids.ids)
            elif item.applied_on == "2_product_category" and item.categ_id:
                product_ids.update(
                    self.env["product.product"]
                    .sudo()
                    .with_context(active_test=False)
                    .search([("categ_id", "child_of", item.categ_id.id)])
                    .ids
                )
            else:
                return items.pricelist_id, None
        return items.pricelist_id, product_ids

    def _amazon_queue_prices(self, *scopes):
        watch = self.env["amazon.price.watch"]
        for pricelists, product_ids in scopes:
            watch._queue_pricelists(pricelists, product_ids)
