from odoo import _, api, fields, models
from odoo.exceptions import UserError


class SaleOrder(models.Model):
    _inherit = "sale.order"

    amazon_sendcloud_can_label = fields.Boolean(compute="_compute_amazon_sendcloud_can_label")

    @api.depends("picking_ids.amazon_sendcloud_can_label")
    def _compute_amazon_sendcloud_can_label(self):
        for order in self:
            order.amazon_sendcloud_can_label = any(
                order.picking_ids.mapped("amazon_sendcloud_can_label")
            )

    def action_amazon_sendcloud_label(self):
        """Button: label the order's open deliveries with Sendcloud."""
        pickings = self.picking_ids.filtered("amazon_sendcloud_can_label")
        if not pickings:
            raise UserError(_("This order has no open delivery to label with Sendcloud."))
        return pickings.action_amazon_sendcloud_label()
