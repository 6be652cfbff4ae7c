"""A slow feed per marketplace never holds nor overwrites the stock pushed in real time.

The account sells on ES, FR, DE, IT and NL; the sandbox processes feeds only after a few
seconds (Amazon takes minutes to hours), and applies a feed's quantities when it processes it,
overwriting whatever was patched meanwhile, as Amazon may.
"""

import time

from odoo.tests import tagged

from .test_offers import SKUS, AmazonMarketplacesCase

#: Seconds the sandbox would take to process a feed in these tests: far longer than a test (Amazon
#: takes minutes to hours), so the feeds are surely still processing while the stock moves; the
#: test then has Amazon finish them (``finish_jobs``) instead of waiting.
FEED_SECONDS = 3600.0
#: Seconds a test waits at most for the sandbox to process its feeds.
FEED_TIMEOUT = 240


@tagged("post_install", "-at_install")
class TestSlowFeeds(AmazonMarketplacesCase):
    """*Sync all* on five marketplaces while stock moves and SKUs leave sync."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.products = cls.env["product.product"]
        for number, sku in enumerate(SKUS):
            cls.products |= cls._create_product(sku, price=10.0 + number)

    def setUp(self):
        super().setUp()
        self.assertEqual(set(self.marketplaces.mapped("code")), {"ES", "FR", "DE", "IT", "NL"})
        # Throttling is another test's subject: here every job runs when the runner starts it.
        self.sandbox.config(rate_limits=False)
        for sku in SKUS:
            for marketplace in self.marketplaces:
                self.sandbox.put_listing(sku, marketplaceId=marketplace.api_ref, quantity=99)
        for product in self.products:
            self._set_inventory(product, 10)
        self.products.amazon_sync = True
        self._push()
        self.sandbox.clear_requests()
        self.sandbox.config(feed_processing_seconds=FEED_SECONDS)

    def _held(self, sku):
        return {
            marketplace.code: self.sandbox.listing(sku, marketplace.api_ref)["quantity"]
            for marketplace in self.marketplaces
        }

    def _everywhere(self, quantity):
        return dict.fromkeys(self.marketplaces.mapped("code"), quantity)

    def _sync_all(self):
        """*Sync all*: one feed per marketplace, each submitted by its own job."""
        self.account.action_sync_all_products()
        self._push()
        feeds = self.env["amazon.feed"].search([("account_id", "=", self.account.id)])
        self.assertEqual(feeds.marketplace_id, self.marketplaces, "one feed per marketplace")
        self.assertEqual(len(self.sandbox.requests(operation="createFeed")), 5)
        self.assertEqual(set(feeds.mapped("state")), {"submitted"}, "Amazon is processing")
        return feeds

    def _wait_for(self, feeds):
        """Amazon finishes the feeds; read their reports as their jobs do until all are read."""
        self.sandbox.finish_jobs()
        deadline = time.monotonic() + FEED_TIMEOUT
        while "submitted" in feeds.mapped("state") and time.monotonic() < deadline:
            time.sleep(1)  # waiting on the sandbox's state, not a fixed delay
            self._check_feeds()
        self.assertEqual(set(feeds.mapped("state")), {"done"}, "every report read")
        self._push()

    def test_stock_during_slow_feeds_reaches_amazon_and_stays(self):
        """Stock sold during five slow feeds is patched at once and Amazon ends at it."""
        mug = self.products[0]
        feeds = self._sync_all()
        self._set_inventory(mug, 4)
        self._push()
        self.assertEqual(set(feeds.mapped("state")), {"submitted"}, "the feeds are still slow")
        self.assertEqual(
            len(self.sandbox.requests(operation="patchListingsItem")),
            5,
            "one patch per marketplace at once: real time never waits for a feed",
        )
        self.assertEqual(self._held("SA-MUG-001"), self._everywhere(4))
        self._wait_for(feeds)
        self.assertEqual(self._held("SA-MUG-001"), self._everywhere(4), "no feed overwrote it")
        for product in self.products[1:]:
            self.assertEqual(self._held(product.default_code), self._everywhere(10))
        offers = self.products.amazon_listing_ids.offer_ids
        self.assertEqual(set(offers.mapped("state")), {"synced"})
        self.assertEqual(set(mug.amazon_listing_ids.offer_ids.mapped("last_quantity_sent")), {4})
        self.assertEqual(len(self.sandbox.requests(operation="createFeed")), 5, "no feed again")
        failed = self.env["queue.job"].search([("state", "=", "failed")])
        self.assertFalse(failed)

    def test_sku_leaving_sync_during_slow_feeds_stays_at_zero(self):
        """A SKU unticked while the feeds carrying it are processed ends at 0 everywhere."""
        tee = self.products[1]
        feeds = self._sync_all()
        tee.amazon_sync = False
        self._push()
        self.assertEqual(self._held("SA-TEE-BLK-M"), self._everywhere(0), "withdrawn at once")
        self._wait_for(feeds)
        self.assertEqual(self._held("SA-TEE-BLK-M"), self._everywhere(0), "and after the feeds")
        withdrawals = self.env["amazon.offer.withdrawal"].search([("sku", "=", "SA-TEE-BLK-M")])
        self.assertEqual(set(withdrawals.mapped("state")), {"done"})
        self.assertEqual(self._held("SA-MUG-001"), self._everywhere(10))
