"""A package Amazon holds as shipped whose Sendcloud parcel was cancelled afterwards.

Amazon cannot take a shipment back: its package keeps the cancelled parcel's tracking number
until a new parcel for that package gives the correction (same ``packageReferenceId``). Until
then the shipment is in error with the reason and what to do, instead of looking confirmed.
"""

import json

from odoo import _, models


class AmazonShipment(models.Model):
    _inherit = "amazon.shipment"

    def _refresh(self, package=None):
        flagged = self.browse()
        for shipment in self.filtered("confirmed_payload"):
            current = package
            if current is None:
                try:
                    packages = shipment.picking_id._amazon_packages()
                except ValueError:
                    packages = []  # super() records why
                current = next((p for p in packages if p["key"] == shipment.package_key), {})
            if current.get("sendcloud_cancelled"):
                flagged |= shipment
        for shipment in flagged:
            message = shipment._amazon_sendcloud_cancelled_message()
            if (shipment.state, shipment.last_error) != ("error", message):
                shipment.write({"state": "error", "last_error": message})
                shipment.picking_id._message_log(body=message)
        return super(AmazonShipment, self - flagged)._refresh(package)

    def _amazon_sendcloud_cancelled_message(self):
        """What the delivery shows: Amazon's tracking number for the package, what to do."""
        self.ensure_one()
        tracking = ""
        if self.confirmed_payload:
            detail = json.loads(self.confirmed_payload).get("packageDetail") or {}
            tracking = detail.get("trackingNumber") or ""
        return _(
            "The Sendcloud parcel of this package was cancelled after Amazon was told it "
            "shipped with tracking %(tracking)s, which Amazon still shows: press Label with "
            "Sendcloud to label the package again, and Amazon receives the new tracking "
            "number as a correction.",
            tracking=tracking or "-",
        )
