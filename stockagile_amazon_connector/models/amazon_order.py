"""The binding of one Amazon order: what the connector last applied of it, and when.

One row per (account, Amazon order id), unique: OCA ``connector``'s binding. Every job that
imports or updates the order (a poll's page, an ORDER_CHANGE notification, a retried import)
first takes this row (:meth:`~.amazon_binding_mixin.AmazonBindingMixin._amazon_take_binding`),
then compares Amazon's ``lastUpdatedTime`` with the one it holds: an older change of Amazon
never overwrites a newer one, whatever the order in which the jobs run. The row exists from the
first time an order is seen, also when it is not imported (cancelled before it was payable):
so a late job of its earlier state cannot create it afterwards.

The sales order keeps the fields users see (``amazon_status``, ``amazon_last_update``); this
row is the connector's own record, written only by the importer.

An order Amazon sends in a form the importer cannot read (an amount "12,50", a status it does
not know, a marketplace the account does not have) has no sales order to show it: its binding is
then *to review*, with Amazon's raw data and the reason, in *Sales > Amazon > Orders to review*
for every Amazon user, and its job ends (it is not retried forever). *Retry* asks Amazon for
the order again and imports it; a newer update of the order is imported on its own and clears it.
"""

import json

from odoo import _, api, fields, models
from odoo.exceptions import AccessError

from .. import odoo_compat
from .sale_order import AMAZON_STATUSES


@odoo_compat.sql_constraints(
    (
        "order_ref_unique",
        "UNIQUE(account_id, amazon_order_ref)",
        "This Amazon order already has its binding for this account.",
    ),
)
class AmazonOrder(models.Model):
    _name = "amazon.order"
    _inherit = ["amazon.binding.mixin"]
    _description = "Amazon Order"
    _rec_name = "amazon_order_ref"
    _order = "id desc"
    _amazon_binding_key = ("account_id", "amazon_order_ref")

    account_id = fields.Many2one(
        "amazon.account", required=True, readonly=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="account_id.company_id", store=True, index=True)
    amazon_order_ref = fields.Char(string="Amazon Order ID", required=True, readonly=True)
    sale_order_id = fields.Many2one(
        "sale.order",
        string="Sales order",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
    )
    amazon_last_update = fields.Datetime(
        string="Last applied update",
        readonly=True,
        help="Amazon's lastUpdatedTime of the last state of the order the connector handled: "
        "an older state arriving later changes nothing.",
    )
    amazon_status = fields.Selection(
        AMAZON_STATUSES,
        readonly=True,
        help="The order's fulfillment status on Amazon at that update.",
    )

    to_review = fields.Boolean(
        string="To review",
        readonly=True,
        index=True,
        copy=False,
        help="The importer could not read Amazon's data of this order: see the reason and "
        "Amazon's data, fix what is wrong (the product, the account, or the order on Amazon) "
        "and press Retry.",
    )
    review_reason = fields.Text(string="Reason", readonly=True, copy=False)
    review_update = fields.Datetime(
        string="Update to review",
        readonly=True,
        copy=False,
        help="Amazon's lastUpdatedTime of the data that could not be read: polls do not import "
        "this same update again (Retry does); a newer update is imported on its own.",
    )
    raw_data = fields.Text(
        string="Amazon's data",
        readonly=True,
        copy=False,
        help="The order as Amazon sent it (JSON), kept while the order is to review; erased "
        "with the buyer data of old orders (the account's Erase buyer data after).",
    )

    @api.model
    def _amazon_binding_insert_values(self, key_vals):
        """A new row carries its company (a stored related field the SQL insert must fill)."""
        account = self.env["amazon.account"].browse(key_vals["account_id"])
        return {"company_id": account.company_id.id}

    def _amazon_is_newer(self, updated_at):
        """Whether Amazon's state at ``updated_at`` is to be handled (not older than applied).

        The same update is handled again only when it created no sales order (it was skipped:
        the account's options may have changed since); it never updates an order twice.
        """
        self.ensure_one()
        if self.to_review and self.review_update and updated_at <= self.review_update:
            # Unreadable at that update: Retry (or a newer update) imports it, never an older one.
            return False
        if not self.amazon_last_update:
            return True
        if updated_at == self.amazon_last_update:
            return not self.sale_order_id
        return updated_at > self.amazon_last_update

    # ------------------------------------------------------------------
    # Orders to review
    # ------------------------------------------------------------------

    def _amazon_set_to_review(self, data, updated_at, reason):
        """Keep Amazon's data of an order that could not be read, with the reason."""
        self.ensure_one()
        try:
            raw = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, default=str)
        except (TypeError, ValueError):
            raw = repr(data)
        self.write(
            {
                "to_review": True,
                "review_reason": reason,
                "review_update": updated_at or False,
                "raw_data": raw,
            }
        )

    def _amazon_review_values(self):
        """Values that clear the review once the order was read."""
        return {
            "to_review": False,
            "review_reason": False,
            "review_update": False,
            "raw_data": False,
        }

    def action_amazon_retry_import(self):
        """Ask Amazon for these orders again and import them (Amazon users of their companies).

        The order is read anew (getOrder), so a fix on Amazon's side or in the ERP (a product,
        the account's marketplaces) is taken into account. One that still cannot be read stays
        to review with the new reason.

        :raise AccessError: the caller is not an Amazon user, or may not read these orders.
        :raise UserError: Amazon could not be asked for an order.
        """
        if not self.env.is_superuser() and (
            not self.env.user.has_group("stockagile_amazon_connector.group_amazon_user")
            or self.env.user.has_group("stockagile_amazon_connector.group_amazon_integration")
        ):
            raise AccessError(_("Only Amazon Users may retry the import of Amazon orders."))
        self.check_access("read")
        importer = self.env["amazon.order.importer"].sudo()
        for binding in self.sudo():
            account = binding.account_id.with_company(binding.company_id)
            importer.with_company(binding.company_id)._reimport(account, binding.amazon_order_ref)
        self.invalidate_recordset()
        left = self.filtered("to_review")
        if left:
            message = "\n".join(
                _(
                    "Order %(ref)s is still to review: %(reason)s",
                    ref=b.amazon_order_ref,
                    reason=b.review_reason,
                )
                for b in left
            )
            kind = "warning"
        else:
            message = _(
                "Imported from Amazon: %(refs)s.", refs=", ".join(self.mapped("amazon_order_ref"))
            )
            kind = "success"
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("Amazon orders"),
                "message": message,
                "type": kind,
                "sticky": bool(left),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }
