"""Client-side pacing of SP-API calls: one token bucket per operation.

Amazon meters each operation with a token bucket (``rate`` tokens per second, at most ``burst``
tokens). Mirroring it locally lets us refuse a call that would certainly be throttled *before*
spending a request on it. The limiter never sleeps: the caller may hold a database transaction,
so it gets the number of seconds to wait and decides (typically: re-schedule the job).
"""

import threading
import time

from .const import USAGE_PLANS


class _Bucket:
    """Mutable state of one operation's bucket (only touched under the limiter's lock)."""

    __slots__ = ("rate", "burst", "tokens", "stamp", "blocked_until")

    def __init__(self, rate, burst, now):
        self.rate = float(rate)
        self.burst = float(burst)
        self.tokens = float(burst)
        self.stamp = now
        self.blocked_until = now

    def refill(self, now):
        """Add the tokens earned since the last look, capped at ``burst``.

        ``stamp`` may lie in the future after :meth:`RateLimiter.penalize`: no refill until then.
        """
        if now <= self.stamp:
            return
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now


class RateLimiter:
    """Thread-safe, non-sleeping token buckets keyed by SP-API operationId.

    Share one instance per seller account (Amazon meters per selling partner and application),
    e.g. in a module-level dict keyed by seller id, so that every service built for that account
    sees the same buckets.

    :param plans: operationId -> :class:`~.const.UsagePlan`; defaults to the official plans.
    :param clock: monotonic clock in seconds, injectable for tests.
    """

    def __init__(self, plans=None, clock=time.monotonic):
        self._plans = dict(USAGE_PLANS if plans is None else plans)
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets = {}

    def _bucket(self, operation, now):
        """Return (creating it full on first use) the bucket of ``operation``."""
        bucket = self._buckets.get(operation)
        if bucket is None:
            try:
                plan = self._plans[operation]
            except KeyError:
                raise ValueError(f"No usage plan for SP-API operation {operation!r}") from None
            bucket = self._buckets[operation] = _Bucket(plan.rate, plan.burst, now)
        bucket.refill(now)
        return bucket

    def reserve(self, operation):
        """Take one token for ``operation`` if a call may go now.

        :param operation: SP-API operationId (e.g. ``getListingsItem``).
        :return: ``0.0`` when a token was consumed (call now), else the seconds to wait; in that
            case nothing is consumed.
        :raise ValueError: unknown operation.
        """
        with self._lock:
            now = self._clock()
            bucket = self._bucket(operation, now)
            if now < bucket.blocked_until:
                return bucket.blocked_until - now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return 0.0
            return (1.0 - bucket.tokens) / bucket.rate

    def penalize(self, operation, retry_after):
        """Record that Amazon throttled ``operation``: block it for ``retry_after`` seconds.

        :param operation: SP-API operationId.
        :param retry_after: seconds before the next call may be tried.
        :return: None
        :raise ValueError: unknown operation.
        """
        with self._lock:
            now = self._clock()
            bucket = self._bucket(operation, now)
            bucket.blocked_until = max(bucket.blocked_until, now + max(0.0, retry_after))
            # One token when the block ends (the retry), refilling only from then on.
            bucket.tokens = 1.0
            bucket.stamp = max(bucket.stamp, bucket.blocked_until)

    def update_rate(self, operation, rate):
        """Adopt the rate Amazon announced (``x-amzn-RateLimit-Limit``) for ``operation``.

        Tokens earned so far are kept (computed at the old rate); ignored if ``rate`` is not a
        positive number, because a bogus header must not block an operation forever.

        :param operation: SP-API operationId.
        :param rate: requests per second.
        :return: None
        :raise ValueError: unknown operation.
        """
        try:
            rate = float(rate)
        except (TypeError, ValueError):
            return
        if rate <= 0:
            return
        with self._lock:
            self._bucket(operation, self._clock()).rate = rate

    def rate(self, operation):
        """Current refill rate (requests per second) of ``operation``.

        :param operation: SP-API operationId.
        :return: float
        :raise ValueError: unknown operation.
        """
        with self._lock:
            return self._bucket(operation, self._clock()).rate
