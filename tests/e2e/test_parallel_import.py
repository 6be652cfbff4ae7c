"""Orders imported on both cores: a prefork server (2 workers, job runner ``root:2``) runs two
order jobs at a time, as in production.

The orders share five SKUs that are in stock, so two jobs reserve the same quants at the same
time: PostgreSQL refuses one of two concurrent updates of a row, queue_job runs that job again
a few seconds later, and every order ends up imported once, confirmed and reserved.
"""

import time
from collections import Counter

import pytest

from amazon_sandbox import seed

from .accounting import configure_spanish_sales
from .harness import OdooServer, product_with_sku, receive, wait_for, wait_for_jobs

pytestmark = pytest.mark.slow

SKUS = ("SA-PAR-001", "SA-PAR-002", "SA-PAR-003", "SA-PAR-004", "SA-PAR-005")
ORDERS = 24


@pytest.fixture(scope="module")
def odoo_server(odoo_database, sandbox_url, tmp_path_factory):
    """This module's server in prefork mode: two workers take the jobs the runner sends."""
    server = OdooServer(
        odoo_database,
        tmp_path_factory.mktemp("odoo") / "odoo.log",
        sandbox_url,
        workers=2,
        channels="root:2",
    )
    yield server
    server.stop()


def test_two_workers_import_each_order_once_and_reserve_it(odoo, sandbox, amazon_account):
    """Two workers import 24 orders over 5 shared SKUs: each once, confirmed, fully reserved."""
    sandbox.reset(seed="empty")
    products = {sku: product_with_sku(odoo, sku) for sku in SKUS}
    configure_spanish_sales(odoo, SKUS)
    receive(odoo, list(products.values()), quantity=ORDERS * 3)
    start = int(time.time()) % 90000 * 100  # ids of their own on a reused database
    orders = seed.generated_orders(ORDERS, SKUS, start=start, prefix="412")
    refs = [order["orderId"] for order in orders]
    sandbox.add_orders(orders)
    odoo.call("amazon.account", "action_sync_orders", [amazon_account])

    def imported():
        return odoo.call(
            "sale.order",
            "search_read",
            [("amazon_account_id", "=", amazon_account), ("amazon_order_ref", "in", refs)],
            fields=["amazon_order_ref", "state"],
        )

    assert wait_for(
        lambda: len(imported()) >= ORDERS, timeout=600, interval=0.5
    ), f"{len(imported())} of {ORDERS} orders imported"
    assert wait_for_jobs(odoo, amazon_account, timeout=300)
    rows = imported()
    counts = Counter(row["amazon_order_ref"] for row in rows)
    assert set(counts) == set(refs) and max(counts.values()) == 1, counts.most_common(3)
    assert {row["state"] for row in rows} == {"sale"}, "every order is confirmed"
    failed = odoo.call(
        "queue.job",
        "search_read",
        [("channel", "=", f"root.amazon.account_{amazon_account}"), ("state", "=", "failed")],
        fields=["exc_message"],
    )
    assert not failed, failed
    ordered = Counter()
    for order in orders:
        for item in order["orderItems"]:
            ordered[item["product"]["sellerSku"]] += item["quantityOrdered"]
    moves = odoo.call(
        "stock.move",
        "search_read",
        [("sale_line_id.order_id.amazon_order_ref", "in", refs)],
        fields=["product_id", "quantity", "state"],
    )
    reserved = Counter()
    for move in moves:
        reserved[move["product_id"][0]] += move["quantity"]
    assert {sku: reserved[products[sku]] for sku in SKUS} == dict(
        ordered
    ), "each order's goods are reserved once"
    assert {move["state"] for move in moves} == {"assigned"}
