"""Posted invoices and credit notes of Amazon orders go to Amazon (see amazon_invoice_upload)."""

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from .amazon_invoice_upload import UPLOAD_STATES


class AccountMove(models.Model):
    _inherit = "account.move"

    amazon_upload_ids = fields.One2many(
        "amazon.invoice.upload",
        "move_id",
        string="Amazon uploads",
        groups="stockagile_amazon_connector.group_amazon_user",
    )
    amazon_upload_state = fields.Selection(
        UPLOAD_STATES,
        string="On Amazon",
        compute="_compute_amazon_upload",
        search="_search_amazon_upload_state",
        groups="stockagile_amazon_connector.group_amazon_user",
        help="Whether the buyer finds this document on Amazon (Amazon orders only).",
    )
    amazon_upload_reason = fields.Text(
        string="Amazon's reason",
        compute="_compute_amazon_upload",
        groups="stockagile_amazon_connector.group_amazon_user",
    )

    @api.depends("amazon_upload_ids.state", "amazon_upload_ids.refusal_reason")
    def _compute_amazon_upload(self):
        for move in self:
            upload = move.sudo().amazon_upload_ids[:1]
            move.amazon_upload_state = upload.state
            move.amazon_upload_reason = upload.refusal_reason

    def _search_amazon_upload_state(self, operator, value):
        if operator in ("=", "!=") and not value:
            positive = operator == "!="
            return [("amazon_upload_ids", "!=" if positive else "=", False)]
        return [("amazon_upload_ids.state", operator, value)]

    def _post(self, soft=True):
        """Posted documents of Amazon orders are queued for Amazon (users without Amazon
        rights post exactly as before: the rows are written as superuser)."""
        posted = super()._post(soft=soft)
        self.env["amazon.invoice.upload"].sudo()._amazon_request(posted)
        return posted

    def action_amazon_upload(self):
        """Button *Upload to Amazon*: queue the upload of these documents again (refused or
        not sent yet); an uploaded or sent document is never sent twice.

        Only Amazon users who may read the documents; the rows are written as superuser.
        """
        if not self.env.user.has_group("stockagile_amazon_connector.group_amazon_user"):
            raise UserError(_("Only Amazon users upload invoices to Amazon."))
        self.check_access("read")
        uploads = self.sudo().amazon_upload_ids
        if not uploads:
            uploads = self.env["amazon.invoice.upload"].sudo()._amazon_request(self)
            return bool(uploads)
        return bool(uploads.with_env(self.env).action_upload())
