"""Invoices on Amazon: each posted invoice or credit note of an Amazon order reaches the buyer.

In Amazon's EU marketplaces a seller who issues its own invoices must make each one available
to the buyer through Amazon within a business day of shipping; Amazon counts missing ones
against the account. The path of one document reads as a sentence: an invoice of an Amazon
order is posted → its row here (the binding, one per ``account.move``) is *To upload*, or
*Refused* at once with the reason when Odoo already knows Amazon would refuse it (cancelled
order, no number, a currency not the marketplace's) → a job takes the row first, checks
the totals against Amazon's order, renders Odoo's own invoice PDF (the report
``account.account_invoices``), checks its size and uploads it with the Feeds API
(``UPLOAD_VAT_INVOICE``, one feed per document, in the order's marketplace, paced at
createFeed's plan) → *Sent* → the account's scheduled read of the VAT Invoice Data Report marks
it *Uploaded* or *Refused* with Amazon's reason.

Nothing is uploaded twice: the row is unique per document and its job works only on a row *To
upload*, after locking it; posting again, pressing *Upload to Amazon* again or a second job
finds the row *Sent* or *Uploaded* and does nothing.
"""

import logging
from decimal import Decimal

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools.translate import LazyTranslate

from .. import odoo_compat
from ..services import AmazonError, AuthError, ThrottledError, TransientError
from ..services.invoices import CREDIT_NOTE, INVOICE, MAX_PDF_BYTES, VatInvoice
from .amazon_job_mixin import PRIORITY_BULK

_lt = LazyTranslate(__name__)

_logger = logging.getLogger(__name__)

#: The report whose PDF Amazon gets: Odoo's own invoice.
INVOICE_REPORT = "account.account_invoices"
#: Datasets of the getOrder call that reads Amazon's totals and status before an upload.
ORDER_DATA = ("FULFILLMENT", "PROCEEDS")

UPLOAD_STATES = [
    ("to_upload", "To upload"),
    ("sent", "Sent"),
    ("uploaded", "Uploaded"),
    ("refused", "Refused"),
    ("not_needed", "Not needed"),
]


@odoo_compat.sql_constraints(
    (
        "move_unique",
        "UNIQUE(move_id)",
        "An invoice or credit note is uploaded to Amazon once.",
    ),
)
class AmazonInvoiceUpload(models.Model):
    """The upload of one invoice or credit note of an Amazon order (see the module)."""

    _name = "amazon.invoice.upload"
    _inherit = ["amazon.job.mixin", "amazon.binding.mixin"]
    _description = "Amazon Invoice Upload (one posted invoice or credit note)"
    _order = "id desc"
    _rec_name = "move_id"
    _amazon_binding_key = ("move_id",)

    move_id = fields.Many2one(
        "account.move", required=True, readonly=True, index=True, ondelete="cascade"
    )
    account_id = fields.Many2one("amazon.account", readonly=True, index=True, ondelete="cascade")
    company_id = fields.Many2one("res.company", readonly=True, index=True)
    sale_order_id = fields.Many2one("sale.order", readonly=True, ondelete="set null")
    amazon_order_ref = fields.Char(string="Amazon Order ID", readonly=True)
    marketplace_id = fields.Many2one("amazon.marketplace", readonly=True, ondelete="set null")
    document_type = fields.Selection(
        [("invoice", "Invoice"), ("credit_note", "Credit note")], readonly=True
    )
    state = fields.Selection(
        UPLOAD_STATES,
        default="to_upload",
        required=True,
        readonly=True,
        index=True,
        help="To upload: Odoo's PDF is sent to Amazon within minutes, at Amazon's pace.\n"
        "Sent: Amazon has the PDF; its VAT Invoice Data Report will say whether it took it.\n"
        "Uploaded: the buyer finds the document on Amazon.\n"
        "Refused: Odoo or Amazon refused it; the reason says what to fix, then press Upload "
        "to Amazon.\n"
        "Not needed: the account does not upload invoices (Amazon issues them through its VAT "
        "Calculation Service).",
    )
    refusal_reason = fields.Text(string="Reason", readonly=True)
    feed_ref = fields.Char(string="Feed ID", readonly=True)
    transaction_ref = fields.Char(
        string="Transaction ID",
        readonly=True,
        help="Amazon's refund this credit note belongs to (from the VAT Invoice Data Report).",
    )
    sent_date = fields.Datetime(string="Sent on", readonly=True)
    done_date = fields.Datetime(string="Confirmed on", readonly=True)

    @api.model
    def _amazon_binding_insert_values(self, key_vals):
        """A row created by a job carries at least its document's company."""
        move = self.env["account.move"].browse(key_vals["move_id"])
        return {"company_id": move.company_id.id, "state": "to_upload"}

    # ------------------------------------------------------------------
    # Requests: posting, the button
    # ------------------------------------------------------------------

    @api.model
    def _amazon_order_of(self, move):
        """The Amazon sales order a customer invoice or credit note belongs to, if any."""
        orders = move.line_ids.sale_line_ids.order_id.filtered("amazon_order_ref")
        return orders[:1]

    @api.model
    def _amazon_request(self, moves):
        """Create the rows of posted customer documents of Amazon orders and queue their jobs.

        Documents of accounts that do not upload invoices get a row *Not needed*; a document
        whose row exists already (posted again after a reset to draft) keeps it: an uploaded
        one is never sent again, one *To upload* or *Refused* is checked and queued again.

        :return: the rows queued.
        """
        queued = self.browse()
        for move in moves.sudo().filtered(lambda m: m.move_type in ("out_invoice", "out_refund")):
            order = self._amazon_order_of(move)
            if not order or not order.amazon_account_id:
                continue
            upload = self.sudo().search([("move_id", "=", move.id)])
            if not upload:
                upload = self.sudo().create(self._amazon_values(move, order))
            elif upload.state in ("sent", "uploaded"):
                continue
            else:
                upload.write({**self._amazon_values(move, order), "refusal_reason": False})
            if upload.state == "not_needed":
                continue
            reason = upload._amazon_local_refusal()
            if reason:
                upload._amazon_refuse(reason)
                continue
            upload.state = "to_upload"
            queued |= upload
        queued._amazon_enqueue()
        return queued

    @api.model
    def _amazon_values(self, move, order):
        account = order.amazon_account_id
        return {
            "move_id": move.id,
            "account_id": account.id,
            "company_id": move.company_id.id,
            "sale_order_id": order.id,
            "amazon_order_ref": order.amazon_order_ref,
            "marketplace_id": order.amazon_marketplace_id.id,
            "document_type": "credit_note" if move.move_type == "out_refund" else "invoice",
            "state": "to_upload" if account.upload_invoices else "not_needed",
        }

    def _amazon_local_refusal(self):
        """Why Amazon would refuse this document, as far as Odoo knows it; else None."""
        self.ensure_one()
        move, order = self.move_id, self.sale_order_id
        if move.state != "posted":
            return _("The document is not posted.")
        if not move.name or move.name == "/":
            return _("The document has no number.")
        if order.amazon_status == "CANCELLED" or order.state == "cancel":
            return _("Amazon order %(order)s is cancelled.", order=self.amazon_order_ref)
        if not self.marketplace_id:
            return _("The order's marketplace is unknown.")
        currency = self.marketplace_id.currency_id
        if currency and move.currency_id != currency:
            return _(
                "The document is in %(currency)s but %(marketplace)s sells in %(expected)s: "
                "Amazon only takes documents in the marketplace's currency.",
                currency=move.currency_id.name,
                marketplace=self.marketplace_id.name,
                expected=currency.name,
            )
        return None

    def _amazon_refuse(self, reason):
        self.write({"state": "refused", "refusal_reason": reason})
        self.move_id._message_log(body=_("Not uploaded to Amazon: %(reason)s", reason=reason))

    def _amazon_enqueue(self):
        """One upload job per row (one pending job per row), after the bulk of imports."""
        for upload in self:
            upload._amazon_delay(
                upload.account_id,
                "upload",
                priority=PRIORITY_BULK,
                description=_lt(
                    "Amazon: upload %(document)s of order %(order)s",
                    document=upload.move_id.name,
                    order=upload.amazon_order_ref,
                ),
            )._amazon_job_upload()

    def action_upload(self):
        """Button *Upload to Amazon*: check and queue the documents not uploaded yet.

        For Amazon Users who may read the documents; the rows are written as superuser.
        """
        if not self.env.user.has_group("stockagile_amazon_connector.group_amazon_user"):
            raise UserError(_("Only Amazon users upload invoices to Amazon."))
        self.check_access("read")
        moves = self.sudo().filtered(lambda row: row.state in ("to_upload", "refused")).move_id
        return self.env["amazon.invoice.upload"]._amazon_request(moves)

    @api.model
    def _cron_retry_pending(self):
        """Safety net: queue the rows still *To upload* (their job may have been lost)."""
        rows = self.sudo().search([("state", "=", "to_upload")])
        rows._amazon_enqueue()
        return rows

    # ------------------------------------------------------------------
    # Job
    # ------------------------------------------------------------------

    def _amazon_job_upload(self):
        """Job: upload this document's PDF to Amazon, once."""
        self._amazon_claim_job()
        upload = self.sudo()._amazon_take_bindings()
        if upload.state != "to_upload":
            return f"nothing to upload ({upload.state or 'deleted'})"
        account = upload.account_id
        if not account.active or not account.upload_invoices:
            upload.state = "not_needed"
            return "not needed"
        reason = upload._amazon_local_refusal()
        if reason:
            upload._amazon_refuse(reason)
            return "refused"
        move = upload.move_id
        service = account._get_sp_api_service()
        with upload._amazon_unit(account):
            try:
                order = service.get_order(upload.amazon_order_ref, included_data=ORDER_DATA)
                reason = upload._amazon_order_refusal(order)
                if reason:
                    upload._amazon_refuse(reason)
                    return "refused"
                pdf = upload._amazon_render_pdf()
                if len(pdf) > MAX_PDF_BYTES:
                    upload._amazon_refuse(
                        _(
                            "The PDF is %(size).1f MB; Amazon takes at most %(limit)s MB.",
                            size=len(pdf) / 1048576,
                            limit=MAX_PDF_BYTES // 1048576,
                        )
                    )
                    return "refused"
                feed_ref = service.upload_vat_invoice(
                    upload.marketplace_id.api_ref,
                    pdf,
                    VatInvoice(
                        order_id=upload.amazon_order_ref,
                        invoice_number=move.name,
                        total_amount=upload._amazon_amount(move.amount_total),
                        total_vat_amount=upload._amazon_amount(move.amount_tax),
                        document_type=CREDIT_NOTE
                        if upload.document_type == "credit_note"
                        else INVOICE,
                        transaction_id=upload.transaction_ref or "",
                    ),
                )
            except (ThrottledError, TransientError, AuthError):
                raise  # the job is retried at Amazon's pace
            except AmazonError as error:
                upload._amazon_refuse(error.message)
                return "refused"
        upload.write({"state": "sent", "feed_ref": feed_ref, "sent_date": fields.Datetime.now()})
        return f"sent (feed {feed_ref})"

    def _amazon_amount(self, amount):
        return Decimal(str(self.move_id.currency_id.round(amount))).quantize(Decimal("0.01"))

    def _amazon_order_refusal(self, order):
        """Why Amazon would refuse this document for ``order`` (its getOrder), else None."""
        move = self.move_id
        status = (order.get("fulfillment") or {}).get("fulfillmentStatus")
        if status == "CANCELLED":
            return _("Amazon order %(order)s is cancelled.", order=self.amazon_order_ref)
        proceeds = order.get("proceeds") or {}
        grand = proceeds.get("grandTotal") or {}
        if not grand.get("amount"):
            return None
        if grand.get("currencyCode") and grand["currencyCode"] != move.currency_id.name:
            return _(
                "Amazon's order is in %(amazon)s, the document in %(currency)s.",
                amazon=grand["currencyCode"],
                currency=move.currency_id.name,
            )
        total = Decimal(grand["amount"])
        vat = sum(
            (
                Decimal(part["subtotal"]["amount"])
                for part in proceeds.get("breakdowns") or ()
                if part.get("type") == "TAX"
            ),
            Decimal(0),
        )
        amount, vat_amount = (
            self._amazon_amount(move.amount_total),
            self._amazon_amount(move.amount_tax),
        )
        if self.document_type == "credit_note":
            if amount > total:
                return _(
                    "The credit note's total %(amount)s exceeds Amazon's order total %(total)s.",
                    amount=amount,
                    total=total,
                )
            return None
        if amount != total or vat_amount != vat:
            return _(
                "The invoice's totals (%(amount)s, VAT %(vat)s) differ from Amazon's order "
                "(%(total)s, VAT %(amazon_vat)s): Amazon refuses totals that differ by a cent. "
                "Correct the invoice (a credit note and a new invoice), then press Upload to "
                "Amazon.",
                amount=amount,
                vat=vat_amount,
                total=total,
                amazon_vat=vat,
            )
        return None

    def _amazon_render_pdf(self):
        """Odoo's own invoice PDF of the document (the host's report, its usual layout)."""
        report = self.env["ir.actions.report"].with_context(force_report_rendering=True)
        pdf, _kind = report._render_qweb_pdf(INVOICE_REPORT, self.move_id.ids)
        return pdf

    # ------------------------------------------------------------------
    # The VAT Invoice Data Report's verdicts
    # ------------------------------------------------------------------

    @api.model
    def _amazon_apply_report(self, account, rows):
        """Mark the account's documents from the report's rows; return how many changed.

        A shipment row names the invoice uploaded for it; a refund row its credit note. Rows
        are matched by order and document number; a refund row still pending gives its
        transaction id to the order's credit note not sent yet.
        """
        changed = 0
        uploads = self.sudo().search(
            [("account_id", "=", account.id), ("state", "in", ("to_upload", "sent"))]
        )
        by_number = {(row.amazon_order_ref, row.move_id.name): row for row in uploads}
        for row in rows:
            upload = by_number.get((row.order_id, row.invoice_number))
            if (
                upload is None
                and row.transaction_type.lower() == "refund"
                and row.invoice_status != "Uploaded"
            ):
                pending = uploads.filtered(
                    lambda u, row=row: u.amazon_order_ref == row.order_id
                    and u.state == "to_upload"
                    and u.document_type == "credit_note"
                    and not u.transaction_ref
                )
                pending[:1].transaction_ref = row.transaction_id
                continue
            if upload is None or upload.state != "sent":
                continue
            if row.invoice_status == "Uploaded":
                upload.write({"state": "uploaded", "done_date": fields.Datetime.now()})
                changed += 1
            elif row.invoice_status == "Failed":
                upload._amazon_refuse(
                    row.invoice_status_description or _("Amazon refused the document.")
                )
                changed += 1
        return changed
