"""The Developers page end to end: the API key an Amazon manager creates in the web client, the
Python example the page generates for this server, run as an integrator runs it, and what the
integration user can and cannot reach."""

import http.cookiejar
import json
import sys
import urllib.request
import xmlrpc.client

import pytest

from .harness import (
    GROUPS_FIELD,
    OdooClient,
    product_with_sku,
    receive,
    run_with_key,
    wait_for,
)

FBM_SINGLE = "402-3715930-4861125"
SKUS = ("SA-MUG-001", "SA-TEE-BLK-M", "SA-CABLE-USBC", "SA-NOTEBOOK-A5")
OTHER_COMPANY = "Other Company (developers e2e)"


class WebSession:
    """A browser's JSON-RPC session: cookies, ``call_kw`` and ``call_button``, as the web client
    talks to Odoo (the API key wizard and its identity check only work there)."""

    def __init__(self, url, database, login, password):
        self.url = url
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        self.post(
            "/web/session/authenticate", {"db": database, "login": login, "password": password}
        )

    def post(self, path, params):
        body = json.dumps({"jsonrpc": "2.0", "method": "call", "id": 1, "params": params})
        request = urllib.request.Request(
            self.url + path, body.encode(), {"Content-Type": "application/json"}
        )
        with self.opener.open(request, timeout=120) as response:
            answer = json.load(response)
        if "error" in answer:
            raise RuntimeError(answer["error"]["data"]["message"])
        return answer["result"]

    def call(self, model, method, args, button=False, **kwargs):
        path = "/web/dataset/call_button" if button else "/web/dataset/call_kw"
        return self.post(
            f"{path}/{model}/{method}",
            {"model": model, "method": method, "args": args, "kwargs": kwargs},
        )


def create_api_key(odoo_server, account_id, web=None):
    """As the admin in the web client: Developers > Create API key > Generate key > password.

    :return: (guide id, the key shown once)
    """
    web = web or WebSession(odoo_server.url, odoo_server.database, "admin", "admin")
    guide_id = web.call("amazon.developer.guide", "create", [{"account_id": account_id}])
    action = web.call("amazon.developer.guide", "action_create_api_key", [[guide_id]], button=True)
    assert action["res_model"] == "res.users.apikeys.description"
    [wizard] = web.call(
        "res.users.apikeys.description",
        "web_save",
        [[], {}],
        specification={},
        context=action["context"],
    )
    wizard_id = wizard["id"]
    check = web.call("res.users.apikeys.description", "make_key", [[wizard_id]], button=True)
    assert check["res_model"] == "res.users.identitycheck", "Odoo asks for the password first"
    web.call("res.users.identitycheck", "write", [[check["res_id"]], {"password": "admin"}])
    shown = web.call(  # 19 reads the password from the context, 18 from the wizard
        "res.users.identitycheck",
        "run_check",
        [[check["res_id"]]],
        button=True,
        context={"password": "admin"},
    )
    assert shown["res_model"] == "res.users.apikeys.show"
    return guide_id, shown["context"]["default_key"]


@pytest.fixture
def open_delivery(odoo, amazon_account):
    """Stock for the seeded SKUs and the account's orders imported: FBM_SINGLE's open delivery."""
    odoo.call("amazon.account", "write", [amazon_account], {"sync_orders": False})
    if not odoo.call(
        "account.tax", "search", [("amount", "=", 21.0), ("type_tax_use", "=", "sale")]
    ):
        odoo.call(
            "account.tax",
            "create",
            {"name": "IVA 21% (e2e)", "amount": 21.0, "amount_type": "percent"},
        )
    for sku in SKUS:
        receive(odoo, product_with_sku(odoo, sku), quantity=20)
    odoo.call("amazon.account", "action_sync_orders", [amazon_account])
    domain = [
        ("sale_id.amazon_account_id", "=", amazon_account),
        ("amazon_order_ref", "=", FBM_SINGLE),
        ("picking_type_code", "=", "outgoing"),
        ("state", "not in", ["done", "cancel"]),
    ]
    found = wait_for(lambda: odoo.call("stock.picking", "search", domain), timeout=240)
    assert found, f"order {FBM_SINGLE} was not imported with an open delivery"
    return found[0]


def test_generated_python_example_ships_with_api_key(
    odoo, odoo_server, sandbox, amazon_account, open_delivery, tmp_path
):
    """The page's Python example, run with the integration user's key, ships and confirms."""
    guide_id, key = create_api_key(odoo_server, amazon_account)
    [guide] = odoo.call(
        "amazon.developer.guide", "read", [guide_id], ["example_python", "integration_login"]
    )
    example = guide["example_python"]
    assert f"URL = {odoo_server.url!r}" in example, "the example targets this server"
    assert f"DB = {odoo_server.database!r}" in example
    assert "admin" not in example and key not in example, "no password nor key in the page"
    script = tmp_path / "ship_amazon_order.py"
    script.write_text(example)
    run = run_with_key([sys.executable, str(script), FBM_SINGLE, "SEUR", "DEV-0001"], key)
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout.splitlines()[-1])
    assert result["picking_id"] == open_delivery and result["state"] == "done"
    assert result["amazon_order_ref"] == FBM_SINGLE
    assert result["amazon_sync_state"] in ("pending", "confirmed")
    shipments = wait_for(
        lambda: [s for s in sandbox.shipments() if s["orderId"] == FBM_SINGLE], timeout=180
    )
    assert shipments, "the confirmation never reached the sandbox"
    [shipment] = shipments
    assert shipment["packageDetail"]["trackingNumber"] == "DEV-0001"
    assert shipment["packageDetail"]["carrierCode"] == "SEUR"
    assert shipment["packageDetail"]["packageReferenceId"] == str(open_delivery)
    [picking] = odoo.call("stock.picking", "read", [open_delivery], ["carrier_tracking_ref"])
    assert picking["carrier_tracking_ref"] == "DEV-0001"


def test_generated_curl_example_ships_with_api_key(
    odoo, odoo_server, sandbox, amazon_account, open_delivery, tmp_path
):
    """The page's curl example, run by bash with the key, ships the latest open delivery."""
    guide_id, key = create_api_key(odoo_server, amazon_account)
    [guide] = odoo.call("amazon.developer.guide", "read", [guide_id], ["example_curl"])
    assert f"{odoo_server.url}/xmlrpc/2/object" in guide["example_curl"]
    script = tmp_path / "ship_amazon_order.sh"
    script.write_text(guide["example_curl"])
    refused = run_with_key(["bash", str(script)], None, timeout=60)
    assert refused.returncode != 0 and "ODOO_API_KEY" in refused.stderr, "no key, no call"
    run = run_with_key(["bash", str(script)], key)
    assert run.returncode == 0, run.stderr
    assert "<fault>" not in run.stdout, run.stdout
    assert_example_shipped(odoo, sandbox, amazon_account)


def test_wrong_or_revoked_key_is_refused(odoo_server, amazon_account):
    """A key is bound to its user: a wrong key, the key with another login, or a revoked key
    (even one that just worked) is refused."""
    web = WebSession(odoo_server.url, odoo_server.database, "admin", "admin")
    guide_id, key = create_api_key(odoo_server, amazon_account, web)
    common = xmlrpc.client.ServerProxy(f"{odoo_server.url}/xmlrpc/2/common")
    db = odoo_server.database
    login = OdooClient(odoo_server.url, db, "admin", "admin").call(
        "res.users", "search_read", [("amazon_integration_company_id", "!=", False)], ["login"]
    )[0]["login"]
    assert common.authenticate(db, login, key, {})
    assert not common.authenticate(db, login, key[:-1] + ("0" if key[-1] != "0" else "1"), {})
    assert not common.authenticate(db, "admin", key, {})
    integration = OdooClient(odoo_server.url, db, login, key)
    assert integration.call("amazon.account", "search", []) == [amazon_account]
    web.call("amazon.developer.guide", "action_revoke_api_keys", [[guide_id]], button=True)
    with pytest.raises(xmlrpc.client.Fault, match="Access Denied|AccessDenied"):
        integration.call("amazon.account", "search", [])
    assert not common.authenticate(db, login, key, {})


@pytest.fixture
def other_company_delivery(odoo):
    """A delivery of another company, created by the admin, who leaves that company after."""
    admin = odoo.call("res.users", "read", [odoo.uid], ["company_id"])[0]
    found = odoo.call("res.company", "search", [("name", "=", OTHER_COMPANY)])
    company_id = found[0] if found else odoo.call("res.company", "create", {"name": OTHER_COMPANY})
    odoo.call("res.users", "write", [odoo.uid], {"company_ids": [(4, company_id)]})
    try:
        context = {"allowed_company_ids": [company_id]}
        fields = ["lot_stock_id", "out_type_id"]
        domain = [("company_id", "=", company_id)]
        if not odoo.call("stock.warehouse", "search", domain, context=context):
            # A company made outside tests gets no warehouse: make it as a user would.
            odoo.call(
                "stock.warehouse",
                "create",
                {"name": "Other warehouse", "code": "OTHWH", "company_id": company_id},
                context=context,
            )
        [warehouse] = odoo.call("stock.warehouse", "search_read", domain, fields, context=context)
        picking_id = odoo.call(
            "stock.picking",
            "create",
            {
                "picking_type_id": warehouse["out_type_id"][0],
                "location_id": warehouse["lot_stock_id"][0],
                "location_dest_id": odoo.ref("stock.stock_location_customers"),
            },
            context=context,
        )
    finally:
        odoo.call(
            "res.users",
            "write",
            [odoo.uid],
            {"company_id": admin["company_id"][0], "company_ids": [(3, company_id)]},
        )
    return picking_id


def test_integration_user_reaches_no_secret_nor_other_company(
    odoo_server, amazon_account, other_company_delivery
):
    """The integration user reads no Amazon credential and no other company's delivery."""
    _guide_id, key = create_api_key(odoo_server, amazon_account)
    admin = odoo_server.client()
    login = admin.call(
        "res.users", "search_read", [("amazon_integration_company_id", "!=", False)], ["login"]
    )[0]["login"]
    integration = OdooClient(odoo_server.url, odoo_server.database, login, key)
    assert integration.call("amazon.account", "read", [amazon_account], ["name"])
    for field in ("lwa_client_id", "lwa_client_secret", "refresh_token", "sp_api_endpoint"):
        with pytest.raises(xmlrpc.client.Fault, match="AccessError|not allowed|access"):
            integration.call("amazon.account", "read", [amazon_account], [field])
    with pytest.raises(xmlrpc.client.Fault, match="AccessError|not allowed|access"):
        integration.call("amazon.developer.guide", "create", {"account_id": amazon_account})
    with pytest.raises(xmlrpc.client.Fault, match="AccessError|not allowed|access"):
        integration.call("stock.picking", "read", [other_company_delivery], ["name"])
    with pytest.raises(xmlrpc.client.Fault, match="AccessError|not allowed|access|companies"):
        integration.call("stock.picking", "amazon_mark_shipped", [other_company_delivery])
    assert not integration.call("stock.picking", "search", [("id", "=", other_company_delivery)])
    with pytest.raises(xmlrpc.client.Fault, match="AccessError|not allowed|access"):
        integration.call("res.users", "write", [integration.uid], {GROUPS_FIELD: [(4, 1)]})


def assert_example_shipped(odoo, sandbox, amazon_account, tracking="SEUR-0001"):
    """The delivery a generated example shipped is done, and Amazon got its confirmation."""
    [picking] = odoo.call(
        "stock.picking",
        "search_read",
        [
            ("sale_id.amazon_account_id", "=", amazon_account),
            ("carrier_tracking_ref", "=", tracking),
            ("state", "=", "done"),
        ],
        ["amazon_order_ref"],
    )
    shipped = wait_for(
        lambda: [
            s
            for s in sandbox.shipments()
            if s["packageDetail"]["packageReferenceId"] == str(picking["id"])
        ],
        timeout=180,
    )
    assert shipped, "the confirmation never reached the sandbox"
    assert shipped[0]["orderId"] == picking["amazon_order_ref"]
    assert shipped[0]["packageDetail"]["trackingNumber"] == tracking
