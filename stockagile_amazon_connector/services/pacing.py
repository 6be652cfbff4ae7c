"""Client-side pacing of SP-API calls: one token bucket per operation.

Amazon meters each operation with a token bucket (``rate`` tokens per second, at most ``burst``
tokens). Mirroring it locally lets us refuse a call that would certainly be throttled *before*
spending a request on it. The limiter never sleeps: the caller may hold a database transaction,
so it gets the number of seconds to wait and decides (typically: re-schedule the job).

Where the buckets live is pluggable: the math (:class:`TokenBucket`, :class:`RateLimiter`) is
written once, and a *store* keeps the state. :class:`MemoryStore` keeps it in this process
(enough for one process); the addon plugs in a PostgreSQL store so that every worker and every
server of a database paces one seller together, and a restart forgets nothing.
"""

import threading
import time
from contextlib import contextmanager

from .const import USAGE_PLANS


class TokenBucket:
    """Mutable state of one operation's bucket (only touched under its store's lock).

    :param rate: tokens earned per second.
    :param burst: most tokens the bucket holds.
    :param tokens: tokens available at ``stamp``.
    :param stamp: clock reading of the last refill (may lie in the future after a penalty).
    :param blocked_until: clock reading before which no call may go (Amazon's retry-after).
    """

    __slots__ = ("rate", "burst", "tokens", "stamp", "blocked_until")

    def __init__(self, rate, burst, tokens, stamp, blocked_until):
        self.rate = float(rate)
        self.burst = float(burst)
        self.tokens = float(tokens)
        self.stamp = float(stamp)
        self.blocked_until = float(blocked_until)

    @classmethod
    def full(cls, plan, now):
        """A bucket seen for the first time: full, as Amazon's is for a new caller.

        :param plan: :class:`~.const.UsagePlan` of the operation.
        :param now: clock reading of the store.
        :return: TokenBucket
        """
        return cls(plan.rate, plan.burst, plan.burst, now, now)

    def refill(self, now):
        """Add the tokens earned since the last look, capped at ``burst``.

        ``stamp`` may lie in the future after :meth:`RateLimiter.penalize`: no refill until then.
        """
        if now <= self.stamp:
            return
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now


class MemoryStore:
    """Buckets in this process's memory behind one lock: pacing spans this process only.

    A store's contract (see also the addon's PostgreSQL store): ``bucket(operation, plan)`` is a
    context manager that yields ``(bucket, now)`` under mutual exclusion for that operation, where
    ``now`` is the store's clock and ``bucket`` is created full from ``plan`` on first use; what
    the body changes on the bucket is kept when the block exits.

    :param clock: monotonic clock in seconds, injectable for tests.
    """

    def __init__(self, clock=time.monotonic):
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets = {}

    @contextmanager
    def bucket(self, operation, plan):
        """Yield ``(bucket, now)`` of ``operation`` under this store's lock.

        :param operation: SP-API operationId.
        :param plan: :class:`~.const.UsagePlan` used to create the bucket on first use.
        """
        with self._lock:
            now = self._clock()
            bucket = self._buckets.get(operation)
            if bucket is None:
                bucket = self._buckets[operation] = TokenBucket.full(plan, now)
            yield bucket, now


class RateLimiter:
    """Thread-safe, non-sleeping token buckets keyed by SP-API operationId.

    All limiters of one seller account must share one store (Amazon meters per selling partner
    and application), so that every service built for that account sees the same buckets.

    :param plans: operationId -> :class:`~.const.UsagePlan`; defaults to the official plans.
    :param clock: monotonic clock in seconds for the default :class:`MemoryStore`, injectable for
        tests (a store brings its own clock).
    :param store: where the buckets live; a private :class:`MemoryStore` when None.
    :param headroom: tokens every grant leaves in a bucket of 3 or more. A call
        leaves some time after its grant (a busy worker, a slow network), so two calls granted
        one refill apart can reach Amazon nearly together; one token kept back absorbs that
        instead of a 429. The accounts' shared limiter keeps one; 0 spends the whole burst.
    """

    def __init__(self, plans=None, clock=time.monotonic, store=None, headroom=0):
        self._plans = dict(USAGE_PLANS if plans is None else plans)
        self._headroom = max(0.0, float(headroom))
        self._store = MemoryStore(clock) if store is None else store
        # Rate of each operation at this limiter's last look: Amazon repeats the same rate on
        # every answer, and re-writing it would cost a store round trip per call for nothing.
        self._seen_rates = {}

    @contextmanager
    def _bucket(self, operation):
        """Yield ``(bucket, now)`` of ``operation``, refilled to ``now``, under the store's lock."""
        try:
            plan = self._plans[operation]
        except KeyError:
            raise ValueError(f"No usage plan for SP-API operation {operation!r}") from None
        with self._store.bucket(operation, plan) as (bucket, now):
            bucket.refill(now)
            yield bucket, now
            self._seen_rates[operation] = bucket.rate

    def reserve(self, operation):
        """Take one token for ``operation`` if a call may go now.

        :param operation: SP-API operationId (e.g. ``getListingsItem``).
        :return: ``0.0`` when a token was consumed (call now), else the seconds to wait; in that
            case nothing is consumed.
        :raise ValueError: unknown operation.
        """
        with self._bucket(operation) as (bucket, now):
            if now < bucket.blocked_until:
                return bucket.blocked_until - now
            needed = 1.0 + self._kept_back(bucket)
            if bucket.tokens >= needed:
                bucket.tokens -= 1.0
                return 0.0
            return (needed - bucket.tokens) / bucket.rate

    def wait(self, operation):
        """Seconds before a call of ``operation`` may go (0.0: now), consuming nothing.

        For a call that must not start work it cannot finish: a feed's document is uploaded
        only once ``createFeed`` may follow.

        :param operation: SP-API operationId.
        :return: float
        :raise ValueError: unknown operation.
        """
        with self._bucket(operation) as (bucket, now):
            if now < bucket.blocked_until:
                return bucket.blocked_until - now
            needed = 1.0 + self._kept_back(bucket)
            return 0.0 if bucket.tokens >= needed else (needed - bucket.tokens) / bucket.rate

    def _kept_back(self, bucket):
        """Tokens a grant leaves in ``bucket``: the headroom, for bursts of 3 and more.

        Calls out of order come from many workers sharing a sustained rate; a burst of 1 or 2
        (catalog searches, reports) is spent by one user's request, whose calls leave in order.
        """
        return min(self._headroom, bucket.burst - 2.0) if bucket.burst >= 3 else 0.0

    def penalize(self, operation, retry_after):
        """Record that Amazon throttled ``operation``: block it for ``retry_after`` seconds.

        :param operation: SP-API operationId.
        :param retry_after: seconds before the next call may be tried.
        :return: None
        :raise ValueError: unknown operation.
        """
        with self._bucket(operation) as (bucket, now):
            bucket.blocked_until = max(bucket.blocked_until, now + max(0.0, retry_after))
            # One token when the block ends (the retry), refilling only from then on.
            bucket.tokens = 1.0 + self._kept_back(bucket)
            bucket.stamp = max(bucket.stamp, bucket.blocked_until)

    def update_rate(self, operation, rate):
        """Adopt the rate Amazon announced (``x-amzn-RateLimit-Limit``) for ``operation``.

        Tokens earned so far are kept (computed at the old rate); ignored if ``rate`` is not a
        positive number, because a bogus header must not block an operation forever, and when it
        is the rate this limiter last saw (nothing would change: no store round trip).

        :param operation: SP-API operationId.
        :param rate: requests per second.
        :return: None
        :raise ValueError: unknown operation.
        """
        try:
            rate = float(rate)
        except (TypeError, ValueError):
            return
        if rate <= 0 or self._seen_rates.get(operation) == rate:
            return
        with self._bucket(operation) as (bucket, _now):
            bucket.rate = rate

    def rate(self, operation):
        """Current refill rate (requests per second) of ``operation``.

        :param operation: SP-API operationId.
        :return: float
        :raise ValueError: unknown operation.
        """
        with self._bucket(operation) as (bucket, _now):
            return bucket.rate
