"""Amazon packages of Sendcloud deliveries keyed by their Odoo package (issue 24).

Before 1.1.0 a Sendcloud delivery's shipments were keyed by parcel (``sendcloud:<parcel>``), so
a package labelled again, or seen once without its parcels, became a new Amazon package with a
new ``packageReferenceId`` (a third confirmShipment for two parcels, refused by Amazon). The
shipments get the key of the Odoo package their parcel was made for; their
``packageReferenceId`` and what Amazon accepted stay, so nothing is sent again.
"""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    Shipment = env["amazon.shipment"]
    old = Shipment.search([("package_key", "=like", "sendcloud:%")])
    for picking in old.picking_id:
        try:
            packages = picking._amazon_packages()
        except ValueError:
            continue
        new_keys = {
            str(package["sendcloud_code"]): package["key"]
            for package in packages
            if package.get("sendcloud_code")
        }
        taken = set(Shipment.search([("picking_id", "=", picking.id)]).mapped("package_key"))
        for shipment in old.filtered(lambda s, picking=picking: s.picking_id == picking):
            key = new_keys.get(shipment.package_key.split(":", 1)[1])
            if key and key not in taken:
                cr.execute(
                    "UPDATE amazon_shipment SET package_key = %s WHERE id = %s", [key, shipment.id]
                )
                taken.add(key)
    env.invalidate_all()
