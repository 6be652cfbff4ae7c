import json

from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, new_test_user, tagged

from .. import odoo_compat
from ..wizards.amazon_developer_guide import is_sandbox_endpoint
from .test_order_import import FBM_SINGLE, SKUS, AmazonOrderCase


class DeveloperGuideMixin:
    """An imported Amazon order with stock, and the Developers page on the sandbox account."""

    def setUp(self):
        super().setUp()
        for sku in SKUS:
            self._set_inventory(self.products[sku], 100)
        self._sync()
        self.env["ir.config_parameter"].sudo().set_param("web.base.url", "https://erp.example.com")
        self.delivery = self._order(FBM_SINGLE).picking_ids.filtered(
            lambda p: p.picking_type_code == "outgoing"
        )

    def _guide(self, **values):
        return self.env["amazon.developer.guide"].create({"account_id": self.account.id, **values})

    def _integration_user(self):
        return self.env["res.users"]._amazon_integration_user(self.account.company_id)


@tagged("post_install", "-at_install")
class TestDeveloperGuide(DeveloperGuideMixin, AmazonOrderCase):
    """The Developers page: examples of this database, the integration user's key, Try it."""

    def test_sandbox_rule(self):
        """Only this machine's sandbox and Amazon's own SP-API sandbox count as sandboxes."""
        for url in ("http://127.0.0.1:8899", "http://[::1]:8899", "localhost:8899"):
            self.assertTrue(is_sandbox_endpoint(url), url)
        for url in (
            False,
            "",
            "https://sandbox.mycorp.net/sp",
            "https://spapi-proxy.corp.example",
            "http://10.0.0.5:8899",
            "https://sellingpartnerapi-eu.amazon.com",
            "sellingpartnerapi-na.amazon.com",
            "https://amazon-proxy.mycorp.net",
            "https://api.amazonaws.com",
        ):
            self.assertFalse(is_sandbox_endpoint(url), url)
        self.assertTrue(is_sandbox_endpoint("https://sandbox.sellingpartnerapi-eu.amazon.com"))

    def test_examples_use_this_server_and_an_api_key(self):
        """The examples carry this URL, database and login, and read the key from the env."""
        guide = self._guide()
        python = guide.example_python
        compile(python, "ship_amazon_order.py", "exec")
        self.assertIn("URL = 'https://erp.example.com'", python)
        self.assertIn(f"DB = {self.env.cr.dbname!r}", python)
        self.assertIn(f"LOGIN = 'amazon-integration-{self.account.company_id.id}'", python)
        self.assertIn("os.environ['ODOO_API_KEY']", python)
        open_orders = self.env["stock.picking"].search(
            guide._open_amazon_deliveries_domain(self.account)
        )
        self.assertIn(guide.example_order_ref, open_orders.mapped("amazon_order_ref"))
        self.assertIn(
            repr(guide.example_order_ref), python, "the example ships an order of this database"
        )
        self.assertIn("https://erp.example.com/xmlrpc/2/object <<EOF", guide.example_curl)
        self.assertIn("<string>$ODOO_API_KEY</string>", guide.example_curl)
        self.assertIn("<string>amazon_mark_shipped</string>", guide.example_curl)
        if odoo_compat.HAS_JSON2:
            self.assertTrue(guide.show_json2, "Odoo 19: integrators get the JSON-2 calls too")
            self.assertIn(
                "https://erp.example.com/json/2/stock.picking/amazon_mark_shipped",
                guide.example_json2,
            )
            self.assertIn("Authorization: bearer $ODOO_API_KEY", guide.example_json2)
            self.assertIn(f"X-Odoo-Database: {self.env.cr.dbname}", guide.example_json2)
        else:
            self.assertFalse(guide.show_json2, "JSON-2 exists from Odoo 19 only")
            self.assertFalse(guide.example_json2)
        self.assertIn("does not exist or was deleted", guide.guide_html)
        self.assertIn("awaiting_data", guide.guide_html)

    def test_page_in_spanish(self):
        """With Spanish active, the page, its examples' comments and its menu are in Spanish."""
        self.env["res.lang"]._activate_lang("es_ES")
        self.env["ir.module.module"]._load_module_terms(
            ["stockagile_amazon_connector"], ["es_ES"], overwrite=True
        )
        guide = (
            self.env["amazon.developer.guide"]
            .with_context(lang="es_ES")
            .create({"account_id": self.account.id})
        )
        self.assertIn("Buscar una entrega por id de pedido de Amazon", guide.guide_html)
        self.assertIn("La clave API del usuario de integración", guide.example_curl)
        menu = self.env.ref("stockagile_amazon_connector.amazon_developer_guide_menu")
        self.assertEqual(menu.with_context(lang="es_ES").name, "Desarrolladores")
        self.assertEqual(menu.with_context(lang="en_US").name, "Developers")

    def test_api_key_of_a_restricted_integration_user(self):
        """The key belongs to a user with Amazon User + Inventory User in one company only."""
        self.assertFalse(self._integration_user(), "created on demand only")
        action = self._guide().action_create_api_key()
        user = self._integration_user()
        self.assertEqual(action["res_model"], "res.users.apikeys.description")
        self.assertTrue(user.has_group("stockagile_amazon_connector.group_amazon_user"))
        self.assertTrue(user.has_group("stock.group_stock_user"))
        self.assertFalse(
            user.has_group("stockagile_amazon_connector.group_amazon_manager"),
            "the integration user must not read Amazon credentials",
        )
        self.assertFalse(user.has_group("base.group_system"))
        self.assertFalse(user.has_group("base.group_erp_manager"))
        self.assertEqual(user.company_ids, self.account.company_id)
        wizard = (
            self.env["res.users.apikeys.description"]
            .with_context(**action["context"])
            .create({"duration": "7"})
        )
        self.assertEqual(wizard.amazon_user_id, user)
        key = wizard._amazon_make_key()
        apikeys = self.env["res.users.apikeys"]
        self.assertEqual(apikeys._check_credentials(scope="rpc", key=key), user.id)
        self.assertFalse(wizard.exists(), "the wizard is gone with the key, as Odoo's")
        self.assertEqual(self._guide().api_key_count, 1)
        self._guide().action_revoke_api_keys()
        self.assertFalse(apikeys._check_credentials(scope="rpc", key=key), "revoked at once")
        self.assertEqual(self._guide().api_key_count, 0)
        self._guide().action_create_api_key()
        self.assertEqual(self._integration_user(), user, "one integration user per company")
        with self.assertRaises(AccessError):
            self.account.with_user(user).read(["refresh_token"])

    def test_amazon_manager_without_admin_rights_makes_the_key(self):
        """An Amazon manager who is no user administrator gets the integration user's key."""
        manager = new_test_user(
            self.env,
            "amazon_dev_manager",
            groups="base.group_user,stockagile_amazon_connector.group_amazon_manager",
        )
        self.assertFalse(manager.has_group("base.group_erp_manager"))
        guide = self._guide().with_user(manager)
        action = guide.action_create_api_key()
        user = self._integration_user()
        self.assertTrue(user.has_group("stockagile_amazon_connector.group_amazon_user"))
        wizard = (
            self.env["res.users.apikeys.description"]
            .with_user(manager)
            .with_context(**action["context"])
            .create({})
        )
        key = wizard._amazon_make_key()
        apikeys = self.env["res.users.apikeys"]
        self.assertEqual(apikeys._check_credentials(scope="rpc", key=key), user.id)
        [made] = apikeys.sudo().search([("user_id", "=", user.id)])
        self.assertTrue(made.expiration_date, "within the manager's own key duration limits")

    def test_only_managers_make_integration_keys(self):
        """An Amazon user can neither open the page nor make the integration user's key."""
        self._guide().action_create_api_key()
        clerk = new_test_user(
            self.env,
            "amazon_dev_clerk",
            groups="base.group_user,stockagile_amazon_connector.group_amazon_user",
        )
        menu = self.env.ref("stockagile_amazon_connector.amazon_developer_guide_menu")
        menus = self.env["ir.ui.menu"]
        self.assertNotIn(menu.id, menus.with_user(clerk)._visible_menu_ids(), "managers only")
        self.assertIn(menu.id, menus.with_user(self.env.ref("base.user_admin"))._visible_menu_ids())
        with self.assertRaises(AccessError):
            self.env["amazon.developer.guide"].with_user(clerk).create({})
        wizard = (
            self.env["res.users.apikeys.description"]
            .with_user(clerk)
            .create({"name": "stolen", "amazon_user_id": self._integration_user().id})
        )
        with self.assertRaises(AccessError):
            wizard._amazon_make_key()
        self.assertFalse(
            self.env["res.users.apikeys"].sudo().search([("name", "=", "stolen")]),
            "no key made",
        )

    def test_try_it_ships_a_sandbox_delivery(self):
        """Try it runs both methods on the sandbox delivery and shows request and result."""
        guide = self._guide(try_tracking_ref="TRY-42")
        self.assertIn(self.delivery, guide.try_picking_ids)
        guide.try_picking_id = self.delivery
        guide.action_try_update_shipping()
        self.assertIn("<methodName>execute_kw</methodName>", guide.try_request)
        self.assertIn("<string>amazon_update_shipping</string>", guide.try_request)
        self.assertEqual(json.loads(guide.try_result)["tracking_ref"], "TRY-42")
        guide.action_try_mark_shipped()
        result = json.loads(guide.try_result)
        self.assertEqual(result["state"], "done")
        self.assertEqual(self.delivery.state, "done")
        self.assertEqual(self.delivery.carrier_tracking_ref, "TRY-42")

    def test_try_it_shows_faults_and_changes_nothing(self):
        """A refused call shows the Fault an integrator gets and changes nothing."""
        guide = self._guide(try_tracking_ref="")
        guide.try_picking_id = self.delivery
        guide.action_try_update_shipping()
        self.assertIn("Fault: The tracking number is empty", guide.try_result)
        self.assertFalse(self.delivery.carrier_tracking_ref)
        self.assertEqual(self.delivery.state, "assigned")

    def test_try_it_never_on_a_live_account(self):
        """A delivery of an account on Amazon's live endpoint is never offered nor shipped."""
        self.account.sp_api_endpoint = "https://sellingpartnerapi-eu.amazon.com"
        guide = self._guide()
        self.assertFalse(guide.is_sandbox)
        self.assertFalse(guide.try_picking_ids)
        guide.try_picking_id = self.delivery
        with self.assertRaisesRegex(UserError, "only runs on a sandbox account"):
            guide.action_try_mark_shipped()
        self.assertEqual(self.delivery.state, "assigned")


@tagged("post_install", "-at_install")
class TestDeveloperGuideTour(DeveloperGuideMixin, AmazonOrderCase, HttpCase):
    def test_developer_page_tour(self):
        """In a real browser: the page, the API key, the Python example, Try it on the sandbox."""
        self.start_tour(
            "/odoo/action-stockagile_amazon_connector.amazon_developer_page_action",
            "amazon_developer_guide",
            login="admin",
        )
        user = self._integration_user()
        self.assertEqual(
            self.env["res.users.apikeys"].sudo().search([("user_id", "=", user.id)]).name,
            "Tour warehouse app",
        )
        shipped = self.env["stock.picking"].search([("carrier_tracking_ref", "=", "TOUR-0001")])
        self.assertEqual(len(shipped), 1)
        self.assertEqual(shipped.state, "done")
        self.assertEqual(shipped.sale_id.amazon_account_id, self.account, "the sandbox account")
