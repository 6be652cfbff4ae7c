"""Accounting an integrator configures before importing Spanish Amazon orders.

The importer never creates taxes or pricelists nor activates currencies (an order missing one is
kept as a quotation to review): end-to-end tests configure them first, over XML-RPC, as a user
would in the UI.
"""

from .harness import product_with_sku

TAX_NAME = "IVA 21% incl. (e2e)"


def configure_spanish_sales(odoo, skus):
    """Euros active, a pricelist in euros, a price-included 21 % VAT on the SKUs' products.

    :return: the tax id.
    """
    eur = odoo.call(
        "res.currency", "search", [("name", "=", "EUR")], context={"active_test": False}
    )
    odoo.call("res.currency", "write", eur, {"active": True})
    if not odoo.call("product.pricelist", "search", [("currency_id", "in", eur)]):
        odoo.call(
            "product.pricelist", "create", {"name": "Amazon EUR (e2e)", "currency_id": eur[0]}
        )
    found = odoo.call("account.tax", "search", [("name", "=", TAX_NAME)], limit=1)
    tax = (
        found[0]
        if found
        else odoo.call(
            "account.tax",
            "create",
            {
                "name": TAX_NAME,
                "amount": 21.0,
                "amount_type": "percent",
                "type_tax_use": "sale",
                "price_include_override": "tax_included",
            },
        )
    )
    products = [product_with_sku(odoo, sku) for sku in skus]
    odoo.call("product.product", "write", products, {"taxes_id": [(6, 0, [tax])]})
    return tax
