"""Two upload jobs of one invoice, on two database connections, really at the same time.

Each job runs as queue_job's runner does (``run_like_queue_job``), in a thread of its own, and
both meet at a barrier just before taking the invoice's row. The test commits its own account,
partner, tax and invoice and removes everything it committed afterwards.
"""

import threading
import uuid
from unittest.mock import patch

from odoo import SUPERUSER_ID, Command, api
from odoo.tests import TransactionCase, tagged

from ..models.amazon_binding_mixin import AmazonBindingMixin
from .common import SANDBOX_PACKAGE, AmazonSandboxMixin, sandbox_module, sandbox_url
from .test_invoice_upload import UNREACHABLE_URL
from .test_order_bindings import MEET_TIMEOUT, run_like_queue_job

SHIPPED_FBM = "402-9918273-1100456"  # seeded: shipped, 9.99 EUR of which 1.73 VAT


@tagged("post_install", "-at_install")
class TestInvoiceUploadsSideBySide(AmazonSandboxMixin, TransactionCase):
    """Two jobs of one invoice at once: the PDF reaches Amazon once."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sandbox = sandbox_module(f"{SANDBOX_PACKAGE}.control").SandboxControl(sandbox_url())
        cls.marketplace_es = cls.env.ref("stockagile_amazon_connector.amazon_marketplace_es")
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.env.company.id)], limit=1
        )

    def setUp(self):
        super().setUp()
        self.reset_amazon()
        self.sandbox.config(feed_processing_seconds=0)
        self.addCleanup(self.reset_rate_limits)
        self.tag = uuid.uuid4().hex[:8]
        self._commit_fixture()
        self.addCleanup(self._drop_fixture)

    def _committed(self):
        cr = self.registry.cursor()
        return cr, api.Environment(cr, SUPERUSER_ID, {})

    def _commit_fixture(self):
        """An account on the sandbox, a posted invoice of 9.99 (1.73 VAT) and its row."""
        cr, env = self._committed()
        with cr:
            cr.execute("SELECT COALESCE(MAX(id), 0) FROM queue_job")
            self.jobs_before = cr.fetchone()[0]
            parameters = env["ir.config_parameter"]
            self.report_url = parameters.get_param("report.url")
            parameters.set_param("report.url", UNREACHABLE_URL)  # see test_invoice_upload
            account = env["amazon.account"].create(
                self._amazon_account_values(name=f"Amazon ES ({self.tag})")
            )
            self.account_id = account.id
            tax = env["account.tax"].create(
                {"name": f"VAT 21 % ({self.tag})", "amount": 21, "type_tax_use": "sale"}
            )
            self.tax_id = tax.id
            partner = env["res.partner"].create({"name": f"Buyer {self.tag}"})
            self.partner_id = partner.id
            invoice = env["account.move"].create(
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "currency_id": env.ref("base.EUR").id,
                    "invoice_line_ids": [
                        Command.create(
                            {"name": "Cable", "price_unit": 8.26, "tax_ids": [Command.set(tax.ids)]}
                        )
                    ],
                }
            )
            invoice.action_post()
            self.move_id = invoice.id
            upload = env["amazon.invoice.upload"].create(
                {
                    "move_id": invoice.id,
                    "account_id": account.id,
                    "company_id": invoice.company_id.id,
                    "amazon_order_ref": SHIPPED_FBM,
                    "marketplace_id": self.marketplace_es.id,
                    "document_type": "invoice",
                }
            )
            self.upload_id = upload.id
            self.job_uuids = [
                upload._amazon_delay(account, None)._amazon_job_upload().uuid for _i in range(2)
            ]

    def _drop_fixture(self):
        """Remove every row the test committed."""
        cr, env = self._committed()
        with cr:
            env["queue.job"].search([("id", ">", self.jobs_before)]).unlink()
            move = env["account.move"].browse(self.move_id)
            move.amazon_upload_ids.unlink()
            move.button_draft()
            move.with_context(force_delete=True).unlink()
            env["amazon.account"].browse(self.account_id).unlink()
            env["res.partner"].browse(self.partner_id).unlink()
            env["account.tax"].browse(self.tax_id).unlink()
            env["ir.config_parameter"].set_param("report.url", self.report_url or False)

    def _state(self):
        cr, env = self._committed()
        with cr:
            return env["amazon.invoice.upload"].browse(self.upload_id).state

    def test_two_uploads_at_once_send_once(self):
        """Both jobs meet before taking the row: one uploads, the other sends nothing."""
        meet = threading.Barrier(2)
        original = AmazonBindingMixin._amazon_take_bindings
        racing = set()

        def take(records):
            if threading.current_thread() in racing:
                records.env.cr.execute("SELECT 1")  # the job's snapshot
                meet.wait(timeout=MEET_TIMEOUT)
            return original(records)

        outcomes = {}
        with patch.object(AmazonBindingMixin, "_amazon_take_bindings", take):
            threads = [
                threading.Thread(
                    target=lambda job=job: outcomes.update(
                        {job: run_like_queue_job(self.registry, job)}
                    )
                )
                for job in self.job_uuids
            ]
            racing.update(threads)
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=4 * MEET_TIMEOUT)
        self.assertFalse(any(thread.is_alive() for thread in threads), "a job hung")
        kinds = sorted(outcome[0] for outcome in outcomes.values())
        self.assertEqual(kinds, ["done", "retried"], outcomes)
        retried = next(job for job, outcome in outcomes.items() if outcome[0] == "retried")
        self.assertEqual(
            run_like_queue_job(self.registry, retried), ("done", "nothing to upload (sent)")
        )
        feeds = [
            feed
            for feed in self.sandbox.state()["feeds"].values()
            if feed["feedType"] == "UPLOAD_VAT_INVOICE"
        ]
        self.assertEqual(len(feeds), 1, "uploaded once")
        self.assertEqual(self._state(), "sent")
