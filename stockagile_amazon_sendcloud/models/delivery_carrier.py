"""Validating a delivery labelled with *Label with Sendcloud* uses those labels.

OCA's module creates parcels again on the validation path (``send_shipping``) even when the
delivery's labels were created before: a delivery that already has its parcels gets their
tracking numbers instead, so the carrier receives one set of parcels and Amazon one set of
packages. A delivery in several parcels gets all their tracking numbers (Odoo keeps only the
first answer of ``send_shipping``).
"""

from odoo import models


class DeliveryCarrier(models.Model):
    _inherit = "delivery.carrier"

    def sendcloud_send_shipping(self, pickings):
        results = []
        for picking in pickings:
            if picking._amazon_sendcloud_parcels():
                answers = [{"exact_price": picking.carrier_price or 0.0}]
            else:
                answers = super().sendcloud_send_shipping(picking)
                picking._amazon_sendcloud_attach_labels()
            trackings = [p.tracking_number for p in picking._amazon_sendcloud_parcels()]
            results.append(
                {
                    "exact_price": sum(a.get("exact_price") or 0.0 for a in answers),
                    "tracking_number": ",".join(t for t in trackings if t) or False,
                }
            )
        return results
