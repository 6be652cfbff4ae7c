"""Run inside ``odoo-bin shell``: "Sync all" of many products by feed, timed and SQL-counted.

Reads ``BENCH_PRODUCTS`` and ``BENCH_ACCOUNT_ID`` from the environment; prints one JSON line
prefixed ``BENCH_RESULT=``. ``env`` is the shell's environment.
"""

import json
import os
import time

import odoo

from bench.shell_jobs import run_jobs

count = int(os.environ["BENCH_PRODUCTS"])
account = env["amazon.account"].browse(int(os.environ["BENCH_ACCOUNT_ID"]))  # noqa: F821


def measured(function):
    """Run ``function``; return (seconds, SQL queries)."""
    queries, start = odoo.sql_db.sql_counter, time.perf_counter()
    function()
    return time.perf_counter() - start, odoo.sql_db.sql_counter - queries


products = env["product.product"]  # noqa: F821
create_s, _ = measured(
    lambda: products.create(
        [
            {
                "name": f"Bench {n}",
                "default_code": f"SA-GEN-{n:05d}",
                "is_storable": True,
                "list_price": 10.0 + n % 50,
            }
            for n in range(1, count + 1)
        ]
    )
)
created = products.search([("default_code", "=like", "SA-GEN-%")])
enable_s, enable_q = measured(lambda: created.write({"amazon_sync": True}))
env["amazon.sync.engine"]._dequeue(account.listing_ids)  # noqa: F821
env["queue.job"].search([("channel", "=like", "root.amazon%")]).unlink()  # noqa: F821
env.cr.commit()  # noqa: F821


def sync_all():
    """The button, then its feed job (what the job runner runs right after the commit)."""
    account.action_sync_all_products()
    env.cr.commit()  # noqa: F821
    run_jobs(env, only_due=True)  # noqa: F821


sync_s, sync_q = measured(sync_all)
feeds = env["amazon.feed"].search([("account_id", "=", account.id)])  # noqa: F821
report_s, report_q = measured(lambda: run_jobs(env))  # noqa: F821
env.cr.commit()  # noqa: F821
states = {}
for state in account.listing_ids.mapped("state"):
    states[state] = states.get(state, 0) + 1
print(
    "BENCH_RESULT="
    + json.dumps(
        {
            "products": len(created),
            "create_products_s": round(create_s, 2),
            "enable_sync_s": round(enable_s, 2),
            "enable_sync_queries": enable_q,
            "sync_all_s": round(sync_s, 2),
            "sync_all_queries": sync_q,
            "apply_report_s": round(report_s, 2),
            "apply_report_queries": report_q,
            "feeds": len(feeds),
            "feed_messages": sum(feeds.mapped("message_count")),
            "listing_states": states,
        }
    ),
    flush=True,
)
