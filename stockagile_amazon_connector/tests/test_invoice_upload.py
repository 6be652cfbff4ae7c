from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from ..odoo_compat import GROUPS_FIELD
from .common import import_amazon_returns, run_amazon_jobs
from .test_order_import import SHIPPED_FBM, AmazonOrderCase

SEEDED_RMA = "DQkRv5LJRRMA"
#: Where wkhtmltopdf looks for the report's assets in tests: refused at once.
UNREACHABLE_URL = "http://127.0.0.1:9"


@tagged("post_install", "-at_install")
class TestInvoiceUpload(AmazonOrderCase):
    """Posted invoices and credit notes of Amazon orders → one UPLOAD_VAT_INVOICE feed each."""

    def setUp(self):
        super().setUp()
        self.sandbox.config(report_processing_seconds=0, feed_processing_seconds=0)
        # wkhtmltopdf renders without fetching the stylesheets from this server: in a test its
        # requests would wait for the test's own transaction (Odoo 19's test server answers).
        self.env["ir.config_parameter"].sudo().set_param("report.url", UNREACHABLE_URL)
        self._sync()
        self.order = self._order(SHIPPED_FBM)

    # helpers --------------------------------------------------------------------------------

    def _uploads(self):
        """The UPLOAD_VAT_INVOICE feeds Amazon received, oldest first, with their options."""
        state = self.sandbox.state()
        feeds = [
            feed for feed in state["feeds"].values() if feed["feedType"] == "UPLOAD_VAT_INVOICE"
        ]
        for feed in feeds:
            feed["document"] = state["documents"][feed["_input"]]
        return sorted(feeds, key=lambda feed: int(feed["feedId"]))

    def _row(self, move):
        return self.env["amazon.invoice.upload"].search([("move_id", "=", move.id)])

    def _read_report(self):
        """The scheduled read of the VAT Invoice Data Report, run now."""
        self.env["amazon.account"]._cron_read_invoice_reports()
        return run_amazon_jobs(self.env, include_future=True)

    def _invoice(self):
        invoice = self.order._create_invoices()
        invoice.action_post()
        return invoice

    # tests ----------------------------------------------------------------------------------

    def test_posted_invoice_uploaded_once(self):
        """Posting uploads Odoo's PDF once with Amazon's options; the report marks it uploaded."""
        self.assertTrue(self.account.upload_invoices, "on by default in the EU")
        invoice = self._invoice()
        self.assertEqual(self._row(invoice).state, "to_upload")
        run_amazon_jobs(self.env)
        row = self._row(invoice)
        self.assertEqual(row.state, "sent", row.refusal_reason)
        (feed,) = self._uploads()
        self.assertEqual(feed["marketplaceIds"], [self.marketplace_es.api_ref])
        self.assertEqual(
            feed["_options"],
            {
                "metadata:OrderId": SHIPPED_FBM,
                "metadata:InvoiceNumber": invoice.name,
                "metadata:DocumentType": "Invoice",
                "metadata:TotalAmount": "9.99",
                "metadata:TotalVATAmount": "1.73",
            },
        )
        self.assertEqual(feed["document"]["contentType"], "application/pdf")
        self.assertGreater(feed["document"]["size"], 1000, "Odoo's invoice PDF")
        self.assertEqual(row.feed_ref, feed["feedId"])
        self._read_report()
        self.assertEqual(row.state, "uploaded")
        self.assertEqual(invoice.amazon_upload_state, "uploaded")
        # Pressing again, or resetting and posting again, sends nothing more.
        invoice.action_amazon_upload()
        invoice.button_draft()
        invoice.action_post()
        run_amazon_jobs(self.env, include_future=True)
        self.assertEqual(len(self._uploads()), 1, "never uploaded twice")
        self.assertEqual(row.state, "uploaded")

    def test_credit_note_of_return_uploaded(self):
        """The credit note of an Amazon return is uploaded once, as a CreditNote."""
        self.account.returns_credit_note = True
        self.account.returns_last_sync = fields.Datetime.now() - timedelta(days=10)
        invoice = self._invoice()
        run_amazon_jobs(self.env)
        import_amazon_returns(self.env, self.account)
        ret = self.env["amazon.return"].search([("rma_ref", "=", SEEDED_RMA)])
        picking = ret.picking_ids
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
        picking.move_ids.picked = True
        picking.button_validate()
        credit_note = ret.credit_note_id
        self.assertEqual(credit_note.move_type, "out_refund")
        self.reset_rate_limits()  # Amazon's one invoice every three seconds has passed
        credit_note.action_post()
        run_amazon_jobs(self.env)
        row = self._row(credit_note)
        self.assertEqual(row.state, "sent", row.refusal_reason)
        first, second = self._uploads()
        self.assertEqual(first["_options"]["metadata:InvoiceNumber"], invoice.name)
        self.assertEqual(second["_options"]["metadata:DocumentType"], "CreditNote")
        self.assertEqual(second["_options"]["metadata:InvoiceNumber"], credit_note.name)
        self.assertEqual(second["_options"]["metadata:TotalAmount"], "9.99")
        self._read_report()
        self.assertEqual(self._row(credit_note).state, "uploaded")

    def test_wrong_currency_refused_nothing_sent(self):
        """A document in another currency than the marketplace's is refused in Odoo."""
        usd = self.env.ref("base.USD")
        usd.active = True
        invoice = self.order._create_invoices()
        invoice.currency_id = usd
        invoice.action_post()
        row = self._row(invoice)
        self.assertEqual(row.state, "refused")
        self.assertIn("USD", row.refusal_reason)
        run_amazon_jobs(self.env, include_future=True)
        self.assertFalse(self._uploads(), "nothing sent")
        self.assertFalse(self.sandbox.requests("createFeedDocument"))

    def test_totals_differing_refused_nothing_sent(self):
        """Totals that differ from Amazon's order are refused before anything is sent."""
        invoice = self.order._create_invoices()
        invoice.invoice_line_ids[:1].price_unit += 1
        invoice.action_post()
        run_amazon_jobs(self.env)
        row = self._row(invoice)
        self.assertEqual(row.state, "refused")
        self.assertIn("differ from Amazon's order", row.refusal_reason)
        self.assertEqual(invoice.amazon_upload_state, "refused")
        self.assertFalse(self._uploads(), "nothing sent")
        # Pressing again checks again and still sends nothing.
        invoice.action_amazon_upload()
        run_amazon_jobs(self.env, include_future=True)
        self.assertFalse(self._uploads())

    def test_upload_button_for_amazon_users_only(self):
        """An accountant without Amazon rights cannot press Upload to Amazon."""
        accountant = self.env["res.users"].create(
            {
                "name": "Accountant",
                "login": "h25_accountant",
                GROUPS_FIELD: [(6, 0, [self.env.ref("account.group_account_invoice").id])],
            }
        )
        invoice = self.order._create_invoices()
        invoice.with_user(accountant).action_post()
        self.assertEqual(self._row(invoice).state, "to_upload", "posting works as before")
        with self.assertRaises(UserError):
            invoice.with_user(accountant).action_amazon_upload()

    def test_account_without_upload_not_needed(self):
        """An account whose invoices Amazon issues (VCS) uploads nothing."""
        self.account.upload_invoices = False
        invoice = self._invoice()
        self.assertEqual(self._row(invoice).state, "not_needed")
        run_amazon_jobs(self.env, include_future=True)
        self.assertFalse(self._uploads())

    def test_overview_counts_shipped_orders_without_invoice(self):
        """The overview counts shipped orders lacking their invoice on Amazon, and late ones."""
        missing, late = self.account._amazon_orders_missing_invoice()
        self.assertIn(self.order, missing)
        self.assertNotIn(self.order, late, "delivered today: within Amazon's deadline")
        self.order.picking_ids.date_done = fields.Datetime.now() - timedelta(days=2)
        missing, late = self.account._amazon_orders_missing_invoice()
        self.assertIn(self.order, late, "delivered two days ago: past Amazon's deadline")
        self.account.invalidate_recordset()
        self.assertEqual(self.account.overview_invoice_missing_count, len(missing))
        self.assertEqual(self.account.overview_invoice_late_count, len(late))
        self._invoice()
        run_amazon_jobs(self.env)
        missing, late = self.account._amazon_orders_missing_invoice()
        self.assertNotIn(self.order, missing, "its invoice is on Amazon")
        action = self.account.action_overview_missing_invoices()
        self.assertEqual(action["domain"], [("id", "in", missing.ids)])
