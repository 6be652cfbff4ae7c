"""Run inside ``odoo-bin shell``: import BENCH_ORDERS Amazon orders of 2-3 lines, timed and counted.

Reads ``BENCH_ORDERS``, ``BENCH_ACCOUNT_ID`` and ``STOCKAGILE_SANDBOX_URL`` from the environment;
puts the orders (official 2026-01-01 shape, SKUs ``SA-GEN-00001``...) in the sandbox, runs the
account's poll and every job it enqueues (pages, one job per order) until all are done, and
prints one JSON line prefixed ``BENCH_RESULT=``.
``env`` is the shell's environment.
"""

import json
import os
import time
from datetime import datetime, timedelta, timezone

import odoo

from amazon_sandbox import seed
from amazon_sandbox.control import SandboxControl
from bench.shell_jobs import run_jobs

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
queries, started = odoo.sql_db.sql_counter, time.perf_counter()
account._enqueue_order_poll()
env.cr.commit()  # noqa: F821
# The import only: the stock pushes its reservations queue are not part of it.
outcomes = run_jobs(
    env,  # noqa: F821
    methods=("_amazon_job_poll_orders", "_amazon_job_import_order"),
)
wall = time.perf_counter() - started
queries = odoo.sql_db.sql_counter - queries
log = sandbox.requests()
imported = env["sale.order"].search(  # noqa: F821
    [("amazon_account_id", "=", account.id), ("amazon_order_ref", "=like", "409-%")]
)
result = {"created": len(imported), "failed": outcomes.get("failed", 0)}
print(
    "BENCH_RESULT="
    + json.dumps(
        {
            "orders": count,
            "jobs": outcomes,
            "created": result["created"],
            "failed": result["failed"],
            "confirmed": len(imported.filtered(lambda o: o.state == "sale")),
            "lines": len(imported.order_line),
            "import_s": round(wall, 1),
            "orders_per_s": round(result["created"] / wall, 1) if wall else None,
            "sql_queries": queries,
            "sql_queries_per_order": round(queries / max(1, result["created"]), 1),
            "api_calls": {
                op: sum(1 for r in log if r["operation"] == op)
                for op in {r["operation"] for r in log}
            },
            "throttled_429": sum(1 for r in log if r["status"] == 429),
        }
    ),
    flush=True,
)
