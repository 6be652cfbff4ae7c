"""The lowest price the connector may offer on Amazon for an account (issue 24).

Kept apart from ``amazon_account.py``: one small check that *Create on Amazon* calls before
anything is sent, and that the price sync can call on its own path. A price of 0 (a product
whose sales price was never set) would be sold for free: Amazon accepts and holds it.
"""

from odoo import _, fields, models
from odoo.exceptions import UserError


class AmazonAccount(models.Model):
    _inherit = "amazon.account"  # pylint: disable=consider-merging-classes-inherited

    price_floor = fields.Float(
        string="Lowest price",
        digits="Product Price",
        default=0.0,
        help="No offer is sent to Amazon below this price (taxes included, in the marketplace's "
        "currency); 0 still refuses a price of 0. Create on Amazon says which product and "
        "price were refused, and sends nothing.",
    )

    def _amazon_check_price(self, price, product, marketplace):
        """Refuse a price Amazon must not receive: 0 or less, or below the account's floor.

        :param price: the price about to be sent (taxes included, marketplace currency).
        :param product: ``product.product`` it is for (named in the message).
        :param marketplace: ``amazon.marketplace`` it is for.
        :return: ``price`` when it may be sent.
        :raise UserError: the price is 0 or below the floor; nothing may be sent.
        """
        self.ensure_one()
        currency = marketplace.currency_id
        if currency.compare_amounts(price, 0.0) <= 0:
            raise UserError(
                _(
                    "%(product)s would be offered on %(marketplace)s at %(price)s: set its sales "
                    "price (or the account's pricelist) first. Nothing was sent to Amazon.",
                    product=product.display_name,
                    marketplace=marketplace.name,
                    price=price,
                )
            )
        if self.price_floor and currency.compare_amounts(price, self.price_floor) < 0:
            raise UserError(
                _(
                    "%(product)s would be offered on %(marketplace)s at %(price)s, below the "
                    "lowest price of %(account)s (%(floor)s): raise its price or lower the "
                    "account's Lowest price. Nothing was sent to Amazon.",
                    product=product.display_name,
                    marketplace=marketplace.name,
                    price=price,
                    account=self.name,
                    floor=self.price_floor,
                )
            )
        return price
