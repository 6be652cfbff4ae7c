"""The Amazon overview: one card per account with what needs attention (issue 14).

Kept apart from ``amazon_account.py`` (the account's settings and actions): these are the
counts and shortcuts of *Sales > Amazon > Overview*, each opening the filtered list it counts.
"""

from odoo import api, fields, models
from odoo.exceptions import UserError

#: What a counter of the overview opens: the window action, the records' domain (the account
#: is added) and the search filter pre-selected so that the user sees why they are listed.
OVERVIEW_LISTS = {
    "listing_error": (
        "stockagile_amazon_connector.amazon_listing_action",
        "account_id",
        [("state", "=", "error")],
        "in_error",
    ),
    "listing_unknown": (
        "stockagile_amazon_connector.amazon_listing_action",
        "account_id",
        [("state", "=", "not_found")],
        "not_on_amazon",
    ),
    "listing_pending": (
        "stockagile_amazon_connector.amazon_listing_action",
        "account_id",
        [("state", "=", "pending")],
        "pending",
    ),
    "order_review": (
        "stockagile_amazon_connector.amazon_sale_order_action",
        "amazon_account_id",
        [("amazon_review_needed", "=", True)],
        "amazon_to_review",
    ),
    "order_unreadable": (
        "stockagile_amazon_connector.amazon_order_review_action",
        "account_id",
        [("to_review", "=", True)],
        "to_review",
    ),
    "shipment_awaiting": (
        "stockagile_amazon_connector.amazon_shipment_action",
        "account_id",
        [("state", "=", "awaiting_data")],
        "awaiting_data",
    ),
    "shipment_error": (
        "stockagile_amazon_connector.amazon_shipment_action",
        "account_id",
        [("state", "=", "error")],
        "error",
    ),
    "return_review": (
        "stockagile_amazon_connector.amazon_return_action",
        "account_id",
        [("state", "=", "review")],
        "to_review",
    ),
}


# One concern per file: the overview's counters extend the account beside its notifications
# (amazon_account_notification.py), each readable alone.
class AmazonAccount(models.Model):
    _inherit = "amazon.account"  # pylint: disable=consider-merging-classes-inherited

    overview_listing_error_count = fields.Integer(
        string="Listings in error", compute="_compute_overview_counts"
    )
    overview_listing_pending_count = fields.Integer(
        string="Listings pending", compute="_compute_overview_counts"
    )
    overview_order_review_count = fields.Integer(
        string="Orders to review",
        compute="_compute_overview_counts",
        help="Sales orders to review plus the Amazon orders that could not be read.",
    )
    overview_order_unreadable_count = fields.Integer(
        string="Unreadable orders", compute="_compute_overview_counts"
    )
    overview_shipment_awaiting_count = fields.Integer(
        string="Shipments awaiting data", compute="_compute_overview_counts"
    )
    overview_shipment_error_count = fields.Integer(
        string="Shipments in error", compute="_compute_overview_counts"
    )
    overview_return_review_count = fields.Integer(
        string="Returns to review", compute="_compute_overview_counts"
    )
    overview_last_stock_push = fields.Datetime(
        string="Last stock push",
        compute="_compute_overview_counts",
        help="When Amazon last accepted a quantity or price of one of this account's listings.",
    )

    @api.depends_context("uid", "allowed_company_ids")
    def _compute_overview_counts(self):
        """One grouped query per model for all the accounts shown (record rules apply).

        Listings are counted per offer (a SKU in one marketplace): a SKU refused on .de only
        is one error, whatever its other marketplaces say.
        """
        listings = {
            (account, state): (count, last)
            for account, state, count, last in self.env["amazon.offer"]._read_group(
                [("account_id", "in", self.ids), ("active", "=", True)],
                ["account_id", "state"],
                ["__count", "last_sync_date:max"],
            )
        }
        last_push = {}
        for (account, _state), (_count, last) in listings.items():
            if last and (account not in last_push or last > last_push[account]):
                last_push[account] = last
        orders = dict(
            self.env["sale.order"]._read_group(
                [("amazon_account_id", "in", self.ids), ("amazon_review_needed", "=", True)],
                ["amazon_account_id"],
                ["__count"],
            )
        )
        # Orders that could not be read have no sales order yet: to review all the same.
        unreadable = dict(
            self.env["amazon.order"]._read_group(
                [("account_id", "in", self.ids), ("to_review", "=", True)],
                ["account_id"],
                ["__count"],
            )
        )
        shipments = {
            (account, state): count
            for account, state, count in self.env["amazon.shipment"]._read_group(
                [("account_id", "in", self.ids), ("state", "in", ("awaiting_data", "error"))],
                ["account_id", "state"],
                ["__count"],
            )
        }
        returns = dict(
            self.env["amazon.return"]._read_group(
                [("account_id", "in", self.ids), ("state", "=", "review")],
                ["account_id"],
                ["__count"],
            )
        )
        for account in self:
            account.overview_listing_error_count = listings.get((account, "error"), (0,))[0]
            account.overview_listing_pending_count = listings.get((account, "pending"), (0,))[0]
            account.overview_order_unreadable_count = unreadable.get(account, 0)
            account.overview_order_review_count = (
                orders.get(account, 0) + account.overview_order_unreadable_count
            )
            account.overview_shipment_awaiting_count = shipments.get((account, "awaiting_data"), 0)
            account.overview_shipment_error_count = shipments.get((account, "error"), 0)
            account.overview_return_review_count = returns.get(account, 0)
            account.overview_last_stock_push = last_push.get(account, False)

    def action_overview_open(self):
        """Open the list a counter of the overview counts, filtered to this account.

        The counter is named by the button's context key ``amazon_overview`` (one of
        ``OVERVIEW_LISTS``); anything else is refused. *Orders to review* opens the orders
        Amazon sent that could not be read while there are any (nothing of them is in Odoo
        until they are fixed), else the sales orders to review.
        """
        self.ensure_one()
        kind = self.env.context.get("amazon_overview")
        if kind == "jobs":
            return self.action_view_jobs()
        if kind == "order_review" and self.overview_order_unreadable_count:
            # Unreadable orders first: nothing of them is in Odoo until they are fixed.
            kind = "order_unreadable"
        if kind not in OVERVIEW_LISTS:
            raise UserError(self.env._("Unknown list of the Amazon overview: %s", kind))
        xml_id, account_field, domain, search_filter = OVERVIEW_LISTS[kind]
        action = self.env["ir.actions.act_window"]._for_xml_id(xml_id)
        action["domain"] = [(account_field, "=", self.id), *domain]
        action["context"] = {f"search_default_{search_filter}": 1}
        action["name"] = f"{action['name']} · {self.name}"
        return action

    def action_overview_activity(self):
        """Open the graph of the account's last 14 days (orders imported, stock pushes)."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "stockagile_amazon_connector.amazon_activity_report_action"
        )
        action["domain"] = [("account_id", "=", self.id)]
        return action
