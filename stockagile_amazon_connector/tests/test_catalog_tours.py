from odoo.tests import HttpCase, tagged

from .common import AmazonSandboxMixin, AmazonStockMixin


@tagged("post_install", "-at_install")
class TestCatalogTours(AmazonSandboxMixin, AmazonStockMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setUpAmazon()

    def test_checkbox_on_product_form(self):
        """In a real browser, ticking Sync with Amazon binds the product and pushes its stock."""
        mug = self._create_product("SA-MUG-001", name="Tour Mug")
        self._set_inventory(mug, 11)
        self.start_tour(
            f"/odoo/action-sale.product_template_action/{mug.product_tmpl_id.id}",
            "amazon_product_sync_checkbox",
            login="admin",
        )
        self.assertTrue(mug.amazon_sync)
        self.assertEqual(mug.amazon_listing_ids.account_id, self.account)
        self._push()
        self.assertEqual(self.sandbox.listing("SA-MUG-001")["quantity"], 11)

    def test_bulk_enable_from_list(self):
        """In a real browser, the list's Action menu enables sync on all selected products."""
        skus = ("SA-TEE-BLK-M", "SA-BOTTLE-750", "SA-NOTEBOOK-A5")
        products = self.env["product.product"]
        for sku in skus:
            products |= self._create_product(sku)
        action = self.env["ir.actions.act_window"].create(
            {
                "name": "Tour products",
                "res_model": "product.template",
                "view_mode": "list,form",
                "domain": [("id", "in", products.product_tmpl_id.ids)],
            }
        )
        self.start_tour(f"/odoo/action-{action.id}", "amazon_product_bulk_enable", login="admin")
        self.assertTrue(all(products.mapped("amazon_sync")))
        self.assertEqual(set(products.amazon_listing_ids.mapped("sku")), set(skus))
        self._push()
        self.assertEqual(len(self.sandbox.requests(operation="patchListingsItem")), 3)
