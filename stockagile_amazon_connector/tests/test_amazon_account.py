import logging

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import AmazonTestCase


@tagged("post_install", "-at_install")
class TestAmazonAccount(AmazonTestCase):
    def test_marketplaces_shipped_as_data(self):
        """Amazon's public marketplaces are installed with their MarketplaceId and region."""
        spain = self.env.ref("stockagile_amazon_connector.amazon_marketplace_es")
        self.assertEqual((spain.code, spain.api_ref, spain.region), ("ES", "A1RKKUPIHCS9HS", "eu"))
        self.assertEqual(spain.currency_id.name, "EUR")
        self.assertGreaterEqual(self.env["amazon.marketplace"].search_count([]), 20)

    def test_connection_succeeds_on_sandbox(self):
        """Test connection with the sandbox credentials marks the account connected."""
        self.account.action_test_connection()
        self.assertEqual(self.account.connection_state, "connected")
        self.assertFalse(self.account.last_error)
        operations = [r["operation"] for r in self.sandbox.requests()]
        self.assertIn("getMarketplaceParticipations", operations)

    def test_connection_fails_with_wrong_refresh_token(self):
        """A wrong refresh token puts the account in error with a secret-free message."""
        self.account.refresh_token = "Atzr|wrong-token-XYZ"
        with self.assertLogs(level=logging.WARNING) as logs:
            action = self.account.action_test_connection()
        self.assertEqual(self.account.connection_state, "error")
        self.assertEqual(action["params"]["type"], "danger")
        message = self.account.last_error
        self.assertIn("refresh token", message.lower())
        for secret in ("Atzr|wrong-token-XYZ", "sandbox-client-secret"):
            self.assertNotIn(secret, message, "a secret leaked into the account's error")
            self.assertNotIn(secret, "\n".join(logs.output), "a secret leaked into the log")

    def test_connection_fails_with_wrong_client_secret(self):
        """A wrong client secret is reported as an LWA credential problem, even after a success."""
        self.account.action_test_connection()
        self.account.lwa_client_secret = "not-the-secret"
        self.account.action_test_connection()
        self.assertEqual(self.account.connection_state, "error")
        self.assertIn("client", self.account.last_error.lower())
        self.assertNotIn("not-the-secret", self.account.last_error)

    def test_connection_fails_on_unreachable_endpoint(self):
        """An endpoint nobody answers on gives a clear error instead of a traceback."""
        self.account.sp_api_endpoint = "http://127.0.0.1:9"
        self.account.lwa_token_endpoint = "http://127.0.0.1:9/auth/o2/token"
        self.account.action_test_connection()
        self.assertEqual(self.account.connection_state, "error")
        self.assertTrue(self.account.last_error)

    def test_connection_fails_for_marketplace_not_open_to_seller(self):
        """A marketplace of the region where the seller does not sell is named in the error."""
        poland = self.env.ref("stockagile_amazon_connector.amazon_marketplace_pl")
        self.account.marketplace_ids |= poland
        self.account.action_test_connection()
        self.assertEqual(self.account.connection_state, "error")
        self.assertIn(poland.name, self.account.last_error)

    def test_marketplace_outside_region_refused(self):
        """A marketplace of another region cannot be added: one endpoint serves one region."""
        usa = self.env.ref("stockagile_amazon_connector.amazon_marketplace_us")
        with self.assertRaises(ValidationError):
            self.account.marketplace_ids |= usa

    def test_secrets_hidden_from_amazon_users(self):
        """Amazon users see the account but not its credentials; managers see them."""
        user = new_test_user(
            self.env, "amazon_user", groups="stockagile_amazon_connector.group_amazon_user"
        )
        account = self.account.with_user(user)
        self.assertEqual(account.name, self.account.name)
        for field in ("lwa_client_secret", "refresh_token", "sp_api_endpoint"):
            with self.assertRaises(AccessError, msg=f"{field} must be manager-only"):
                account.read([field])
        with self.assertRaises(AccessError):
            account.write({"sp_api_endpoint": "http://evil.example"})
        manager = new_test_user(
            self.env, "amazon_manager", groups="stockagile_amazon_connector.group_amazon_manager"
        )
        self.assertTrue(self.account.with_user(manager).refresh_token)

    def test_accounts_kept_apart_by_company(self):
        """A user of another company does not see this company's Amazon account."""
        other_company = self.env["res.company"].create({"name": "Other Co"})
        user = new_test_user(
            self.env,
            "amazon_other",
            groups="stockagile_amazon_connector.group_amazon_manager",
            company_id=other_company.id,
            company_ids=[(6, 0, other_company.ids)],
        )
        visible = self.env["amazon.account"].with_user(user).search([])
        self.assertNotIn(self.account, visible)
