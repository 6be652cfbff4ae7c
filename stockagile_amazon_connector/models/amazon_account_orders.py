"""The order side of the Amazon account: import options, the order cursor and its crons.

Kept apart from ``amazon_account.py`` (connection and catalog) so that the order import reads in
one place; the import itself is ``amazon.order.importer``.
"""

import logging
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..services.const import USAGE_PLANS

_logger = logging.getLogger(__name__)

#: Shortest poll interval (minutes) that stays under searchOrders' sustained rate (1 per 3 min).
MIN_ORDER_SYNC_INTERVAL = int(-(-1 / USAGE_PLANS["searchOrders"].rate // 60))


class AmazonAccount(models.Model):
    _inherit = "amazon.account"

    sync_orders = fields.Boolean(
        string="Import orders", default=True, help="Import this account's Amazon orders."
    )
    orders_last_sync = fields.Datetime(
        string="Orders imported up to",
        copy=False,
        help="The import cursor: every order Amazon updated before this moment is in the ERP. It "
        "only moves past orders that were imported; an order that failed is retried next time.",
    )
    orders_next_sync = fields.Datetime(string="Next order import", readonly=True, copy=False)
    order_sync_interval = fields.Integer(
        string="Order import interval",
        default=5,
        help="Minutes between two polls of Amazon for orders. Amazon allows searchOrders about "
        "once every 3 minutes sustained.",
    )
    orders_sync_error = fields.Text(
        readonly=True, copy=False, help="Why orders of the last import failed (retried next time)."
    )
    fba_import = fields.Boolean(
        string="Import FBA orders",
        help="Import orders fulfilled by Amazon as sales already delivered from the Amazon stock "
        "location, so that reporting is complete; the warehouse's stock is not touched.",
    )
    fba_location_id = fields.Many2one(
        "stock.location",
        string="FBA stock location",
        check_company=True,
        domain="[('usage', '=', 'internal'), ('warehouse_id', '=', False)]",
        help="Where FBA sales are delivered from: outside every warehouse, so that FBM stock and "
        "the quantities sent to Amazon stay untouched. Created on the first FBA order if empty.",
    )
    anonymize_after_days = fields.Integer(
        string="Erase buyer data after (days)",
        default=30,
        help="Days after delivery (or cancellation) after which the buyer's name, address and "
        "phone are erased from the order's partners, as Amazon's data protection policy asks. "
        "0 keeps them.",
    )
    shipping_product_id = fields.Many2one(
        "product.product",
        string="Shipping product",
        default=lambda self: self.env.ref(
            "stockagile_amazon_connector.product_amazon_shipping", raise_if_not_found=False
        ),
        help="Product of the order lines charging Amazon's shipping fees.",
    )
    discount_product_id = fields.Many2one(
        "product.product",
        string="Promotion product",
        default=lambda self: self.env.ref(
            "stockagile_amazon_connector.product_amazon_promotion", raise_if_not_found=False
        ),
        help="Product of the negative order lines of Amazon promotions.",
    )
    order_ids = fields.One2many("sale.order", "amazon_account_id", string="Amazon orders")
    order_count = fields.Integer(compute="_compute_order_count")

    def _compute_order_count(self):
        counts = dict(
            self.env["sale.order"]._read_group(
                [("amazon_account_id", "in", self.ids)], ["amazon_account_id"], ["__count"]
            )
        )
        for account in self:
            account.order_count = counts.get(account, 0)

    @api.constrains("order_sync_interval")
    def _check_order_sync_interval(self):
        for account in self:
            if account.order_sync_interval < MIN_ORDER_SYNC_INTERVAL:
                raise ValidationError(
                    _(
                        "Amazon allows searching orders about once every %(minutes)s minutes: "
                        "the import interval cannot be shorter.",
                        minutes=MIN_ORDER_SYNC_INTERVAL,
                    )
                )

    # ------------------------------------------------------------------
    # Import
    # ------------------------------------------------------------------

    def action_sync_orders(self):
        """Import the orders Amazon updated since the last import, now."""
        results = [
            self.env["amazon.order.importer"]._sync_account(account, auto_commit=False)
            for account in self
        ]
        created = sum(r["created"] for r in results)
        updated = sum(r["updated"] for r in results)
        failed = sum(r["failed"] for r in results)
        message = _(
            "%(created)s orders imported, %(updated)s updated, %(failed)s failed.",
            created=created,
            updated=updated,
            failed=failed,
        )
        if any(r["throttled"] for r in results):
            message += " " + _("Amazon asked to slow down: the rest follows at the next import.")
        errors = "\n".join(filter(None, self.mapped("orders_sync_error")))
        if errors:
            message += "\n" + errors
        kind = "danger" if failed else "warning" if errors else "success"
        return self._notify(_("Amazon orders"), message, kind)

    @api.model
    def _cron_sync_orders(self, auto_commit=True):
        """Import orders of every active account whose poll interval has elapsed."""
        now = fields.Datetime.now()
        importer = self.env["amazon.order.importer"]
        for account in self.search([("sync_orders", "=", True)]):
            if account.orders_next_sync and account.orders_next_sync > now:
                continue
            importer._sync_account(account, auto_commit=auto_commit)

    def _schedule_next_order_sync(self, delay=None):
        """Set when the cron may poll this account again (``delay`` seconds, else its interval)."""
        self.ensure_one()
        seconds = delay if delay is not None else self.order_sync_interval * 60
        at = fields.Datetime.now() + timedelta(seconds=seconds)
        self.orders_next_sync = at
        if delay is not None:
            self.env.ref("stockagile_amazon_connector.ir_cron_amazon_sync_orders").sudo()._trigger(
                at
            )

    def _get_fba_location(self):
        """The account's FBA location, created outside any warehouse on first use."""
        self.ensure_one()
        if not self.fba_location_id:
            self.sudo().fba_location_id = (
                self.env["stock.location"]
                .sudo()
                .create(
                    {
                        "name": _("Amazon FBA (%(account)s)", account=self.name),
                        "usage": "internal",
                        "location_id": self.env.ref("stock.stock_location_locations").id,
                        "company_id": self.company_id.id,
                    }
                )
            )
        return self.fba_location_id

    # ------------------------------------------------------------------
    # Personal data
    # ------------------------------------------------------------------

    @api.model
    def _cron_anonymize_orders(self):
        """Erase buyer data of orders delivered or cancelled longer ago than each account says."""
        for account in self.search([("anonymize_after_days", ">", 0)]):
            limit = fields.Datetime.now() - timedelta(days=account.anonymize_after_days)
            orders = self.env["sale.order"].search(
                [
                    ("amazon_account_id", "=", account.id),
                    ("amazon_anonymized", "=", False),
                    ("state", "in", ("sale", "cancel")),
                ]
            )
            due = orders.filtered(lambda order, lim=limit: order._amazon_done_before(lim))
            due._amazon_anonymize()

    def action_view_amazon_orders(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "stockagile_amazon_connector.amazon_sale_order_action"
        )
        action["domain"] = [("amazon_account_id", "=", self.id)]
        action["context"] = {}
        return action
