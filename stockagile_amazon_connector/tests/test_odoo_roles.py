"""Users with only Odoo's own roles use Odoo exactly as before, an Amazon account in their company.

The connector hooks product, sale, stock and invoice paths; none of them may read an Amazon model
with the rights of a user who touched no Amazon field (such users have no Amazon group and would
get an AccessError), and nothing of theirs reaches Amazon.
"""

from odoo import Command
from odoo.tests import new_test_user, tagged

from .common import AmazonTestCase

#: Odoo's own roles, as a seller's staff have them (no Amazon group). Product creation is its own
#: group ("Product Creation" on 18.0, "Product: Create" on 19.0, which new users lack there).
ODOO_ROLES = {
    "inventory_admin": "base.group_user,stock.group_stock_manager,product.group_product_manager",
    "sales_admin": "base.group_user,sales_team.group_sale_manager,product.group_product_manager",
    "salesperson": "base.group_user,sales_team.group_sale_salesman",
    "inventory_user": "base.group_user,stock.group_stock_user",
    "accountant": "base.group_user,account.group_account_invoice",
}


@tagged("post_install", "-at_install")
class TestOdooRolesUnchanged(AmazonTestCase):
    """Creating products, selling, delivering and invoicing need no Amazon group."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.users = {
            name: new_test_user(cls.env, f"odoo_role_{name}", groups=groups)
            for name, groups in ODOO_ROLES.items()
        }
        cls.customer = cls.env["res.partner"].create({"name": "Walk-in customer (roles)"})

    def _amazon_calls(self):
        """Every call that reached the sandbox, of any operation."""
        return self.sandbox.requests()

    def _can(self, user, model, operation):
        """Whether Odoo itself lets ``user`` do ``operation`` on ``model`` (the connector aside)."""
        return self.env[model].with_user(user).has_access(operation)

    def test_every_role_that_may_create_products_creates_them(self):
        """Each Odoo role allowed to create products creates templates and variants as before."""
        self.sandbox.clear_requests()
        creators = [
            name
            for name, user in self.users.items()
            if self._can(user, "product.template", "create")
        ]
        self.assertIn("inventory_admin", creators, msg="Odoo lets Inventory Administrators do it")
        for name in creators:
            user = self.users[name]
            values = {"name": f"Chair of {name}", "default_code": f"ROLE-{name}", "type": "consu"}
            template = self.env["product.template"].with_user(user).create(values)
            variant = (
                self.env["product.product"]
                .with_user(user)
                .create({"name": f"Desk of {name}", "default_code": f"ROLE-D-{name}"})
            )
            # What the product form reads when it opens, as the user.
            template.with_user(user).read(["name", "default_code", "list_price"])
            template.with_user(user).write({"default_code": f"ROLE-{name}-2", "list_price": 12.0})
            variant.with_user(user).write({"default_code": f"ROLE-D-{name}-2", "list_price": 9.0})
            self.assertFalse(template.amazon_sync or variant.amazon_sync)
        self.assertFalse(
            self.env["amazon.listing"].sudo().search([("sku", "=like", "ROLE-%")]),
            msg="no listing for products nobody ticked",
        )
        self.assertEqual(self._amazon_calls(), [], msg="nothing reached Amazon")

    def test_inventory_admin_renames_a_synced_product(self):
        """An Inventory Administrator edits a synced product's reference without an Amazon group."""
        product = self._create_product("ROLE-SYNCED-1")
        product.amazon_sync = True
        product.with_user(self.users["inventory_admin"]).write({"default_code": "ROLE-SYNCED-2"})
        self.assertIn(
            "ROLE-SYNCED-2",
            product.sudo().amazon_listing_ids.mapped("sku"),
            msg="the listing follows the new reference",
        )

    def test_sell_deliver_and_invoice_with_odoo_roles_only(self):
        """A salesperson sells, an inventory user delivers, an accountant invoices: as before."""
        product = self._create_product("ROLE-SOLD-1", price=20.0)
        self._set_inventory(product, 5)
        self.sandbox.clear_requests()
        order = (
            self.env["sale.order"]
            .with_user(self.users["salesperson"])
            .create(
                {
                    "partner_id": self.customer.id,
                    "order_line": [
                        Command.create({"product_id": product.id, "product_uom_qty": 2})
                    ],
                }
            )
        )
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        picking = order.picking_ids.with_user(self.users["inventory_user"])
        picking.action_assign()
        picking.move_ids.quantity = 2
        picking.move_ids.picked = True
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        invoice = order.with_user(self.users["accountant"])._create_invoices()
        invoice.with_user(self.users["accountant"]).action_post()
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(invoice.amount_untaxed, 40.0)
        self.assertEqual(self._amazon_calls(), [], msg="an unsynced product sends nothing")
