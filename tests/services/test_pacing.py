"""RateLimiter: token buckets driven by a fake clock, in memory or in a pluggable store."""

from contextlib import contextmanager

import pytest

from stockagile_amazon_connector.services import RateLimiter, TokenBucket
from stockagile_amazon_connector.services.const import USAGE_PLANS, UsagePlan


class FakeClock:
    """Monotonic clock moved by hand."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture()
def clock():
    return FakeClock()


def test_burst_then_wait(clock):
    """A full bucket allows `burst` calls, then tells how long to wait without consuming."""
    limiter = RateLimiter({"op": UsagePlan(2.0, 3)}, clock=clock)
    assert [limiter.reserve("op") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.reserve("op") == pytest.approx(0.5)
    assert limiter.reserve("op") == pytest.approx(0.5)  # asking again consumed nothing
    clock.now += 0.5
    assert limiter.reserve("op") == 0.0
    assert limiter.reserve("op") == pytest.approx(0.5)


def test_headroom_keeps_a_token_back(clock):
    """With headroom, grants leave one token: a late call still finds one at Amazon."""
    plans = {"op": UsagePlan(2.0, 3), "two": UsagePlan(1.0, 2)}
    limiter = RateLimiter(plans, clock, headroom=1)
    assert [limiter.reserve("op") for _ in range(3)] == [0.0, 0.0, pytest.approx(0.5)]
    clock.now += 0.5
    assert limiter.reserve("op") == 0.0
    assert [limiter.reserve("two") for _ in range(2)] == [0.0, 0.0], "a burst of 2 is all spent"
    limiter.penalize("op", 4.0)
    clock.now += 4.0
    assert limiter.reserve("op") == 0.0, "the retry after a throttle may go"


def test_refill_is_capped_at_burst(clock):
    """A long idle period does not bank more than `burst` tokens."""
    limiter = RateLimiter({"op": UsagePlan(1.0, 2)}, clock=clock)
    clock.now += 3600
    assert [limiter.reserve("op") for _ in range(3)][-1] == pytest.approx(1.0)


def test_wait_tells_without_consuming(clock):
    """``wait`` says when a call may go (blocked or empty) and never takes a token."""
    limiter = RateLimiter({"op": UsagePlan(2.0, 1)}, clock=clock)
    assert limiter.wait("op") == 0.0
    assert limiter.wait("op") == 0.0  # still the one token
    assert limiter.reserve("op") == 0.0
    assert limiter.wait("op") == pytest.approx(0.5)
    limiter.penalize("op", 3.0)
    assert limiter.wait("op") == pytest.approx(3.0)
    clock.now += 3.0
    assert limiter.wait("op") == 0.0
    assert limiter.reserve("op") == 0.0


def test_penalize_blocks_for_retry_after(clock):
    """After a 429 the operation is blocked for retry_after, then refills from empty."""
    limiter = RateLimiter({"op": UsagePlan(10.0, 10)}, clock=clock)
    limiter.penalize("op", 4.0)
    assert limiter.reserve("op") == pytest.approx(4.0)
    clock.now += 4.0
    assert limiter.reserve("op") == 0.0
    assert limiter.reserve("op") == pytest.approx(0.1)


def test_update_rate_changes_refill(clock):
    """The rate announced by x-amzn-RateLimit-Limit replaces the plan's; bogus values ignored."""
    limiter = RateLimiter({"op": UsagePlan(1.0, 1)}, clock=clock)
    assert limiter.reserve("op") == 0.0
    limiter.update_rate("op", "0.25")
    assert limiter.reserve("op") == pytest.approx(4.0)
    limiter.update_rate("op", "garbage")
    limiter.update_rate("op", 0)
    assert limiter.rate("op") == 0.25


def test_operations_are_independent_and_known(clock):
    """Buckets are per operation; every operation the service uses has an official plan."""
    limiter = RateLimiter(clock=clock)
    for _ in range(USAGE_PLANS["patchListingsItem"].burst):
        assert limiter.reserve("patchListingsItem") == 0.0
    assert limiter.reserve("patchListingsItem") > 0
    assert limiter.reserve("getListingsItem") == 0.0
    with pytest.raises(ValueError):
        limiter.reserve("noSuchOperation")


def test_official_plans_copied():
    """Spot-check plans against the models' usage-plan tables."""
    assert USAGE_PLANS["searchOrders"] == (0.0056, 20)
    assert USAGE_PLANS["createFeed"] == (0.0083, 15)
    assert USAGE_PLANS["confirmShipment"] == (2.0, 10)
    assert USAGE_PLANS["getMarketplaceParticipations"] == (0.016, 15)
    assert USAGE_PLANS["searchCatalogItems"] == (2.0, 2)
    assert USAGE_PLANS["putListingsItem"] == (5.0, 10)
    assert USAGE_PLANS["getDefinitionsProductType"] == (5.0, 10)
    assert USAGE_PLANS["createSubscription"] == (1.0, 5)
    # One invoice upload (UPLOAD_VAT_INVOICE feed) every three seconds, besides createFeed.
    assert USAGE_PLANS["uploadVatInvoice"] == (1 / 3, 1)
    assert len(USAGE_PLANS) == 26


class RowStore:
    """A store shaped like a database table: plain rows in, a fresh bucket out, written on exit.

    Every limiter built on it is like another process reading the same table; ``uses`` counts the
    round trips.
    """

    def __init__(self, clock):
        self.clock = clock
        self.rows = {}
        self.uses = 0

    @contextmanager
    def bucket(self, operation, plan):
        self.uses += 1
        now = self.clock()
        row = self.rows.get(operation)
        bucket = TokenBucket(*row) if row else TokenBucket.full(plan, now)
        yield bucket, now
        self.rows[operation] = (
            bucket.rate,
            bucket.burst,
            bucket.tokens,
            bucket.stamp,
            bucket.blocked_until,
        )


def test_limiters_on_one_store_share_the_bucket(clock):
    """Two limiters on one store get `burst` tokens together, and a new one sees them spent."""
    store = RowStore(clock)
    first, second = (RateLimiter({"op": UsagePlan(0.5, 4)}, store=store) for _ in range(2))
    granted = [limiter.reserve("op") for limiter in (first, second, first, second)]
    assert granted == [0.0] * 4
    assert second.reserve("op") == pytest.approx(2.0), "the fifth call waits one refill"
    restarted = RateLimiter({"op": UsagePlan(0.5, 4)}, store=store)
    assert restarted.reserve("op") == pytest.approx(2.0), "a restart forgets nothing"
    clock.now += 2.0
    assert restarted.reserve("op") == 0.0
    assert first.reserve("op") == pytest.approx(2.0)


def test_penalty_and_rate_are_shared_through_the_store(clock):
    """A 429 seen by one limiter blocks the others; a rate one adopts, the others use."""
    store = RowStore(clock)
    first, second = (RateLimiter({"op": UsagePlan(10.0, 10)}, store=store) for _ in range(2))
    first.penalize("op", 3.0)
    assert second.reserve("op") == pytest.approx(3.0)
    first.update_rate("op", 0.5)
    assert second.rate("op") == 0.5


def test_store_clock_is_the_one_used(clock):
    """With a store, time is the store's (e.g. the database's), not the limiter's clock."""
    store = RowStore(clock)
    limiter = RateLimiter({"op": UsagePlan(1.0, 1)}, clock=lambda: 0.0, store=store)
    assert limiter.reserve("op") == 0.0
    clock.now += 1.0
    assert limiter.reserve("op") == 0.0


def test_one_store_round_trip_per_call(clock):
    """The rate Amazon repeats on every answer costs no round trip; unknown operations none."""
    store = RowStore(clock)
    limiter = RateLimiter({"op": UsagePlan(2.0, 5)}, store=store)
    limiter.reserve("op")
    limiter.update_rate("op", 2.0)
    assert store.uses == 1
    limiter.update_rate("op", 1.0)
    assert store.uses == 2
    assert limiter.rate("op") == 1.0
    with pytest.raises(ValueError):
        limiter.reserve("noSuchOperation")
    assert store.uses == 3
