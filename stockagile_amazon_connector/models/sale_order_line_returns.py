from odoo import models


class SaleOrderLine(models.Model):
    """Returned goods are not invoiced: received returns lower an Amazon line's quantity to
    invoice (Amazon lines are invoiced as ordered), so that invoicing after a return makes the
    credit note of what came back — the ERP's own refund path for returns."""

    _inherit = "sale.order.line"  # pylint: disable=consider-merging-classes-inherited

    def _compute_qty_to_invoice(self):
        result = super()._compute_qty_to_invoice()
        for line in self.filtered(
            lambda line: line.order_id.amazon_order_ref
            and line.state == "sale"
            and not line.display_type
            and line.product_id.type == "consu"
        ):
            _outgoing, incoming = line._get_outgoing_incoming_moves()
            returned = sum(
                move.product_uom._compute_quantity(move.quantity, line.product_uom)
                for move in incoming
                if move.state == "done"
            )
            if returned:
                line.qty_to_invoice -= returned
        return result
