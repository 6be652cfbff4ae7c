"""Sendcloud labels for Amazon orders on a running Odoo server, over XML-RPC: OCA's
delivery_sendcloud_oca on the Sendcloud sandbox, the glue stockagile_amazon_sendcloud, and the
server's job runner confirming each parcel on the Amazon sandbox."""

import base64

import pytest

from sendcloud_sandbox import DEFAULT_PUBLIC_KEY, DEFAULT_SECRET_KEY
from sendcloud_sandbox.process import SendcloudControl

from .accounting import configure_spanish_sales
from .harness import product_with_sku, receive, wait_for, wait_for_jobs

FBM_SINGLE, FBM_MULTI = "402-3715930-4861125", "403-8126479-1203347"
SKUS = ("SA-MUG-001", "SA-TEE-BLK-M", "SA-CABLE-USBC", "SA-NOTEBOOK-A5")
SEUR_METHOD = 8003


@pytest.fixture(scope="module")
def glue(odoo_server):
    """The glue addon installed (make test installs it; run alone, it is installed here)."""
    odoo = odoo_server.client()
    [module] = odoo.call(
        "ir.module.module",
        "search_read",
        [("name", "=", "stockagile_amazon_sendcloud")],
        fields=["state"],
    )
    if module["state"] != "installed":
        odoo.call("ir.module.module", "button_immediate_install", [module["id"]])
    return odoo


@pytest.fixture
def sendcloud(glue, sendcloud_url, amazon_account):
    """OCA's module on a fresh Sendcloud sandbox: integration, statuses, methods; the Amazon
    warehouse's Sendcloud method for Amazon is SEUR and the products weigh 0.4 kg."""
    control = SendcloudControl(sendcloud_url)
    control.reset()
    odoo = glue
    odoo.call(
        "ir.config_parameter",
        "set_param",
        "stockagile_amazon_sendcloud.panel_url",
        f"{sendcloud_url}/api/v2",
    )
    company_id = odoo.call("res.users", "read", [odoo.uid], ["company_id"])[0]["company_id"][0]
    if not odoo.call("sendcloud.integration", "search", [("sendcloud_code", "=", 4242)]):
        odoo.call(
            "sendcloud.integration",
            "create",
            {
                "shop_name": "Stockagile sandbox",
                "public_key": DEFAULT_PUBLIC_KEY,
                "secret_key": DEFAULT_SECRET_KEY,
                "sendcloud_code": 4242,
                "company_id": company_id,
            },
        )
    # OCA's sync methods return None (not XML-RPC): run their crons, as "Run Manually" does.
    for cron in ("parcel_statuses", "shipping_method"):
        cron_id = odoo.ref(f"delivery_sendcloud_oca.ir_cron_delivery_sendcloud_{cron}")
        odoo.call("ir.cron", "method_direct_trigger", [cron_id])
    [seur] = odoo.call(
        "delivery.carrier",
        "search",
        [("delivery_type", "=", "sendcloud"), ("sendcloud_code", "=", SEUR_METHOD)],
        limit=1,
    )
    warehouse = odoo.call("amazon.account", "read", [amazon_account], ["warehouse_id"])[0]
    odoo.call(
        "stock.warehouse",
        "write",
        [warehouse["warehouse_id"][0]],
        {"amazon_sendcloud_carrier_id": seur},
    )
    control.company_id = company_id
    return control


@pytest.fixture
def orders(odoo, amazon_account, sendcloud):
    """Stock and weight for the seeded SKUs, then the account's orders imported."""
    odoo.call("amazon.account", "write", [amazon_account], {"sync_orders": False})
    configure_spanish_sales(odoo, SKUS)
    for sku in SKUS:
        product = product_with_sku(odoo, sku)
        odoo.call("product.product", "write", [product], {"weight": 0.4})
        receive(odoo, product, quantity=20)
    outcome = odoo.call("amazon.account", "action_sync_orders", [amazon_account])
    assert outcome["params"]["type"] == "success", outcome["params"]["message"]
    assert wait_for_jobs(odoo, amazon_account), "the order import jobs never ran"
    return amazon_account


def _delivery(odoo, account_id, order_ref):
    [picking_id] = odoo.call(
        "stock.picking",
        "search",
        [
            ("sale_id.amazon_account_id", "=", account_id),
            ("amazon_order_ref", "=", order_ref),
            ("picking_type_code", "=", "outgoing"),
            ("state", "not in", ["done", "cancel"]),
        ],
        limit=1,
    )
    return picking_id


def _read(odoo, picking_id, *fields):
    return odoo.call("stock.picking", "read", [picking_id], list(fields))[0]


def _amazon_packages(sandbox, order_ref, count):
    assert wait_for(
        lambda: len([s for s in sandbox.shipments() if s["orderId"] == order_ref]) >= count,
        timeout=60,
    ), f"{order_ref}: {count} confirmation(s) never reached Amazon"
    return [s["packageDetail"] for s in sandbox.shipments() if s["orderId"] == order_ref]


def _labels(odoo, picking_id):
    return odoo.call(
        "ir.attachment",
        "search_read",
        [
            ("res_model", "=", "stock.picking"),
            ("res_id", "=", picking_id),
            ("name", "=like", "Label-Sendcloud-%"),
        ],
        fields=["datas"],
    )


def _pack(odoo, move_line_ids):
    """Put these move lines in a new Odoo package (``stock.package`` from Odoo 19 on)."""
    package_id = odoo.call("stock.quant.package", "create", {})
    odoo.call("stock.move.line", "write", move_line_ids, {"result_package_id": package_id})
    return package_id


def test_label_mark_shipped_once(odoo, sandbox, sendcloud, orders):
    """Order → Label with Sendcloud → PDF on the delivery → mark shipped → Amazon has the parcel."""
    picking_id = _delivery(odoo, orders, FBM_SINGLE)
    [order_id] = odoo.call(
        "sale.order",
        "search",
        [("amazon_account_id", "=", orders), ("amazon_order_ref", "=", FBM_SINGLE)],
    )
    result = odoo.call("sale.order", "action_amazon_sendcloud_label", [order_id])
    assert result["params"]["type"] == "success", result["params"]["message"]
    [parcel] = sendcloud.parcels()
    [label] = _labels(odoo, picking_id)
    assert base64.b64decode(label["datas"]).startswith(b"%PDF")
    assert (
        _read(odoo, picking_id, "carrier_tracking_ref")["carrier_tracking_ref"]
        == (parcel["tracking_number"])
    )
    shipped = odoo.call("stock.picking", "amazon_mark_shipped", [picking_id])
    assert shipped["state"] == "done"
    [package] = _amazon_packages(sandbox, FBM_SINGLE, 1)
    assert (package["carrierCode"], package["trackingNumber"]) == (
        "SEUR",
        parcel["tracking_number"],
    )
    assert package["orderItems"] == [{"orderItemId": "06538226431891", "quantity": 1}]
    assert wait_for(
        lambda: _read(odoo, picking_id, "amazon_sync_state")["amazon_sync_state"] == "confirmed"
    )
    again = odoo.call("stock.picking", "amazon_mark_shipped", [picking_id])
    assert [(p["carrier"], p["tracking_ref"]) for p in again["packages"]] == [
        ("SEUR", parcel["tracking_number"])
    ]
    assert len(sendcloud.parcels()) == 1, "validation reused the label"
    assert len([s for s in sandbox.shipments() if s["orderId"] == FBM_SINGLE]) == 1


def _confirmations(sandbox, order_ref):
    """Every confirmShipment Amazon received for this order, accepted or refused."""
    return [
        r["body"]["packageDetail"]
        for r in sandbox.requests("confirmShipment")
        if order_ref in r["path"]
    ]


def test_two_packages_two_amazon_packages(odoo, odoo_server, sandbox, sendcloud, orders):
    """A delivery in two packages: two Sendcloud parcels, exactly two confirmShipment with
    their items, whatever comes after (status webhooks, Mark shipped again)."""
    picking_id = _delivery(odoo, orders, FBM_MULTI)
    lines = odoo.call(
        "stock.move.line",
        "search_read",
        [("picking_id", "=", picking_id)],
        fields=["quantity", "move_id"],
        order="id",
    )
    assert len(lines) == 2
    for line in lines:
        _pack(odoo, [line["id"]])
    result = odoo.call("stock.picking", "action_amazon_sendcloud_label", [picking_id])
    assert result["params"]["type"] == "success", result["params"]["message"]
    parcels = sendcloud.parcels()
    assert len(parcels) == 2 and len(_labels(odoo, picking_id)) == 2
    odoo.call("stock.picking", "amazon_mark_shipped", [picking_id])
    packages = _amazon_packages(sandbox, FBM_MULTI, 2)
    assert sorted(p["trackingNumber"] for p in packages) == sorted(
        p["tracking_number"] for p in parcels
    )
    assert sorted(sum(i["quantity"] for i in p["orderItems"]) for p in packages) == sorted(
        int(line["quantity"]) for line in lines
    )
    assert sandbox.order(FBM_MULTI)["fulfillment"]["fulfillmentStatus"] == "SHIPPED"
    assert wait_for(
        lambda: _read(odoo, picking_id, "amazon_sync_state")["amazon_sync_state"] == "confirmed"
    )
    url = f"{odoo_server.url}/shop/sendcloud_integration_webhook/{sendcloud.company_id}"
    for status in (3, 11):  # en route, delivered: signed webhooks for each parcel
        for parcel in parcels:
            answer = sendcloud.webhook(parcel["id"], url, status_id=status)
            assert answer["status"] == 200, answer["body"]
    odoo.call("stock.picking", "amazon_mark_shipped", [picking_id])
    assert wait_for_jobs(odoo, orders), "the confirmation jobs never ran"
    confirmations = _confirmations(sandbox, FBM_MULTI)
    assert sorted(c["trackingNumber"] for c in confirmations) == sorted(
        p["tracking_number"] for p in parcels
    ), "exactly one confirmShipment per parcel"
    assert len({c["packageReferenceId"] for c in confirmations}) == 2
    assert _read(odoo, picking_id, "amazon_sync_state")["amazon_sync_state"] == "confirmed"


def test_label_timeout_then_label_again(odoo, sandbox, sendcloud, orders):
    """The label download gets no answer after Sendcloud created the parcel; Label again finds
    that parcel: one parcel, one label bought, then one confirmShipment."""
    picking_id = _delivery(odoo, orders, FBM_SINGLE)
    sendcloud.fault("getLabel", kind="timeout", seconds=0)
    result = odoo.call("stock.picking", "action_amazon_sendcloud_label", [picking_id])
    assert result["params"]["type"] == "danger"
    error = _read(odoo, picking_id, "amazon_sendcloud_error")["amazon_sendcloud_error"]
    assert "did not download" in error and "no label is bought twice" in error
    assert len(sendcloud.parcels()) == 1, "Sendcloud created the parcel"
    result = odoo.call("stock.picking", "action_amazon_sendcloud_label", [picking_id])
    assert result["params"]["type"] == "success", result["params"]["message"]
    [parcel] = sendcloud.parcels()
    assert len(sendcloud.requests("createParcels")) == 1, "one label bought"
    assert parcel["status"]["id"] == 1000
    [label] = _labels(odoo, picking_id)
    assert base64.b64decode(label["datas"]).startswith(b"%PDF")
    odoo.call("stock.picking", "amazon_mark_shipped", [picking_id])
    [package] = _amazon_packages(sandbox, FBM_SINGLE, 1)
    assert package["trackingNumber"] == parcel["tracking_number"]
    assert wait_for_jobs(odoo, orders)
    assert len(_confirmations(sandbox, FBM_SINGLE)) == 1


def test_webhook_tracking_after_validation(odoo, odoo_server, sandbox, sendcloud, orders):
    """Tracking by signed webhook after validation confirms then; a forged one changes nothing."""
    sendcloud.config(deferred_tracking=True)
    picking_id = _delivery(odoo, orders, FBM_SINGLE)
    odoo.call("stock.picking", "action_amazon_sendcloud_label", [picking_id])
    shipped = odoo.call("stock.picking", "amazon_mark_shipped", [picking_id])
    assert shipped["amazon_sync_state"] == "awaiting_data"
    [parcel] = sendcloud.parcels()
    url = f"{odoo_server.url}/shop/sendcloud_integration_webhook/{sendcloud.company_id}"
    forged = sendcloud.webhook(parcel["id"], url, tracking_number="FORGED-1", forge=True)
    assert forged["status"] == 200
    assert _read(odoo, picking_id, "carrier_tracking_ref")["carrier_tracking_ref"] in (False, "")
    assert _read(odoo, picking_id, "amazon_sync_state")["amazon_sync_state"] == "awaiting_data"
    answer = sendcloud.webhook(parcel["id"], url, tracking_number="SEUR-HOOK-1")
    assert answer["status"] == 200, answer["body"]
    [package] = _amazon_packages(sandbox, FBM_SINGLE, 1)
    assert package["trackingNumber"] == "SEUR-HOOK-1"
    assert wait_for(
        lambda: _read(odoo, picking_id, "amazon_sync_state")["amazon_sync_state"] == "confirmed"
    )


def test_sendcloud_refusal_sends_nothing(odoo, sandbox, sendcloud, orders):
    """Sendcloud refusing the postal code: one sentence (its reason, the field, what to do) on
    the open delivery, nothing sent to Amazon."""
    picking_id = _delivery(odoo, orders, FBM_SINGLE)
    partner = _read(odoo, picking_id, "partner_id")["partner_id"][0]
    zip_code = odoo.call("res.partner", "read", [partner], ["zip"])[0]["zip"]
    sendcloud.fault("createParcels", message="Postal code not served by SEUR.", field="postal_code")
    result = odoo.call("stock.picking", "action_amazon_sendcloud_label", [picking_id])
    assert result["params"]["type"] == "danger"
    read = _read(odoo, picking_id, "state", "amazon_sendcloud_error", "amazon_sendcloud_can_label")
    assert read["amazon_sendcloud_error"] == (
        f"Sendcloud refused the label, ZIP {zip_code}: Postal code not served by SEUR; correct "
        "the delivery address or choose another Sendcloud shipping method, then press Label "
        "with Sendcloud again."
    )
    assert read["amazon_sendcloud_error"] in result["params"]["message"]
    assert read["state"] == "assigned" and read["amazon_sendcloud_can_label"]
    assert not [s for s in sandbox.shipments() if s["orderId"] == FBM_SINGLE]
