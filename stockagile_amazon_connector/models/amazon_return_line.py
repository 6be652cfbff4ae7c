from odoo import fields, models


class AmazonReturnLine(models.Model):
    """One returned SKU of an Amazon return (one row of the returns report)."""

    _name = "amazon.return.line"
    _description = "Amazon Return Line"
    _order = "return_id, id"

    return_id = fields.Many2one("amazon.return", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="return_id.company_id", store=True)
    sku = fields.Char(string="SKU", readonly=True, help="Merchant SKU returned by the buyer.")
    asin = fields.Char(string="ASIN", readonly=True)
    item_name = fields.Char(readonly=True)
    quantity = fields.Float(digits="Product Unit of Measure", readonly=True)
    reason = fields.Char(readonly=True, help="Amazon's return reason code, e.g. CR-DEFECTIVE.")
    resolution = fields.Char(readonly=True, help="Amazon's resolution, e.g. StandardRefund.")
    product_id = fields.Many2one("product.product", readonly=True)
    sale_line_id = fields.Many2one(
        "sale.order.line",
        string="Order line",
        readonly=True,
        help="The line of the Amazon order this SKU was sold on.",
    )
