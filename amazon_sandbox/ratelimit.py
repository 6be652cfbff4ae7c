"""Token buckets with the official usage plans (rate per second, burst) of each operation.

The figures are copied from the "Usage Plan" table in each operation's description in
Amazon's models (selling-partner-api-models); the sandbox keeps one bucket per operation
for the single simulated seller, as Amazon does per selling partner and application.
"""

import threading
import time

# operationId -> (rate in requests per second, burst)
USAGE_PLANS = {
    "getMarketplaceParticipations": (0.016, 15),
    "getListingsItem": (5.0, 10),
    "patchListingsItem": (5.0, 5),
    "searchListingsItems": (5.0, 5),
    "putListingsItem": (5.0, 10),
    "searchCatalogItems": (2.0, 2),
    "searchDefinitionsProductTypes": (5.0, 10),
    "getDefinitionsProductType": (5.0, 10),
    "createFeedDocument": (0.5, 15),
    "createFeed": (0.0083, 15),
    "getFeed": (2.0, 15),
    "getFeedDocument": (0.0222, 10),
    "searchOrders": (0.0056, 20),
    "getOrder": (0.5, 30),
    "confirmShipment": (2.0, 10),
    "createDestination": (1.0, 5),
    "getDestinations": (1.0, 5),
    "getDestination": (1.0, 5),
    "deleteDestination": (1.0, 5),
    "createSubscription": (1.0, 5),
    "getSubscription": (1.0, 5),
    "getSubscriptionById": (1.0, 5),
    "deleteSubscriptionById": (1.0, 5),
    "createReport": (0.0167, 15),
    "getReport": (2.0, 15),
    "getReportDocument": (0.0167, 15),
}


def plan(operation: str, overrides=None):
    """``(rate, burst)`` of an operation: the official plan, or the config's ``rate_plans``.

    ``rate_plans`` (``{operation: [rate, burst]}``) gives a test Amazon's behaviour at a faster
    pace: it throttles and announces its rate alike, only the figures differ.
    """
    override = (overrides or {}).get(operation)
    if override:
        return float(override[0]), int(override[1])
    return USAGE_PLANS.get(operation)


def rate_header(operation: str, overrides=None) -> str:
    """Value of ``x-amzn-RateLimit-Limit`` for an operation (its rate, as Amazon prints it)."""
    rate, _burst = plan(operation, overrides) or (1.0, 1)
    return f"{rate:g}"


class TokenBucket:
    """Classic token bucket: starts full, refills continuously at ``rate`` up to ``burst``."""

    def __init__(self, rate: float, burst: int):
        self.rate = rate
        self.burst = burst
        self.tokens = float(burst)
        self.updated = time.monotonic()

    def take(self) -> bool:
        """Consume one token if available; False means the call must be throttled."""
        current = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (current - self.updated) * self.rate)
        self.updated = current
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


class RateLimiter:
    """One bucket per operation, created lazily; thread-safe."""

    def __init__(self):
        self._lock = threading.Lock()
        self._buckets: dict[str, TokenBucket] = {}

    def allow(self, operation: str, overrides=None) -> bool:
        """True when the operation may proceed now; unknown operations are never limited.

        :param overrides: the config's ``rate_plans`` (see :func:`plan`).
        """
        found = plan(operation, overrides)
        if found is None:
            return True
        with self._lock:
            bucket = self._buckets.get(operation)
            if bucket is None or (bucket.rate, bucket.burst) != found:
                bucket = self._buckets[operation] = TokenBucket(*found)
            return bucket.take()

    def reset(self):
        """Refill every bucket (buckets are recreated full on next use)."""
        with self._lock:
            self._buckets.clear()
