"""Which offers a change of one of the price's sources concerns (issue 24).

The price sent to a marketplace is the price Odoo would charge there (see
``amazon.listing._amazon_price``): the account's pricelist and its rules (and the pricelists
those rules are based on), the currencies and their rates, the variant's extra price, the
product's sales price and included taxes. Each host model whose change moves that price calls
this watch, which queues a price push of the offers concerned only: a change that concerns no
Amazon account costs one query and queues nothing.

The host models are written by users without any Amazon right (a salesman editing a pricelist,
an accountant a rate): the watch reads Amazon's models as superuser only to queue the pushes,
and never changes anything else.
"""

from odoo import api, fields, models


class AmazonPriceWatch(models.AbstractModel):
    _name = "amazon.price.watch"
    _description = "Amazon: offers to reprice when a price source changes"

    @api.model
    def _price_accounts(self):
        """Active accounts that send prices (as superuser: the caller may have no Amazon
        right, and only the queue is written)."""
        return self.env["amazon.account"].sudo().search([("sync_price", "=", True)])

    @api.model
    def _pricelists_depending_on(self, pricelists):
        """``pricelists`` and every pricelist whose rules are based on one of them."""
        items = self.env["product.pricelist.item"].sudo().with_context(active_test=False)
        found = pricelists.sudo()
        todo = found
        while todo:
            based = items.search(
                [("base", "=", "pricelist"), ("base_pricelist_id", "in", todo.ids)]
            ).pricelist_id
            todo = based - found
            found |= todo
        return found

    @api.model
    def _queue_pricelists(self, pricelists, product_ids=None):
        """Queue the price push of the offers priced by ``pricelists`` (or by pricelists based
        on them).

        :param product_ids: only the listings of these ``product.product`` ids (None: every
            listing of the accounts concerned).
        """
        if not pricelists or product_ids == set():
            return
        accounts = self._price_accounts().filtered("pricelist_id")
        if not accounts:
            return
        pricelists = self._pricelists_depending_on(pricelists)
        accounts = accounts.filtered(lambda account: account.pricelist_id in pricelists)
        if not accounts:
            return
        domain = [("account_id", "in", accounts.ids), ("active", "=", True)]
        if product_ids is not None:
            domain.append(("product_id", "in", list(product_ids)))
        self.env["amazon.listing"].sudo().search(domain)._queue_changes(kind="price")

    @api.model
    def _queue_currencies(self, currencies, companies=None):
        """Queue the price push of the offers whose price converts from or to ``currencies``.

        An offer converts when the currency of its price's source (the account's pricelist,
        else the company's) differs from its marketplace's; a rate change of either currency,
        or of the company's currency (rates are relative to it), moves its price.

        :param companies: the rates' companies (None or empty: every company).
        """
        if not currencies:
            return
        accounts = self._price_accounts()
        if companies:
            accounts = accounts.filtered(lambda account: account.company_id in companies)
        offers = self.env["amazon.offer"].sudo()
        for account in accounts:
            source = account.pricelist_id.currency_id or account.company_id.currency_id
            company_currency = account.company_id.currency_id
            concerned = account.marketplace_ids.filtered(
                lambda marketplace, source=source, company_currency=company_currency: (
                    marketplace.currency_id != source
                    and (marketplace.currency_id | source | company_currency) & currencies
                )
            )
            if concerned:
                offers |= offers.search(
                    [
                        ("account_id", "=", account.id),
                        ("marketplace_id", "in", concerned.ids),
                        ("active", "=", True),
                    ]
                )
        if offers:
            offers.listing_id._queue_changes(kind="price", offers=offers)

    @api.model
    def _queue_products(self, products):
        """Queue the price push of the synced ``products`` (a variant's extra price changed)."""
        products.sudo().filtered("amazon_sync")._amazon_queue_price_changes()

    @api.model
    def _rate_applies_today(self, rates):
        """The rates among ``rates`` dated today or earlier (a future rate changes no price
        today: the daily reconciliation sends it when its day comes)."""
        today = fields.Date.context_today(self)
        return rates.filtered(lambda rate: not rate.name or rate.name <= today)
