from odoo import fields
from odoo.tests import new_test_user, tagged

from .test_offers import AmazonMarketplacesCase

SKU = "SA-MUG-001"


@tagged("post_install", "-at_install")
class TestPriceSources(AmazonMarketplacesCase):
    """A change of any source of the price (pricelist rule, variant extra, currency rate) reaches
    every marketplace of the account with the price Odoo would charge there."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.eur = cls.env.ref("base.EUR")
        cls.gbp = cls.env.ref("base.GBP")
        (cls.eur | cls.gbp).active = True

    def setUp(self):
        super().setUp()
        for marketplace in self.marketplaces - self.marketplace_es:
            self.sandbox.put_listing(SKU, marketplaceId=marketplace.api_ref, quantity=99)

    def _sent_prices(self, sku=SKU):
        """The price Amazon holds for ``sku`` in each marketplace of the account."""
        return {
            marketplace.code: self.sandbox.listing(sku, marketplace.api_ref)["price"]
            for marketplace in self.marketplaces
        }

    def _odoo_prices(self, product):
        """The price Odoo charges for ``product`` on each marketplace (what must be sent)."""
        listing = product.amazon_listing_ids
        return {
            marketplace.code: listing._amazon_price(marketplace)
            for marketplace in self.marketplaces
        }

    def _synced(self, product):
        self._set_inventory(product, 4)
        product.amazon_sync = True
        self._push()
        self.assertEqual(set(product.amazon_listing_ids.offer_ids.mapped("state")), {"synced"})
        self.sandbox.clear_requests()

    def _patched_marketplaces(self):
        return {
            str(request["query"]["marketplaceIds"]).strip("[]'\"")
            for request in self.sandbox.requests(operation="patchListingsItem")
        }

    def test_pricelist_rule_change_reaches_every_marketplace(self):
        """5 % → 10 % off in the account's pricelist: each marketplace gets the new price."""
        pricelist = self.env["product.pricelist"].create(
            {"name": "Amazon (test)", "currency_id": self.eur.id}
        )
        rule = self.env["product.pricelist.item"].create(
            {
                "pricelist_id": pricelist.id,
                "applied_on": "3_global",
                "compute_price": "percentage",
                "percent_price": 5.0,
            }
        )
        self.account.pricelist_id = pricelist
        mug = self._create_product(SKU, price=100.0)
        self._synced(mug)
        before = self._sent_prices()
        rule.percent_price = 10.0
        self._push()
        self.assertEqual(self._patched_marketplaces(), set(self.marketplaces.mapped("api_ref")))
        after = self._sent_prices()
        self.assertEqual(after, self._odoo_prices(mug))
        for code, price in after.items():
            self.assertAlmostEqual(price / before[code], 0.90 / 0.95, places=3)
        # A rule for the product alone, then its deletion: pushed both times.
        product_rule = rule.copy(
            {"applied_on": "0_product_variant", "product_id": mug.id, "percent_price": 20.0}
        )
        self._push()
        self.assertEqual(self._sent_prices(), self._odoo_prices(mug))
        product_rule.unlink()
        self._push()
        self.assertEqual(self._sent_prices(), after, "back to the 10 % off of the global rule")

    def test_variant_extra_change_reaches_every_marketplace(self):
        """A variant's extra price 5 → 7: every marketplace gets the variant's new price."""
        attribute = self.env["product.attribute"].create(
            {"name": "Size (test)", "value_ids": [(0, 0, {"name": "L"}), (0, 0, {"name": "XL"})]}
        )
        template = self.env["product.template"].create(
            {
                "name": "Mug (test)",
                "is_storable": True,
                "list_price": 20.0,
                "taxes_id": [(6, 0, [])],
                "attribute_line_ids": [
                    (
                        0,
                        0,
                        {
                            "attribute_id": attribute.id,
                            "value_ids": [(6, 0, attribute.value_ids.ids)],
                        },
                    )
                ],
            }
        )
        ptav_l = template.attribute_line_ids.product_template_value_ids.filtered(
            lambda ptav: ptav.name == "L"
        )
        ptav_l.price_extra = 5.0
        variant = template.product_variant_ids.filtered(
            lambda product: product.product_template_attribute_value_ids == ptav_l
        )
        variant.default_code = SKU
        self._synced(variant)
        before = self._sent_prices()
        self.assertEqual(before, self._odoo_prices(variant))
        ptav_l.price_extra = 7.0
        self._push()
        self.assertEqual(self._patched_marketplaces(), set(self.marketplaces.mapped("api_ref")))
        after = self._sent_prices()
        self.assertEqual(after, self._odoo_prices(variant))
        self.assertEqual(variant.lst_price, 27.0)
        for code, price in after.items():
            self.assertGreater(price, before[code], msg="the extra went up by 2")

    def test_currency_rate_change_reaches_every_marketplace(self):
        """A new rate of the pricelist's currency: the converted price reaches every market."""
        pricelist = self.env["product.pricelist"].create(
            {
                "name": "Amazon GBP (test)",
                "currency_id": self.gbp.id,
                "item_ids": [
                    (
                        0,
                        0,
                        {
                            "applied_on": "3_global",
                            "compute_price": "fixed",
                            "fixed_price": 50.0,
                        },
                    )
                ],
            }
        )
        self.account.pricelist_id = pricelist
        mug = self._create_product(SKU, price=10.0)
        company = self.env.company
        self._synced(mug)
        before = self._sent_prices()
        rate = self.gbp.with_company(company)._get_rates(company, fields.Date.today())[self.gbp.id]
        today = [
            ("currency_id", "=", self.gbp.id),
            ("company_id", "=", company.id),
            ("name", "=", fields.Date.today()),
        ]
        existing = self.env["res.currency.rate"].search(today)
        if existing:  # the pound is worth half as much from today
            existing.rate = rate * 2
        else:
            self.env["res.currency.rate"].create(
                {
                    "currency_id": self.gbp.id,
                    "company_id": company.id,
                    "name": fields.Date.today(),
                    "rate": rate * 2,
                }
            )
        self._push()
        self.assertEqual(self._patched_marketplaces(), set(self.marketplaces.mapped("api_ref")))
        after = self._sent_prices()
        self.assertEqual(after, self._odoo_prices(mug))
        for code, price in after.items():
            self.assertAlmostEqual(price, before[code] / 2, delta=0.02)

    def test_user_without_amazon_rights_edits_the_sources_as_before(self):
        """A sales and accounting manager with no Amazon right edits a rule, a variant extra
        and a rate as before; the pushes still reach Amazon."""
        pricelist = self.env["product.pricelist"].create(
            {"name": "Amazon (test)", "currency_id": self.eur.id}
        )
        rule = self.env["product.pricelist.item"].create(
            {"pricelist_id": pricelist.id, "compute_price": "percentage", "percent_price": 5.0}
        )
        self.account.pricelist_id = pricelist
        mug = self._create_product(SKU, price=100.0)
        self._synced(mug)
        manager = new_test_user(
            self.env,
            "price_sources_manager",
            groups="base.group_user,sales_team.group_sale_manager,product.group_product_manager,"
            "account.group_account_manager",
        )
        self.assertFalse(manager.has_group("stockagile_amazon_connector.group_amazon_user"))
        rule.with_user(manager).percent_price = 10.0
        self.env["res.currency.rate"].with_user(manager).create(
            {"currency_id": self.gbp.id, "name": fields.Date.today(), "rate": 0.5}
        )
        self._push()
        self.assertEqual(self._sent_prices(), self._odoo_prices(mug))
        self.assertEqual(self._patched_marketplaces(), set(self.marketplaces.mapped("api_ref")))

    def test_change_of_another_pricelist_sends_nothing(self):
        """A rule of a pricelist no Amazon account uses queues no push."""
        other = self.env["product.pricelist"].create({"name": "Shop (test)"})
        mug = self._create_product(SKU, price=30.0)
        self._synced(mug)
        self.env["product.pricelist.item"].create(
            {"pricelist_id": other.id, "compute_price": "percentage", "percent_price": 50.0}
        )
        self._push()
        self.assertEqual(self.sandbox.requests(operation="patchListingsItem"), [])
        self.assertFalse(mug.amazon_listing_ids.change_ids)

    def test_daily_reconciliation_pushes_the_differences(self):
        """The reconciliation sends the offers whose price differs from Odoo's, and counts them."""
        mug = self._create_product(SKU, price=30.0)
        self._synced(mug)
        offers = mug.amazon_listing_ids.offer_ids
        fr = offers.filtered(lambda offer: offer.marketplace_id.code == "FR")
        # Amazon holds another price on .fr (a change Odoo never announced).
        fr.last_price_sent = 12.0
        self.sandbox.put_listing(SKU, marketplaceId=fr.marketplace_id.api_ref, price=12.0)
        self.env["amazon.account"]._cron_reconcile_prices()
        self._push()
        self.assertEqual(self._patched_marketplaces(), {fr.marketplace_id.api_ref})
        self.assertEqual(self._sent_prices(), self._odoo_prices(mug))
        self.assertEqual(self.account.price_reconciled_count, 1)
        self.assertIn("1 offers", self.account.message_ids[:1].body)
        self.sandbox.clear_requests()
        self.env["amazon.account"]._cron_reconcile_prices()
        self._push()
        self.assertEqual(self.account.price_reconciled_count, 0, "nothing left to correct")
        self.assertEqual(self.sandbox.requests(operation="patchListingsItem"), [])

    def test_zero_price_is_refused_on_sync_with_nothing_sent(self):
        """A synced product whose price drops to 0 is refused on the offer; Amazon keeps its
        last price and receives no price."""
        mug = self._create_product(SKU, price=30.0)
        self._synced(mug)
        before = self._sent_prices()
        mug.list_price = 0.0
        self._push()
        offers = mug.amazon_listing_ids.offer_ids
        self.assertEqual(set(offers.mapped("state")), {"error"})
        self.assertIn("Nothing was sent to Amazon", offers[0].last_error)
        self.assertEqual(self.sandbox.requests(operation="patchListingsItem"), [])
        self.assertEqual(self._sent_prices(), before)

    def test_price_below_the_floor_is_refused_on_sync(self):
        """Below the account's floor on sync: refused on the offer, nothing sent."""
        mug = self._create_product(SKU, price=30.0)
        self._synced(mug)
        self.account.price_floor = 1000.0
        mug.list_price = 35.0
        self._push()
        offers = mug.amazon_listing_ids.offer_ids
        self.assertEqual(set(offers.mapped("state")), {"error"})
        self.assertIn("below the lowest price", offers[0].last_error)
        self.assertEqual(self.sandbox.requests(operation="patchListingsItem"), [])
        mug.list_price = 1000.0  # in the company's currency: above the floor in euros too
        self._push()
        self.assertEqual(set(offers.mapped("state")), {"synced"})
        self.assertEqual(set(self._sent_prices().values()), set(self._odoo_prices(mug).values()))
