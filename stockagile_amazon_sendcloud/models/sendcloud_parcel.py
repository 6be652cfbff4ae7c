"""A parcel's tracking number can arrive after the label (Sendcloud's status webhook): the
delivery takes it then, and a done Amazon delivery sends its confirmation then."""

from odoo import _, api, fields, models
from odoo.exceptions import UserError

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

    def unlink(self):
        """A parcel of a shipped Amazon delivery is cancelled, not deleted.

        OCA's module deletes a parcel once Sendcloud cancelled it (or asks Sendcloud to cancel
        it on deletion). Once the delivery is done, Amazon has (or is about to get) the
        parcel's tracking number and cannot take a shipment back: the record stays, cancelled,
        so that the delivery shows what Amazon still holds, and a new label for that package
        corrects Amazon. Sendcloud's refusal to cancel (the parcel is with the carrier) is
        shown and changes nothing.
        """
        kept = self.filtered(lambda p: p._amazon_keep_when_cancelled())
        cancelled = CANCELLED_STATUSES[0]
        statuses = dict(self._fields["sendcloud_status"]._description_selection(self.env))
        if not kept or cancelled not in statuses:
            return super().unlink()
        if not self.env.context.get("skip_cancel_parcel"):
            for parcel in kept:
                parcel._amazon_cancel_on_sendcloud()
        kept.with_context(skip_cancel_parcel=True).write({"sendcloud_status": cancelled})
        return super(SendcloudParcel, self - kept).unlink()

    def _amazon_keep_when_cancelled(self):
        """Whether this parcel still ships on a done Amazon delivery labelled with Sendcloud."""
        self.ensure_one()
        picking = self.sudo().picking_id
        return bool(
            picking.state == "done"
            and picking.is_amazon_delivery
            and not picking.amazon_sendcloud_override
            and self._amazon_is_active()
        )

    def _amazon_cancel_on_sendcloud(self):
        """Ask Sendcloud to cancel this parcel; its refusal as a clear error."""
        self.ensure_one()
        integration = self.company_id.sendcloud_default_integration_id
        if not integration:
            return
        answer = integration.cancel_parcel(self.sendcloud_code) or {}
        error = answer.get("error") or {}
        if answer.get("status") in ("deleted", "cancelled") or error.get("code") == 404:
            return
        if answer.get("message") == "This shipment is already being cancelled.":
            return
        raise UserError(
            _(
                "Sendcloud did not cancel parcel %(parcel)s (%(reason)s): Amazon keeps its "
                "tracking number %(tracking)s; nothing was changed.",
                parcel=self.name,
                reason=(error.get("message") or answer.get("message") or "-").rstrip(". "),
                tracking=self.tracking_number or "-",
            )
        )

    def _amazon_package_key(self):
        """The connector's key of the Odoo package this parcel was made for: ``package:<id>``
        (OCA's ``external_reference`` is ``<delivery>,<package id>``), ``delivery`` for what
        was not packed."""
        self.ensure_one()
        package_id = (self.external_reference or "").rpartition(",")[2].strip()
        if package_id.isdigit() and int(package_id):
            return f"package:{int(package_id)}"
        return "delivery"

    def _amazon_is_active(self):
        """Whether this parcel still ships (not cancelled)."""
        self.ensure_one()
        return (self.sendcloud_status or "") not in CANCELLED_STATUSES
