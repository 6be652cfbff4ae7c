"""Shared fixtures of the connector's Odoo tests: the local Amazon sandbox and an account on it.

``make test`` starts one sandbox and passes its address in ``STOCKAGILE_SANDBOX_URL``; when the
variable is unset (a developer running one test file), the first test class starts its own.
Tests reset the sandbox before each test and assert on what it received and holds.
"""

import atexit
import os

from odoo.tests import TransactionCase

from amazon_sandbox import LWA_CLIENT_ID, LWA_CLIENT_SECRET, REFRESH_TOKEN, SELLER_ID
from amazon_sandbox.control import SandboxControl

from ..models.amazon_account import _RATE_LIMITERS

_started_sandbox = None


def sandbox_url():
    """Return the URL of a running sandbox, starting one for this process when needed."""
    global _started_sandbox
    url = os.environ.get("STOCKAGILE_SANDBOX_URL")
    if url:
        return url.rstrip("/")
    if _started_sandbox is None:
        from amazon_sandbox.process import start_sandbox

        _started_sandbox = start_sandbox()
        atexit.register(_started_sandbox.stop)
    return _started_sandbox.url.rstrip("/")


class AmazonSandboxMixin:
    """Creates an Amazon account that talks to the sandbox, and resets the sandbox per test."""

    @classmethod
    def setUpAmazon(cls):
        cls.sandbox = SandboxControl(sandbox_url())
        cls.reset_amazon()
        cls.marketplace_es = cls.env.ref("stockagile_amazon_connector.amazon_marketplace_es")
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.env.company.id)], limit=1
        )
        # Accounts of the demo data point at another sandbox: keep them out of the engine's way.
        cls.env["amazon.account"].search([]).action_archive()
        cls.account = cls.env["amazon.account"].create(cls._amazon_account_values())

    @classmethod
    def reset_amazon(cls):
        """A fresh sandbox and fresh rate limiters (ids of rolled-back accounts come back)."""
        cls.sandbox.reset()
        _RATE_LIMITERS.clear()

    @classmethod
    def _amazon_account_values(cls, **overrides):
        """Values of an account on the sandbox with its default credentials."""
        url = sandbox_url()
        values = {
            "name": "Amazon ES (test sandbox)",
            "seller_id": SELLER_ID,
            "region": "eu",
            "marketplace_ids": [(6, 0, cls.marketplace_es.ids)],
            "warehouse_id": cls.warehouse.id,
            "lwa_client_id": LWA_CLIENT_ID,
            "lwa_client_secret": LWA_CLIENT_SECRET,
            "refresh_token": REFRESH_TOKEN,
            "sp_api_endpoint": url,
            "lwa_token_endpoint": f"{url}/auth/o2/token",
            "request_timeout": 5.0,
        }
        values.update(overrides)
        return values


class AmazonStockMixin:
    """Stock operations as users do them, and the engine run a cron trigger would start."""

    @classmethod
    def _create_product(cls, sku, price=10.0, **values):
        return cls.env["product.product"].create(
            {
                "name": f"Product {sku}",
                "default_code": sku,
                "is_storable": True,
                "list_price": price,
                "taxes_id": [(6, 0, [])],
                **values,
            }
        )

    def _set_inventory(self, product, quantity, location=None):
        """Inventory adjustment: count ``quantity`` units in the warehouse stock."""
        self.env["stock.quant"].with_context(inventory_mode=True).create(
            {
                "product_id": product.id,
                "location_id": (location or self.warehouse.lot_stock_id).id,
                "inventory_quantity": quantity,
            }
        ).action_apply_inventory()

    def _transfer(self, picking_type, product, quantity, source, destination):
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": picking_type.id,
                "location_id": source.id,
                "location_dest_id": destination.id,
                "move_ids": [
                    (
                        0,
                        0,
                        {
                            "name": product.display_name,
                            "product_id": product.id,
                            "product_uom_qty": quantity,
                            "product_uom": product.uom_id.id,
                            "location_id": source.id,
                            "location_dest_id": destination.id,
                        },
                    )
                ],
            }
        )
        picking.action_confirm()
        picking.action_assign()
        picking.move_ids.quantity = quantity
        picking.move_ids.picked = True
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        return picking

    def _receive(self, product, quantity):
        """Validate a receipt of ``quantity`` units from a vendor."""
        return self._transfer(
            self.warehouse.in_type_id,
            product,
            quantity,
            self.env.ref("stock.stock_location_suppliers"),
            self.warehouse.lot_stock_id,
        )

    def _deliver(self, product, quantity):
        """Validate a delivery of ``quantity`` units to a customer."""
        return self._transfer(
            self.warehouse.out_type_id,
            product,
            quantity,
            self.warehouse.lot_stock_id,
            self.env.ref("stock.stock_location_customers"),
        )

    @classmethod
    def _configure_euro_sales(cls, products):
        """Euros active, a pricelist in euros and a price-included 21% VAT on ``products``.

        What an integrator configures before importing Spanish orders: the importer itself never
        creates or activates any of it. :return: the tax.
        """
        cls.env.ref("base.EUR").active = True
        cls.env["product.pricelist"].create(
            {
                "name": "Amazon EUR (test)",
                "currency_id": cls.env.ref("base.EUR").id,
                "company_id": False,  # shared by every company
            }
        )
        vat21 = cls.env["account.tax"].create(
            {
                "name": "IVA 21% (test)",
                "amount": 21.0,
                "amount_type": "percent",
                "type_tax_use": "sale",
                "price_include_override": "tax_included",
                "company_id": cls.env.company.id,
            }
        )
        products.taxes_id = vat21
        return vat21

    def _push(self):
        """Run the push cron as the trigger after a commit would."""
        self.env["amazon.sync.engine"]._cron_push_changes(auto_commit=False)

    def _check_feeds(self):
        self.env["amazon.feed"]._cron_check_feeds(auto_commit=False)


class AmazonTestCase(AmazonSandboxMixin, AmazonStockMixin, TransactionCase):
    """TransactionCase with an account on a freshly reset sandbox."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setUpAmazon()

    def setUp(self):
        super().setUp()
        self.reset_amazon()
