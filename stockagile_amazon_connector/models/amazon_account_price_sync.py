"""The account's prices kept equal to Odoo's (issue 24): a new pricelist reprices every offer,
and a daily reconciliation pushes the offers whose price Odoo computes today differs from the
one Amazon last accepted.

Each source of the price queues its push when it changes (``amazon.price.watch``); the
reconciliation is the safety net for what no write announces: a currency rate or a pricelist
rule dated for today, a change made while the account was not sending prices.
"""

from odoo import _, api, fields, models


class AmazonAccount(models.Model):
    _inherit = "amazon.account"  # pylint: disable=consider-merging-classes-inherited

    price_reconciled_date = fields.Datetime(
        string="Prices reconciled on",
        readonly=True,
        help="When the daily reconciliation last compared Odoo's prices with those sent.",
    )
    price_reconciled_count = fields.Integer(
        string="Prices corrected",
        readonly=True,
        help="Offers whose price differed from Odoo's at the last reconciliation (pushed again).",
    )

    def write(self, vals):
        result = super().write(vals)
        if "pricelist_id" in vals or "sync_price" in vals:
            listings = self.sudo().filtered("sync_price").listing_ids.filtered("active")
            listings._queue_changes(kind="price")
        return result

    @api.model
    def _cron_reconcile_prices(self):
        """Daily: push the offers whose computed price differs from the last one sent."""
        accounts = self.search([("sync_price", "=", True)])
        for account in accounts:
            account._amazon_reconcile_prices()
        return accounts

    def _amazon_reconcile_prices(self):
        """Compare each synced offer's price with the one Amazon holds; queue those that
        differ. Offers pending, in error or under a feed are left to their own retry.

        :return: the offers queued.
        """
        self.ensure_one()
        offers = self.env["amazon.offer"].search(
            [
                ("account_id", "=", self.id),
                ("active", "=", True),
                ("state", "=", "synced"),
                ("feed_id", "=", False),
                ("marketplace_id", "in", self.marketplace_ids.ids),
            ]
        )
        stale = offers.filtered(
            lambda offer: offer.currency_id.compare_amounts(
                offer.listing_id._amazon_price(offer.marketplace_id), offer.last_price_sent
            )
            != 0
        )
        if stale:
            stale.listing_id._queue_changes(kind="price", offers=stale)
        self.write(
            {
                "price_reconciled_date": fields.Datetime.now(),
                "price_reconciled_count": len(stale),
            }
        )
        if stale:
            self.message_post(
                body=_(
                    "Price reconciliation: %(count)s offers had a price different from Odoo's "
                    "and are being sent again.",
                    count=len(stale),
                )
            )
        return stale
