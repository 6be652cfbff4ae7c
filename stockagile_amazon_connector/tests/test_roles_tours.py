from odoo.tests import HttpCase, new_test_user, tagged

from .common import AmazonSandboxMixin, AmazonStockMixin


@tagged("post_install", "-at_install")
class TestRolesTours(AmazonSandboxMixin, AmazonStockMixin, HttpCase):
    """In Chromium, as an Amazon User and as an Amazon Manager: every button works or is absent."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setUpAmazon()
        cls.account.name = "Amazon ES (tour)"
        cls.clerk = new_test_user(
            cls.env,
            "tour_amazon_clerk",
            password="tour_amazon_clerk",
            groups="stockagile_amazon_connector.group_amazon_user",
        )
        cls.boss = new_test_user(
            cls.env,
            "tour_amazon_boss",
            password="tour_amazon_boss",
            groups="stockagile_amazon_connector.group_amazon_manager",
        )

    def test_user_sees_no_manager_button(self):
        """An Amazon User's account form has no Test connection, Sync all, Sync orders."""
        self.sandbox.clear_requests()
        self.start_tour(
            "/odoo/action-stockagile_amazon_connector.amazon_account_action",
            "amazon_user_account_buttons",
            login="tour_amazon_clerk",
        )
        self.assertEqual(self.sandbox.requests(), [], msg="the tour called nothing on Amazon")

    def test_user_sync_now_reaches_amazon(self):
        """An Amazon User's Sync now on a product form pushes its stock to Amazon."""
        mug = self._create_product("SA-MUG-001", name="Tour Mug (user)")
        self._set_inventory(mug, 5)
        mug.amazon_sync = True
        self.start_tour(
            f"/odoo/action-sale.product_template_action/{mug.product_tmpl_id.id}",
            "amazon_user_product_sync_now",
            login="tour_amazon_clerk",
        )
        self._push()  # whatever the button left to the background
        self.assertEqual(self.sandbox.listing("SA-MUG-001")["quantity"], 5)

    def test_manager_tests_the_connection(self):
        """An Amazon Manager (not an administrator) tests the connection from the form."""
        self.start_tour(
            "/odoo/action-stockagile_amazon_connector.amazon_account_action",
            "amazon_account_test_connection",
            login="tour_amazon_boss",
        )
        self.assertEqual(self.account.connection_state, "connected")
