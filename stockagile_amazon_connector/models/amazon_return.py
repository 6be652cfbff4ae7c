"""An Amazon return (RMA): recorded once per account, received through a return picking.

The path of a return reads as a sentence: the returns importer records the RMA and its lines →
``_amazon_process`` links it to the imported order and creates a return of the order's delivery
with the ERP's return wizard → a warehouse user validates that picking when the parcel arrives →
stock goes back (and the stock sync pushes the new quantity) → with the account's option, a
draft credit note of the returned lines is created from the order. Whatever cannot be done is
written on the return (*To review*) with what to do, and retried with *Retry*.
"""

import logging

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare, float_is_zero

from .. import odoo_compat

_logger = logging.getLogger(__name__)

RETURN_STATES = [
    ("draft", "New"),
    ("to_receive", "To receive"),
    ("done", "Received"),
    ("review", "To review"),
    ("cancel", "Cancelled"),
]
#: Words of Amazon's return request status meaning the buyer will not send anything back.
CANCELLED_STATUS_WORDS = ("reject", "cancel", "denied")


@odoo_compat.sql_constraints(
    (
        "rma_ref_unique",
        "UNIQUE(account_id, rma_ref)",
        "This Amazon return was already recorded for this account.",
    ),
)
class AmazonReturn(models.Model):
    """One Amazon return per account and RMA: also the return's binding.

    Unique on ``(account_id, rma_ref)``, the job that records a return takes this row first
    (``amazon.binding.mixin``), and ``amazon_last_update`` says which report was applied last.
    """

    _name = "amazon.return"
    _description = "Amazon Return"
    _inherit = ["mail.thread", "amazon.binding.mixin"]
    _amazon_binding_key = ("account_id", "rma_ref")
    _rec_name = "rma_ref"
    _order = "return_date desc, id desc"
    _check_company_auto = True

    account_id = fields.Many2one(
        "amazon.account", required=True, readonly=True, index=True, ondelete="restrict"
    )
    company_id = fields.Many2one(related="account_id.company_id", store=True, index=True)
    rma_ref = fields.Char(
        string="Amazon RMA ID", required=True, readonly=True, help="Amazon's return number."
    )
    seller_rma_ref = fields.Char(string="Seller RMA ID", readonly=True)
    amazon_last_update = fields.Datetime(
        string="Report of",
        readonly=True,
        copy=False,
        help="End of the window of Amazon's returns report last applied to this return: rows "
        "of an older report change nothing.",
    )
    amazon_order_ref = fields.Char(string="Amazon Order ID", readonly=True, index=True)
    sale_order_id = fields.Many2one(
        "sale.order", string="Order", readonly=True, index="btree_not_null", check_company=True
    )
    partner_id = fields.Many2one(related="sale_order_id.partner_id", string="Customer")
    return_date = fields.Datetime(
        string="Requested on", readonly=True, help="When the buyer asked for the return."
    )
    request_status = fields.Char(
        string="Amazon status", readonly=True, help="Return request status on Amazon."
    )
    return_carrier = fields.Char(readonly=True)
    tracking_ref = fields.Char(string="Tracking number", readonly=True)
    line_ids = fields.One2many("amazon.return.line", "return_id", string="Returned items")
    picking_ids = fields.Many2many(
        "stock.picking",
        "amazon_return_picking_rel",
        "return_id",
        "picking_id",
        string="Return pickings",
        readonly=True,
        copy=False,
    )
    picking_count = fields.Integer(compute="_compute_picking_count")
    # What Amazon sent, readable in the list even when the order was never imported.
    item_summary = fields.Char(
        string="Products", compute="_compute_summaries", help="What the buyer sends back."
    )
    reason_summary = fields.Char(
        string="Reason", compute="_compute_summaries", help="Why, in the buyer's words on Amazon."
    )
    credit_note_id = fields.Many2one("account.move", readonly=True, copy=False)
    review_message = fields.Text(readonly=True, copy=False)
    ignored = fields.Boolean(
        readonly=True, copy=False, help="Closed by a user without receiving it here."
    )
    state = fields.Selection(
        RETURN_STATES,
        compute="_compute_state",
        store=True,
        index=True,
        tracking=True,
        help="New: recorded, not handled yet.\n"
        "To receive: a return picking of the order's delivery waits for the parcel.\n"
        "Received: the return picking is validated; the stock is back.\n"
        "To review: it could not be handled (order never imported, SKU not on the order, "
        "quantity above what was delivered...); the message says what to do, then press Retry.\n"
        "Cancelled: rejected or cancelled on Amazon, or closed by a user.",
    )

    @api.model
    def _amazon_binding_insert_values(self, key_vals):
        """A new row carries its company and state (stored fields the SQL insert must fill)."""
        account = self.env["amazon.account"].browse(key_vals["account_id"])
        return {"company_id": account.company_id.id, "state": "draft"}

    @api.depends("line_ids.product_id", "line_ids.sku", "line_ids.item_name", "line_ids.reason")
    def _compute_summaries(self):
        for record in self:
            record.item_summary = ", ".join(
                line.product_id.display_name or line.item_name or line.sku or "?"
                for line in record.line_ids
            )
            record.reason_summary = ", ".join(
                dict.fromkeys(label for label in record.line_ids.mapped("reason_label") if label)
            )

    @api.depends("picking_ids")
    def _compute_picking_count(self):
        for record in self:
            record.picking_count = len(record.picking_ids)

    @api.depends("picking_ids.state", "review_message", "request_status", "ignored")
    def _compute_state(self):
        for record in self:
            pickings = record.picking_ids.filtered(lambda p: p.state != "cancel")
            if record.review_message:
                record.state = "review"
            elif record.ignored:
                record.state = "cancel"
            elif pickings:
                done = all(p.state == "done" for p in pickings)
                record.state = "done" if done else "to_receive"
            elif record.picking_ids or record._amazon_cancelled_on_amazon():
                record.state = "cancel"
            else:
                record.state = "draft"

    def _amazon_received(self):
        """True when every return picking that is not cancelled is done."""
        pickings = self.picking_ids.filtered(lambda p: p.state != "cancel")
        return bool(pickings) and all(p.state == "done" for p in pickings)

    def _amazon_cancelled_on_amazon(self):
        status = (self.request_status or "").lower()
        return any(word in status for word in CANCELLED_STATUS_WORDS)

    # ------------------------------------------------------------------
    # Processing
    # ------------------------------------------------------------------

    def _amazon_process(self):
        """Create what is missing (return picking, credit note); flag what cannot be done.

        Each return is handled in a savepoint: a problem is written on it (*To review*) and
        never raised, so an import run or a batch *Retry* goes on with the others.

        :return: the returns that are still to review.
        """
        for record in self:
            if record.ignored or (not record.picking_ids and record._amazon_cancelled_on_amazon()):
                record.review_message = False
                continue
            try:
                with self.env.cr.savepoint():
                    if not record.picking_ids:
                        record._amazon_create_return_pickings()
                    elif record._amazon_received():
                        record._amazon_create_credit_note()
            except UserError as error:
                record._amazon_flag(error.args[0])
            except Exception as error:
                _logger.exception("Amazon return %s could not be processed", record.rma_ref)
                record._amazon_flag(_("Unexpected error: %(error)s", error=repr(error)))
            else:
                if record.review_message:
                    record.review_message = False
                    record._message_log(body=_("Handled after review."))
        return self.filtered("review_message")

    def _amazon_flag(self, message):
        """Put the return to review with ``message`` (posted once in the chatter)."""
        self.ensure_one()
        _logger.info("Amazon return %s to review: %s", self.rma_ref, message)
        if self.review_message != message:
            self.review_message = message
            self._message_log(body=message)

    def _amazon_find_order(self):
        """The imported Amazon order of this return (linked on the return when found)."""
        self.ensure_one()
        if not self.sale_order_id and self.amazon_order_ref:
            self.sale_order_id = self.env["sale.order"].search(
                [
                    ("amazon_account_id", "=", self.account_id.id),
                    ("amazon_order_ref", "=", self.amazon_order_ref),
                ],
                limit=1,
            )
        return self.sale_order_id

    def _amazon_create_return_pickings(self):
        """Return the returned quantities from the order's done deliveries (the ERP's wizard).

        :raise UserError: the order was never imported, a SKU is not on it, more is returned
            than was delivered and not returned yet, or nothing was delivered from a warehouse.
        """
        self.ensure_one()
        order = self._amazon_find_order()
        if not order:
            raise UserError(
                _(
                    "Amazon order %(ref)s was never imported for account %(account)s. Import it "
                    "(or handle the return by hand and press Close), then press Retry.",
                    ref=self.amazon_order_ref or "?",
                    account=self.account_id.name,
                )
            )
        if order.amazon_fulfillment_channel == "fba":
            raise UserError(
                _(
                    "Order %(order)s was fulfilled by Amazon: Amazon receives its returns.",
                    order=order.name,
                )
            )
        if not self.line_ids:
            raise UserError(_("Amazon sent this return without any item."))
        plan, problems = self._amazon_return_plan(order)
        if problems:
            raise UserError("\n".join(problems))
        location = self.account_id.returns_location_id or order.warehouse_id.lot_stock_id
        for picking, quantities in plan.items():
            wizard = (
                self.env["stock.return.picking"]
                .with_context(
                    active_model="stock.picking",
                    active_id=picking.id,
                    active_ids=picking.ids,
                    amazon_return_location_id=location.id,
                )
                .create({"picking_id": picking.id})
            )
            for wizard_line in wizard.product_return_moves:
                wizard_line.quantity = quantities.get(wizard_line.move_id, 0.0)
            new_picking = wizard._create_return()
            new_picking.origin = _(
                "Amazon return %(rma)s of %(picking)s", rma=self.rma_ref, picking=picking.name
            )
            self.picking_ids = [fields.Command.link(new_picking.id)]
        self._message_log(
            body=_(
                "Return pickings %(pickings)s created: validate them when the parcel arrives.",
                pickings=", ".join(self.picking_ids.mapped("name")),
            )
        )

    def _amazon_return_plan(self, order):
        """``({delivery picking: {move: quantity}}, problems)`` for the returned lines."""
        plan, problems = {}, []
        lines = order.order_line.filtered(lambda line: not line.display_type)
        for line in self.line_ids:
            sale_lines = lines.filtered(
                lambda sol, sku=line.sku: sku
                and (sol.amazon_sku or sol.product_id.default_code) == sku
            )
            if not sale_lines:
                problems.append(
                    _(
                        "SKU %(sku)s is not on order %(order)s (%(ref)s): check what the buyer "
                        "sent back, receive it by hand if needed, then press Close.",
                        sku=line.sku or "?",
                        order=order.name,
                        ref=order.amazon_order_ref,
                    )
                )
                continue
            line.write(
                {"sale_line_id": sale_lines[0].id, "product_id": sale_lines[0].product_id.id}
            )
            if not line.quantity:
                problems.append(
                    _("The returned quantity of SKU %(sku)s is not a number.", sku=line.sku)
                )
                continue
            rounding = sale_lines[0].product_id.uom_id.rounding
            needed = line.quantity
            moves = sale_lines.move_ids.filtered(
                lambda move: move.state == "done"
                and move.picking_id
                and move.location_dest_id.usage == "customer"
            ).sorted(lambda move: (move.date, move.id))
            for move in moves:
                already = sum(
                    move.returned_move_ids.filtered(lambda m: m.state != "cancel").mapped(
                        "product_qty"
                    )
                ) + plan.get(move.picking_id, {}).get(move, 0.0)
                returnable = move.product_qty - already
                take = min(needed, returnable)
                if float_compare(take, 0, precision_rounding=rounding) <= 0:
                    continue
                quantities = plan.setdefault(move.picking_id, {})
                quantities[move] = quantities.get(move, 0.0) + take
                needed -= take
                if float_is_zero(needed, precision_rounding=rounding):
                    break
            if float_compare(needed, 0, precision_rounding=rounding) > 0:
                delivered = sum(moves.mapped("product_qty"))
                problems.append(
                    _(
                        "Amazon returns %(quantity)s of SKU %(sku)s but only %(left)s of the "
                        "%(delivered)s delivered on order %(order)s can still be returned: "
                        "validate its delivery first, or check the quantity.",
                        quantity=line.quantity,
                        sku=line.sku,
                        left=line.quantity - needed,
                        delivered=delivered,
                        order=order.name,
                    )
                )
        return plan, problems

    def _amazon_create_credit_note(self):
        """Draft credit note of the returned lines, from the order (the ERP's invoicing).

        Received returns lower the quantity to invoice of their order lines (see
        ``sale.order.line``); when the order was already invoiced, invoicing those lines again
        makes a credit note. Does nothing when the account's option is off, the order was never
        invoiced (its invoice will leave out what came back) or it is already done.
        """
        self.ensure_one()
        if self.credit_note_id or not self.account_id.returns_credit_note:
            return
        order = self.sale_order_id
        invoices = order.invoice_ids.filtered(
            lambda move: move.move_type == "out_invoice" and move.state == "posted"
        )
        if not invoices:
            return
        lines = self.line_ids.sale_line_id.filtered(lambda line: line.qty_to_invoice < 0)
        if not lines:
            return
        credit_note = order.with_context(amazon_invoice_line_ids=lines.ids)._create_invoices(
            final=True
        )
        credit_note.ref = _("Amazon return %(rma)s", rma=self.rma_ref)
        self.credit_note_id = credit_note[:1]
        self._message_log(
            body=_("Draft credit note created for the returned items; check and post it.")
        )

    def _amazon_on_received(self):
        """The return pickings are done: the stock is back; refund when the account says so."""
        received = self.filtered(lambda record: record.state == "done")
        for record in received:
            record._message_log(body=_("The returned items were received."))
        received.filtered(lambda r: r.account_id.returns_credit_note)._amazon_process()

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_retry(self):
        """Try again what was flagged (e.g. after the order was imported).

        What it stores for everyone (review reasons, notes) is written in the company's language.
        """
        left = self.browse()
        for record in self:
            lang = self.env["amazon.job.mixin"]._amazon_company_lang(record.account_id.company_id)
            left |= record.with_context(lang=lang)._amazon_process()
        if left:
            return self.env["amazon.account"]._notify(
                _("Still to review"), "\n".join(left.mapped("review_message")), "warning"
            )
        return True

    def action_close(self):
        """Close a return handled by hand: it is no longer to review nor to receive."""
        self.write({"ignored": True, "review_message": False})
        for record in self:
            record._message_log(body=_("Closed by hand."))
        return True

    def action_view_pickings(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("stock.action_picking_tree_all")
        if len(self.picking_ids) == 1:
            action.update(
                {"views": [(False, "form")], "view_mode": "form", "res_id": self.picking_ids.id}
            )
        else:
            action["domain"] = [("id", "in", self.picking_ids.ids)]
        action["context"] = {}
        return action

    def action_view_credit_note(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "view_mode": "form",
            "res_id": self.credit_note_id.id,
        }
