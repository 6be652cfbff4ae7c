"""Odoo 19's JSON-2 API end to end: an integrator ships an Amazon order with the integration
user's API key (``Authorization: bearer``, ``X-Odoo-Database``), and bad input comes back as an
HTTP error with the same message as over XML-RPC. Collected on Odoo 19 only (see conftest.py):
Odoo 18 has no JSON-2."""

import json
import sys

import pytest

from .harness import REPO, run_with_key, wait_for
from .test_developers_xmlrpc import (  # noqa: F401
    FBM_SINGLE,
    assert_example_shipped,
    create_api_key,
    open_delivery,
)

EXAMPLE = REPO / "examples" / "ship_amazon_order_json2.py"


def _example():
    """The JSON-2 example script as a module: its ``json2`` client is the one under test."""
    sys.path.insert(0, str(EXAMPLE.parent))
    try:
        import ship_amazon_order_json2  # pylint: disable=import-outside-toplevel
    finally:
        sys.path.remove(str(EXAMPLE.parent))
    return ship_amazon_order_json2


def test_json2_example_ships_with_api_key(
    odoo,
    odoo_server,
    sandbox,
    amazon_account,
    open_delivery,  # noqa: F811
):
    """examples/ship_amazon_order_json2.py with the integration key ships and confirms once."""
    for other in odoo.call(
        "stock.picking",
        "search",
        [
            ("amazon_order_ref", "=", FBM_SINGLE),
            ("sale_id.amazon_account_id", "!=", amazon_account),
            ("state", "not in", ["done", "cancel"]),
        ],
    ):
        odoo.call("stock.picking", "action_cancel", [other])  # orders of earlier tests' accounts
    _guide_id, key = create_api_key(odoo_server, amazon_account)
    run = run_with_key(
        [
            sys.executable,
            str(EXAMPLE),
            f"--url={odoo_server.url}",
            f"--db={odoo_server.database}",
            f"--order={FBM_SINGLE}",
            "--carrier=SEUR",
            "--tracking=J2-0001",
            "--method=Express",
        ],
        key,
    )
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout.splitlines()[-1])
    assert result["picking_id"] == open_delivery and result["state"] == "done"
    assert result["amazon_order_ref"] == FBM_SINGLE
    shipments = wait_for(
        lambda: [s for s in sandbox.shipments() if s["orderId"] == FBM_SINGLE], timeout=180
    )
    assert shipments, "the confirmation never reached the sandbox"
    [shipment] = shipments
    package = shipment["packageDetail"]
    assert (package["carrierCode"], package["trackingNumber"]) == ("SEUR", "J2-0001")
    assert package["packageReferenceId"] == str(open_delivery)
    assert package["shippingMethod"] == "Express"
    [picking] = odoo.call("stock.picking", "read", [open_delivery], ["carrier_tracking_ref"])
    assert picking["carrier_tracking_ref"] == "J2-0001"


def test_json2_bad_input_is_http_error_and_changes_nothing(
    odoo,
    odoo_server,
    sandbox,
    amazon_account,
    open_delivery,  # noqa: F811
):
    """Bad input over JSON-2: an HTTP error carrying the XML-RPC message; nothing changes."""
    _guide_id, key = create_api_key(odoo_server, amazon_account)
    example = _example()

    def call(method, key=key, **params):
        return example.json2(
            odoo_server.url, odoo_server.database, key, "stock.picking", method, **params
        )

    cases = [
        (
            "amazon_update_shipping",
            {"ids": [open_delivery], "carrier": "SEUR", "tracking_ref": ""},
            "tracking number is empty",
        ),
        (
            "amazon_update_shipping",
            {"ids": [open_delivery], "carrier": ["SEUR"], "tracking_ref": "T-1"},
            "carrier must be a string",
        ),
        (
            "amazon_update_shipping",
            {"ids": [open_delivery], "carrier": "SEUR", "tracking_ref": "T-1", "ship_date": [1]},
            "ship_date must be a date string",
        ),
        ("amazon_mark_shipped", {"ids": [999999999]}, "does not exist"),
    ]
    for method, params, message in cases:
        with pytest.raises(example.Json2Error) as raised:
            call(method, **params)
        assert 400 <= raised.value.status < 500, (method, params, raised.value)
        assert message in raised.value.message, (message, raised.value.message)
    with pytest.raises(example.Json2Error) as raised:
        call("amazon_mark_shipped", key=key[:-1] + ("0" if key[-1] != "0" else "1"), ids=[1])
    assert raised.value.status == 401, "a wrong key is refused"
    [picking] = odoo.call(
        "stock.picking", "read", [open_delivery], ["state", "carrier_tracking_ref"]
    )
    assert picking["state"] != "done" and not picking["carrier_tracking_ref"]
    assert not sandbox.requests("confirmShipment")


def test_developers_page_json2_example_ships_with_api_key(
    odoo,
    odoo_server,
    sandbox,
    amazon_account,
    open_delivery,  # noqa: F811
    tmp_path,
):
    """The Developers page's JSON-2 curl example, run by bash with the key, ships a delivery."""
    guide_id, key = create_api_key(odoo_server, amazon_account)
    [guide] = odoo.call(
        "amazon.developer.guide", "read", [guide_id], ["show_json2", "example_json2"]
    )
    assert guide["show_json2"], "Odoo 19 shows the JSON-2 calls"
    example = guide["example_json2"]
    assert f"{odoo_server.url}/json/2/stock.picking/amazon_mark_shipped" in example
    assert key not in example, "no key in the page"
    script = tmp_path / "ship_amazon_order_json2.sh"
    script.write_text(example)
    run = run_with_key(["bash", str(script)], key)
    assert run.returncode == 0, run.stderr
    assert_example_shipped(odoo, sandbox, amazon_account)
