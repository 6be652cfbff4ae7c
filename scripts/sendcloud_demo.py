"""`make run`: OCA's Sendcloud module on the local Sendcloud sandbox, ready for the demo.

Run inside ``odoo-bin shell`` (``env`` is given) with ``STOCKAGILE_SENDCLOUD_URL`` set: points the
module at the sandbox, creates its integration (the sandbox's keys), syncs parcel statuses and
shipping methods, names the SEUR method "Sendcloud (sandbox)" and makes it the Sendcloud method for
Amazon of the Amazon accounts' warehouses. Idempotent.
"""
# ruff: noqa: F821 (``env`` comes from odoo-bin shell)

import os

url = os.environ["STOCKAGILE_SENDCLOUD_URL"].rstrip("/")
env["ir.config_parameter"].set_param("stockagile_amazon_sendcloud.panel_url", f"{url}/api/v2")
for company in env["amazon.account"].search([]).company_id or env.company:
    integration = env["sendcloud.integration"].search(
        [("company_id", "=", company.id), ("sendcloud_code", "=", 4242)], limit=1
    ) or env["sendcloud.integration"].create(
        {
            "shop_name": "Sendcloud sandbox",
            "public_key": "sandbox-public-key",
            "secret_key": "sandbox-secret-key",
            "sendcloud_code": 4242,
            "company_id": company.id,
        }
    )
    env.cr.commit()  # OCA's module logs each request through a new cursor: it must see it
    env["sendcloud.parcel.status"].sendcloud_update_parcel_statuses(integration)
    env["delivery.carrier"]._sendcloud_create_update_shipping_methods(
        integration.get_shipping_methods({"sender_address": "all"}), company.id
    )
    seur = env["delivery.carrier"].search(
        [
            ("delivery_type", "=", "sendcloud"),
            ("sendcloud_code", "=", 8003),
            ("company_id", "=", company.id),
        ],
        limit=1,
    )
    seur.name = "Sendcloud (sandbox)"
    accounts = env["amazon.account"].search([("company_id", "=", company.id)])
    accounts.warehouse_id.amazon_sendcloud_carrier_id = seur
    for product in env["product.product"].search(
        [("default_code", "like", "SA-"), ("weight", "=", 0)]
    ):
        product.weight = 0.4  # Sendcloud needs a weight to print a label
env.cr.commit()
print("Sendcloud sandbox ready:", url)
