"""Faults and crashes while stock flows and packages ship: everything converges once they stop.

Amazon (the sandbox) injects throttling, 5xx, HTML and malformed answers, slow answers and expired
tokens; Odoo servers are killed with SIGKILL mid-push or run twice on one database. After each,
every synced SKU's quantity on Amazon must equal Odoo's free quantity, with no duplicate pushes
beyond coalescing.
"""

import signal
import time
from collections import Counter

import pytest

from amazon_sandbox import seed

from .accounting import configure_spanish_sales
from .harness import OdooServer, product_with_sku, receive, wait_for

pytestmark = pytest.mark.slow

SKUS = ("SA-MUG-001", "SA-TEE-BLK-M", "SA-BOTTLE-750", "SA-CABLE-USBC", "SA-NOTEBOOK-A5")


@pytest.fixture
def products(odoo, sandbox, amazon_account):
    """The five seeded SKUs as synced products, first push done."""
    ids = {sku: product_with_sku(odoo, sku) for sku in SKUS}
    odoo.call("product.product", "write", list(ids.values()), {"amazon_sync": True})
    assert wait_for(lambda: converged(odoo, sandbox, ids), timeout=60)
    sandbox.clear_requests()
    return ids


def free_quantities(odoo, ids):
    warehouse = odoo.call("stock.warehouse", "search", [], limit=1)[0]
    rows = odoo.call(
        "product.product",
        "read",
        list(ids.values()),
        ["free_qty", "default_code"],
        context={"warehouse_id": warehouse},
    )
    return {row["default_code"]: max(0, int(row["free_qty"])) for row in rows}


def converged(odoo, sandbox, ids):
    """True when Amazon holds Odoo's free quantity for every SKU."""
    expected = free_quantities(odoo, ids)
    return all(sandbox.listing(sku)["quantity"] == qty for sku, qty in expected.items())


def test_faults_then_convergence(odoo, sandbox, products):
    """429 bursts, 5xx, HTML, malformed, slow answers and expired tokens: converged within 60 s."""
    for kind, count in (
        ("throttle", 4),
        ("throttle_empty", 2),
        ("error500", 2),
        ("error503", 2),
        ("html500", 2),
        ("malformed", 2),
        ("expired_token", 1),
    ):
        sandbox.add_fault("patchListingsItem", kind, count=count)
    sandbox.add_fault("patchListingsItem", "slow", count=1, delay=7)
    for round_ in range(3):
        for sku in SKUS:
            receive(odoo, products[sku], quantity=round_ + 1)
    assert wait_for(lambda: not sandbox.faults(), timeout=120), "faults were never consumed"
    faults_over = time.monotonic()
    assert wait_for(lambda: converged(odoo, sandbox, products), timeout=60), (
        f"Amazon {[sandbox.listing(s)['quantity'] for s in SKUS]} != Odoo "
        f"{free_quantities(odoo, products)}"
    )
    assert time.monotonic() - faults_over < 60


def test_two_servers_no_duplicate_pushes(odoo, odoo_server, sandbox, products, tmp_path):
    """Two servers on one database (one job runner for both) push each change once."""
    second = OdooServer(
        odoo_server.database, tmp_path / "second.log", sandbox.url, job_runner=False
    )
    try:
        clients = (odoo, second.client())
        for index in range(10):
            sku = SKUS[index % len(SKUS)]
            before = len(sandbox.requests("patchListingsItem"))
            receive(clients[index % 2], products[sku])
            expected = free_quantities(odoo, {sku: products[sku]})[sku]
            assert wait_for(lambda s=sku, q=expected: sandbox.listing(s)["quantity"] == q, 30)
            time.sleep(0.5)  # let a duplicate, if any, arrive
            assert len(sandbox.requests("patchListingsItem")) == before + 1, "duplicate push"
    finally:
        second.stop()


@pytest.fixture
def deliveries(odoo, sandbox, amazon_account):
    """Ten generated FBM orders imported, their goods in stock: ``{order id: delivery id}``."""
    sandbox.reset(seed="empty")
    for sku in SKUS:
        product_with_sku(odoo, sku)
    odoo.call("amazon.account", "write", [amazon_account], {"sync_orders": False})
    configure_spanish_sales(odoo, SKUS)  # Spain's VAT, which the seeded orders carry
    # Order ids of their own: deliveries of earlier runs on this database are never confused.
    orders = seed.generated_orders(10, SKUS, start=int(time.time()) % 900000 * 10, prefix="411")
    sandbox.add_orders(orders)
    outcome = odoo.call("amazon.account", "action_sync_orders", [amazon_account])
    assert outcome["params"]["type"] == "success", outcome["params"]["message"]
    # Enough for these orders even behind open deliveries other tests left in the database.
    receive(odoo, [product_with_sku(odoo, sku) for sku in SKUS], quantity=400)

    def delivery(ref):
        return odoo.call(
            "stock.picking",
            "search",
            [
                ("sale_id.amazon_account_id", "=", amazon_account),
                ("amazon_order_ref", "=", ref),
                ("picking_type_code", "=", "outgoing"),
            ],
        )

    refs = [order["orderId"] for order in orders]
    assert wait_for(
        lambda: all(delivery(ref) for ref in refs), timeout=120, interval=0.5
    ), "the import jobs never created every order"
    return {ref: delivery(ref)[0] for ref in refs}


def test_shipments_under_faults_converge(odoo, sandbox, deliveries):
    """Confirmations through 429s, 5xx, malformed, slow answers and an expired token: once each."""
    for kind, count in (
        ("error500", 1),
        ("error503", 1),
        ("malformed", 1),
        ("expired_token", 1),
        ("throttle", 3),
        ("throttle_empty", 1),
    ):
        sandbox.add_fault("confirmShipment", kind, count=count)
    sandbox.add_fault("confirmShipment", "slow", count=1, delay=3)
    for index, picking_id in enumerate(deliveries.values()):
        sent = len(sandbox.requests("confirmShipment"))
        odoo.call("stock.picking", "amazon_update_shipping", [picking_id], "SEUR", f"F-{index}")
        shipped = odoo.call("stock.picking", "amazon_mark_shipped", [picking_id])
        assert shipped["state"] == "done", shipped["message"]
        # Each commit enqueues its job at once, outage back-off or not: it meets the next fault.
        assert wait_for(lambda n=sent: len(sandbox.requests("confirmShipment")) > n, 30)
    assert wait_for(lambda: not sandbox.faults(), timeout=60), "faults were never consumed"

    def all_confirmed():
        states = odoo.call(
            "stock.picking", "read", list(deliveries.values()), ["amazon_sync_state"]
        )
        return all(row["amazon_sync_state"] == "confirmed" for row in states)

    assert wait_for(all_confirmed, timeout=150, interval=1), "some packages never confirmed"
    shipments = sandbox.shipments()
    packages = sorted((s["orderId"], s["packageDetail"]["packageReferenceId"]) for s in shipments)
    expected = sorted((ref, str(picking_id)) for ref, picking_id in deliveries.items())
    assert packages == expected, "one confirmation per package"
    assert not any(s["duplicate"] for s in shipments)
    statuses = Counter(r["status"] for r in sandbox.requests("confirmShipment"))
    assert statuses[429] == 4 and statuses[204] == len(deliveries), statuses


def test_sigkill_during_push_then_restart(odoo, odoo_server, sandbox, products, tmp_path):
    """A server killed in the middle of a push loses nothing: the restarted one converges.

    The killed push job is left *started*; the restarted server's recovery cron finds its row
    unlocked and runs it again.

    Runs last in this module: it kills the module's server.
    """
    sandbox.add_fault("patchListingsItem", "slow", count=1, delay=3)
    receive(odoo, products["SA-MUG-001"], quantity=4)
    assert wait_for(lambda: sandbox.requests("patchListingsItem"), timeout=30)
    odoo_server.process.send_signal(signal.SIGKILL)
    odoo_server.process.wait()
    restarted = OdooServer(odoo_server.database, tmp_path / "restarted.log", sandbox.url)
    try:
        client = restarted.client()
        receive(client, products["SA-TEE-BLK-M"], quantity=2)
        assert wait_for(lambda: converged(client, sandbox, products), timeout=240, interval=1)
    finally:
        restarted.stop()
