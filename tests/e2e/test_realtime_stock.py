"""Real-time stock sync on a running Odoo server: the cron trigger, not the test, pushes."""

import time

from .harness import product_with_sku, receive, wait_for


def _amazon_quantity(sandbox, sku):
    return sandbox.listing(sku)["quantity"]


def _free_quantity(odoo, product_id):
    warehouse = odoo.call("stock.warehouse", "search", [], limit=1)[0]
    product = odoo.call(
        "product.product", "read", [product_id], ["free_qty"], context={"warehouse_id": warehouse}
    )
    return int(product[0]["free_qty"])


def _listing_state(odoo, product_id, account_id):
    listing = odoo.call(
        "amazon.listing",
        "search_read",
        [("product_id", "=", product_id), ("account_id", "=", account_id)],
        fields=["state"],
    )
    return listing[0]["state"]


def _synced_product(odoo, sandbox, sku, account_id):
    """The product with ``sku``, synced, with Amazon holding its free quantity."""
    product_id = product_with_sku(odoo, sku, list_price=10.0)
    odoo.call("product.product", "write", [product_id], {"amazon_sync": True})
    assert wait_for(lambda: _amazon_quantity(sandbox, sku) == _free_quantity(odoo, product_id))
    assert wait_for(lambda: _listing_state(odoo, product_id, account_id) == "synced")
    return product_id


def test_stock_change_reaches_amazon_within_seconds(odoo, sandbox, amazon_account):
    """After a committed receipt, the server's cron pushes the new quantity on its own."""
    sku = "SA-CABLE-USBC"
    product_id = _synced_product(odoo, sandbox, sku, amazon_account)
    expected = _free_quantity(odoo, product_id) + 17
    start = time.monotonic()
    receive(odoo, product_id, quantity=17)
    assert wait_for(
        lambda: _amazon_quantity(sandbox, sku) == expected, timeout=30
    ), "the quantity never reached Amazon"
    assert time.monotonic() - start < 30
    assert wait_for(lambda: _listing_state(odoo, product_id, amazon_account) == "synced")


def test_outage_loses_nothing(odoo, sandbox, amazon_account):
    """While Amazon fails the change stays queued; the next change's push carries the latest."""
    sku = "SA-BOTTLE-750"
    product_id = _synced_product(odoo, sandbox, sku, amazon_account)
    expected = _free_quantity(odoo, product_id) + 8
    sandbox.add_fault("patchListingsItem", "error503", count=1)
    receive(odoo, product_id, quantity=5)
    assert wait_for(
        lambda: any(r["status"] == 503 for r in sandbox.requests("patchListingsItem"))
    ), "the push during the outage was never tried"
    receive(odoo, product_id, quantity=3)
    assert wait_for(lambda: _amazon_quantity(sandbox, sku) == expected, timeout=30)
    assert wait_for(lambda: _listing_state(odoo, product_id, amazon_account) == "synced")
