"""Run inside ``odoo-bin shell``: the ERP's own floor for the order import, timed and counted.

Creates and confirms, with the plain ORM, the sales orders of BENCH_FLOOR_ORDERS generated
Amazon orders (the same generator, products, prices, lines, taxes and buyers as the import's),
one transaction per order as the import's jobs: the buyer's partner is created on its first
order, the order with its lines in one ``create``, then ``action_confirm`` (procurement and
reservation), then ``commit``. What the import costs beyond this is the connector's.

Reads ``BENCH_FLOOR_ORDERS`` and ``BENCH_ACCOUNT_ID``; expects the products ``SA-GEN-*`` and
the euro configuration ``orders_in_shell.py`` creates (run it first, or the bench does).
Prints one JSON line prefixed ``BENCH_FLOOR=``. ``env`` is the shell's environment.
"""

import json
import os
import time

import odoo

from odoo.addons.stockagile_amazon_connector.odoo_compat import SALE_LINE_TAXES_FIELD as TAXES

from amazon_sandbox import seed

count = int(os.environ.get("BENCH_FLOOR_ORDERS", "200"))
account = env["amazon.account"].browse(int(os.environ["BENCH_ACCOUNT_ID"]))  # noqa: F821
company = account.company_id
skus = 200
products = {
    p.default_code: p
    for p in env["product.product"].search([("default_code", "=like", "SA-GEN-%")])  # noqa: F821
}
eur = env.ref("base.EUR")  # noqa: F821
pricelist = env["product.pricelist"].search([("currency_id", "=", eur.id)], limit=1)  # noqa: F821
vat = env["account.tax"].search(  # noqa: F821
    [("name", "=", "IVA 21% incl. (bench)"), ("company_id", "=", company.id)], limit=1
)
spain = env.ref("base.es")  # noqa: F821
orders = seed.generated_orders(count, [f"SA-GEN-{n:05d}" for n in range(1, skus + 1)], prefix="408")
env.cr.commit()  # noqa: F821


def amount(part):
    """The subtotal of a proceeds breakdown (0 when absent)."""
    return float(part["subtotal"]["amount"]) if part else 0.0


partners = {}
queries, started = odoo.sql_db.sql_counter, time.perf_counter()
for data in orders:
    address = data["recipient"]["deliveryAddress"]
    name = f"Floor {data['buyer']['buyerName']}"
    partner = partners.get(name)
    if not partner:
        partner = partners[name] = env["res.partner"].create(  # noqa: F821
            {
                "name": name,
                "street": address["addressLine1"],
                "city": address["city"],
                "zip": address["postalCode"],
                "country_id": spain.id,
                "company_id": company.id,
            }
        )
    lines, shipping, discount = [], 0.0, 0.0
    for item in data["orderItems"]:
        parts = {p["type"]: p for p in item["proceeds"]["breakdowns"]}
        quantity = item["quantityOrdered"]
        lines.append(
            {
                "product_id": products[item["product"]["sellerSku"]].id,
                "product_uom_qty": quantity,
                "price_unit": float(parts["ITEM"]["subtotal"]["amount"]) / quantity,
                TAXES: [(6, 0, vat.ids)],
            }
        )
        shipping += amount(parts.get("SHIPPING"))
        discount += amount(parts.get("DISCOUNT"))
    lines.append(
        {
            "product_id": account.shipping_product_id.id,
            "product_uom_qty": 1,
            "price_unit": shipping,
            TAXES: [(6, 0, vat.ids)],
        }
    )
    if discount:
        lines.append(
            {
                "product_id": account.discount_product_id.id,
                "product_uom_qty": 1,
                "price_unit": discount,
                TAXES: [(6, 0, vat.ids)],
            }
        )
    order = env["sale.order"].create(  # noqa: F821
        {
            "partner_id": partner.id,
            "company_id": company.id,
            "warehouse_id": account.warehouse_id.id,
            "pricelist_id": pricelist.id,
            "client_order_ref": data["orderId"],
            "order_line": [(0, 0, line) for line in lines],
        }
    )
    order.action_confirm()
    env.cr.commit()  # noqa: F821
wall = time.perf_counter() - started
queries = odoo.sql_db.sql_counter - queries
print(
    "BENCH_FLOOR="
    + json.dumps(
        {
            "orders": count,
            "floor_s": round(wall, 1),
            "floor_s_per_order": round(wall / count, 3),
            "floor_queries_per_order": round(queries / count, 1),
        }
    ),
    flush=True,
)
