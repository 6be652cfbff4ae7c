"""Shipping Amazon orders over XML-RPC on a running Odoo server: the server's job runner, not
the tests, confirm the packages on the sandbox after each commit."""

import json
import sys
import time
import xmlrpc.client

import pytest

from .accounting import configure_spanish_sales
from .harness import (
    GROUPS_FIELD,
    REPO,
    OdooClient,
    product_with_sku,
    receive,
    run_with_key,
    wait_for,
    wait_for_jobs,
)

FBM_SINGLE, FBM_MULTI, BUSINESS = (
    "402-3715930-4861125",
    "403-8126479-1203347",
    "404-5520178-9930241",
)
TEE, CABLE = "19283746501928", "19283746501929"
SKUS = ("SA-MUG-001", "SA-TEE-BLK-M", "SA-CABLE-USBC", "SA-NOTEBOOK-A5")


# ----------------------------------------------------------------------------- helpers
@pytest.fixture
def orders(odoo, amazon_account):
    """Stock for the seeded SKUs, then the account's orders imported over XML-RPC."""
    # Only this test imports: the server's import cron leaves this account alone.
    odoo.call("amazon.account", "write", [amazon_account], {"sync_orders": False})
    configure_spanish_sales(odoo, SKUS)  # Spain's VAT, which the seeded orders carry
    for sku in SKUS:
        receive(odoo, product_with_sku(odoo, sku), quantity=20)
    outcome = odoo.call("amazon.account", "action_sync_orders", [amazon_account])
    assert outcome["params"]["type"] == "success", outcome["params"]["message"]
    assert wait_for_jobs(odoo, amazon_account), "the order import jobs never ran"
    return amazon_account


def _delivery(odoo, account_id, order_ref, open_only=True):
    """The (first open) outgoing delivery of an imported order."""
    domain = [
        ("sale_id.amazon_account_id", "=", account_id),
        ("amazon_order_ref", "=", order_ref),
        ("picking_type_code", "=", "outgoing"),
    ]
    if open_only:
        domain.append(("state", "not in", ["done", "cancel"]))
    found = odoo.call("stock.picking", "search", domain, order="id", limit=1)
    assert found, f"order {order_ref} has no delivery"
    return found[0]


def _read(odoo, picking_id, *fields):
    return odoo.call("stock.picking", "read", [picking_id], list(fields))[0]


def _shipments(sandbox, order_ref):
    return [s for s in sandbox.shipments() if s["orderId"] == order_ref]


def _confirmed(odoo, sandbox, picking_id, order_ref, count=1):
    """Wait until the server's jobs confirmed ``count`` packages and the picking says so."""
    assert wait_for(
        lambda: len(_shipments(sandbox, order_ref)) >= count, timeout=60
    ), f"no confirmation of {order_ref} reached the sandbox"
    assert wait_for(
        lambda: _read(odoo, picking_id, "amazon_sync_state")["amazon_sync_state"] == "confirmed",
        timeout=30,
    )
    return _shipments(sandbox, order_ref)


def _ship(odoo, picking_id, carrier="SEUR", tracking="SEUR-1", **options):
    update = odoo.call(
        "stock.picking", "amazon_update_shipping", [picking_id], carrier, tracking, **options
    )
    return update, odoo.call("stock.picking", "amazon_mark_shipped", [picking_id])


# ----------------------------------------------------------------------------- tests
def test_update_then_mark_shipped(odoo, sandbox, orders):
    """Shipping data then mark shipped: the server confirms the package once, as sent."""
    picking_id = _delivery(odoo, orders, FBM_SINGLE)
    update, shipped = _ship(
        odoo, picking_id, "seur", "SEUR-0001", shipping_method="Express", ship_date="2025-03-04"
    )
    assert update["picking_id"] == picking_id and update["amazon_sync_state"] == "none"
    assert shipped["state"] == "done"
    assert shipped["amazon_order_ref"] == FBM_SINGLE
    assert shipped["amazon_sync_state"] in ("pending", "confirmed")
    assert shipped["message"]
    [shipment] = _confirmed(odoo, sandbox, picking_id, FBM_SINGLE)
    package = shipment["packageDetail"]
    assert package["packageReferenceId"] == str(picking_id)
    assert (package["carrierCode"], package["trackingNumber"]) == ("SEUR", "SEUR-0001")
    assert package["shippingMethod"] == "Express"
    assert package["shipDate"] == "2025-03-04T00:00:00Z"
    assert package["orderItems"] == [{"orderItemId": "06538226431891", "quantity": 1}]
    assert not shipment["duplicate"]
    assert sandbox.order(FBM_SINGLE)["fulfillment"]["fulfillmentStatus"] == "SHIPPED"
    read = _read(odoo, picking_id, "carrier_tracking_ref", "amazon_shipping_method")
    assert read["carrier_tracking_ref"] == "SEUR-0001"


def test_partial_then_backorder(odoo, sandbox, orders):
    """A partial delivery and its backorder are two packages, confirmed item by item, once."""
    picking_id = _delivery(odoo, orders, FBM_MULTI)
    moves = odoo.call(
        "stock.move",
        "search_read",
        [("picking_id", "=", picking_id)],
        fields=["sale_line_id", "product_uom_qty"],
    )
    tee = next(m for m in moves if m["product_uom_qty"] == 2)
    odoo.call("stock.move", "write", [tee["id"]], {"quantity": 1})
    _update, shipped = _ship(odoo, picking_id, "Correos", "PK-1")
    [backorder_id] = shipped["backorder_ids"]
    first = _confirmed(odoo, sandbox, picking_id, FBM_MULTI)[0]["packageDetail"]
    assert sorted((i["orderItemId"], i["quantity"]) for i in first["orderItems"]) == [
        (TEE, 1),
        (CABLE, 1),
    ]
    assert sandbox.order(FBM_MULTI)["fulfillment"]["fulfillmentStatus"] == "PARTIALLY_SHIPPED"
    _ship(odoo, backorder_id, "Correos", "PK-2")
    shipments = _confirmed(odoo, sandbox, backorder_id, FBM_MULTI, count=2)
    assert len(shipments) == 2
    second = shipments[1]["packageDetail"]
    assert second["packageReferenceId"] == str(backorder_id)
    assert second["orderItems"] == [{"orderItemId": TEE, "quantity": 1}]
    assert not any(s["duplicate"] for s in shipments)
    assert sandbox.order(FBM_MULTI)["fulfillment"]["fulfillmentStatus"] == "SHIPPED"


def test_repeated_calls_confirm_once(odoo, sandbox, orders):
    """Calling both methods again, before and after the confirmation, sends nothing more."""
    picking_id = _delivery(odoo, orders, FBM_SINGLE)
    _ship(odoo, picking_id, "DHL", "DHL-42")
    _ship(odoo, picking_id, "DHL", "DHL-42")
    _confirmed(odoo, sandbox, picking_id, FBM_SINGLE)
    _update, again = _ship(odoo, picking_id, "DHL", "DHL-42")
    assert again["state"] == "done" and again["amazon_sync_state"] == "confirmed"
    time.sleep(3)  # let a wrongly enqueued job run
    shipments = _shipments(sandbox, FBM_SINGLE)
    assert len(shipments) == 1 and not shipments[0]["duplicate"]
    assert len(sandbox.requests("confirmShipment")) == 1


def test_bad_inputs_fault_and_change_nothing(odoo, sandbox, orders):
    """Each bad input is an XML-RPC Fault saying what is wrong; nothing changes."""
    picking_id = _delivery(odoo, orders, FBM_SINGLE)
    with pytest.raises(xmlrpc.client.Fault, match="tracking number is empty"):
        odoo.call("stock.picking", "amazon_update_shipping", [picking_id], "SEUR", "")
    with pytest.raises(xmlrpc.client.Fault, match="does not exist"):
        odoo.call("stock.picking", "amazon_mark_shipped", [999999999])
    warehouse = odoo.call(
        "stock.warehouse", "search_read", [], fields=["lot_stock_id", "out_type_id"], limit=1
    )[0]
    other_id = odoo.call(
        "stock.picking",
        "create",
        {
            "picking_type_id": warehouse["out_type_id"][0],
            "location_id": warehouse["lot_stock_id"][0],
            "location_dest_id": odoo.ref("stock.stock_location_customers"),
        },
    )
    with pytest.raises(xmlrpc.client.Fault, match="not a delivery of an Amazon order"):
        odoo.call("stock.picking", "amazon_update_shipping", [other_id], "SEUR", "X-1")
    cancelled_id = _delivery(odoo, orders, BUSINESS)
    odoo.call("stock.picking", "action_cancel", [cancelled_id])
    with pytest.raises(xmlrpc.client.Fault, match="is cancelled"):
        odoo.call("stock.picking", "amazon_mark_shipped", [cancelled_id])
    with pytest.raises(xmlrpc.client.Fault, match="is cancelled"):
        odoo.call("stock.picking", "amazon_update_shipping", [cancelled_id], "SEUR", "X-2")
    for checked in (picking_id, other_id, cancelled_id):
        read = _read(odoo, checked, "state", "carrier_tracking_ref", "amazon_sync_state")
        assert not read["carrier_tracking_ref"] and read["amazon_sync_state"] == "none"
    assert _read(odoo, picking_id, "state")["state"] == "assigned"
    time.sleep(1)
    assert not sandbox.requests("confirmShipment")


def test_throttled_amazon_converges_to_one_confirmation(odoo, sandbox, orders):
    """A throttled confirmation stays queued and the cron sends it once when allowed."""
    sandbox.add_fault("confirmShipment", "throttle", count=1)
    picking_id = _delivery(odoo, orders, FBM_SINGLE)
    _ship(odoo, picking_id, "UPS", "1Z-THROTTLED")
    shipments = _confirmed(odoo, sandbox, picking_id, FBM_SINGLE)
    assert len(shipments) == 1 and not shipments[0]["duplicate"]
    statuses = [r["status"] for r in sandbox.requests("confirmShipment")]
    assert statuses[0] == 429 and statuses.count(204) == 1


def test_failing_amazon_then_retry(odoo, sandbox, orders):
    """An outage is shown on the delivery; Retry sends it at once, and only once."""
    sandbox.add_fault("confirmShipment", "error503", count=1)
    picking_id = _delivery(odoo, orders, FBM_SINGLE)
    _ship(odoo, picking_id, "GLS", "GLS-503")
    assert wait_for(
        lambda: _read(odoo, picking_id, "amazon_sync_error")["amazon_sync_error"], timeout=60
    ), "the outage must show on the delivery"
    assert _read(odoo, picking_id, "amazon_sync_state")["amazon_sync_state"] == "pending"
    assert not _shipments(sandbox, FBM_SINGLE)
    retry = odoo.call("stock.picking", "action_amazon_retry_shipment", [picking_id])
    assert retry["amazon_sync_state"] in ("pending", "confirmed")
    shipments = _confirmed(odoo, sandbox, picking_id, FBM_SINGLE)
    assert len(shipments) == 1 and not shipments[0]["duplicate"]
    assert not _read(odoo, picking_id, "amazon_sync_error")["amazon_sync_error"]


def test_refused_by_amazon_then_retry(odoo, sandbox, orders):
    """Amazon's refusal puts the delivery in error with its message; Retry after the fix."""
    sandbox.patch_order(FBM_SINGLE, {"fulfillment": {"fulfillmentStatus": "PENDING"}})
    picking_id = _delivery(odoo, orders, FBM_SINGLE)
    _ship(odoo, picking_id, "SEUR", "SEUR-REFUSED")
    assert wait_for(
        lambda: _read(odoo, picking_id, "amazon_sync_state")["amazon_sync_state"] == "error",
        timeout=60,
    )
    assert "PENDING" in _read(odoo, picking_id, "amazon_sync_error")["amazon_sync_error"]
    sandbox.patch_order(FBM_SINGLE, {"fulfillment": {"fulfillmentStatus": "UNSHIPPED"}})
    odoo.call("stock.picking", "action_amazon_retry_shipment", [picking_id])
    shipments = _confirmed(odoo, sandbox, picking_id, FBM_SINGLE)
    assert len(shipments) == 1


@pytest.fixture
def no_stock_user(odoo, odoo_server):
    """An internal user without inventory rights."""
    login = "no.stock.e2e"
    values = {
        "name": "No Stock",
        "login": login,
        "password": "no-stock-pass-1",
        GROUPS_FIELD: [(6, 0, [odoo.ref("base.group_user")])],
    }
    existing = odoo.call("res.users", "search", [("login", "=", login)])
    if existing:
        odoo.call("res.users", "write", existing, values)
    else:
        odoo.call("res.users", "create", values)
    return OdooClient(odoo_server.url, odoo_server.database, login, "no-stock-pass-1")


def test_user_without_access_rights(odoo, sandbox, orders, no_stock_user):
    """A user who may not edit deliveries gets an access Fault and changes nothing."""
    picking_id = _delivery(odoo, orders, FBM_SINGLE)
    with pytest.raises(xmlrpc.client.Fault, match="not allowed|AccessError|access"):
        no_stock_user.call("stock.picking", "amazon_update_shipping", [picking_id], "SEUR", "X")
    with pytest.raises(xmlrpc.client.Fault, match="not allowed|AccessError|access"):
        no_stock_user.call("stock.picking", "amazon_mark_shipped", [picking_id])
    read = _read(odoo, picking_id, "state", "carrier_tracking_ref")
    assert read["state"] == "assigned" and not read["carrier_tracking_ref"]


def test_integrator_script_ships_an_order(odoo, odoo_server, sandbox, orders):
    """The README's xmlrpc.client example ships an imported order end to end."""
    picking_id = _delivery(odoo, orders, BUSINESS)
    for other in odoo.call(
        "stock.picking",
        "search",
        [
            ("amazon_order_ref", "=", BUSINESS),
            ("sale_id.amazon_account_id", "!=", orders),
            ("state", "not in", ["done", "cancel"]),
        ],
    ):
        odoo.call("stock.picking", "action_cancel", [other])  # orders of earlier tests' accounts
    completed = run_with_key(
        [
            sys.executable,
            str(REPO / "examples" / "ship_amazon_order.py"),
            f"--url={odoo_server.url}",
            f"--db={odoo_server.database}",
            f"--order={BUSINESS}",
            "--carrier=NACEX",
            "--tracking=NX-404",
            "--method=Business 24h",
        ],
        None,  # the demo's admin password, the script's default without a key
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    result = json.loads(completed.stdout.splitlines()[0])
    assert result["picking_id"] == picking_id and result["state"] == "done"
    [shipment] = _confirmed(odoo, sandbox, picking_id, BUSINESS)
    package = shipment["packageDetail"]
    assert (package["carrierCode"], package["trackingNumber"]) == ("NACEX", "NX-404")
    assert package["orderItems"] == [{"orderItemId": "55102938475610", "quantity": 10}]


def test_wrong_types_and_ids_fault_and_change_nothing(odoo, sandbox, orders):
    """Lists for strings and ids that do not exist: Faults naming the problem; nothing changes."""
    picking_id = _delivery(odoo, orders, FBM_SINGLE)
    with pytest.raises(xmlrpc.client.Fault, match="carrier must be a string"):
        odoo.call("stock.picking", "amazon_update_shipping", [picking_id], ["SEUR"], "T-1")
    # A list of tracking numbers is one per package; a list of lists is not.
    with pytest.raises(xmlrpc.client.Fault, match="tracking_ref must be a string"):
        odoo.call("stock.picking", "amazon_update_shipping", [picking_id], "SEUR", [["T-1"]])
    with pytest.raises(xmlrpc.client.Fault, match="ship_date must be a date string"):
        odoo.call(
            "stock.picking", "amazon_update_shipping", [picking_id], "SEUR", "T-1", ship_date=[1]
        )
    with pytest.raises(xmlrpc.client.Fault, match="id 999999999 does not exist"):
        odoo.call("stock.picking", "amazon_update_shipping", [999999999], "SEUR", "T-1")
    for model in ("product.product", "product.template"):
        for method in ("action_amazon_enable_sync", "action_amazon_disable_sync"):
            with pytest.raises(xmlrpc.client.Fault, match=r"id 999999998 does not exist"):
                odoo.call(model, method, [999999998])
    read = _read(odoo, picking_id, "carrier_tracking_ref", "amazon_sync_state")
    assert not read["carrier_tracking_ref"] and read["amazon_sync_state"] == "none"
    assert not sandbox.requests("confirmShipment")
