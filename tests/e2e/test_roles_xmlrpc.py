"""Roles over XML-RPC. Amazon actions by callers who may not complete them: an AccessError each,
and nothing changes, nothing reaches Amazon (the sandbox lists every call it received). Users with
only Odoo's own roles: they create products, sell, deliver and invoice as before."""

import uuid
import xmlrpc.client

import pytest

from .harness import GROUPS_FIELD, OdooClient, receive, wait_for

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


# Users with only Odoo's own roles, an Amazon account in their company: Odoo as before.

#: Odoo's own roles of a seller's staff (no Amazon group), by the name the test gives them. Product
#: creation is its own group on both series (19.0 no longer gives it to every new user).
ROLES = {
    "inventory admin": ("stock.group_stock_manager", "product.group_product_manager"),
    "sales admin": ("sales_team.group_sale_manager", "product.group_product_manager"),
    "salesperson": ("sales_team.group_sale_salesman",),
    "inventory user": ("stock.group_stock_user",),
    "accountant": ("account.group_account_invoice",),
}


def _staff(odoo, odoo_server):
    return {
        role: _user(odoo, odoo_server, f"e2e.odoo.{role.replace(' ', '.')}", groups)
        for role, groups in ROLES.items()
    }


def _writes_for(sandbox, skus):
    """Calls that reached Amazon naming one of ``skus``."""
    return [request for request in sandbox.requests() if any(sku in str(request) for sku in skus)]


def test_odoo_roles_create_sell_deliver_and_invoice(odoo, odoo_server, sandbox, amazon_account):
    """Odoo's roles create products, sell, deliver and invoice over XML-RPC; Amazon gets nothing."""
    staff = _staff(odoo, odoo_server)
    tag = uuid.uuid4().hex[:6].upper()
    skus = []
    for role in ("inventory admin", "sales admin"):
        client = staff[role]
        if not client.call("product.template", "has_access", [], "create"):
            continue  # Odoo itself does not let this role create products on this series
        sku = f"E2E-ODOO-{role.split()[0].upper()}-{tag}"
        product = client.call(
            "product.product",
            "create",
            {"name": f"E2E {role}", "default_code": sku, "is_storable": True, "list_price": 30},
        )
        client.call("product.product", "write", [product], {"default_code": f"{sku}-B"})
        skus += [sku, f"{sku}-B"]
    assert skus, "the Inventory Administrator creates products on every series"
    product = odoo.call("product.product", "search", [("default_code", "=", skus[-1])])[0]
    assert not odoo.call("amazon.listing", "search", [("product_id", "=", product)])

    receive(odoo, product, quantity=5)

    salesperson = staff["salesperson"]
    customer = staff["sales admin"].call("res.partner", "create", {"name": f"E2E customer {tag}"})
    order = salesperson.call(
        "sale.order",
        "create",
        {
            "partner_id": customer,
            "order_line": [(0, 0, {"product_id": product, "product_uom_qty": 2})],
        },
    )
    salesperson.call("sale.order", "action_confirm", [order])
    pickings = odoo.call("sale.order", "read", [order], ["picking_ids"])[0]["picking_ids"]

    keeper = staff["inventory user"]
    moves = keeper.call("stock.move", "search", [("picking_id", "in", pickings)])
    keeper.call("stock.move", "write", moves, {"quantity": 2, "picked": True})
    keeper.call("stock.picking", "button_validate", pickings)
    assert keeper.call("stock.picking", "read", pickings, ["state"])[0]["state"] == "done"

    wizard = salesperson.call(
        "sale.advance.payment.inv",
        "create",
        {"advance_payment_method": "delivered"},
        context={"active_model": "sale.order", "active_ids": [order], "active_id": order},
    )
    try:
        salesperson.call(
            "sale.advance.payment.inv",
            "create_invoices",
            [wizard],
            context={"active_model": "sale.order", "active_ids": [order], "active_id": order},
        )
    except xmlrpc.client.Fault as fault:
        # Odoo's wizard returns an action holding None, which XML-RPC cannot carry back; the
        # invoice is created and committed before the answer is marshalled.
        assert "cannot marshal None" in fault.faultString, fault.faultString
    invoices = odoo.call("sale.order", "read", [order], ["invoice_ids"])[0]["invoice_ids"]
    assert len(invoices) == 1
    staff["accountant"].call("account.move", "action_post", invoices)
    assert odoo.call("account.move", "read", invoices, ["state"])[0]["state"] == "posted"

    assert _writes_for(sandbox, skus) == [], "nothing of unsynced products reached Amazon"
