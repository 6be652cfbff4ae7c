"""A pricelist's currency changed moves the price of the Amazon offers it prices (issue 24)."""

from odoo import models


class ProductPricelist(models.Model):
    _inherit = "product.pricelist"

    def write(self, vals):
        result = super().write(vals)
        if "currency_id" in vals:
            self.env["amazon.price.watch"]._queue_pricelists(self)
        return result
