from odoo import fields, models


class StockWarehouse(models.Model):
    _inherit = "stock.warehouse"

    amazon_supply_source_id = fields.Char(
        string="Amazon supply source ID",
        help="Id of this warehouse's address in Amazon's Supply Sources API. Orders v0 "
        "confirmShipment takes the ship-from as this id (it has no address field): when set, "
        "shipments confirmed from this warehouse send it as shipFromSupplySourceId.",
    )
