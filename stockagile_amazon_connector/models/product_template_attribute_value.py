"""A variant's extra price changed moves the price of its Amazon offers (issue 24): the price
push of the synced variants carrying the value is queued."""

from odoo import models


class ProductTemplateAttributeValue(models.Model):
    _inherit = "product.template.attribute.value"

    def write(self, vals):
        result = super().write(vals)
        if "price_extra" in vals:
            # As superuser: the variants' listings are Amazon's, and only the queue is written.
            variants = self.sudo().with_context(active_test=False).ptav_product_variant_ids
            self.env["amazon.price.watch"]._queue_products(variants)
        return result
