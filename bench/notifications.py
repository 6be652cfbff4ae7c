"""Scenario ``notifications``: order created on Amazon → sales order committed in Odoo, through
ORDER_CHANGE notifications on the local SQS (moto), on a running server with its consumer cron
and job runner. One order at a time (BENCH_NOTIFIED_ORDERS, 50 by default): p50, p95, max.

The clock starts when the sandbox accepts the order (it has published the notification) and
stops when the confirmed sales order is visible over XML-RPC (committed). Fails when an order
never arrives.
"""

import os
import statistics
import time

from amazon_sandbox import seed
from amazon_sandbox.sqs_process import account_values, create_queue, sqs_url
from tests.e2e.accounting import configure_spanish_sales
from tests.e2e.harness import wait_for

COUNT = int(os.environ.get("BENCH_NOTIFIED_ORDERS", "50"))
SKUS = ("SA-GEN-00001", "SA-GEN-00002", "SA-GEN-00003")


def _subscribe(odoo, sandbox, account_id):
    sandbox.config(sqs_endpoint=sqs_url())
    _client, queue_url = create_queue("bench")
    odoo.call("amazon.account", "write", [account_id], account_values(queue_url))
    odoo.call("amazon.account", "action_amazon_subscribe", [account_id])


def run(odoo, sandbox, account_id):
    """Create COUNT orders one after the other; time each until its sale order is committed."""
    configure_spanish_sales(odoo, SKUS)
    _subscribe(odoo, sandbox, account_id)
    sandbox.clear_requests()
    latencies = []
    start_all = time.perf_counter()
    base = int(time.time()) % 90000 * 100
    for index in range(COUNT):
        order = seed.generated_orders(1, SKUS, start=base + index, prefix="173")[0]
        sandbox.add_orders([order])
        created = time.perf_counter()

        def confirmed(ref=order["orderId"]):
            return odoo.call(
                "sale.order",
                "search_count",
                [
                    ("amazon_account_id", "=", account_id),
                    ("amazon_order_ref", "=", ref),
                    ("state", "=", "sale"),
                ],
            )

        if not wait_for(confirmed, timeout=180, interval=0.02):
            raise RuntimeError(f"order {order['orderId']} never arrived through its notification")
        latencies.append(time.perf_counter() - created)
    calls = sandbox.requests()
    ordered = sorted(latencies)
    return {
        "orders": COUNT,
        "p50_s": round(statistics.median(ordered), 3),
        "p95_s": round(ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))], 3),
        "max_s": round(ordered[-1], 3),
        "wall_s": round(time.perf_counter() - start_all, 1),
        "search_orders_calls": sum(1 for r in calls if r["operation"] == "searchOrders"),
        "get_order_calls": sum(1 for r in calls if r["operation"] == "getOrder"),
    }


def rows(result):
    """Lines of the bench table."""
    return [
        ("Notifications: orders", result["orders"]),
        ("Notification latency p50 (s)", result["p50_s"]),
        ("Notification latency p95 (s)", result["p95_s"]),
        ("Notification latency max (s)", result["max_s"]),
        ("Notifications: searchOrders calls", result["search_orders_calls"]),
    ]
