"""The shipping side of an Amazon order: where its packages stand on Amazon, labels to print.

Kept apart from ``sale_order.py`` (the import) like ``amazon_account_orders.py``; the packages
themselves are ``amazon.shipment`` records of the order's deliveries.
"""

from odoo import _, api, fields, models
from odoo.exceptions import UserError

SHIPPING_STATES = [
    ("none", "Nothing shipped"),
    ("awaiting_data", "Awaiting shipping data"),
    ("pending", "Sending to Amazon"),
    ("error", "Amazon error"),
    ("confirmed", "Confirmed on Amazon"),
]
#: The order shows its most urgent delivery: an error first, then missing data...
PRIORITY = ("error", "awaiting_data", "pending", "confirmed")


class SaleOrder(models.Model):  # pylint: disable=consider-merging-classes-inherited
    _inherit = "sale.order"

    amazon_shipping_state = fields.Selection(
        SHIPPING_STATES,
        string="Amazon shipping",
        compute="_compute_amazon_shipping_state",
        store=True,
        help="Where the order's packages stand on Amazon (the most urgent delivery wins):\n"
        "Awaiting shipping data: a delivery is done but has no carrier or tracking number yet; "
        "set them on the delivery or with the XML-RPC API.\n"
        "Sending to Amazon: confirmations queued, sent after the commit.\n"
        "Amazon error: Amazon refused a confirmation; see the delivery and press Retry.\n"
        "Confirmed on Amazon: every shipped package is confirmed.",
    )

    @api.depends("picking_ids.amazon_sync_state")
    def _compute_amazon_shipping_state(self):
        for order in self:
            states = set(order.picking_ids.mapped("amazon_sync_state"))
            order.amazon_shipping_state = next(
                (state for state in PRIORITY if state in states), "none"
            )

    def action_amazon_print_labels(self):
        """Print (download) the carrier labels the ERP's carrier integration attached."""
        self.ensure_one()
        pickings = self.picking_ids.filtered(lambda p: p.picking_type_code == "outgoing")
        labels = self.env["ir.attachment"].search(
            [
                ("res_model", "=", "stock.picking"),
                ("res_id", "in", pickings.ids),
                ("name", "=ilike", "label%"),
            ],
            order="id desc",
        )
        if not labels:
            raise UserError(
                _(
                    "No carrier label yet: labels are created when a delivery whose carrier is a "
                    "shipping integration (Get Rate and Create Shipment) is validated."
                )
            )
        if len(labels) == 1:
            return {
                "type": "ir.actions.act_url",
                "url": f"/web/content/{labels.id}?download=true",
                "target": "download",
            }
        return {
            "type": "ir.actions.act_window",
            "name": _("Carrier labels"),
            "res_model": "ir.attachment",
            "view_mode": "kanban,list,form",
            "domain": [("id", "in", labels.ids)],
        }

    def action_amazon_view_shipments(self):
        """Open the order's deliveries with their Amazon shipment state."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("stock.action_picking_tree_all")
        action["domain"] = [("sale_id", "=", self.id), ("picking_type_code", "=", "outgoing")]
        action["context"] = {}
        return action
