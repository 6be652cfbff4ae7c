"""Amazon actions over XML-RPC by callers who may not complete them: an AccessError each, and
nothing changes, nothing reaches Amazon (the sandbox lists every call it received)."""

import xmlrpc.client

import pytest

from .harness import GROUPS_FIELD, OdooClient, wait_for

SKU = "E2E-ROLES-001"
#: Odoo's XML-RPC fault code of an ``AccessError``.
ACCESS_ERROR = 4
WRITES = ("patchListingsItem", "createFeed", "createFeedDocument", "confirmShipment")


def _user(odoo, odoo_server, login, groups, company_id=None):
    """An internal user with these groups (and only this company when given), with a password."""
    values = {
        "name": login,
        "login": login,
        "password": f"{login}-pass",
        GROUPS_FIELD: [(6, 0, [odoo.ref(group) for group in ("base.group_user", *groups)])],
    }
    if company_id:
        values.update({"company_id": company_id, "company_ids": [(6, 0, [company_id])]})
    existing = odoo.call("res.users", "search", [("login", "=", login)])
    if existing:
        odoo.call("res.users", "write", existing, values)
    else:
        odoo.call("res.users", "create", values)
    return OdooClient(odoo_server.url, odoo_server.database, login, f"{login}-pass")


@pytest.fixture
def synced_product(odoo, sandbox, amazon_account):
    """A product of the main company synced with the account, its first push over."""
    company = odoo.call("res.users", "read", [odoo.uid], ["company_id"])[0]["company_id"][0]
    found = odoo.call("product.product", "search", [("default_code", "=", SKU)])
    product = (
        found[0]
        if found
        else odoo.call(
            "product.product",
            "create",
            {"name": "E2E roles", "default_code": SKU, "is_storable": True, "company_id": company},
        )
    )
    odoo.call("product.product", "write", [product], {"amazon_sync": True})

    def pushed():
        listings = odoo.call(
            "amazon.listing",
            "search_read",
            [("product_id", "=", product), ("account_id", "=", amazon_account)],
            ["state", "change_ids"],
        )
        return listings and listings[0]["state"] != "pending" and not listings[0]["change_ids"]

    assert wait_for(pushed, timeout=90), "the server's push cron never handled the listing"
    return product


def _callers(odoo, odoo_server):
    other = odoo.call("res.company", "search", [("name", "=", "E2E Other Amazon Co")])
    other = (
        other[0] if other else odoo.call("res.company", "create", {"name": "E2E Other Amazon Co"})
    )
    amazon_groups = (
        "stockagile_amazon_connector.group_amazon_user",
        "stockagile_amazon_connector.group_amazon_manager",
    )
    return {
        "plain employee": _user(odoo, odoo_server, "e2e.roles.employee", ()),
        "manager of another company": _user(
            odoo, odoo_server, "e2e.roles.other", amazon_groups, company_id=other
        ),
    }


def test_sync_now_refused_and_nothing_sent(
    odoo, odoo_server, sandbox, amazon_account, synced_product
):
    """Sync now, enable and disable by an employee or another company's user: AccessError."""
    listing_before = odoo.call(
        "amazon.listing", "search_read", [("product_id", "=", synced_product)], ["state"]
    )
    template = odoo.call("product.product", "read", [synced_product], ["product_tmpl_id"])[0]
    sandbox.clear_requests()
    for who, client in _callers(odoo, odoo_server).items():
        for model, ids in (
            ("product.product", [synced_product]),
            ("product.template", [template["product_tmpl_id"][0]]),
        ):
            for method in ("action_amazon_sync_now", "action_amazon_disable_sync"):
                with pytest.raises(xmlrpc.client.Fault) as error:
                    client.call(model, method, ids)
                assert error.value.faultCode == ACCESS_ERROR, f"{who}, {method}: {error.value}"
                assert SKU not in str(error.value), f"{who}: the refusal leaks no SKU"
        with pytest.raises(xmlrpc.client.Fault) as error:
            client.call("amazon.account", "action_sync_all_products", [amazon_account])
        assert error.value.faultCode == ACCESS_ERROR, f"{who}: {error.value}"
    sent = [request for op in WRITES for request in sandbox.requests(operation=op)]
    assert sent == [], "nothing reached Amazon"
    assert odoo.call("product.product", "read", [synced_product], ["amazon_sync"])[0]["amazon_sync"]
    listing_after = odoo.call(
        "amazon.listing", "search_read", [("product_id", "=", synced_product)], ["state"]
    )
    assert listing_after == listing_before, "nothing changed"
