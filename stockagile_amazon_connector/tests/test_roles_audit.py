"""Roles exactly as README's *Roles, companies and taxes* documents them (issue 24).

Each role (employee, Amazon User, Amazon Manager, the integration user of the Developers page,
an Amazon Manager of another company) calls every button and public method of the connector's
models; a call is allowed exactly when the README says so. Jobs: Amazon managers see and requeue
Amazon's jobs of their companies only, Amazon users requeue nothing.
"""

import inspect
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from ..odoo_compat import stock_move_values
from . import common
from .common import AmazonTestCase, seed

AMAZON_USER = "stockagile_amazon_connector.group_amazon_user"
AMAZON_MANAGER = "stockagile_amazon_connector.group_amazon_manager"
ROLES = ("employee", "user", "manager", "integration", "stranger")
USERS = {"user", "manager"}
MANAGERS = {"manager"}
SHIPPERS = {"user", "manager", "integration"}

# (model, method) -> roles allowed, as README's Roles table says. "stranger" (a manager of
# another company) is never allowed on this company's records.
DOCUMENTED = {
    ("amazon.account", "action_test_connection"): MANAGERS,
    ("amazon.account", "action_sync_all_products"): MANAGERS,
    ("amazon.account", "action_sync_orders"): MANAGERS,
    ("amazon.account", "action_sync_returns"): MANAGERS,
    ("amazon.account", "action_view_jobs"): MANAGERS,
    ("amazon.account", "action_amazon_retry_jobs"): MANAGERS,
    ("amazon.account", "action_amazon_subscribe"): MANAGERS,
    ("amazon.account", "action_amazon_unsubscribe"): MANAGERS,
    ("amazon.listing", "action_sync_now"): USERS,
    ("amazon.offer", "action_sync_now"): USERS,
    ("amazon.offer.withdrawal", "action_retry"): USERS,
    ("amazon.listing", "action_amazon_retry_jobs"): MANAGERS,
    ("product.product", "action_amazon_enable_sync"): USERS,
    ("product.product", "action_amazon_disable_sync"): USERS,
    ("product.product", "action_amazon_sync_now"): USERS,
    ("product.template", "action_amazon_enable_sync"): USERS,
    ("product.template", "action_amazon_disable_sync"): USERS,
    ("product.template", "action_amazon_sync_now"): USERS,
    ("sale.order", "action_amazon_check_products"): USERS,
    ("amazon.order", "action_amazon_retry_import"): USERS,
    ("stock.picking", "amazon_update_shipping"): SHIPPERS,
    ("stock.picking", "amazon_mark_shipped"): SHIPPERS,
}
# Buttons that only open another screen (its own access rules apply there) or records the
# walk has no fixture for: listed so that a new public method must be classified here.
NAVIGATION_OR_ELSEWHERE = {
    "action_view_listings",
    "action_view_amazon_orders",
    "action_view_amazon_returns",
    "action_view_scheduled_actions",
    "action_view_notifications",
    "action_overview_open",
    "action_overview_activity",
    "action_amazon_create_listing",
    "action_amazon_print_delivery_note",
    "action_amazon_change_warehouse",
    "action_amazon_create_invoice",
    "action_amazon_print_labels",
    "action_amazon_view_shipments",
    "action_amazon_mark_shipped",
    "action_amazon_retry_shipment",
    "action_retry",
    "action_discard",
    "action_close",
    "action_view_pickings",
    "action_view_credit_note",
    "button_validate",
    # The change-warehouse wizard (test_order_tools), the API key wizard (test_developer_guide).
    "action_apply",
    # queue_job's Related button: opens the job's record, read with the user's own rights.
    "related_action_amazon_record",
    "make_key",
    # queue.job: done and cancel are queue_job managers' (test below).
    "button_done",
    "button_cancelled",
    # The job mixin's Retry: one method, walked on the account and a listing.
    "action_amazon_retry_jobs",
    # Invoices on Amazon: the overview's list, and Upload to Amazon (Amazon users only,
    # test_invoice_upload: the walk has no posted invoice).
    "action_overview_missing_invoices",
    "action_amazon_upload",
    "action_upload",
}
WALKED_MODELS = ("amazon.account", "amazon.listing", "product.product", "product.template")
WALKED_MODELS += ("sale.order", "stock.picking", "amazon.order")
# ORM entry points overridden by the connector (create, write…): checked by access rights.
ORM = {"create", "write", "unlink", "init", "copy", "bucket"}


@tagged("post_install", "-at_install")
class TestRolesAudit(AmazonTestCase):
    """Every button and public method as each role: allowed exactly when documented."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.other_company = cls.env["res.company"].create({"name": "Other Amazon Co (audit)"})
        cls.role_users = {
            "employee": new_test_user(cls.env, "audit_employee", groups="base.group_user"),
            "user": new_test_user(cls.env, "audit_clerk", groups=AMAZON_USER),
            "manager": new_test_user(cls.env, "audit_manager", groups=AMAZON_MANAGER),
            "integration": cls.env["res.users"]._amazon_integration_user(cls.company, create=True),
            "stranger": new_test_user(
                cls.env,
                "audit_stranger",
                groups=AMAZON_MANAGER,
                company_id=cls.other_company.id,
                company_ids=[(6, 0, cls.other_company.ids)],
            ),
        }
        cls.mug = cls._create_product("SA-MUG-001", company_id=cls.company.id)
        cls._configure_euro_sales(cls.mug)

    def _amazon_order(self):
        """An FBM Amazon order of this company, imported from the sandbox, and its delivery."""
        self._set_inventory(self.mug, 5)
        self.account.orders_last_sync = fields.Datetime.now() - timedelta(days=1)
        updated = fields.Datetime.now() - timedelta(minutes=10)
        items = [seed.order_item("90000000000024", "SA-MUG-001", "Mug", "B0TEST", 1, 12.90)]
        order = seed.base_order(
            "402-2400000-0000024",
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
        common.import_amazon_orders(self.env, self.account)
        sale = self.env["sale.order"].search([("amazon_order_ref", "=", "402-2400000-0000024")])
        self.assertEqual(sale.state, "sale", msg=sale.amazon_review_message)
        return sale

    def _call(self, record, method):
        """Call ``method`` of ``record``: True when allowed, False on AccessError."""
        args = ("SEUR", "AUDIT-1") if method == "amazon_update_shipping" else ()
        try:
            with self.env.cr.savepoint():
                getattr(record, method)(*args)
        except AccessError:
            return False
        except Exception:  # pylint: disable=broad-except
            return True  # past the checks: refused for another reason (data), not the role
        return True

    def test_every_public_method_is_classified(self):
        """A new public method of the connector fails this test until its roles are documented."""
        unknown = []
        for model_name in self.env.registry:
            cls = type(self.env[model_name])
            for name, member in inspect.getmembers(cls, inspect.isfunction):
                if name.startswith("_") or name in ORM:
                    continue
                if not member.__module__.startswith("odoo.addons.stockagile_amazon_connector"):
                    continue
                if (model_name, name) not in DOCUMENTED and name not in NAVIGATION_OR_ELSEWHERE:
                    if not model_name.startswith(("amazon.listing.create", "amazon.developer")):
                        unknown.append(f"{model_name}.{name}")
        self.assertEqual(sorted(set(unknown)), [], msg="classify them in DOCUMENTED")

    def test_each_role_calls_exactly_what_is_documented(self):
        """Each role calls each documented method: allowed ⇔ the README's table says so."""
        sale = self._amazon_order()
        self.mug.amazon_sync = True
        listing = self.mug.amazon_listing_ids
        records = {
            "amazon.account": self.account,
            "amazon.listing": listing,
            "amazon.offer": listing.offer_ids[:1],
            "amazon.offer.withdrawal": self.env["amazon.offer.withdrawal"]._amazon_withdraw(
                listing, "sync_off"
            )[:1],
            "product.product": self.mug,
            "product.template": self.mug.product_tmpl_id,
            "sale.order": sale,
            "stock.picking": sale.picking_ids,
            "amazon.order": self.env["amazon.order"].search(
                [("sale_order_id", "=", sale.id)], limit=1
            ),
        }
        mismatches = []
        for (model_name, method), allowed in DOCUMENTED.items():
            for role in ROLES:
                record = records[model_name].with_user(self.role_users[role])
                got = self._call(record, method)
                if got != (role in allowed):
                    mismatches.append(
                        f"{role} {model_name}.{method}: {'allowed' if got else 'refused'}"
                    )
        self.assertEqual(mismatches, [], msg="every role does exactly what README documents")

    def _jobs(self):
        """Three failed jobs: Amazon's of this company, Amazon's of another, another module's."""
        account_b = self.env["amazon.account"].create(
            self._amazon_account_values(
                name="Amazon B (audit)",
                company_id=self.other_company.id,
                warehouse_id=self.env["stock.warehouse"]
                .search([("company_id", "=", self.other_company.id)], limit=1)
                .id,
            )
        )
        amazon_a = self.account.with_delay(channel=f"root.amazon.account_{self.account.id}")
        amazon_b = account_b.with_company(self.other_company).with_delay(
            channel=f"root.amazon.account_{account_b.id}"
        )
        jobs = (
            amazon_a.action_sync_returns().db_record()
            | amazon_b.action_sync_returns().db_record()
            | self.env["res.partner"].with_delay().search_count([]).db_record()
        )
        jobs.with_context(_job_edit_sentinel=jobs.EDIT_SENTINEL).write({"state": "failed"})
        own, other_company, other_module = jobs.sorted("id")
        self.assertEqual(other_company.company_id, self.other_company)
        return own, other_company, other_module

    def test_amazon_manager_sees_and_requeues_amazon_jobs_of_its_companies_only(self):
        """An Amazon Manager lists and requeues Amazon's jobs of its companies, nothing else."""
        own, other_company, other_module = self._jobs()
        manager = self.role_users["manager"]
        self.assertFalse(manager.has_group("queue_job.group_queue_job_manager"))
        jobs = self.env["queue.job"].with_user(manager)
        seen = jobs.search([("id", "in", (own | other_company | other_module).ids)])
        self.assertEqual(seen, own, msg="Amazon's jobs of the manager's companies only")
        jobs.browse(own.id).requeue()
        self.assertEqual(own.state, "pending")
        for job in (other_company, other_module):
            with self.assertRaises(AccessError):
                jobs.browse(job.id).requeue()
            self.assertEqual(job.state, "failed", msg="another's job stays as it was")
        with self.assertRaises(AccessError, msg="done/cancel stay queue_job managers'"):
            jobs.browse(own.id).button_cancelled()

    def test_amazon_user_requeues_nothing(self):
        """An Amazon User lists no job and the account's or a listing's retry is refused."""
        own, _other_company, _other_module = self._jobs()
        clerk = self.role_users["user"]
        with self.assertRaises(AccessError):
            self.env["queue.job"].with_user(clerk).search([])
        with self.assertRaises(AccessError):
            self.account.with_user(clerk).action_amazon_retry_jobs()
        self.assertEqual(own.state, "failed", msg="nothing requeued")

    def test_check_products_has_its_group_check(self):
        """A salesperson without the Amazon group cannot run Check products."""
        seller = new_test_user(
            self.env, "audit_seller", groups="sales_team.group_sale_salesman_all_leads"
        )
        order = self.env["sale.order"].create({"partner_id": seller.partner_id.id})
        with self.assertRaises(AccessError):
            order.with_user(seller).action_amazon_check_products()

    def test_integration_user_ships_amazon_deliveries_only(self):
        """The integration user ships an Amazon delivery but cannot validate a manual one."""
        sale = self._amazon_order()
        integration = self.role_users["integration"]
        customers = self.env.ref("stock.stock_location_customers")
        manual = self.env["stock.picking"].create(
            {
                "picking_type_id": self.warehouse.out_type_id.id,
                "partner_id": self.env.company.partner_id.id,
                "location_id": self.warehouse.lot_stock_id.id,
                "location_dest_id": customers.id,
                "move_ids": [
                    (
                        0,
                        0,
                        stock_move_values(
                            {
                                "name": "manual",
                                "product_id": self.mug.id,
                                "product_uom_qty": 1,
                                "product_uom": self.mug.uom_id.id,
                                "location_id": self.warehouse.lot_stock_id.id,
                                "location_dest_id": customers.id,
                            }
                        ),
                    )
                ],
            }
        )
        manual.action_confirm()
        manual.action_assign()
        with self.assertRaises(AccessError):
            manual.with_user(integration).button_validate()
        self.assertNotEqual(manual.state, "done", msg="the manual delivery is not validated")
        picking = sale.picking_ids.with_user(integration)
        picking.amazon_update_shipping("SEUR", "AUDIT-1")
        result = picking.amazon_mark_shipped()
        self.assertEqual(result["state"], "done", msg="the Amazon delivery is shipped")
