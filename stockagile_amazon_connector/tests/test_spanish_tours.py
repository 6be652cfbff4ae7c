from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged

from .common import AmazonSandboxMixin, AmazonStockMixin, import_amazon_orders
from .test_order_import import FBM_SINGLE, SKUS


@tagged("post_install", "-at_install")
class TestSpanishTours(AmazonSandboxMixin, AmazonStockMixin, HttpCase):
    """The seller's screens in a real browser, with the user's language set to Spanish."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setUpAmazon()
        cls.env["res.lang"]._activate_lang("es_ES")
        # The connector's own catalogue (i18n/es.po), as installing the language loads it.
        cls.env["ir.module.module"]._load_module_terms(
            ["stockagile_amazon_connector"], ["es_ES"], overwrite=True
        )
        cls.env.ref("base.user_admin").lang = "es_ES"

    def test_product_form_sync_tick(self):
        """«Sincronizar con Amazon» on a product form binds it and shows its state in Spanish."""
        mug = self._create_product("SA-MUG-001", name="Taza del tour")
        self.start_tour(
            f"/odoo/action-sale.product_template_action/{mug.product_tmpl_id.id}",
            "amazon_es_product_sync_checkbox",
            login="admin",
        )
        self.assertTrue(mug.amazon_sync)
        self.assertEqual(mug.amazon_listing_ids.account_id, self.account)

    def test_bulk_action(self):
        """The Spanish Acción menu enables the sync of the selected products."""
        products = self._create_product("SA-TEE-BLK-M") | self._create_product("SA-BOTTLE-750")
        action = self.env["ir.actions.act_window"].create(
            {
                "name": "Productos del tour",
                "res_model": "product.template",
                "view_mode": "list,form",
                "domain": [("id", "in", products.product_tmpl_id.ids)],
            }
        )
        self.start_tour(f"/odoo/action-{action.id}", "amazon_es_product_bulk_enable", login="admin")
        self.assertTrue(all(products.mapped("amazon_sync")))

    def test_overview_counters_open_filtered_lists(self):
        """The overview's counters open the lists they count (unknown SKUs, pending)."""
        self._create_product("SA-MUG-001", amazon_sync=True)
        self._create_product("SA-GHOST-404", amazon_sync=True)
        self._push()
        self._create_product("SA-BOTTLE-750", amazon_sync=True)  # queued, not pushed: pending
        self.assertEqual(self.account.listing_unknown_count, 1)
        self.assertEqual(self.account.overview_listing_pending_count, 1)
        self.start_tour(
            "/odoo/action-stockagile_amazon_connector.amazon_overview_action",
            "amazon_es_overview_counters",
            login="admin",
        )

    def test_order_tools(self):
        """An imported Amazon order shows its tools and the change-warehouse wizard in Spanish."""
        products = self.env["product.product"]
        for sku in SKUS:
            products |= self.env["product.product"].search(
                [("default_code", "=", sku)], limit=1
            ) or self._create_product(sku)
        self._configure_euro_sales(products)
        self.account.orders_last_sync = fields.Datetime.now() - timedelta(days=30)
        import_amazon_orders(self.env, self.account)
        order = self.env["sale.order"].search(
            [("amazon_account_id", "=", self.account.id), ("amazon_order_ref", "=", FBM_SINGLE)]
        )
        self.assertEqual(order.state, "sale")
        self.start_tour(
            f"/odoo/action-stockagile_amazon_connector.amazon_sale_order_action/{order.id}",
            "amazon_es_order_tools",
            login="admin",
        )
