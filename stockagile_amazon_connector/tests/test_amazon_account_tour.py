from odoo.tests import HttpCase, tagged

from .common import AmazonSandboxMixin


@tagged("post_install", "-at_install")
class TestAmazonAccountTour(AmazonSandboxMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setUpAmazon()
        cls.account.name = "Amazon ES (tour)"

    def test_test_connection_from_form(self):
        """In a real browser, Test connection on the account form reaches the sandbox."""
        self.start_tour(
            "/odoo/action-stockagile_amazon_connector.amazon_account_action",
            "amazon_account_test_connection",
            login="admin",
        )
        self.assertEqual(self.account.connection_state, "connected")
        self.assertTrue(self.sandbox.requests(operation="getMarketplaceParticipations"))
