from odoo import fields, models


class AmazonChangeWarehouseWizard(models.TransientModel):
    """Deliver an Amazon order that is not shipped yet from another warehouse."""

    _name = "amazon.change.warehouse.wizard"
    _description = "Change the warehouse of an Amazon order"

    order_id = fields.Many2one("sale.order", required=True, ondelete="cascade")
    company_id = fields.Many2one(related="order_id.company_id")
    current_warehouse_id = fields.Many2one(
        related="order_id.warehouse_id", string="Current warehouse"
    )
    warehouse_id = fields.Many2one(
        "stock.warehouse",
        string="New warehouse",
        required=True,
        domain="[('company_id', '=', company_id), ('id', '!=', current_warehouse_id)]",
    )

    def action_apply(self):
        """Move the pending delivery to the chosen warehouse."""
        self.ensure_one()
        self.order_id._amazon_change_warehouse(self.warehouse_id)
        return {"type": "ir.actions.act_window_close"}
