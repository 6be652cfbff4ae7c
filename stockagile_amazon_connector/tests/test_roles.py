from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from ..odoo_compat import sale_line_taxes
from . import common
from .common import AmazonTestCase, seed

AMAZON_USER = "stockagile_amazon_connector.group_amazon_user"
AMAZON_MANAGER = "stockagile_amazon_connector.group_amazon_manager"


@tagged("post_install", "-at_install")
class TestRoles(AmazonTestCase):
    """Each action runs for exactly the groups that can complete it, within their companies."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.other_company = cls.env["res.company"].create({"name": "Other Amazon Co (roles)"})
        cls.employee = new_test_user(cls.env, "roles_employee", groups="base.group_user")
        cls.clerk = new_test_user(cls.env, "roles_clerk", groups=AMAZON_USER)
        cls.other_clerk = new_test_user(
            cls.env,
            "roles_other_clerk",
            groups=f"{AMAZON_USER},{AMAZON_MANAGER}",
            company_id=cls.other_company.id,
            company_ids=[(6, 0, cls.other_company.ids)],
        )
        cls.mug = cls._create_product("SA-MUG-001", company_id=cls.company.id)

    def _sent(self):
        """Every call that would change something on Amazon, as the sandbox received them."""
        return [
            request
            for operation in ("patchListingsItem", "createFeed", "confirmShipment")
            for request in self.sandbox.requests(operation=operation)
        ]

    def test_amazon_user_syncs_a_product_end_to_end(self):
        """An Amazon User enables sync and presses Sync now: Amazon gets the stock."""
        self._set_inventory(self.mug, 7)
        product = self.mug.with_user(self.clerk)
        product.action_amazon_enable_sync()
        self.assertTrue(self.mug.amazon_sync, msg="Amazon Users may sync products they can sell")
        product.action_amazon_sync_now()
        self._push()  # whatever it left to the background
        self.assertEqual(self.sandbox.listing("SA-MUG-001")["quantity"], 7)
        self.assertEqual(self.mug.amazon_listing_ids.state, "synced")

    def test_plain_employee_gets_access_error_and_nothing_is_sent(self):
        """An employee without Amazon group cannot sync, enable or push: nothing reaches Amazon."""
        self.mug.amazon_sync = True
        self.sandbox.clear_requests()
        product = self.mug.with_user(self.employee)
        for action in ("action_amazon_sync_now", "action_amazon_enable_sync"):
            with self.assertRaises(AccessError, msg=f"{action} is for Amazon Users"):
                getattr(product, action)()
            with self.assertRaises(AccessError, msg=f"{action} on templates too"):
                getattr(product.product_tmpl_id, action)()
        with self.assertRaises(AccessError):
            product.action_amazon_disable_sync()
        self.assertTrue(self.mug.amazon_sync, msg="nothing changed")
        self.assertEqual(self._sent(), [], msg="nothing sent to Amazon")

    def test_product_editor_without_amazon_group_cannot_set_the_flag(self):
        """Editing products is not enough to send them to Amazon: the flag needs the group."""
        editor = new_test_user(  # a product manager (on 19 a sales manager alone cannot edit)
            self.env,
            "roles_editor",
            groups="base.group_user,sales_team.group_sale_manager,product.group_product_manager",
        )
        with self.assertRaises(AccessError):
            self.mug.with_user(editor).write({"amazon_sync": True})
        self.mug.with_user(editor).write({"list_price": 11.0})  # the rest of the product: yes
        self.assertFalse(self.mug.amazon_listing_ids, msg="no listing, nothing queued")

    def test_user_of_another_company_cannot_push(self):
        """A manager of another company cannot push or toggle this company's product."""
        self.mug.amazon_sync = True
        listing = self.mug.amazon_listing_ids
        self.sandbox.clear_requests()
        for action in ("action_amazon_sync_now", "action_amazon_disable_sync"):
            with self.assertRaises(AccessError, msg=f"{action} reaches no other company"):
                getattr(self.mug.with_user(self.other_clerk), action)()
        with self.assertRaises(AccessError):
            listing.with_user(self.other_clerk).action_sync_now()
        self.assertTrue(self.mug.amazon_sync)
        self.assertEqual(listing.state, "pending", msg="nothing pushed")
        self.assertEqual(self._sent(), [], msg="nothing sent to Amazon")

    def test_account_actions_are_for_managers(self):
        """Test connection, Sync all, Sync orders and Sync returns: managers only."""
        self.mug.amazon_sync = True
        self.sandbox.clear_requests()
        account = self.account.with_user(self.clerk)
        for action in (
            "action_test_connection",
            "action_sync_all_products",
            "action_sync_orders",
            "action_sync_returns",
        ):
            with self.assertRaises(AccessError, msg=f"{action} is for Amazon Managers"):
                getattr(account, action)()
            with self.assertRaises(AccessError, msg=f"{action}: not on another company's"):
                getattr(self.account.with_user(self.other_clerk), action)()
        self.assertEqual(self.sandbox.requests(), [], msg="Amazon was not called at all")
        self.assertEqual(self.account.connection_state, "not_tested")

    def test_views_show_account_buttons_to_managers_only(self):
        """The account form shows Test connection and Sync all only to Amazon Managers."""
        for user, shown in ((self.clerk, False), (self.env.user, True)):
            arch = (
                self.env["amazon.account"]
                .with_user(user)
                .get_views([(False, "form")])["views"]["form"]["arch"]
            )
            for button in ("action_test_connection", "action_sync_all_products"):
                self.assertEqual(button in arch, shown, msg=f"{button} for {user.login}")


@tagged("post_install", "-at_install")
class TestTwoCompanies(AmazonTestCase):
    """Two companies, each with its account, warehouse and product of the same SKU."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a = cls.env.company
        cls.company_b = cls.env["res.company"].create({"name": "Amazon Co B (multi-company)"})
        cls.warehouse_b = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company_b.id)], limit=1
        )
        cls.account_b = cls.env["amazon.account"].create(
            cls._amazon_account_values(
                name="Amazon ES (company B)",
                company_id=cls.company_b.id,
                warehouse_id=cls.warehouse_b.id,
            )
        )
        cls.mug_a = cls._create_product("SA-MUG-001", company_id=cls.company_a.id)
        cls.mug_b = cls._create_product("SA-MUG-001", company_id=cls.company_b.id)
        cls._configure_euro_sales(cls.mug_a)
        cls.clerk_b = new_test_user(
            cls.env,
            "clerk_company_b",
            groups=AMAZON_USER,
            company_id=cls.company_b.id,
            company_ids=[(6, 0, cls.company_b.ids)],
        )

    def _import_orders(self, account):
        """Import the account's orders: the poll, then the orders' jobs."""
        return common.import_amazon_orders(self.env, account)

    def test_same_sku_synced_per_company(self):
        """Each company's product is bound to its own account only; users see only theirs."""
        (self.mug_a | self.mug_b).amazon_sync = True
        self.assertEqual(self.mug_a.amazon_listing_ids.account_id, self.account)
        self.assertEqual(self.mug_b.amazon_listing_ids.account_id, self.account_b)
        clerk_env = self.env(user=self.clerk_b)
        for model in ("amazon.account", "amazon.listing"):
            seen = clerk_env[model].search([])
            self.assertEqual(seen.company_id, self.company_b, msg=f"{model}: company B's only")
        changes = clerk_env["amazon.listing.change"].search([])
        self.assertTrue(changes, msg="company B's queued push is visible to its user")
        self.assertEqual(changes.sudo().listing_id.company_id, self.company_b)
        self.assertTrue(self.env["amazon.listing"].with_user(self.clerk_b).search([]))

    def test_order_of_account_b_matches_company_b_product(self):
        """An order of account B gets company B's product of that SKU, in company B."""
        self.account_b.orders_last_sync = fields.Datetime.now() - timedelta(days=1)
        now = fields.Datetime.now() - timedelta(minutes=10)  # Amazon lists orders 2 min late
        items = [seed.order_item("90000000000001", "SA-MUG-001", "Mug", "B0TEST", 1, 12.90)]
        order = seed.base_order(
            "402-9000000-0000001", now - timedelta(hours=1), now, "UNSHIPPED", "MERCHANT", items
        )
        order["recipient"] = {
            "deliveryAddress": seed.address("Buyer B", "Calle B 1", "Madrid", "28001", "Madrid")
        }
        self.sandbox.reset(seed="empty")
        self.sandbox.add_orders([order])
        self._import_orders(self.account_b)
        sale = self.env["sale.order"].search([("amazon_order_ref", "=", "402-9000000-0000001")])
        self.assertEqual(sale.company_id, self.company_b)
        self.assertEqual(sale.warehouse_id, self.warehouse_b)
        self.assertEqual(
            sale.order_line.product_id, self.mug_b, msg="SKU matched within company B only"
        )
        self.assertEqual(sale.partner_id.company_id, self.company_b)
        self.assertFalse(
            sale_line_taxes(sale.order_line), msg="company A's tax never reaches company B"
        )

    def test_user_of_company_b_cannot_ship_for_company_a(self):
        """Company B's user cannot ship company A's Amazon order: AccessError, nothing sent."""
        self.account.orders_last_sync = fields.Datetime.now() - timedelta(days=1)
        updated = fields.Datetime.now() - timedelta(minutes=10)
        items = [seed.order_item("90000000000002", "SA-MUG-001", "Mug", "B0TEST", 1, 12.90)]
        order = seed.base_order(
            "402-9000000-0000002",
            updated - timedelta(hours=1),
            updated,
            "UNSHIPPED",
            "MERCHANT",
            items,
        )
        order["recipient"] = {
            "deliveryAddress": seed.address("Buyer A", "Calle A 1", "Madrid", "28001", "Madrid")
        }
        self.sandbox.reset(seed="empty")
        self.sandbox.add_orders([order])
        self._import_orders(self.account)
        sale = self.env["sale.order"].search([("amazon_order_ref", "=", "402-9000000-0000002")])
        self.assertEqual(sale.state, "sale", msg=sale.amazon_review_message)
        picking = sale.picking_ids
        self.assertTrue(picking)
        self.sandbox.clear_requests()
        with self.assertRaises(AccessError):
            picking.with_user(self.clerk_b).amazon_update_shipping("SEUR", "B-1")
        with self.assertRaises(AccessError):
            picking.with_user(self.clerk_b).amazon_mark_shipped()
        self.assertNotEqual(picking.state, "done", msg="nothing validated")
        self.assertFalse(picking.carrier_tracking_ref, msg="nothing written")
        self.assertEqual(self.sandbox.requests(operation="confirmShipment"), [])
