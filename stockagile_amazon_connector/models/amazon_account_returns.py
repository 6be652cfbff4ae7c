"""The returns side of the Amazon account: options, the returns cursor and its cron.

Kept apart from ``amazon_account.py`` like the orders side; the import itself is
``amazon.returns.importer``.
"""

from datetime import timedelta

from odoo import _, api, fields, models


class AmazonAccount(models.Model):
    _inherit = "amazon.account"  # pylint: disable=consider-merging-classes-inherited

    sync_returns = fields.Boolean(
        string="Import returns",
        default=True,
        help="Import the returns of merchant-fulfilled orders as return pickings.",
    )
    returns_last_sync = fields.Datetime(
        string="Returns imported up to",
        copy=False,
        help="The returns cursor: every return requested before this moment is recorded. It "
        "only moves once a whole returns report was read and each of its returns recorded.",
    )
    returns_report_id = fields.Char(
        string="Pending returns report",
        readonly=True,
        copy=False,
        help="Amazon is still generating this returns report; the next run reads it.",
    )
    returns_report_start = fields.Datetime(readonly=True, copy=False)
    returns_report_end = fields.Datetime(readonly=True, copy=False)
    returns_location_id = fields.Many2one(
        "stock.location",
        string="Returns location",
        check_company=True,
        domain="[('usage', '=', 'internal'), ('company_id', 'in', [company_id, False])]",
        help="Where returned items are received. Empty: the stock of the order's warehouse, so "
        "that they can be sold again at once. A location inside the account's warehouse counts "
        "in what Amazon sells; one outside (e.g. a quarantine) does not.",
    )
    returns_credit_note = fields.Boolean(
        string="Credit note on return",
        help="When a return is received and its order was invoiced, create a draft credit note "
        "of the returned items.",
    )
    returns_sync_error = fields.Text(
        readonly=True, copy=False, help="Why the last returns import stopped (retried next time)."
    )
    return_ids = fields.One2many("amazon.return", "account_id", string="Amazon returns")
    return_count = fields.Integer(compute="_compute_return_count")
    return_review_count = fields.Integer(compute="_compute_return_count")

    def _compute_return_count(self):
        groups = self.env["amazon.return"]._read_group(
            [("account_id", "in", self.ids)], ["account_id", "state"], ["__count"]
        )
        counts, review = {}, {}
        for account, state, count in groups:
            counts[account] = counts.get(account, 0) + count
            if state == "review":
                review[account] = count
        for account in self:
            account.return_count = counts.get(account, 0)
            account.return_review_count = review.get(account, 0)

    # ------------------------------------------------------------------
    # Import
    # ------------------------------------------------------------------

    def action_sync_returns(self):
        """Ask Amazon for the returns since the last import, now (or read the pending report)."""
        importer = self.env["amazon.returns.importer"]
        results = [importer._sync_account(account, auto_commit=False) for account in self]
        message = _(
            "%(created)s returns recorded, %(review)s to review.",
            created=sum(r["created"] for r in results),
            review=sum(r["review"] for r in results),
        )
        if any(r["pending"] for r in results):
            message += " " + _(
                "Amazon is still preparing the returns report: it is read at the next import."
            )
        if any(r["throttled"] for r in results):
            message += " " + _("Amazon asked to slow down: the rest follows at the next import.")
        errors = "\n".join(filter(None, self.mapped("returns_sync_error")))
        if errors:
            message += "\n" + errors
        kind = "danger" if errors else "warning" if any(r["review"] for r in results) else "success"
        return self._notify(_("Amazon returns"), message, kind)

    @api.model
    def _cron_sync_returns(self, auto_commit=True):
        """Import the returns of every active account that imports them."""
        importer = self.env["amazon.returns.importer"]
        for account in self.search([("sync_returns", "=", True)]):
            importer._sync_account(account, auto_commit=auto_commit)

    def _schedule_returns_run(self, seconds):
        """Wake the returns cron in ``seconds`` (a pending report, a throttle), never sleep."""
        cron = self.env.ref(
            "stockagile_amazon_connector.ir_cron_amazon_sync_returns", raise_if_not_found=False
        )
        if cron:
            cron.sudo()._trigger(fields.Datetime.now() + timedelta(seconds=max(int(seconds), 1)))

    def action_view_amazon_returns(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "stockagile_amazon_connector.amazon_return_action"
        )
        action["domain"] = [("account_id", "=", self.id)]
        action["context"] = {}
        return action
