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
#: Amazon wants the invoice within one business day of shipping (a day, counted simply).
INVOICE_DEADLINE = timedelta(days=1)
#: Orders older than this are not counted as lacking an invoice (Amazon's report keeps 90 days).
MISSING_INVOICE_DAYS = 90


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

    overview_invoice_missing_count = fields.Integer(
        string="Shipped orders without invoice on Amazon",
        compute="_compute_overview_invoices",
        help="Shipped Amazon orders of the last 90 days whose invoice Amazon does not have yet.",
    )
    overview_invoice_late_count = fields.Integer(
        string="Past Amazon's deadline",
        compute="_compute_overview_invoices",
        help="Of those, the ones shipped more than a day ago: Amazon counts them as missing.",
    )

    @api.depends_context("uid", "allowed_company_ids")
    def _compute_overview_invoices(self):
        for account in self:
            missing, late = account._amazon_orders_missing_invoice()
            account.overview_invoice_missing_count = len(missing)
            account.overview_invoice_late_count = len(late)

    def _amazon_orders_missing_invoice(self):
        """Shipped orders of the account whose invoice is not on Amazon, and those past the
        deadline (record rules apply).

        :return: ``(orders, late orders)``
        """
        self.ensure_one()
        orders = self.env["sale.order"]
        if not self.upload_invoices:
            return orders, orders
        now = fields.Datetime.now()
        orders = orders.search(
            [
                ("amazon_account_id", "=", self.id),
                ("state", "=", "sale"),
                ("date_order", ">=", now - timedelta(days=MISSING_INVOICE_DAYS)),
                "|",
                ("amazon_status", "=", "SHIPPED"),
                ("effective_date", "!=", False),
            ]
        )
        on_amazon = (
            self.env["amazon.invoice.upload"]
            .sudo()
            .search(
                [
                    ("sale_order_id", "in", orders.ids),
                    ("document_type", "=", "invoice"),
                    ("state", "in", ("sent", "uploaded")),
                ]
            )
            .sale_order_id
        )
        missing = orders - on_amazon
        late = missing.filtered(
            lambda order: (order.effective_date or order.amazon_last_update or order.date_order)
            < now - INVOICE_DEADLINE
        )
        return missing, late

    def action_overview_missing_invoices(self):
        """Open the shipped orders whose invoice Amazon does not have yet (the late ones with
        ``amazon_overview_late`` in the context)."""
        self.ensure_one()
        missing, late = self._amazon_orders_missing_invoice()
        orders = late if self.env.context.get("amazon_overview_late") else missing
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "stockagile_amazon_connector.amazon_sale_order_action"
        )
        action["domain"] = [("id", "in", orders.ids)]
        action["context"] = {}
        action["name"] = f"{action['name']} · {self.name}"
        return action

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
