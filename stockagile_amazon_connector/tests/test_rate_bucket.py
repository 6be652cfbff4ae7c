import threading

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from ..services import RateLimiter
from ..services.const import USAGE_PLANS
from .common import AmazonTestCase

#: Slow to refill (one token per ~3 minutes): the tokens counted below are all from the burst.
OPERATION = "searchOrders"
BURST = USAGE_PLANS[OPERATION].burst


@tagged("post_install", "-at_install")
class TestRateBucket(AmazonTestCase):
    """Pacing state in PostgreSQL, shared by every connection (worker, server) of the database."""

    def _limiter(self):
        """A limiter on a store of the account's key, as another worker would build it."""
        store = self.env["amazon.rate.bucket"]._store(self.account._get_rate_limit_key())
        return RateLimiter(store=store)

    def _committed_row(self):
        """The bucket row as another connection sees it (committed state only)."""
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT tokens, burst FROM amazon_rate_bucket WHERE key = %s AND operation = %s",
                (self.account._get_rate_limit_key(), OPERATION),
            )
            return cr.fetchone()

    def test_concurrent_connections_share_one_burst(self):
        """Two limiters racing on their own connections get exactly the burst together."""
        limiters = [self._limiter(), self._limiter()]
        answers = []
        start = threading.Barrier(len(limiters))

        def spend(limiter):
            start.wait(timeout=60)
            answers.extend(limiter.reserve(OPERATION) for _ in range(BURST))

        threads = [threading.Thread(target=spend, args=(limiter,)) for limiter in limiters]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        self.assertFalse(any(thread.is_alive() for thread in threads), "a limiter hung on a lock")
        self.assertEqual(len(answers), 2 * BURST)
        self.assertEqual(
            answers.count(0.0), BURST, "the workers together may only spend Amazon's burst"
        )
        self.assertTrue(all(wait > 60 for wait in answers if wait), answers)
        tokens, burst = self._committed_row()
        self.assertLess(tokens, 1.0, "the spent tokens are committed for every connection")
        self.assertEqual(burst, BURST)

    def test_state_survives_a_restart(self):
        """A limiter built later (a restarted worker) sees the tokens spent before it."""
        first = self._limiter()
        self.assertEqual([first.reserve(OPERATION) for _ in range(BURST)], [0.0] * BURST)
        del first
        self.assertGreater(self._limiter().reserve(OPERATION), 60)

    def test_account_service_uses_the_shared_buckets(self):
        """After another worker spent the burst, the account's service refuses without a call."""
        operation = "getMarketplaceParticipations"
        other = self._limiter()
        while other.reserve(operation) == 0.0:
            pass
        self.sandbox.clear_requests()
        self.account.action_test_connection()
        self.assertEqual(self.account.connection_state, "error")
        self.assertIn(operation, self.account.last_error)
        self.assertFalse(self.sandbox.requests(operation), "a refused call must not reach Amazon")

    def test_penalty_is_shared(self):
        """Amazon's 429 seen by one worker blocks the operation for every other."""
        self._limiter().penalize(OPERATION, 90.0)
        wait = self._limiter().reserve(OPERATION)
        self.assertGreater(wait, 60)
        self.assertLessEqual(wait, 90.0)

    def test_sellers_are_metered_apart(self):
        """Another seller (or region) has its own buckets."""
        first = self._limiter()
        while first.reserve(OPERATION) == 0.0:
            pass
        other = self.env["amazon.rate.bucket"]._store("A3OTHERSELLER:eu")
        self.assertEqual(RateLimiter(store=other).reserve(OPERATION), 0.0)

    def test_buckets_hidden_from_users(self):
        """Pacing state is the superuser's: even an Amazon manager cannot read it."""
        self._limiter().reserve(OPERATION)
        manager = new_test_user(
            self.env,
            login="amazon_bucket_manager",
            groups="base.group_user,stockagile_amazon_connector.group_amazon_manager",
        )
        with self.assertRaises(AccessError):
            self.env["amazon.rate.bucket"].with_user(manager).search([])
