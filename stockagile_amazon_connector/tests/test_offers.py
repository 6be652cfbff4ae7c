from odoo.tests import tagged

from .common import AmazonTestCase, run_amazon_jobs

MARKETPLACES = ("es", "fr", "de", "it", "nl")
SKUS = ("SA-MUG-001", "SA-TEE-BLK-M", "SA-BOTTLE-750")


class AmazonMarketplacesCase(AmazonTestCase):
    """An account selling on ES, FR, DE, IT and NL (the offers' tests share it)."""

    @classmethod
    def _amazon_account_values(cls, **overrides):
        markets = [
            cls.env.ref(f"stockagile_amazon_connector.amazon_marketplace_{code}").id
            for code in MARKETPLACES
        ]
        return super()._amazon_account_values(marketplace_ids=[(6, 0, markets)], **overrides)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.marketplaces = cls.account.marketplace_ids


@tagged("post_install", "-at_install")
class TestOffers(AmazonMarketplacesCase):
    """One offer per listing and marketplace, on an account selling on ES, FR, DE, IT, NL."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.products = cls.env["product.product"]
        for number, sku in enumerate(SKUS):
            cls.products |= cls._create_product(sku, price=10.0 + number)

    def setUp(self):
        super().setUp()
        # The SKUs exist on Amazon in every marketplace (the seed has them on .es only).
        for sku in SKUS:
            for marketplace in self.marketplaces - self.marketplace_es:
                self.sandbox.put_listing(sku, marketplaceId=marketplace.api_ref, quantity=99)

    def _amazon_quantities(self, sku):
        return {
            marketplace.code: self.sandbox.listing(sku, marketplace.api_ref)["quantity"]
            for marketplace in self.marketplaces
        }

    def _run_all(self):
        """Run every job, those postponed (throttles) included, as the runner would."""
        return run_amazon_jobs(self.env, include_future=True, max_rounds=40)

    def test_quantity_and_price_per_marketplace(self):
        """Each marketplace gets its own patch, offer row, quantity and price."""
        mug = self.products[0]
        self._set_inventory(mug, 7)
        mug.amazon_sync = True
        self._push()
        offers = mug.amazon_listing_ids.offer_ids
        self.assertEqual(offers.marketplace_id, self.marketplaces)
        self.assertEqual(set(offers.mapped("state")), {"synced"})
        self.assertEqual(set(offers.mapped("last_quantity_sent")), {7})
        self.assertEqual(set(self._amazon_quantities("SA-MUG-001").values()), {7})
        patched = {
            str(request["query"]["marketplaceIds"]).strip("[]'\"")
            for request in self.sandbox.requests(operation="patchListingsItem")
        }
        self.assertEqual(patched, set(self.marketplaces.mapped("api_ref")))
        for marketplace in self.marketplaces:
            self.assertAlmostEqual(
                self.sandbox.listing("SA-MUG-001", marketplace.api_ref)["price"],
                offers.filtered(lambda o, m=marketplace: o.marketplace_id == m).last_price_sent,
            )
        self.assertEqual(mug.amazon_listing_ids.state, "synced")

    def test_error_in_one_marketplace_stays_there(self):
        """Amazon refusing one marketplace marks that offer only; the listing shows the error."""
        mug = self.products[0]
        self._set_inventory(mug, 3)
        mug.amazon_sync = True
        listing = mug.amazon_listing_ids
        nl = self.marketplaces.filtered(lambda m: m.code == "NL")
        # Amazon does not know the SKU on .nl.
        self.sandbox.reset()
        for marketplace in self.marketplaces - self.marketplace_es - nl:
            self.sandbox.put_listing("SA-MUG-001", marketplaceId=marketplace.api_ref)
        self._push()
        states = {offer.marketplace_id.code: offer.state for offer in listing.offer_ids}
        self.assertEqual(states.pop("NL"), "not_found")
        self.assertEqual(set(states.values()), {"synced"})
        self.assertEqual(listing.state, "not_found", "the listing summarises its offers")
        self.assertEqual(self._amazon_quantities_known("SA-MUG-001", nl), {3})

    def _amazon_quantities_known(self, sku, skip):
        return {
            self.sandbox.listing(sku, marketplace.api_ref)["quantity"]
            for marketplace in self.marketplaces - skip
        }

    def test_marketplace_added_gets_offers(self):
        """Adding a marketplace to the account gives the synced listings an offer there."""
        nl = self.marketplaces.filtered(lambda m: m.code == "NL")
        self.account.marketplace_ids -= nl
        mug = self.products[0]
        self._set_inventory(mug, 5)
        mug.amazon_sync = True
        self._push()
        self.assertEqual(len(mug.amazon_listing_ids.offer_ids), 4)
        self.sandbox.clear_requests()
        self.account.marketplace_ids |= nl
        self._push()
        self.assertEqual(len(mug.amazon_listing_ids.offer_ids), 5)
        self.assertEqual(self.sandbox.listing("SA-MUG-001", nl.api_ref)["quantity"], 5)
        self.assertEqual(len(self.sandbox.requests(operation="patchListingsItem")), 1)
