import logging

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import AmazonTestCase, amazon_sandbox


@tagged("post_install", "-at_install")
class TestSecurity(AmazonTestCase):
    def test_no_secret_in_log_while_syncing(self):
        """Credentials and access tokens never reach the log, even at DEBUG level."""
        product = self._create_product("SA-MUG-001")
        self._set_inventory(product, 3)
        with self.assertLogs(level=logging.DEBUG) as logs:
            self.account.action_test_connection()
            product.amazon_sync = True
            self._push()
            self.account.refresh_token = "Atzr|a-wrong-refresh-token"
            self.account.action_test_connection()
        text = "\n".join(logs.output)
        self.assertIn("SA-MUG-001", self.sandbox.listing("SA-MUG-001")["sku"])
        for secret in (
            amazon_sandbox.LWA_CLIENT_SECRET,
            amazon_sandbox.REFRESH_TOKEN,
            "Atzr|a-wrong-refresh-token",
            "Atza|",
        ):
            self.assertNotIn(secret, text, f"{secret[:6]}… leaked into the log")

    def test_non_manager_cannot_redirect_credentials(self):
        """An Amazon user can neither read credentials nor point the account at another host."""
        user = new_test_user(
            self.env, "amazon_clerk", groups="stockagile_amazon_connector.group_amazon_user"
        )
        account = self.account.with_user(user)
        for field in ("lwa_client_secret", "refresh_token", "lwa_client_id", "lwa_token_endpoint"):
            with self.assertRaises(AccessError, msg=f"{field} must be manager-only"):
                account.read([field])
        for values in (
            {"sp_api_endpoint": "http://attacker.example"},
            {"lwa_token_endpoint": "http://attacker.example/auth/o2/token"},
            {"name": "renamed"},
        ):
            with self.assertRaises(AccessError):
                account.write(values)
        self.assertEqual(self.account.sp_api_endpoint.rstrip("/"), self.sandbox.url.rstrip("/"))

    def test_listings_kept_apart_by_company(self):
        """A user of another company sees neither the account's listings nor its feeds."""
        product = self._create_product("SA-MUG-001")
        product.amazon_sync = True
        other_company = self.env["res.company"].create({"name": "Other Amazon Co"})
        user = new_test_user(
            self.env,
            "amazon_other_co",
            groups="stockagile_amazon_connector.group_amazon_manager",
            company_id=other_company.id,
            company_ids=[(6, 0, other_company.ids)],
        )
        self.assertFalse(self.env["amazon.listing"].with_user(user).search([]))
        self.assertTrue(self.env["amazon.listing"].search([("product_id", "=", product.id)]))
