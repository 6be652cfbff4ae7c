"""Real-time stock sync on a running Odoo server: the cron trigger, not the test, pushes."""

import time

from .harness import wait_for


def _product(odoo, sku):
    return odoo.call(
        "product.product",
        "create",
        {"name": f"E2E {sku}", "default_code": sku, "is_storable": True, "list_price": 10.0},
    )


def _receive(odoo, product_id, quantity):
    """Validate a receipt of ``quantity`` units, as a warehouse user does."""
    warehouse = odoo.call(
        "stock.warehouse", "search_read", [], fields=["lot_stock_id", "in_type_id"], limit=1
    )[0]
    supplier = odoo.ref("stock.stock_location_suppliers")
    picking_id = odoo.call(
        "stock.picking",
        "create",
        {
            "picking_type_id": warehouse["in_type_id"][0],
            "location_id": supplier,
            "location_dest_id": warehouse["lot_stock_id"][0],
            "move_ids": [
                (
                    0,
                    0,
                    {
                        "name": "e2e receipt",
                        "product_id": product_id,
                        "product_uom_qty": quantity,
                        "location_id": supplier,
                        "location_dest_id": warehouse["lot_stock_id"][0],
                    },
                )
            ],
        },
    )
    odoo.call("stock.picking", "action_confirm", [picking_id])
    moves = odoo.call("stock.move", "search", [("picking_id", "=", picking_id)])
    odoo.call("stock.move", "write", moves, {"quantity": quantity, "picked": True})
    assert odoo.call("stock.picking", "button_validate", [picking_id]) is True


def _amazon_quantity(sandbox, sku):
    return sandbox.listing(sku)["quantity"]


def test_stock_change_reaches_amazon_within_seconds(odoo, sandbox, amazon_account):
    """After a committed inventory change, the server's cron pushes the new quantity on its own."""
    sku = "SA-CABLE-USBC"
    product_id = _product(odoo, sku)
    odoo.call("product.product", "write", [product_id], {"amazon_sync": True})
    assert wait_for(
        lambda: _amazon_quantity(sandbox, sku) == 0 and sandbox.requests("patchListingsItem")
    )
    start = time.monotonic()
    _receive(odoo, product_id, 17)
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
    product_id = _product(odoo, sku)
    odoo.call("product.product", "write", [product_id], {"amazon_sync": True})
    assert wait_for(lambda: sandbox.requests("patchListingsItem"))
    sandbox.add_fault("patchListingsItem", "error503", count=1)
    _receive(odoo, product_id, 5)
    assert wait_for(
        lambda: any(r["status"] == 503 for r in sandbox.requests("patchListingsItem"))
    ), "the push during the outage was never tried"
    _receive(odoo, product_id, 3)
    assert wait_for(lambda: _amazon_quantity(sandbox, sku) == 8, timeout=30)
    assert wait_for(
        lambda: odoo.call(
            "amazon.listing", "search_read", [("product_id", "=", product_id)], fields=["state"]
        )[0]["state"]
        == "synced"
    )
