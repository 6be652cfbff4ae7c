"""A parcel's tracking number can arrive after the label (Sendcloud's status webhook): the
delivery takes it then, and a done Amazon delivery sends its confirmation then."""

from odoo import api, fields, models

#: Sendcloud statuses of a parcel that will not ship (cancelled, cancellation requested).
CANCELLED_STATUSES = ("2000", "1999", "1998")


class SendcloudParcel(models.Model):
    _inherit = "sendcloud.parcel"

    amazon_label_attachment_id = fields.Many2one(
        "ir.attachment",
        string="Label on the delivery",
        copy=False,
        readonly=True,
        ondelete="set null",
        help="The copy of this parcel's label attached to its delivery (printable from there).",
    )

    @api.model_create_multi
    def create(self, vals_list):
        parcels = super().create(vals_list)
        parcels.picking_id._amazon_sendcloud_parcels_changed()
        return parcels

    def write(self, vals):
        result = super().write(vals)
        if {"tracking_number", "sendcloud_status", "carrier", "picking_id"}.intersection(vals):
            self.picking_id._amazon_sendcloud_parcels_changed()
        return result

    def _amazon_is_active(self):
        """Whether this parcel still ships (not cancelled)."""
        self.ensure_one()
        return (self.sendcloud_status or "") not in CANCELLED_STATUSES
