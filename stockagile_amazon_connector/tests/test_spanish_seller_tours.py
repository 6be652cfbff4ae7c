"""Issue 27's findings in Chromium, in Spanish, as the role that met each of them."""

import xmlrpc.client
from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged

from ..odoo_compat import SALE_LINE_TAXES_FIELD
from .common import AmazonSandboxMixin, AmazonStockMixin, import_amazon_orders
from .test_order_import import FBM_SINGLE, SKUS
from .test_spanish_seller import new_lucia


@tagged("post_install", "-at_install")
class TestSpanishSellerTours(AmazonSandboxMixin, AmazonStockMixin, HttpCase):
    """Lucía (Amazon User, Sales and Inventory user, no e-mail) and the admin, in Spanish."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setUpAmazon()
        cls.env["res.lang"]._activate_lang("es_ES")
        cls.env["ir.module.module"]._load_module_terms(
            ["stockagile_amazon_connector"], ["es_ES"], overwrite=True
        )
        cls.env.ref("base.user_admin").lang = "es_ES"
        cls.lucia = new_lucia(cls.env, "tour_lucia")
        cls.lucia.lang = "es_ES"
        cls.getafe = cls.env["stock.warehouse"].create(
            {"name": "Almacén Getafe", "code": "GTF", "company_id": cls.env.company.id}
        )

    def _imported_order(self):
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
        return order

    def test_invoice_one_button_checks_data(self):
        """Lucía's «Crear factura» (the ERP's) lists the missing postal code; nothing is created."""
        order = self._imported_order()
        order.partner_invoice_id.zip = False
        self.start_tour(
            f"/odoo/action-stockagile_amazon_connector.amazon_sale_order_action/{order.id}",
            "amazon_es_invoice_one_button",
            login="tour_lucia",
        )
        self.assertFalse(order.invoice_ids, "an invoice went out without postal code")

    def test_invoice_by_xmlrpc_checks_data(self):
        """The invoicing wizard over XML-RPC refuses too, naming the missing data."""
        order = self._imported_order()
        order.partner_invoice_id.zip = False
        self.env.ref("base.user_admin").lang = "en_US"
        uid = self.env.ref("base.user_admin").id
        call = (self.env.cr.dbname, uid, "admin")
        wizard_id = self.xmlrpc_object.execute(
            *call,
            "sale.advance.payment.inv",
            "create",
            {"advance_payment_method": "delivered", "sale_order_ids": [(6, 0, order.ids)]},
        )
        with self.assertRaises(xmlrpc.client.Fault) as caught:
            self.xmlrpc_object.execute(
                *call, "sale.advance.payment.inv", "create_invoices", [wizard_id]
            )
        self.assertIn("customer data is missing", caught.exception.faultString)
        self.assertIn("Zip", caught.exception.faultString)
        self.assertFalse(order.invoice_ids)

    def test_product_form_enable_without_product_rights(self):
        """Lucía enables and disables the sync from a product form that is read-only to her."""
        mug = self._create_product("SA-MUG-001", name="Taza de Lucía")
        self.assertFalse(mug.product_tmpl_id.with_user(self.lucia).has_access("write"))
        self.start_tour(
            f"/odoo/action-sale.product_template_action/{mug.product_tmpl_id.id}",
            "amazon_es_product_form_enable",
            login="tour_lucia",
        )
        self.assertFalse(mug.amazon_sync, "disabled at the end")
        self.assertEqual(
            mug.with_context(active_test=False).amazon_listing_ids.account_id, self.account
        )

    def test_change_warehouse_without_email(self):
        """Lucía, without e-mail address, moves a delivery; a note and a notification say so."""
        order = self._imported_order()
        self.start_tour(
            f"/odoo/action-stockagile_amazon_connector.amazon_sale_order_action/{order.id}",
            "amazon_es_change_warehouse",
            login="tour_lucia",
        )
        self.assertEqual(order.warehouse_id, self.getafe)

    def test_demo_vat_totals(self):
        """An order with the demo's VAT reads «IVA 21%» in its totals."""
        tax = self.env.ref("stockagile_amazon_connector.amazon_demo_tax_vat21", False)
        if not tax:
            self.skipTest("installed without demo data")
        mug = self.env.ref("stockagile_amazon_connector.amazon_demo_product_mug")
        order = self.env["sale.order"].create(
            {
                "partner_id": self.env["res.partner"].create({"name": "Comprador"}).id,
                "order_line": [
                    (0, 0, {"product_id": mug.id, SALE_LINE_TAXES_FIELD: [(6, 0, tax.ids)]})
                ],
            }
        )
        self.start_tour(
            f"/odoo/action-sale.action_quotations_with_onboarding/{order.id}",
            "amazon_es_demo_vat_totals",
            login="admin",
        )

    def test_overview_singular_counters(self):
        """The overview says «1 pedido por revisar» and «1 SKU no está en Amazon»."""
        order = self._imported_order()
        self.env["sale.order"].search(
            [("amazon_account_id", "=", self.account.id), ("amazon_review_needed", "=", True)]
        ).write({"amazon_review_needed": False})
        order.write({"amazon_review_needed": True, "amazon_review_message": "Revisar"})
        self._create_product("SA-GHOST-404", amazon_sync=True)
        self._push()
        self._create_product("SA-CABLE-USBC-X", amazon_sync=True)
        self._create_product("SA-NOTEBOOK-A5-X", amazon_sync=True)
        self.assertEqual(self.account.overview_order_review_count, 1)
        self.assertEqual(self.account.listing_unknown_count, 1)
        self.assertEqual(self.account.overview_listing_pending_count, 2)
        self.start_tour(
            "/odoo/action-stockagile_amazon_connector.amazon_overview_action",
            "amazon_es_overview_singular",
            login="admin",
        )

    def test_developer_page_is_a_page(self):
        """Desarrolladores opens as a page: titled, no «Nuevo», nothing to save or discard."""
        self.start_tour(
            "/odoo/action-stockagile_amazon_connector.amazon_developer_page_action",
            "amazon_es_developer_page",
            login="admin",
        )

    def test_create_without_barcode_spanish_keywords(self):
        """No barcode is said as such; «silla oficina» finds Amazon.es's office chair."""
        self.account.create_products = True
        chair = self._create_product("SA-SILLA-01", name="Silla de oficina ergonómica")
        self.assertFalse(chair.barcode)
        self.sandbox.clear_requests()
        self.start_tour(
            f"/odoo/action-sale.product_template_action/{chair.product_tmpl_id.id}",
            "amazon_es_create_without_barcode",
            login="admin",
        )
        [search] = self.sandbox.requests(operation="searchDefinitionsProductTypes")
        self.assertEqual(search["query"]["searchLocale"], "es_ES")
        self.assertFalse(
            self.sandbox.requests(operation="searchCatalogItems"), "no barcode to look up"
        )

    def test_jobs_named_in_spanish(self):
        """Trabajos lists the jobs a cron queued with Spanish names (the admin, in Spanish)."""
        self.env.company.partner_id.lang = "es_ES"
        root = self.env.ref("base.user_root")
        root.partner_id.lang = "en_US"
        self._create_product("SA-GHOST-404").with_context(lang="en_US").amazon_sync = True
        self.env(user=root, context={})["amazon.account"]._cron_sync_orders()
        self.start_tour(
            "/odoo/action-stockagile_amazon_connector.amazon_job_action",
            "amazon_es_jobs_named",
            login="admin",
        )

    def test_one_listing_queued_singular(self):
        """Lucía's Sincronizar ahora on one listing says «Un anuncio en cola»."""
        mug = self._create_product("SA-MUG-001", amazon_sync=True)
        self.start_tour(
            "/odoo/action-stockagile_amazon_connector.amazon_listing_action/"
            f"{mug.amazon_listing_ids.id}",
            "amazon_es_one_listing_queued",
            login="tour_lucia",
        )
