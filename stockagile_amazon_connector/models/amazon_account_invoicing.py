"""The account's side of invoices on Amazon: the option, and the VAT Invoice Data Report.

Amazon reports whether it took each uploaded invoice in the VAT Invoice Data Report
(``GET_FLAT_FILE_VAT_INVOICE_DATA_REPORT``), not in the feed's processing report: a cron
queues one job per account with documents waiting for Amazon's verdict; the job asks for the
report, comes back while Amazon prepares it, then marks each document.
"""

import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools.translate import LazyTranslate

from ..services import AmazonError, AuthError, NotFoundError, ThrottledError, TransientError
from ..services.invoices import parse_vat_invoice_report
from .amazon_job_mixin import PRIORITY_BULK

_lt = LazyTranslate(__name__)

_logger = logging.getLogger(__name__)

#: Days of shipments and refunds the report covers (Amazon keeps 90 days of pending ones).
REPORT_DAYS = 30
#: Seconds before the job looks again at a report Amazon is still preparing.
REPORT_POLL_SECONDS = 60


class AmazonAccount(models.Model):
    _inherit = "amazon.account"  # pylint: disable=consider-merging-classes-inherited

    upload_invoices = fields.Boolean(
        string="Upload invoices to Amazon",
        compute="_compute_upload_invoices",
        store=True,
        readonly=False,
        help="Send the PDF of every invoice and credit note posted for an Amazon order to "
        "Amazon, where the buyer downloads it (Amazon requires it in its EU marketplaces "
        "within one business day of shipping). Untick it if Amazon issues your invoices "
        "through its VAT Calculation Service (VCS).",
    )
    invoice_report_ref = fields.Char(string="Pending invoice report", readonly=True, copy=False)
    invoice_report_error = fields.Text(readonly=True, copy=False)

    @api.depends("region")
    def _compute_upload_invoices(self):
        for account in self:
            account.upload_invoices = account.region == "eu"

    @api.model
    def _cron_read_invoice_reports(self):
        """Queue the report job of each account with documents awaiting Amazon's verdict."""
        accounts = (
            self.env["amazon.invoice.upload"]
            .sudo()
            .search([("state", "=", "sent")])
            .account_id.filtered("active")
        )
        for account in accounts:
            account._amazon_delay(
                account,
                "invoice_report",
                priority=PRIORITY_BULK,
                description=_lt(
                    "Amazon: read the VAT invoice report of %(name)s", name=account.name
                ),
            )._amazon_job_read_invoice_report()
        return accounts

    def _amazon_job_read_invoice_report(self):
        """Job: ask for (or read) the VAT Invoice Data Report and mark the documents."""
        self._amazon_claim_job()
        account = self.sudo()
        service = account._get_sp_api_service()
        with account._amazon_unit(account):
            try:
                if not account.invoice_report_ref:
                    now = fields.Datetime.now()
                    account.invoice_report_ref = service.create_vat_invoice_report(
                        account.marketplace_ids.mapped("api_ref"),
                        now - timedelta(days=REPORT_DAYS),
                        now,
                    )
                status = service.get_report(account.invoice_report_ref)
                if not status.done:
                    account._amazon_delay(
                        account,
                        "invoice_report_poll",
                        eta=REPORT_POLL_SECONDS,
                        description=_lt(
                            "Amazon: read the VAT invoice report of %(name)s", name=account.name
                        ),
                    )._amazon_job_read_invoice_report()
                    return "pending"
                rows = ()
                if status.processing_status == "DONE" and status.document_id:
                    rows = parse_vat_invoice_report(service.get_report_document(status.document_id))
            except (ThrottledError, TransientError, AuthError):
                raise
            except NotFoundError as error:
                account.write({"invoice_report_ref": False, "invoice_report_error": error.message})
                return "report lost"
            except AmazonError as error:
                account.write({"invoice_report_ref": False, "invoice_report_error": error.message})
                return "error"
        changed = self.env["amazon.invoice.upload"]._amazon_apply_report(account, rows)
        account.write({"invoice_report_ref": False, "invoice_report_error": False})
        return f"{changed} documents marked"
