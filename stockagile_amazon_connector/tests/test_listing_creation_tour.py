from odoo.tests import HttpCase, tagged

from .common import AmazonSandboxMixin, AmazonStockMixin


@tagged("post_install", "-at_install")
class TestListingCreationTour(AmazonSandboxMixin, AmazonStockMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setUpAmazon()
        cls.account.create_products = True

    def test_full_listing_wizard(self):
        """In a real browser, a new product goes through type, attributes, preview and put."""
        mug = self._create_product("SA-TOUR-MUG", name="Taza del tour", barcode="8437000009991")
        self._set_inventory(mug, 6)
        self.start_tour(
            f"/odoo/action-sale.product_template_action/{mug.product_tmpl_id.id}",
            "amazon_listing_creation_full",
            login="admin",
        )
        creation = mug.amazon_creation_ids
        self.assertEqual(creation.state, "submitted")
        puts = self.sandbox.requests(operation="putListingsItem")
        self.assertEqual([p["query"].get("mode") for p in puts], ["VALIDATION_PREVIEW", None])
        self.assertEqual(puts[-1]["body"]["attributes"]["brand"][0]["value"], "Stockagile")
        self.assertEqual(mug.amazon_attribute_values["material"], "Gres")
