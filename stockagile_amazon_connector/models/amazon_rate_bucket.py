from contextlib import contextmanager

from odoo import api, fields, models

from .. import odoo_compat
from ..services import TokenBucket


@odoo_compat.sql_constraints(
    (
        "key_operation_uniq",
        "unique(key, operation)",
        "One bucket per seller and operation.",
    ),
)
class AmazonRateBucket(models.Model):
    """Pacing state of one SP-API operation for one selling partner, shared by the cluster.

    Amazon meters each operation per selling partner and application with a token bucket. The
    state of our mirror of it lives here, in PostgreSQL, so that every worker of every Odoo server
    on the database paces one seller together and a restart forgets nothing. Rows are only touched
    by :class:`PostgresBucketStore` (raw SQL in its own short transaction); nobody but the
    superuser reads them.
    """

    _name = "amazon.rate.bucket"
    _description = "Amazon Rate Limit Bucket"
    _log_access = False
    _rec_name = "operation"

    key = fields.Char(
        required=True,
        help="Seller ID and region: Amazon meters per selling partner (and application).",
    )
    operation = fields.Char(required=True, help="SP-API operationId, e.g. patchListingsItem.")
    rate = fields.Float(help="Tokens earned per second (Amazon's x-amzn-RateLimit-Limit).")
    burst = fields.Float(help="Most tokens the bucket holds (Amazon's usage plan).")
    tokens = fields.Float(help="Tokens available at the stamp.")
    stamp = fields.Float(help="Database clock (epoch seconds) of the last refill.")
    blocked_until = fields.Float(
        help="Database clock (epoch seconds) before which no call may go, after a throttle."
    )

    @api.model
    def _store(self, key):
        """Return the store of the buckets of ``key`` for a :class:`~..services.RateLimiter`.

        :param key: seller ID and region of the account.
        :return: PostgresBucketStore
        """
        return PostgresBucketStore(self.env.registry, key)


class PostgresBucketStore:
    """Token buckets in ``amazon_rate_bucket``, shared by every process on the database.

    Each :meth:`bucket` runs in its OWN short transaction on a cursor of its own: the row is
    created full on first use (``INSERT ... ON CONFLICT DO NOTHING``), locked with ``SELECT ...
    FOR UPDATE`` (so concurrent callers, in any worker or server, take turns), read with the
    database clock as ``now`` (so several servers agree on time), written back and committed at
    once. The token is thus taken whatever the caller's transaction does later, and the row lock
    is held for the computation only, never during the HTTP call. Raw SQL is deliberate here: the
    ORM would run in the caller's transaction, which may last long (and roll back), and would hold
    the row lock that long. In Odoo's HTTP test mode ``registry.cursor()`` is a test cursor over
    the test transaction, so tests see (and roll back) the same rows.

    :param registry: the database's registry (its ``cursor()`` opens the short transaction).
    :param key: seller ID and region of the account.
    """

    def __init__(self, registry, key):
        self._registry = registry
        self.key = key

    @contextmanager
    def bucket(self, operation, plan):
        """Yield ``(bucket, now)`` of ``operation``, row locked; commit its changes on exit.

        :param operation: SP-API operationId.
        :param plan: :class:`~..services.const.UsagePlan` to create the row and bound its burst.
        """
        with self._registry.cursor() as cr:
            if not odoo_compat.is_test_cursor(cr):
                # Odoo's transactions are REPEATABLE READ: a row another worker committed after
                # our snapshot would fail our FOR UPDATE ("could not serialize access"). In READ
                # COMMITTED the FOR UPDATE waits its turn, then reads the latest committed row.
                # (A test cursor shares the test's transaction: nobody else can race there.)
                cr.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
            cr.execute(
                """
                INSERT INTO amazon_rate_bucket
                    (key, operation, rate, burst, tokens, stamp, blocked_until)
                SELECT %(key)s, %(operation)s, %(rate)s, %(burst)s, %(burst)s, clock.now, clock.now
                  FROM (SELECT extract(epoch FROM clock_timestamp())::float8 AS now) AS clock
                ON CONFLICT (key, operation) DO NOTHING
                """,
                {"key": self.key, "operation": operation, "rate": plan.rate, "burst": plan.burst},
            )
            cr.execute(
                """
                SELECT id, rate, tokens, stamp, blocked_until
                  FROM amazon_rate_bucket
                 WHERE key = %s AND operation = %s
                   FOR UPDATE
                """,
                (self.key, operation),
            )
            row_id, rate, tokens, stamp, blocked_until = cr.fetchone()
            # Read the clock once the lock is ours: a caller that waited must not act in the past.
            cr.execute("SELECT extract(epoch FROM clock_timestamp())::float8")
            now = cr.fetchone()[0]
            # The burst is the usage plan's (data of this code), the rest is state.
            burst = float(plan.burst)
            bucket = TokenBucket(rate, burst, min(tokens, burst), stamp, blocked_until)
            yield bucket, now
            cr.execute(
                """
                UPDATE amazon_rate_bucket
                   SET rate = %s, burst = %s, tokens = %s, stamp = %s, blocked_until = %s
                 WHERE id = %s
                """,
                (
                    bucket.rate,
                    bucket.burst,
                    bucket.tokens,
                    bucket.stamp,
                    bucket.blocked_until,
                    row_id,
                ),
            )
