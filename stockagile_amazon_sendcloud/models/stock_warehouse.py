from odoo import fields, models


class StockWarehouse(models.Model):
    _inherit = "stock.warehouse"

    amazon_sendcloud_carrier_id = fields.Many2one(
        "delivery.carrier",
        string="Sendcloud method for Amazon",
        domain="[('delivery_type', '=', 'sendcloud'), ('company_id', 'in', [company_id, False])]",
        help="Sendcloud shipping method used by 'Label with Sendcloud' for the Amazon deliveries "
        "of this warehouse that have no Sendcloud method of their own.",
    )
