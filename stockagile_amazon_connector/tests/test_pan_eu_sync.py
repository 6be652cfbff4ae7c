"""*Sync all* on five marketplaces: one feed per marketplace per press, whatever Amazon's pace;
and an account that stops selling somewhere withdraws its offers there.

Two faults a Pan-EU seller met: the report of a press's feed pushed the next press's offers one
by one (so that press's feed job found nothing to send), and a throttled ``createFeed`` held the
feed jobs for minutes, long enough for the safety net to patch their offers instead, while every
retry uploaded the feed's document again.
"""

from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .common import run_amazon_jobs
from .test_offers import SKUS, AmazonMarketplacesCase


class PanEuCase(AmazonMarketplacesCase):
    """Three synced SKUs on ES, FR, DE, IT and NL, Amazon holding Odoo's 10 units."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.products = cls.env["product.product"]
        for number, sku in enumerate(SKUS):
            cls.products |= cls._create_product(sku, price=10.0 + number)

    def setUp(self):
        super().setUp()
        for sku in SKUS:
            for marketplace in self.marketplaces:
                self.sandbox.put_listing(sku, marketplaceId=marketplace.api_ref, quantity=99)
        for product in self.products:
            self._set_inventory(product, 10)
        self.products.amazon_sync = True
        run_amazon_jobs(self.env, include_future=True, max_rounds=40)
        # A feed's record is dated by the test transaction's clock, its start: date these
        # patches before it too, as they were (else every feed's report pushes them again).
        self.env["amazon.offer"].search([("account_id", "=", self.account.id)]).write(
            {"last_patch_date": self.env.cr.now() - timedelta(minutes=1)}
        )
        self.sandbox.clear_requests()
        self.addCleanup(self.reset_rate_limits)

    def _held(self, sku):
        return {
            marketplace.code: self.sandbox.listing(sku, marketplace.api_ref)["quantity"]
            for marketplace in self.marketplaces
        }

    def _everywhere(self, quantity):
        return dict.fromkeys(self.marketplaces.mapped("code"), quantity)

    def _requests(self, operation, status=None):
        return [
            request
            for request in self.sandbox.requests(operation=operation)
            if status is None or request["status"] == status
        ]

    def _feeds(self):
        return self.env["amazon.feed"].search([("account_id", "=", self.account.id)])

    def _feed_jobs(self, states=("pending",)):
        return (
            self.env["queue.job"]
            .sudo()
            .search(
                [
                    ("identity_key", "=like", f"amazon:amazon.account:{self.account.id}:feed:%"),
                    ("state", "in", list(states)),
                ]
            )
        )

    def _push_jobs(self):
        return (
            self.env["queue.job"]
            .sudo()
            .search(
                [
                    ("identity_key", "=like", "amazon:amazon.offer:%:push"),
                    ("state", "=", "pending"),
                ]
            )
        )


@tagged("post_install", "-at_install")
class TestFeedPacing(PanEuCase):
    """createFeed's pace is checked before uploading, and a throttled feed keeps its document."""

    def test_throttled_create_feed_reuses_its_uploaded_document(self):
        """Amazon throttles one createFeed: that feed is created later with the same document."""
        # Amazon at a test's pace: a throttled createFeed may be tried again at once.
        self.sandbox.config(rate_plans={"createFeed": [50, 15]})
        self.sandbox.add_fault("createFeed", "throttle", count=1)
        self.account.action_sync_all_products()
        run_amazon_jobs(self.env, include_future=True, max_rounds=40)
        throttled = self._requests("createFeed", 429)
        accepted = self._requests("createFeed", 202)
        self.assertEqual(len(throttled), 1)
        self.assertEqual(len(accepted), 5, "one feed per marketplace")
        self.assertEqual(len(self._requests("createFeedDocument", 201)), 5, "uploaded once each")
        self.assertIn(
            throttled[0]["body"]["inputFeedDocumentId"],
            {request["body"]["inputFeedDocumentId"] for request in accepted},
            "the throttled feed was created with the document it had uploaded",
        )
        feeds = self._feeds()
        self.assertEqual(feeds.marketplace_id, self.marketplaces)
        self.assertEqual(set(feeds.mapped("state")), {"done"})
        self.assertTrue(all(feeds.mapped("feed_ref")) and all(feeds.mapped("document_ref")))
        for sku in SKUS:
            self.assertEqual(self._held(sku), self._everywhere(10))

    def test_create_feed_pace_is_checked_before_uploading(self):
        """While createFeed must wait, the feed jobs upload nothing and wait; then they send."""
        service = self.account._get_sp_api_service()
        service.limiter.penalize("createFeed", 600)
        self.account.action_sync_all_products()
        self._push()
        self.assertFalse(self._requests("createFeedDocument"), "no document uploaded")
        self.assertFalse(self._feeds())
        jobs = self._feed_jobs()
        self.assertEqual(len(jobs), 5, "every feed job waits for createFeed's pace")
        self.assertTrue(all(job.eta for job in jobs))
        self.reset_rate_limits()  # the pace allows it again
        run_amazon_jobs(self.env, include_future=True, max_rounds=40)
        self.assertEqual(len(self._requests("createFeedDocument", 201)), 5)
        self.assertEqual(len(self._requests("createFeed", 202)), 5)
        self.assertEqual(self._feeds().marketplace_id, self.marketplaces)

    def test_report_leaves_the_next_press_to_its_feed_job(self):
        """A press's report does not patch the offers the next press queued for its feeds."""
        self.account.action_sync_all_products()
        for marketplace in self.marketplaces:  # the first press's feed jobs run
            self.account._amazon_job_push_feed(marketplace.id)
        first = self._feeds()
        self.assertEqual(len(first), 5)
        self.assertEqual(set(first.mapped("state")), {"submitted"})
        self.account.action_sync_all_products()  # the next press: its feed jobs wait
        self.assertEqual(len(self._feed_jobs()), 5)
        for feed in first:
            feed._amazon_job_check()  # the first press's reports arrive
        self.assertEqual(set(first.mapped("state")), {"done"})
        self.assertFalse(self._push_jobs(), "no offer patched one by one")
        run_amazon_jobs(self.env, include_future=True, max_rounds=40)
        self.assertFalse(self._requests("patchListingsItem"))
        self.assertEqual(len(self._requests("createFeed", 202)), 10, "5 feeds per press")
        self.assertEqual(len(self._feeds() - first), 5)

    def test_stale_changes_wait_for_their_feed_job(self):
        """The safety net leaves queued offers to their waiting feed job, unless it failed."""
        self.account.action_sync_all_products()
        changes = self.env["amazon.listing.change"].search([("account_id", "=", self.account.id)])
        self.assertEqual(len(changes), 15)
        changes.write({"queued_at": fields.Datetime.now() - timedelta(minutes=5)})
        engine = self.env["amazon.sync.engine"]
        self.assertFalse(engine._cron_push_stale_changes(), "left to the feed jobs")
        self.assertFalse(self._push_jobs())
        jobs = self._feed_jobs()
        # One feed job failed, one is stuck far beyond any pacing: their offers go by patch.
        jobs[0].write({"state": "failed"})
        jobs[1].write({"eta": fields.Datetime.now() - timedelta(minutes=30)})
        jobs.flush_recordset()
        pushed = engine._cron_push_stale_changes()
        self.assertEqual(len(pushed), 6, "the three offers of each of those two marketplaces")
        self.assertEqual(len(self._push_jobs()), 6)


@tagged("post_install", "-at_install")
class TestAccountLeaving(PanEuCase):
    """A marketplace removed from an account, or the account archived: its offers go to 0."""

    def _withdrawals(self):
        return self.env["amazon.offer.withdrawal"].search([("account_id", "=", self.account.id)])

    def test_marketplace_removed_withdraws_its_offers(self):
        """Removing NL sets every SKU to 0 on .nl only; the other marketplaces keep Odoo's 10."""
        nl = self.marketplaces.filtered(lambda m: m.code == "NL")
        self.account.marketplace_ids -= nl
        run_amazon_jobs(self.env, include_future=True, max_rounds=40)
        for sku in SKUS:
            self.assertEqual(self._held(sku), {**self._everywhere(10), "NL": 0})
        withdrawals = self._withdrawals()
        self.assertEqual(len(withdrawals), 3)
        self.assertEqual(withdrawals.marketplace_id, nl)
        self.assertEqual(set(withdrawals.mapped("reason")), {"marketplace_removed"})
        self.assertEqual(set(withdrawals.mapped("state")), {"done"})
        self.assertEqual(len(self._requests("patchListingsItem")), 3, "nothing sent elsewhere")

    def test_marketplace_given_back_sells_again(self):
        """NL removed and added back before its withdrawals ran: Amazon keeps Odoo's 10."""
        nl = self.marketplaces.filtered(lambda m: m.code == "NL")
        self.account.marketplace_ids -= nl
        self.account.marketplace_ids |= nl
        run_amazon_jobs(self.env, include_future=True, max_rounds=40)
        for sku in SKUS:
            self.assertEqual(self._held(sku), self._everywhere(10))
        self.assertEqual(set(self._withdrawals().mapped("state")), {"cancelled"})

    def test_archived_account_withdraws_every_offer(self):
        """Archiving the account sets every SKU to 0 in its five marketplaces."""
        self.account.action_archive()
        run_amazon_jobs(self.env, include_future=True, max_rounds=40)
        for sku in SKUS:
            self.assertEqual(self._held(sku), self._everywhere(0))
        withdrawals = self._withdrawals()
        self.assertEqual(len(withdrawals), 15)
        self.assertEqual(set(withdrawals.mapped("reason")), {"account_archived"})
        self.assertEqual(set(withdrawals.mapped("state")), {"done"})
        # Stock moving afterwards reaches no marketplace of the archived account.
        self.sandbox.clear_requests()
        self._set_inventory(self.products[0], 3)
        run_amazon_jobs(self.env, include_future=True, max_rounds=40)
        self.assertFalse(self._requests("patchListingsItem"))


@tagged("post_install", "-at_install")
class TestAccountAdded(AmazonMarketplacesCase):
    """An account added after products were ticked for sync sells them at once."""

    def test_account_added_later_lists_products_already_ticked(self):
        """A product ticked while no account sells it gets a listing and 5 offers, pushed."""
        self.account.action_archive()
        mug = self._create_product(SKUS[0], price=12.0)
        self._set_inventory(mug, 6)
        mug.amazon_sync = True
        self.assertFalse(mug.amazon_listing_ids, "no account sells it yet")
        for marketplace in self.marketplaces:
            self.sandbox.put_listing(SKUS[0], marketplaceId=marketplace.api_ref, quantity=99)
        account = self.env["amazon.account"].create(
            self._amazon_account_values(name="Amazon EU (added later)")
        )
        listing = mug.amazon_listing_ids
        self.assertEqual(listing.account_id, account)
        self.assertEqual(listing.offer_ids.marketplace_id, self.marketplaces)
        run_amazon_jobs(self.env, include_future=True, max_rounds=40)
        self.assertEqual(set(listing.offer_ids.mapped("state")), {"synced"})
        for marketplace in self.marketplaces:
            self.assertEqual(self.sandbox.listing(SKUS[0], marketplace.api_ref)["quantity"], 6)
