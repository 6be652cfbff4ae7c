"""RateLimiter: token buckets driven by a fake clock."""

import pytest

from stockagile_amazon_connector.services import RateLimiter
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


def test_refill_is_capped_at_burst(clock):
    """A long idle period does not bank more than `burst` tokens."""
    limiter = RateLimiter({"op": UsagePlan(1.0, 2)}, clock=clock)
    clock.now += 3600
    assert [limiter.reserve("op") for _ in range(3)][-1] == pytest.approx(1.0)


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
    assert len(USAGE_PLANS) == 18
