"""Run inside ``odoo-bin shell``: prepare the import of BENCH_ORDERS Amazon orders of 2-3 lines.

Reads ``BENCH_ORDERS``, ``BENCH_ACCOUNT_ID`` and ``STOCKAGILE_SANDBOX_URL`` from the environment;
creates the products of the SKUs ``SA-GEN-00001``... and Spain's price-included VAT (what an
integrator configures), puts the orders (official 2026-01-01 shape) in the sandbox and sets the
account's cursor before them. The import itself runs on a server with its job runner (the bench
enqueues the poll and waits for the last order); prints ``BENCH_PREPARED=`` and the count.
``env`` is the shell's environment.
"""

import os
from datetime import datetime, timedelta, timezone

from amazon_sandbox import seed
from amazon_sandbox.control import SandboxControl

count = int(os.environ.get("BENCH_ORDERS", "1000"))
account = env["amazon.account"].browse(int(os.environ["BENCH_ACCOUNT_ID"]))  # noqa: F821
sandbox = SandboxControl(os.environ["STOCKAGILE_SANDBOX_URL"])
skus = 200

# Products for the SKUs (the sync-all scenario may have created them already) and Spain's VAT.
products = env["product.product"]  # noqa: F821
existing = set(products.search([("default_code", "=like", "SA-GEN-%")]).mapped("default_code"))
products.create(
    [
        {"name": f"Bench {n}", "default_code": f"SA-GEN-{n:05d}", "is_storable": True}
        for n in range(1, skus + 1)
        if f"SA-GEN-{n:05d}" not in existing
    ]
)
# Configured as an integrator would: the importer never creates taxes, pricelists or currencies.
company = account.company_id
eur = env.ref("base.EUR")  # noqa: F821
eur.active = True
if not env["product.pricelist"].search([("currency_id", "=", eur.id)]):  # noqa: F821
    env["product.pricelist"].create({"name": "Amazon EUR", "currency_id": eur.id})  # noqa: F821
vat = env["account.tax"].search(  # noqa: F821
    [("name", "=", "IVA 21% incl. (bench)"), ("company_id", "=", company.id)], limit=1
) or env["account.tax"].create(  # noqa: F821
    {
        "name": "IVA 21% incl. (bench)",
        "amount": 21.0,
        "type_tax_use": "sale",
        "price_include_override": "tax_included",
        "company_id": company.id,
    }
)
products.search([("default_code", "=like", "SA-GEN-%")]).taxes_id = vat
env.cr.commit()  # noqa: F821

# The orders: 2 or 3 lines, the first line with shipping, every 7th with a promotion.
now = datetime.now(timezone.utc).replace(microsecond=0)
orders = seed.generated_orders(count, [f"SA-GEN-{n:05d}" for n in range(1, skus + 1)], now=now)
sandbox.reset(seed="empty", generate_listings=0)
for start in range(0, count, 250):
    sandbox.add_orders(orders[start : start + 250])
sandbox.clear_requests()

account.write({"orders_last_sync": (now - timedelta(days=1)).replace(tzinfo=None)})
env.cr.commit()  # noqa: F821
print(f"BENCH_PREPARED={len(orders)}", flush=True)
