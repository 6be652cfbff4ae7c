"""A change of a price source reaches Amazon on its own, through a real server (issue 24).

Over XML-RPC as a user would: a pricelist rule changed, then a currency rate; the server's job
runner pushes each new price, and the sandbox holds the price Odoo computes (``price_wanted``).
"""

from datetime import date

from .harness import product_with_sku, wait_for

SKU = "SA-NOTEBOOK-A5"


def _amazon_price(sandbox):
    return sandbox.listing(SKU)["price"]


def _odoo_price(odoo, product_id, account_id):
    [offer] = odoo.call(
        "amazon.offer",
        "search_read",
        [("product_id", "=", product_id), ("account_id", "=", account_id)],
        fields=["price_wanted"],
    )
    return offer["price_wanted"]


def _currency(odoo, code):
    [currency] = odoo.call(
        "res.currency", "search", [("name", "=", code)], context={"active_test": False}
    )
    odoo.call("res.currency", "write", [currency], {"active": True})
    return currency


def test_rule_and_rate_changes_reach_amazon(odoo, sandbox, amazon_account):
    """A fixed price 20 → 18 £, then a new pound rate: Amazon gets each new price in euros."""
    gbp = _currency(odoo, "GBP")
    _currency(odoo, "EUR")
    pricelist = odoo.call(
        "product.pricelist", "create", {"name": "Amazon GBP (e2e)", "currency_id": gbp}
    )
    product_id = product_with_sku(odoo, SKU, list_price=10.0)
    rule = odoo.call(
        "product.pricelist.item",
        "create",
        {
            "pricelist_id": pricelist,
            "applied_on": "0_product_variant",
            "product_id": product_id,
            "compute_price": "fixed",
            "fixed_price": 20.0,
        },
    )
    odoo.call("product.product", "write", [product_id], {"taxes_id": [(6, 0, [])]})
    odoo.call("amazon.account", "write", [amazon_account], {"pricelist_id": pricelist})
    odoo.call("product.product", "write", [product_id], {"amazon_sync": True})
    assert wait_for(
        lambda: _amazon_price(sandbox) == _odoo_price(odoo, product_id, amazon_account), timeout=60
    ), "the first price never reached Amazon"
    first = _amazon_price(sandbox)

    odoo.call("product.pricelist.item", "write", [rule], {"fixed_price": 18.0})
    assert wait_for(lambda: _amazon_price(sandbox) != first, timeout=60), "the rule never arrived"
    after_rule = _amazon_price(sandbox)
    assert after_rule == _odoo_price(odoo, product_id, amazon_account)
    assert abs(after_rule / first - 18 / 20) < 0.01

    [account] = odoo.call("amazon.account", "read", [amazon_account], ["company_id"])
    company = account["company_id"][0]
    rates = odoo.call(
        "res.currency",
        "read",
        [gbp],
        ["rate"],
        context={"company_id": company, "allowed_company_ids": [company]},
    )
    values = {
        "currency_id": gbp,
        "rate": rates[0]["rate"] * 2,  # the pound is worth half as much from today
        "company_id": company,
        "name": date.today().isoformat(),
    }
    existing = odoo.call(
        "res.currency.rate",
        "search",
        [("currency_id", "=", gbp), ("name", "=", values["name"]), ("company_id", "=", company)],
    )
    if existing:
        odoo.call("res.currency.rate", "write", existing, {"rate": values["rate"]})
    else:
        odoo.call("res.currency.rate", "create", values)
    assert wait_for(
        lambda: _amazon_price(sandbox) != after_rule, timeout=60
    ), "the rate never arrived"
    assert _amazon_price(sandbox) == _odoo_price(odoo, product_id, amazon_account)
    assert abs(_amazon_price(sandbox) - after_rule / 2) <= 0.02
