from odoo import models


class StockReturnPicking(models.TransientModel):
    """Amazon returns are received where the account says (its returns location)."""

    _inherit = "stock.return.picking"

    def _prepare_picking_default_values(self):
        values = super()._prepare_picking_default_values()
        location_id = self.env.context.get("amazon_return_location_id")
        if location_id:
            values["location_dest_id"] = location_id
        return values
