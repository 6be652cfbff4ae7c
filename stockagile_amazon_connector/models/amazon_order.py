"""The binding of one Amazon order: what the connector last applied of it, and when.

One row per (account, Amazon order id), unique: OCA ``connector``'s binding. Every job that
imports or updates the order (a poll's page, an ORDER_CHANGE notification, a retried import)
first takes this row (:meth:`~.amazon_binding_mixin.AmazonBindingMixin._amazon_take_binding`),
then compares Amazon's ``lastUpdatedTime`` with the one it holds: an older change of Amazon
never overwrites a newer one, whatever the order in which the jobs run. The row exists from the
first time an order is seen, also when it is not imported (cancelled before it was payable):
so a late job of its earlier state cannot create it afterwards.

The sales order keeps the fields users see (``amazon_status``, ``amazon_last_update``); this
row is the connector's own record, read and written only by the importer.
"""

from odoo import api, fields, models

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
        if not self.amazon_last_update:
            return True
        if updated_at == self.amazon_last_update:
            return not self.sale_order_id
        return updated_at > self.amazon_last_update
