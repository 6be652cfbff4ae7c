from odoo import fields, models


class SaleOrder(models.Model):
    """Amazon returns of an order: the smart button, and refunds of returned lines only."""

    _inherit = "sale.order"  # pylint: disable=consider-merging-classes-inherited

    amazon_return_ids = fields.One2many("amazon.return", "sale_order_id", string="Amazon returns")
    amazon_return_count = fields.Integer(compute="_compute_amazon_return_count")

    def _compute_amazon_return_count(self):
        counts = dict(
            self.env["amazon.return"]._read_group(
                [("sale_order_id", "in", self.ids)], ["sale_order_id"], ["__count"]
            )
        )
        for order in self:
            order.amazon_return_count = counts.get(order, 0)

    def _get_invoiceable_lines(self, final=False):
        """With ``amazon_invoice_line_ids`` in the context, only those lines (a return's refund)."""
        lines = super()._get_invoiceable_lines(final=final)
        only = self.env.context.get("amazon_invoice_line_ids")
        if only is not None:
            lines = lines.filtered(lambda line: line.id in only)
        return lines

    def action_view_amazon_returns(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "stockagile_amazon_connector.amazon_return_action"
        )
        if self.amazon_return_count == 1:
            action.update(
                {
                    "views": [(False, "form")],
                    "view_mode": "form",
                    "res_id": self.amazon_return_ids.id,
                }
            )
        action["domain"] = [("sale_order_id", "=", self.id)]
        action["context"] = {}
        return action
