from odoo import api, fields, models

from .. import odoo_compat


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    amazon_order_item_ref = fields.Char(
        string="Amazon Order Item ID", readonly=True, copy=False, index="btree_not_null"
    )
    amazon_sku = fields.Char(
        string="Amazon SKU", readonly=True, copy=False, help="Seller SKU of the Amazon order item."
    )

    def _action_launch_stock_rule(self, *args, **kwargs):
        """Amazon ships FBA orders from its own stock: no delivery from our warehouses.

        Arguments pass through as given: ``previous_product_uom_qty`` is positional on Odoo 18.0
        and keyword-only on 19.0.
        """
        lines = self.filtered(lambda line: line.order_id.amazon_fulfillment_channel != "fba")
        return super(SaleOrderLine, lines)._action_launch_stock_rule(*args, **kwargs)

    @api.depends("order_id.amazon_order_ref")
    def _compute_qty_to_invoice(self):
        """Amazon charges the whole order at purchase: invoice Amazon orders as ordered.

        Returned goods are not invoiced: received returns lower the quantity to invoice, so that
        invoicing after a return makes the credit note of what came back — the ERP's own refund
        path for returns.
        """
        amazon = self.filtered(
            lambda line: line.order_id.amazon_order_ref
            and line.state == "sale"
            and not line.display_type
        )
        result = super(SaleOrderLine, self - amazon)._compute_qty_to_invoice()
        for line in amazon:
            line.qty_to_invoice = (
                line.product_uom_qty - line.qty_invoiced - line._amazon_returned_quantity()
            )
        return result

    def _amazon_returned_quantity(self):
        """Quantity of this line received back in done return moves, in the line's unit."""
        self.ensure_one()
        if self.product_id.type != "consu":
            return 0.0
        _outgoing, incoming = self._get_outgoing_incoming_moves()
        return sum(
            move.product_uom._compute_quantity(move.quantity, odoo_compat.sale_line_uom(self))
            for move in incoming
            if move.state == "done"
        )
