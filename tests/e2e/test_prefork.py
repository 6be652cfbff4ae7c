"""Production mode: a prefork server (``--workers=2 --max-cron-threads=1``) with the job runner
in its own process, and a second server on the same database without a runner, as in a cluster.

Stock, orders and shipments flow through jobs that run in the HTTP workers: nothing is lost,
nothing is sent twice, and Amazon's rate limits hold (the sandbox enforces them: no 429).
"""

import time
from collections import Counter

import pytest

from amazon_sandbox import seed

from .harness import OdooServer, create_sandbox_account, product_with_sku, receive, wait_for

pytestmark = pytest.mark.slow

SKUS = ("SA-MUG-001", "SA-TEE-BLK-M", "SA-BOTTLE-750", "SA-CABLE-USBC", "SA-NOTEBOOK-A5")


@pytest.fixture(scope="module")
def cluster(odoo_database, sandbox_url, tmp_path_factory):
    """A prefork server with the job runner and a threaded one without, on one database."""
    logs = tmp_path_factory.mktemp("prefork")
    main = OdooServer(odoo_database, logs / "prefork.log", sandbox_url, cron_threads=1, workers=2)
    second = OdooServer(
        odoo_database, logs / "second.log", sandbox_url, cron_threads=0, job_runner=False
    )
    yield main, second
    second.stop()
    main.stop()


def free_quantity(odoo, product_id):
    warehouse = odoo.call("stock.warehouse", "search", [], limit=1)[0]
    row = odoo.call(
        "product.product", "read", [product_id], ["free_qty"], context={"warehouse_id": warehouse}
    )[0]
    return max(0, int(row["free_qty"]))


def test_cluster_stock_orders_and_shipments(cluster, sandbox, sandbox_url):
    """Receipts on both servers, an order import and shipments: once each, no 429."""
    main, second = cluster
    odoo, other = main.client(), second.client()
    account = create_sandbox_account(odoo, sandbox_url, "Amazon ES (prefork)")
    products = {sku: product_with_sku(odoo, sku) for sku in SKUS}
    odoo.call("product.product", "write", list(products.values()), {"amazon_sync": True})
    if not odoo.call(
        "account.tax", "search", [("amount", "=", 21.0), ("type_tax_use", "=", "sale")]
    ):
        odoo.call(
            "account.tax",
            "create",
            {"name": "IVA 21% (e2e)", "amount": 21.0, "amount_type": "percent"},
        )

    # Real-time stock from both servers: Amazon ends with Odoo's free quantity.
    for index in range(10):
        sku = SKUS[index % len(SKUS)]
        receive((odoo, other)[index % 2], products[sku], quantity=index + 1)

    def stock_converged():
        return all(
            sandbox.listing(sku)["quantity"] == free_quantity(odoo, pid)
            for sku, pid in products.items()
        )

    assert wait_for(stock_converged, timeout=90, interval=0.5), "stock never converged"

    # Orders: 20 orders imported once each through the runner's jobs.
    orders = seed.generated_orders(20, SKUS, start=int(time.time()) % 900000 * 10, prefix="412")
    sandbox.add_orders(orders)
    refs = [order["orderId"] for order in orders]
    other.call("amazon.account", "action_sync_orders", [account])

    def imported():
        rows = odoo.call(
            "sale.order",
            "search_read",
            [("amazon_account_id", "=", account), ("amazon_order_ref", "in", refs)],
            fields=["amazon_order_ref"],
        )
        return Counter(row["amazon_order_ref"] for row in rows)

    assert wait_for(lambda: set(imported()) == set(refs), timeout=120, interval=0.5)
    assert max(imported().values()) == 1, "an order was imported twice"

    # Shipments: every delivery shipped over XML-RPC on either server, confirmed once.
    receive(odoo, list(products.values()), quantity=100)
    pickings = {}
    for ref in refs[:8]:
        pickings[ref] = odoo.call(
            "stock.picking",
            "search",
            [
                ("sale_id.amazon_account_id", "=", account),
                ("amazon_order_ref", "=", ref),
                ("picking_type_code", "=", "outgoing"),
            ],
        )[0]
    for index, picking_id in enumerate(pickings.values()):
        client = (odoo, other)[index % 2]
        client.call("stock.picking", "amazon_update_shipping", [picking_id], "SEUR", f"PF-{index}")
        result = client.call("stock.picking", "amazon_mark_shipped", [picking_id])
        assert result["state"] == "done", result["message"]

    def confirmed():
        return {s["orderId"] for s in sandbox.shipments()} >= set(pickings)

    assert wait_for(confirmed, timeout=120, interval=0.5), "some packages were never confirmed"
    shipments = [s for s in sandbox.shipments() if s["orderId"] in pickings]
    assert len(shipments) == len(pickings) and not any(s["duplicate"] for s in shipments)
    statuses = Counter(r["status"] for r in sandbox.requests())
    assert statuses[429] == 0, f"Amazon throttled us: {statuses}"
    odoo.call("amazon.account", "write", [account], {"active": False})
