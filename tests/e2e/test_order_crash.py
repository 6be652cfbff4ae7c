"""Order imports that crash or run twice: every Amazon order ends up imported exactly once.

The sandbox serves generated orders in small pages (each page is a poll job, each order a job of
its own), and a slow page keeps a poll in the middle of its run: a server killed there
(SIGKILL) loses nothing once a new one polls again, and two servers importing one account at
once never create an order twice.
"""

import signal
import threading
import time
import xmlrpc.client
from collections import Counter

import pytest

from amazon_sandbox import seed

from .accounting import configure_spanish_sales
from .harness import OdooServer, product_with_sku, wait_for, wait_for_jobs

pytestmark = pytest.mark.slow

SKUS = ("SA-MUG-001", "SA-TEE-BLK-M", "SA-BOTTLE-750", "SA-CABLE-USBC", "SA-NOTEBOOK-A5")
CRON = "stockagile_amazon_connector.ir_cron_amazon_sync_orders"


@pytest.fixture
def account(odoo, sandbox, amazon_account):
    """The account on an empty sandbox, its SKUs as products and Spain's VAT in the ERP."""
    sandbox.reset(seed="empty")
    for sku in SKUS:
        product_with_sku(odoo, sku)
    configure_spanish_sales(odoo, SKUS)  # Spain's VAT, which the seeded orders carry
    return amazon_account


def put_orders(sandbox, count, start, page_size):
    """``count`` generated orders in the sandbox, served ``page_size`` per searchOrders page."""
    start += int(time.time()) % 90000 * 100  # ids of their own on a reused database
    orders = seed.generated_orders(count, SKUS, start=start, prefix="410")
    sandbox.add_orders(orders)
    sandbox.config(orders_page_size=page_size)
    return [order["orderId"] for order in orders]


def imported(odoo, account_id, refs):
    """How many sales orders the account has per Amazon order id of ``refs``."""
    rows = odoo.call(
        "sale.order",
        "search_read",
        [("amazon_account_id", "=", account_id), ("amazon_order_ref", "in", refs)],
        fields=["amazon_order_ref"],
    )
    return Counter(row["amazon_order_ref"] for row in rows)


def run_import_cron(odoo):
    """Run the import cron in this server's request (it enqueues the account's poll); retried
    while the server's own cron thread holds the cron."""

    def attempt():
        try:
            return odoo.call("ir.cron", "method_direct_trigger", [odoo.ref(CRON)])
        except xmlrpc.client.Fault as fault:
            if "currently being executed" not in fault.faultString:
                raise
            return False

    assert wait_for(attempt, timeout=120, interval=1), "the import cron never ran"


def test_two_servers_import_each_order_once(odoo, odoo_server, sandbox, account, tmp_path):
    """Two servers importing one account at the same time create each order once."""
    refs = put_orders(sandbox, 30, start=0, page_size=10)
    second = OdooServer(
        odoo_server.database, tmp_path / "second.log", sandbox.url, job_runner=False
    )
    try:
        clients = (odoo, second.client())
        outcomes = [None, None]

        def sync(index):
            try:
                outcomes[index] = clients[index].call(
                    "amazon.account", "action_sync_orders", [account]
                )
            except xmlrpc.client.Fault as fault:  # reported below with the counts
                outcomes[index] = fault.faultString

        threads = [threading.Thread(target=sync, args=(index,)) for index in (0, 1)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=180)
        assert wait_for(
            lambda: set(imported(odoo, account, refs)) == set(refs), timeout=180, interval=0.5
        ), f"missing orders: {outcomes}"
        counts = imported(odoo, account, refs)
        assert set(counts) == set(refs), f"missing {sorted(set(refs) - set(counts))}: {outcomes}"
        assert max(counts.values()) == 1, f"duplicates: {counts.most_common(3)}"
        messages = [o["params"]["message"] if isinstance(o, dict) else o for o in outcomes]
        assert all(isinstance(o, dict) for o in outcomes), messages
        # Run again: nothing new, nothing failed, no error left on the account.
        again = odoo.call("amazon.account", "action_sync_orders", [account])
        assert again["params"]["type"] == "success", again["params"]["message"]
        assert wait_for_jobs(odoo, account)
        assert not odoo.call("amazon.account", "read", [account], ["orders_sync_error"])[0][
            "orders_sync_error"
        ]
        assert max(imported(odoo, account, refs).values()) == 1
    finally:
        second.stop()


def test_sigkill_during_import_then_restart(odoo, odoo_server, sandbox, account, tmp_path):
    """A server killed in the middle of an import: the restarted one imports every order once.

    Runs last in this module: it kills the module's server.
    """
    refs = put_orders(sandbox, 60, start=1000, page_size=20)
    # The second page answers slowly (within the account's 5 s timeout): the run is killed
    # after the first page's commits, while it waits for the second.
    sandbox.add_fault("searchOrders", "slow", count=1, delay=4, after=1)
    odoo.call("amazon.account", "write", [account], {"sync_orders": True})
    runner = threading.Thread(
        target=run_import_cron_quietly, args=(odoo_server.client(),), daemon=True
    )
    runner.start()
    assert wait_for(lambda: sum(imported(odoo, account, refs).values()) >= 20, timeout=90)
    assert wait_for(lambda: len(sandbox.requests("searchOrders")) >= 2, timeout=30)
    odoo_server.process.send_signal(signal.SIGKILL)
    odoo_server.process.wait()
    restarted = OdooServer(odoo_server.database, tmp_path / "restarted.log", sandbox.url)
    try:
        client = restarted.client()
        partial = imported(client, account, refs)
        assert 20 <= sum(partial.values()) < len(refs), "the kill did not land mid-import"
        read = client.call("amazon.account", "read", [account], ["orders_next_sync"])[0]
        assert not read["orders_next_sync"], "the killed poll must not have finished"
        run_import_cron(client)
        assert wait_for(
            lambda: set(imported(client, account, refs)) == set(refs), timeout=240, interval=1
        ), "the restarted server never imported every order"
        assert wait_for_jobs(client, account, timeout=120)
        counts = imported(client, account, refs)
        assert set(counts) == set(refs), f"missing {sorted(set(refs) - set(counts))}"
        assert max(counts.values()) == 1, f"duplicates: {counts.most_common(3)}"
        read = client.call("amazon.account", "read", [account], ["orders_sync_error"])[0]
        assert not read["orders_sync_error"], read["orders_sync_error"]
        client.call("amazon.account", "write", [account], {"active": False})
    finally:
        restarted.stop()


def run_import_cron_quietly(odoo):
    """The cron run of the server about to be killed: its connection error is expected."""
    try:
        run_import_cron(odoo)
    except (OSError, xmlrpc.client.Fault, AssertionError):
        pass
