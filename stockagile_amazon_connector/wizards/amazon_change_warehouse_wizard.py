from odoo import api, fields, models
from odoo.exceptions import UserError


class AmazonChangeWarehouseWizard(models.TransientModel):
    """Deliver an Amazon order that is not shipped yet from another warehouse."""

    _name = "amazon.change.warehouse.wizard"
    _description = "Change the warehouse of an Amazon order"

    order_id = fields.Many2one("sale.order", required=True, ondelete="cascade")
    company_id = fields.Many2one(related="order_id.company_id")
    current_warehouse_id = fields.Many2one(
        related="order_id.warehouse_id", string="Current warehouse"
    )
    other_warehouse_count = fields.Integer(
        compute="_compute_other_warehouse_count",
        help="Warehouses of the order's company the delivery could move to.",
    )
    # Not required in the model: with no other warehouse the form explains why instead of
    # asking for a value nobody can give (the view requires it when there is a choice).
    warehouse_id = fields.Many2one(
        "stock.warehouse",
        string="New warehouse",
        domain="[('company_id', '=', company_id), ('id', '!=', current_warehouse_id)]",
    )

    @api.depends("company_id", "current_warehouse_id")
    def _compute_other_warehouse_count(self):
        for wizard in self:
            wizard.other_warehouse_count = self.env["stock.warehouse"].search_count(
                [
                    ("company_id", "=", wizard.company_id.id),
                    ("id", "!=", wizard.current_warehouse_id.id),
                ]
            )

    def action_apply(self):
        """Move the pending delivery to the chosen warehouse and say so, naming the order."""
        self.ensure_one()
        if not self.warehouse_id:
            raise UserError(
                self.env._(
                    "Choose the warehouse the order should be delivered from. A company with "
                    "one warehouse has nothing to choose: create another one in Inventory > "
                    "Configuration > Warehouses first."
                )
            )
        order = self.order_id
        old = order.warehouse_id
        if not order._amazon_change_warehouse(self.warehouse_id):
            message = self.env._(
                "Order %(order)s is already delivered from %(warehouse)s: nothing changed.",
                order=order.name,
                warehouse=old.display_name,
            )
        else:
            message = self.env._(
                "Order %(order)s: its delivery now leaves from %(new)s instead of %(old)s.",
                order=order.name,
                new=self.warehouse_id.display_name,
                old=old.display_name,
            )
        return order._amazon_tool_done(message, close=True)
