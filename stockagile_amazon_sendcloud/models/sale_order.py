from odoo import _, api, fields, models
from odoo.exceptions import UserError

from .stock_picking import LABEL_PREFIX

#: A Sendcloud parcel's copy of the recipient (OCA's fields); country, city and ZIP stay, as on
#: the partner (tax reports need the place of supply).
RECIPIENT_FIELDS = (
    "partner_name",
    "address",
    "address_2",
    "house_number",
    "street",
    "company_name",
    "email",
    "telephone",
    "to_post_number",
)


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

    def _amazon_erase_copies(self, partners, pickings, traces):
        """The erasure reaches Sendcloud's copies too: the parcels' recipient and the labels.

        A label PDF prints the buyer's name and address: the files are deleted (the parcel keeps
        its tracking number, Amazon and Sendcloud keep theirs).
        """
        result = super()._amazon_erase_copies(partners, pickings, traces)
        parcels = self.env["sendcloud.parcel"].sudo().search([("picking_id", "in", pickings.ids)])
        labels = (
            self.env["ir.attachment"]
            .sudo()
            .search(
                [
                    ("res_model", "=", "stock.picking"),
                    ("res_id", "in", pickings.ids),
                    ("name", "=like", f"{LABEL_PREFIX}%"),
                ]
            )
        )
        if parcels:
            labels |= parcels.amazon_label_attachment_id | parcels.attachment_id
            if "document_ids" in parcels._fields:
                labels |= parcels.document_ids.attachment_id
            # The parcel keeps its tracking number: unlink its label, not the parcel with it.
            blank = {name: False for name in RECIPIENT_FIELDS if name in parcels._fields}
            parcels.with_context(tracking_disable=True).write(
                dict(blank, attachment_id=False, amazon_label_attachment_id=False)
            )
        labels.unlink()
        return result
