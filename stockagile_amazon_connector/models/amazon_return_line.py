from odoo import api, fields, models
from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)

#: Amazon's return reason codes (returns report, ``return_reason``) as a seller reads them.
#: A code not listed here is shown as Amazon sent it.
RETURN_REASONS = {
    "AMZ-PG-APP-TOO-LARGE": _lt("Too large"),
    "AMZ-PG-APP-TOO-SMALL": _lt("Too small"),
    "AMZ-PG-BAD-DESC": _lt("Not as described on the website"),
    "AMZ-PG-MISORDERED": _lt("Ordered by mistake"),
    "APPAREL_STYLE": _lt("Style not as expected"),
    "APPAREL_TOO_LARGE": _lt("Too large"),
    "APPAREL_TOO_SMALL": _lt("Too small"),
    "CR-DAMAGED_BY_CARRIER": _lt("Damaged in transit"),
    "CR-DAMAGED_BY_FC": _lt("Damaged before shipping"),
    "CR-DEFECTIVE": _lt("Defective or does not work"),
    "CR-EXTRA_ITEM": _lt("Extra item received"),
    "CR-FOUND_BETTER_PRICE": _lt("Better price found elsewhere"),
    "CR-MISSED_ESTIMATED_DELIVERY": _lt("Arrived too late"),
    "CR-MISSING_PARTS": _lt("Parts or accessories missing"),
    "CR-NOT_AS_DESCRIBED": _lt("Not as described on the website"),
    "CR-NOT_COMPATIBLE": _lt("Not compatible"),
    "CR-NO_REASON_GIVEN": _lt("No reason given"),
    "CR-ORDERED_WRONG_ITEM": _lt("Ordered by mistake"),
    "CR-QUALITY_UNACCEPTABLE": _lt("Quality not as expected"),
    "CR-SWITCHEROO": _lt("Item sent back is not the item sold"),
    "CR-UNAUTHORIZED_PURCHASE": _lt("Purchase not authorised by the buyer"),
    "CR-UNWANTED_ITEM": _lt("No longer needed"),
    "CR-WRONG_ITEM": _lt("Wrong item sent"),
    "NEVER_ARRIVED": _lt("Never arrived"),
    "UNDELIVERABLE_REFUSED": _lt("Refused by the buyer on delivery"),
    "UNDELIVERABLE_UNKNOWN": _lt("Undeliverable"),
}


class AmazonReturnLine(models.Model):
    """One returned SKU of an Amazon return (one row of the returns report)."""

    _name = "amazon.return.line"
    _description = "Amazon Return Line"
    _order = "return_id, id"

    return_id = fields.Many2one("amazon.return", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="return_id.company_id", store=True)
    sku = fields.Char(string="SKU", readonly=True, help="Merchant SKU returned by the buyer.")
    asin = fields.Char(string="ASIN", readonly=True)
    item_name = fields.Char(readonly=True)
    quantity = fields.Float(digits="Product Unit of Measure", readonly=True)
    reason = fields.Char(
        string="Reason code", readonly=True, help="Amazon's return reason code, e.g. CR-DEFECTIVE."
    )
    reason_label = fields.Char(
        string="Reason", compute="_compute_reason_label", help="Why the buyer sent it back."
    )
    resolution = fields.Char(readonly=True, help="Amazon's resolution, e.g. StandardRefund.")
    product_id = fields.Many2one("product.product", readonly=True)
    sale_line_id = fields.Many2one(
        "sale.order.line",
        string="Order line",
        readonly=True,
        help="The line of the Amazon order this SKU was sold on.",
    )

    @api.depends("reason")
    def _compute_reason_label(self):
        for line in self:
            label = RETURN_REASONS.get((line.reason or "").strip().upper())
            line.reason_label = str(label) if label else line.reason or False

    @api.model_create_multi
    def create(self, vals_list):
        """Name the product from the SKU Amazon sent, even before the order is found.

        A return to review (its order never imported, its SKU not on the order) then still
        shows what came back: the account's listing of that SKU, else the company's product
        with that internal reference.
        """
        lines = super().create(vals_list)
        for line in lines.filtered(lambda lin: lin.sku and not lin.product_id):
            line.product_id = line._amazon_product_from_sku()
        return lines

    def _amazon_product_from_sku(self):
        self.ensure_one()
        account = self.return_id.account_id
        listing = (
            self.env["amazon.listing"]
            .sudo()
            .with_context(active_test=False)
            .search([("account_id", "=", account.id), ("sku", "=", self.sku)], limit=1)
        )
        if listing:
            return listing.product_id
        return self.env["product.product"].search(
            [
                ("default_code", "=", self.sku),
                ("company_id", "in", (False, account.company_id.id)),
            ],
            limit=1,
        )
