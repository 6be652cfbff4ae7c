"""Orders to review (issue 22): an order that cannot be read is a record a salesperson sees.

Against the sandbox: the order Amazon serves has an amount "12,50"; its import job ends (not
failed, not retried forever) and its binding shows Amazon's data, the reason and *Retry*;
fixing the order on Amazon and pressing *Retry* imports it once.
"""

import json

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .test_order_import import AmazonOrderCase, iso_ago

BAD, GOOD = "402-2200000-0000022", "402-2200000-0000023"
AMAZON_USER = "stockagile_amazon_connector.group_amazon_user"


@tagged("post_install", "-at_install")
class TestOrdersToReview(AmazonOrderCase):
    """An unreadable order ends in *Orders to review* with Amazon's data, its reason and Retry."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.clerk = new_test_user(
            cls.env, "review_clerk", groups=f"sales_team.group_sale_salesman,{AMAZON_USER}"
        )
        cls.employee = new_test_user(cls.env, "review_employee", groups="base.group_user")

    def _bad_order(self):
        """An FBM order whose unit price Amazon sends as "12,50" (not a number)."""
        order = self._new_order(BAD, iso_ago(minutes=10), price=12.50)
        good_items = json.loads(json.dumps(order["orderItems"]))
        order["orderItems"][0]["product"]["price"]["unitPrice"]["amount"] = "12,50"
        return order, good_items

    def _binding(self, ref):
        return self.env["amazon.order"].search(
            [("account_id", "=", self.account.id), ("amazon_order_ref", "=", ref)]
        )

    def _import_jobs(self, ref):
        return self.env["queue.job"].search(
            [("method_name", "=", "_amazon_job_import_order"), ("name", "ilike", ref)]
        )

    def test_unreadable_order_to_review_then_retry_imports_it_once(self):
        """'12,50': the job ends, a salesperson sees the order to review; fixed, Retry imports."""
        self.sandbox.reset(seed="empty")
        bad, good_items = self._bad_order()
        self.sandbox.add_orders([bad, self._new_order(GOOD, iso_ago(minutes=9))])
        result = self._sync()
        self.assertEqual((result["created"], result["failed"]), (1, 0), result["jobs"])
        self.assertTrue(self._order(GOOD), "the other orders are imported")
        self.assertFalse(self._order(BAD), "no half-imported sales order")
        job = self._import_jobs(BAD)
        self.assertEqual(job.mapped("state"), ["done"], "the job ends: it is not failing forever")
        self.assertEqual(job.result, "review")

        # A salesperson with Amazon rights finds it in Orders to review, with data and reason.
        menu = self.env.ref("stockagile_amazon_connector.amazon_order_review_menu")
        self.assertIn(menu.id, self.env["ir.ui.menu"].with_user(self.clerk)._visible_menu_ids())
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "stockagile_amazon_connector.amazon_order_review_action"
        )
        self.assertEqual(action["res_model"], "amazon.order")
        listed = self.env["amazon.order"].with_user(self.clerk).search([("to_review", "=", True)])
        self.assertEqual(listed.mapped("amazon_order_ref"), [BAD])
        row = listed.read(["review_reason", "raw_data", "sale_order_id"])[0]
        self.assertIn("12,50", row["review_reason"], "the reason names the unreadable amount")
        raw = json.loads(row["raw_data"])
        self.assertEqual(raw["orderId"], BAD, "Amazon's raw data as it was sent")
        self.assertFalse(row["sale_order_id"])
        self.assertIn(BAD, self.account.orders_sync_error, "the account's Orders tab says so too")
        # Related on its job opens the order to review (no sales order yet).
        related = job.open_related_action()
        self.assertEqual((related["res_model"], related["res_id"]), ("amazon.order", listed.id))

        # Polling again does not run the same unreadable update again.
        again = self._sync()
        self.assertEqual(len(self._import_jobs(BAD)), 1, again["jobs"])

        # Retry before the fix: still to review, with the reason; nothing created.
        binding = listed
        with self.assertRaises(AccessError, msg="no Amazon rights, no Retry"):
            binding.with_user(self.employee).action_amazon_retry_import()
        answer = binding.with_user(self.clerk).action_amazon_retry_import()
        self.assertEqual(answer["params"]["type"], "warning")
        self.assertIn("12,50", answer["params"]["message"])
        self.assertTrue(binding.to_review)
        self.assertFalse(self._order(BAD))

        # Amazon's data is fixed (same update time: only Retry reads it again); Retry imports.
        self.sandbox.patch_order(
            BAD, {"orderItems": good_items, "lastUpdatedTime": bad["lastUpdatedTime"]}
        )
        answer = binding.with_user(self.clerk).action_amazon_retry_import()
        self.assertEqual(answer["params"]["type"], "success", answer["params"]["message"])
        order = self._order(BAD)
        self.assertEqual(len(order), 1)
        self.assertEqual(order.state, "sale", order.amazon_review_message)
        self.assertAlmostEqual(order.amount_total, 12.50)
        binding.invalidate_recordset()
        self.assertFalse(binding.to_review)
        self.assertFalse(binding.raw_data, "Amazon's data is not kept once imported")
        self.assertEqual(binding.sale_order_id, order)
        self.assertNotIn(BAD, self.account.orders_sync_error or "")
        # Pressed again, or polled again: still one sales order.
        binding.with_user(self.clerk).action_amazon_retry_import()
        self._sync()
        self.assertEqual(len(self._order(BAD)), 1, "imported once")
        related = self._import_jobs(BAD)[:1].open_related_action()
        self.assertEqual((related["res_model"], related["res_id"]), ("sale.order", order.id))

    def test_overview_counts_unreadable_orders_to_review(self):
        """The overview's *Orders to review* counts the unreadable order and opens it."""
        self.sandbox.reset(seed="empty")
        bad, _good_items = self._bad_order()
        self.sandbox.add_orders([bad, self._new_order(GOOD, iso_ago(minutes=9))])
        self._sync()
        account = self.account
        reviewed = self.env["sale.order"].search_count(
            [("amazon_account_id", "=", self.account.id), ("amazon_review_needed", "=", True)]
        )
        self.assertEqual(account.overview_order_unreadable_count, 1)
        self.assertEqual(account.overview_order_review_count, reviewed + 1)
        action = (
            account.with_user(self.clerk)
            .with_context(amazon_overview="order_review")
            .action_overview_open()
        )
        self.assertEqual(action["res_model"], "amazon.order")
        opened = self.env["amazon.order"].with_user(self.clerk).search(action["domain"])
        self.assertEqual(opened.mapped("amazon_order_ref"), [BAD])

    def test_newer_update_clears_the_review(self):
        """A newer, readable update of an order to review is imported on its own."""
        self.sandbox.reset(seed="empty")
        bad, good_items = self._bad_order()
        self.sandbox.add_orders([bad])
        self._sync()
        self.assertTrue(self._binding(BAD).to_review)
        self.sandbox.patch_order(
            BAD, {"orderItems": good_items, "lastUpdatedTime": iso_ago(minutes=3)}
        )
        result = self._sync()
        self.assertEqual(result["created"], 1, result["jobs"])
        self.assertFalse(self._binding(BAD).to_review)
        self.assertEqual(self._order(BAD).state, "sale")

    def test_older_update_arriving_late_keeps_the_review(self):
        """A readable update older than the one to review changes nothing (out of order)."""
        self.sandbox.reset(seed="empty")
        bad, good_items = self._bad_order()
        self.sandbox.add_orders([bad])
        self._sync()
        older = dict(bad, orderItems=good_items, lastUpdatedTime=iso_ago(minutes=30))
        outcome = self.env["amazon.order.importer"]._import_one(self.account, older)
        self.assertEqual(outcome, "unchanged")
        self.assertTrue(self._binding(BAD).to_review, "the newest state is the one to review")
        self.assertFalse(self._order(BAD))

    def test_amazon_data_erased_with_old_buyer_data(self):
        """Amazon's data of an old order to review is erased with buyer data; Retry still works."""
        self.sandbox.reset(seed="empty")
        bad, _good_items = self._bad_order()
        self.sandbox.add_orders([bad])
        self._sync()
        binding = self._binding(BAD)
        self.assertIn("Buyer", binding.raw_data)
        self.account.anonymize_after_days = 1
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE amazon_order SET write_date = now() - interval '2 days' WHERE id = %s",
            [binding.id],
        )
        self.env.invalidate_all()
        self.account._amazon_job_erase_buyer_data()
        self.assertFalse(binding.raw_data, "the buyer's data goes with the rest")
        self.assertTrue(binding.to_review, "still listed, with its reason")
        self.assertIn("12,50", binding.review_reason)
