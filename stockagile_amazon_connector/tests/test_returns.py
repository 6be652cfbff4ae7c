import time
from datetime import timedelta

import psycopg2

from odoo import fields
from odoo.tests import tagged
from odoo.tools import mute_logger

from ..odoo_compat import GROUPS_FIELD
from .common import import_amazon_returns, run_amazon_jobs
from .test_order_import import FBM_MULTI, SHIPPED_FBM, AmazonOrderCase, iso_ago

FLAT_FILE = "GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE"
SEEDED_RMA = "DQkRv5LJRRMA"


@tagged("post_install", "-at_install")
class TestReturns(AmazonOrderCase):
    """Amazon returns report → recorded returns → return pickings, restock, credit notes."""

    def setUp(self):
        super().setUp()
        self.sandbox.config(report_processing_seconds=0)
        self.account.returns_last_sync = fields.Datetime.now() - timedelta(days=10)

    # helpers --------------------------------------------------------------------------------

    def _sync_returns(self):
        return import_amazon_returns(self.env, self.account)

    def _return(self, rma):
        return self.env["amazon.return"].search(
            [("account_id", "=", self.account.id), ("rma_ref", "=", rma)]
        )

    def _row(self, order_id, rma, sku, quantity=1, hours_ago=5, **values):
        """A returns report row as Seller Central writes it."""
        return {
            "order_id": order_id,
            "order_date": iso_ago(days=5),
            "return_request_date": iso_ago(hours=hours_ago),
            "return_request_status": "Approved",
            "amazon_rma_id": rma,
            "merchant_sku": sku,
            "item_name": f"Item {sku}",
            "return_quantity": quantity,
            "return_reason": "CR-UNWANTED_ITEM",
            "resolution": "StandardRefund",
            **values,
        }

    def _ship(self, order):
        """The warehouse validates the order's delivery in full."""
        self.env["amazon.order.importer"]._deliver_pickings(order)
        self.assertEqual(order.picking_ids.mapped("state"), ["done"])

    def _validate(self, picking):
        """The warehouse receives the returned parcel."""
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
        picking.move_ids.picked = True
        picking.button_validate()
        self.assertEqual(picking.state, "done")

    # tests ----------------------------------------------------------------------------------

    def test_seeded_return_becomes_return_picking(self):
        """The seeded return is recorded, linked to its order and waits as a return picking."""
        self._sync()
        order = self._order(SHIPPED_FBM)
        delivery = order.picking_ids
        result = self._sync_returns()
        self.assertEqual((result["created"], result["review"], result["pending"]), (1, 0, False))
        ret = self._return(SEEDED_RMA)
        self.assertEqual(ret.sale_order_id, order)
        self.assertEqual(ret.state, "to_receive")
        self.assertEqual(ret.line_ids.sku, "SA-CABLE-USBC")
        self.assertEqual(ret.line_ids.reason, "CR-DEFECTIVE")
        self.assertEqual(ret.line_ids.sale_line_id.order_id, order)
        picking = ret.picking_ids
        self.assertEqual(len(picking), 1)
        self.assertEqual(picking.return_id, delivery, "a return of the order's delivery")
        self.assertEqual(picking.state, "assigned", "received by a warehouse user, not by us")
        self.assertEqual(picking.location_dest_id, self.warehouse.lot_stock_id)
        self.assertEqual(picking.move_ids.product_id, self.products["SA-CABLE-USBC"])
        self.assertEqual(picking.move_ids.product_uom_qty, 1)
        self.assertIn(SEEDED_RMA, picking.origin)
        self.assertIn(picking, order.picking_ids, "the return belongs to the order")
        self.assertEqual(order.amazon_return_count, 1)
        self.assertEqual(order.action_view_amazon_returns()["res_id"], ret.id)
        self.assertFalse(self.account.returns_report_id, "the report was read")
        self.assertFalse(self.account.returns_sync_error)
        (create,) = self.sandbox.requests(operation="createReport")
        self.assertEqual(create["body"]["reportType"], FLAT_FILE)
        self.assertEqual(len(self.sandbox.requests(operation="getReportDocument")), 1)

    def test_validated_return_restocks_and_updates_amazon(self):
        """Receiving the return puts the unit back in stock and Amazon's quantity follows."""
        cable = self.products["SA-CABLE-USBC"]
        cable.amazon_sync = True
        self._set_inventory(cable, 5)
        self._sync()  # the shipped order is delivered at import, another one reserves one
        self._push()
        before = self.sandbox.listing("SA-CABLE-USBC")["quantity"]
        self.assertEqual(before, 3)
        self._sync_returns()
        ret = self._return(SEEDED_RMA)
        self._push()
        self.assertEqual(
            self.sandbox.listing("SA-CABLE-USBC")["quantity"], 3, "not back before it arrives"
        )
        self._validate(ret.picking_ids)
        self.assertEqual(ret.state, "done")
        self.assertEqual(cable.with_context(warehouse_id=self.warehouse.id).qty_available, 5)
        self._push()
        self.assertEqual(self.sandbox.listing("SA-CABLE-USBC")["quantity"], 4, "one more to sell")

    def test_returns_location_of_the_account(self):
        """With a returns location on the account, returns are received there."""
        quarantine = self.env["stock.location"].create(
            {
                "name": "Returns",
                "usage": "internal",
                "location_id": self.warehouse.view_location_id.id,
            }
        )
        self.account.returns_location_id = quarantine
        self._sync()
        self._sync_returns()
        picking = self._return(SEEDED_RMA).picking_ids
        self.assertEqual(picking.location_dest_id, quarantine)
        self.assertEqual(picking.move_ids.location_dest_id, quarantine)

    def test_import_twice_without_duplicates(self):
        """A second import records nothing new; (account, RMA) is unique in the database."""
        self._sync()
        self.sandbox.add_returns([self._row(FBM_MULTI, "RMA-RECENT", "SA-TEE-BLK-M", 1)])
        self._ship(self._order(FBM_MULTI))
        self._sync_returns()
        cursor = self.account.returns_last_sync
        self.assertGreater(cursor, fields.Datetime.now() - timedelta(minutes=5))
        again = self._sync_returns()
        self.assertEqual(
            (again["created"], again["unchanged"]), (0, 1), "the recent one is read again"
        )
        returns = self.env["amazon.return"].search([("account_id", "=", self.account.id)])
        self.assertEqual(len(returns), 2)
        self.assertEqual(len(returns.picking_ids), 2, "one return picking per return")
        with (
            self.assertRaises(psycopg2.IntegrityError, msg="(account, RMA) is unique"),
            mute_logger("odoo.sql_db"),
            self.cr.savepoint(),
        ):
            self.env["amazon.return"].create({"account_id": self.account.id, "rma_ref": SEEDED_RMA})

    def test_partial_returns(self):
        """Part of an order comes back, twice; more than was delivered goes to review."""
        self._sync()
        order = self._order(FBM_MULTI)
        self._ship(order)
        self.sandbox.add_returns([self._row(FBM_MULTI, "RMA-PART-1", "SA-TEE-BLK-M", 1)])
        self._sync_returns()
        first = self._return("RMA-PART-1")
        self.assertEqual(first.state, "to_receive")
        self.assertEqual(first.picking_ids.move_ids.product_id, self.products["SA-TEE-BLK-M"])
        self.assertEqual(first.picking_ids.move_ids.product_uom_qty, 1, "1 of the 2 shirts")
        self.sandbox.add_returns(
            [
                self._row(FBM_MULTI, "RMA-PART-2", "SA-TEE-BLK-M", 1, hours_ago=2),
                self._row(FBM_MULTI, "RMA-PART-2", "SA-CABLE-USBC", 1, hours_ago=2),
                self._row(FBM_MULTI, "RMA-PART-3", "SA-TEE-BLK-M", 1, hours_ago=1),
            ]
        )
        self._sync_returns()
        second = self._return("RMA-PART-2")
        self.assertEqual(len(second.line_ids), 2, "one return, two SKUs")
        self.assertEqual(
            sorted(second.picking_ids.move_ids.mapped("product_id.default_code")),
            ["SA-CABLE-USBC", "SA-TEE-BLK-M"],
        )
        third = self._return("RMA-PART-3")
        self.assertEqual(third.state, "review", "both shirts already come back")
        self.assertIn("only 0", third.review_message)
        self.assertFalse(third.picking_ids)

    def test_unknown_order_and_sku_are_flagged(self):
        """An order never imported or a SKU not on the order: recorded to review, run goes on."""
        self._sync()
        self.sandbox.add_returns(
            [
                self._row("999-0000000-0000001", "RMA-NO-ORDER", "SA-MUG-001"),
                self._row(SHIPPED_FBM, "RMA-WRONG-SKU", "SA-MUG-001"),
            ]
        )
        result = self._sync_returns()
        self.assertEqual((result["review"], result["failed"]), (2, 0))
        no_order = self._return("RMA-NO-ORDER")
        self.assertEqual(no_order.state, "review")
        self.assertIn("999-0000000-0000001 was never imported", no_order.review_message)
        self.assertTrue(
            any("never imported" in message.body for message in no_order.message_ids),
            "said in the chatter",
        )
        wrong_sku = self._return("RMA-WRONG-SKU")
        self.assertEqual(wrong_sku.state, "review")
        self.assertIn("SKU SA-MUG-001 is not on order", wrong_sku.review_message)
        self.assertEqual(self._return(SEEDED_RMA).state, "to_receive", "the others are handled")
        self.assertGreater(
            self.account.returns_last_sync,
            fields.Datetime.now() - timedelta(minutes=5),
            "returns to review are recorded: the cursor moves on",
        )
        # The order is imported later and shipped: Retry handles the return.
        late = self._new_order("999-0000000-0000001", iso_ago(minutes=5))
        self.sandbox.add_orders([late])
        self._sync()
        self._ship(self._order("999-0000000-0000001"))
        no_order.action_retry()
        self.assertEqual(no_order.state, "to_receive")
        self.assertFalse(no_order.review_message)
        wrong_sku.action_close()
        self.assertEqual(wrong_sku.state, "cancel")

    def test_credit_note_when_invoiced(self):
        """With the option, receiving a return of an invoiced order drafts its credit note."""
        self.account.returns_credit_note = True
        self._sync()
        order = self._order(FBM_MULTI)
        self._ship(order)
        invoice = order._create_invoices()
        invoice.action_post()
        self.sandbox.add_returns([self._row(FBM_MULTI, "RMA-REFUND", "SA-TEE-BLK-M", 1)])
        self._sync_returns()
        ret = self._return("RMA-REFUND")
        self.assertFalse(ret.credit_note_id, "refunded when the goods are back")
        self._validate(ret.picking_ids)
        credit_note = ret.credit_note_id
        self.assertEqual(credit_note.move_type, "out_refund")
        self.assertEqual(credit_note.state, "draft", "an accountant posts it")
        self.assertEqual(
            credit_note.invoice_line_ids.product_id, self.products["SA-TEE-BLK-M"], "returned only"
        )
        self.assertEqual(credit_note.invoice_line_ids.quantity, 1)
        self.assertEqual(credit_note.invoice_line_ids.sale_line_ids, ret.line_ids.sale_line_id)
        self.assertAlmostEqual(credit_note.amount_total, 19.90)
        self.assertEqual(
            order.order_line.mapped("qty_to_invoice"),
            [0.0] * len(order.order_line),
            "nothing left to invoice or refund",
        )

    def test_warehouse_user_receives_return(self):
        """A warehouse user without Amazon or invoicing rights receives the return."""
        self.account.returns_credit_note = True
        self._sync()
        order = self._order(SHIPPED_FBM)
        order._create_invoices().action_post()
        self._sync_returns()
        ret = self._return(SEEDED_RMA)
        clerk = self.env["res.users"].create(
            {
                "name": "Warehouse clerk",
                "login": "returns_clerk",
                GROUPS_FIELD: [(6, 0, [self.env.ref("stock.group_stock_user").id])],
            }
        )
        self._validate(ret.picking_ids.with_user(clerk))
        self.assertEqual(ret.state, "done")
        self.assertEqual(ret.credit_note_id.state, "draft")

    def test_no_credit_note_without_option(self):
        """Without the option the return is left to invoicing: the order has a refund to make."""
        self._sync()
        order = self._order(FBM_MULTI)
        self._ship(order)
        order._create_invoices().action_post()
        self.sandbox.add_returns([self._row(FBM_MULTI, "RMA-NO-REFUND", "SA-TEE-BLK-M", 1)])
        self._sync_returns()
        ret = self._return("RMA-NO-REFUND")
        self._validate(ret.picking_ids)
        self.assertFalse(ret.credit_note_id)
        tee = ret.line_ids.sale_line_id
        self.assertEqual(tee.qty_to_invoice, -1, "the returned shirt is to refund")
        self.assertEqual(order.invoice_status, "to invoice")

    def test_report_pending_over_two_jobs(self):
        """The returns job asks for the report, comes back while Amazon works, reads it later."""
        self._sync()
        # Long enough that a loaded machine's first look still finds it in progress.
        self.sandbox.config(report_processing_seconds=15)
        cursor = self.account.returns_last_sync
        self.env["amazon.account"]._cron_sync_returns()
        run_amazon_jobs(self.env)
        self.assertTrue(self.account.returns_report_id, "the pending report is kept")
        self.assertFalse(self._return(SEEDED_RMA))
        self.assertEqual(self.account.returns_last_sync, cursor)
        later = self.env["queue.job"].search(
            [("method_name", "=", "_amazon_job_poll_returns"), ("state", "=", "pending")]
        )
        self.assertTrue(later.eta, "the next job comes back for it later, nobody sleeps")
        deadline = time.monotonic() + 120
        while not self._return(SEEDED_RMA) and time.monotonic() < deadline:
            time.sleep(0.2)  # Amazon prepares the report
            run_amazon_jobs(self.env, include_future=True)
        self.assertEqual(self._return(SEEDED_RMA).state, "to_receive")
        self.assertFalse(self.account.returns_report_id)
        self.assertGreater(self.account.returns_last_sync, cursor)
        self.assertEqual(len(self.sandbox.requests(operation="createReport")), 1)
        polls = [r for r in self.sandbox.requests(operation="getReport") if r["status"] == 200]
        self.assertGreaterEqual(len(polls), 2, "looked at again by a later job")

    def test_throttled_mid_run_resumes(self):
        """Throttled on the document: the report stays pending and the next run reads it."""
        self._sync()
        cursor = self.account.returns_last_sync
        self.sandbox.add_fault("getReportDocument", "throttle")
        result = self._sync_returns()
        self.assertTrue(result["throttled"])
        self.assertTrue(self.account.returns_report_id)
        self.assertEqual(self.account.returns_last_sync, cursor, "nothing recorded: cursor kept")
        self.assertFalse(self._return(SEEDED_RMA))
        self.reset_rate_limits()  # the retry delay has passed
        result = self._sync_returns()
        self.assertEqual((result["created"], result["throttled"]), (1, False))
        self.assertEqual(self._return(SEEDED_RMA).state, "to_receive")
        self.assertEqual(len(self.sandbox.requests(operation="createReport")), 1, "same report")

    def test_empty_report_moves_cursor(self):
        """A window without returns (Amazon cancels the report) moves the cursor on."""
        self.account.returns_last_sync = fields.Datetime.now() - timedelta(hours=1)
        result = self._sync_returns()
        self.assertEqual(result["created"], 0)
        self.assertFalse(self.account.returns_report_id)
        self.assertFalse(self.account.returns_sync_error)
        self.assertGreater(
            self.account.returns_last_sync, fields.Datetime.now() - timedelta(minutes=5)
        )

    def test_catch_up_in_60_day_windows(self):
        """A cursor 100 days old is caught up with reports of at most 60 days each."""
        self._sync()
        self.account.returns_last_sync = fields.Datetime.now() - timedelta(days=100)
        self._sync_returns()
        creates = self.sandbox.requests(operation="createReport")
        self.assertEqual(len(creates), 2)
        for create in creates:
            start = fields.Datetime.to_datetime(
                create["body"]["dataStartTime"][:19].replace("T", " ")
            )
            end = fields.Datetime.to_datetime(create["body"]["dataEndTime"][:19].replace("T", " "))
            self.assertLessEqual(end - start, timedelta(days=60), "Amazon's limit")
        self.assertEqual(self._return(SEEDED_RMA).state, "to_receive")
        self.assertGreater(
            self.account.returns_last_sync, fields.Datetime.now() - timedelta(minutes=5)
        )

    def test_sync_button_notifies(self):
        """The account's Sync returns button queues the import and says so at once."""
        self._sync()
        action = self.account.action_sync_returns()
        self.assertEqual(action["params"]["type"], "success")
        self.assertIn("queued", action["params"]["message"])
        run_amazon_jobs(self.env)
        self.assertTrue(self._return(SEEDED_RMA), "the queued job recorded the return")
