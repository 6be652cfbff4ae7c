"""A currency rate created, changed or deleted moves the price of the Amazon offers converted
from or to its currency (issue 24): their price push is queued."""

from odoo import api, models


class ResCurrencyRate(models.Model):
    _inherit = "res.currency.rate"

    @api.model_create_multi
    def create(self, vals_list):
        rates = super().create(vals_list)
        rates._amazon_queue_prices()
        return rates

    def write(self, vals):
        result = super().write(vals)
        self._amazon_queue_prices()
        return result

    def unlink(self):
        rates = self.sudo()
        currencies, companies = rates.currency_id, rates.company_id
        everyone = any(not rate.company_id for rate in rates)
        result = super().unlink()
        self.env["amazon.price.watch"]._queue_currencies(
            currencies, None if everyone else companies
        )
        return result

    def _amazon_queue_prices(self):
        watch = self.env["amazon.price.watch"]
        rates = watch._rate_applies_today(self.sudo())
        if not rates:
            return
        everyone = any(not rate.company_id for rate in rates)
        watch._queue_currencies(rates.currency_id, None if everyone else rates.company_id)
