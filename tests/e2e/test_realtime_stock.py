"""Real-time stock sync on a running Odoo server: the cron trigger, not the test, pushes."""

import time

from .harness import product_with_sku, receive, wait_for


def _amazon_quantity(sandbox, sku):
    return sandbox.listing(sku)["quantity"]


def test_stock_change_reaches_amazon_within_seconds(odoo, sandbox, amazon_account):
    """After a committed inventory change, the server's cron pushes the new quantity on its own."""
    sku = "SA-CABLE-USBC"
    product_id = product_with_sku(odoo, sku, list_price=10.0)
    odoo.call("product.product", "write", [product_id], {"amazon_sync": True})
    assert wait_for(
        lambda: _amazon_quantity(sandbox, sku) == 0 and sandbox.requests("patchListingsItem")
    )
    start = time.monotonic()
    receive(odoo, product_id, quantity=17)
    assert wait_for(
        lambda: _amazon_quantity(sandbox, sku) == 17, timeout=30
    ), "the quantity never reached Amazon"
    assert time.monotonic() - start < 30
    listing = odoo.call(
        "amazon.listing",
        "search_read",
        [("product_id", "=", product_id)],
        fields=["state", "last_quantity_sent"],
    )
    assert wait_for(
        lambda: odoo.call(
            "amazon.listing", "search_read", [("product_id", "=", product_id)], fields=["state"]
        )[0]["state"]
        == "synced"
    )
    assert listing[0]["last_quantity_sent"] in (0, 17)


def test_outage_loses_nothing(odoo, sandbox, amazon_account):
    """While Amazon fails the change stays queued; the next change's push carries the latest."""
    sku = "SA-BOTTLE-750"
    product_id = product_with_sku(odoo, sku, list_price=10.0)
    odoo.call("product.product", "write", [product_id], {"amazon_sync": True})
    assert wait_for(lambda: sandbox.requests("patchListingsItem"))
    sandbox.add_fault("patchListingsItem", "error503", count=1)
    receive(odoo, product_id, quantity=5)
    assert wait_for(
        lambda: any(r["status"] == 503 for r in sandbox.requests("patchListingsItem"))
    ), "the push during the outage was never tried"
    receive(odoo, product_id, quantity=3)
    assert wait_for(lambda: _amazon_quantity(sandbox, sku) == 8, timeout=30)
    assert wait_for(
        lambda: odoo.call(
            "amazon.listing", "search_read", [("product_id", "=", product_id)], fields=["state"]
        )[0]["state"]
        == "synced"
    )
