"""The one way a job takes the row of the Amazon object it works on (its *binding*).

A binding, as OCA's ``connector`` names it, is one row per Amazon object, unique on its Amazon
key (``(account, Amazon order id)``, ``(account, RMA)``, an offer's ``(listing, marketplace)``, a
withdrawn SKU's ``(account, marketplace, SKU)``), holding what the connector last applied of it
and when. Two jobs of one object (the ORDER_CHANGE job and the poll's page, two updates of
one return) must never both apply their change: Odoo runs REPEATABLE READ, so a job that read
the object before another job committed it would work on a stale snapshot (a second sales order,
a lost cancellation). :meth:`AmazonBindingMixin._amazon_take_binding` is therefore the first
thing such a job does, before it reads anything about the object:

1. ``INSERT … ON CONFLICT (key) DO NOTHING``: the row exists from now on, whoever creates it;
2. ``SELECT … FOR UPDATE NOWAIT``: the job holds the row until its transaction ends.

Jobs of rows that exist already (an offer's push, a marketplace's feed) take them with
:meth:`AmazonBindingMixin._amazon_take_bindings`: the same lock, the same errors.

A concurrent job then gets one of PostgreSQL's concurrency errors instead of stale data:

* lock-not-available (55P03): the other job holds the row;
* serialization failure (40001): the other job inserted or changed the row and committed after
  this job's snapshot was taken (an ``INSERT`` that meets a row still being inserted waits for
  that transaction first, then gets this error);

Both are turned into :class:`~odoo.addons.queue_job.exception.RetryableJobError` (see
:meth:`~AmazonBindingMixin._amazon_take_binding` for why), so the job is retried a few seconds
later, in a new transaction that sees the other job's work. Every job that applies a change
writes its binding row (its timestamp), so a job whose snapshot predates that commit always
fails on the lock and never applies a stale read.
"""

import logging
from contextlib import contextmanager

import psycopg2

from odoo import api, models
from odoo.service.model import PG_CONCURRENCY_ERRORS_TO_RETRY
from odoo.tools import SQL

from odoo.addons.queue_job.exception import RetryableJobError

_logger = logging.getLogger(__name__)

#: Seconds before a job that met another job on its binding runs again.
BINDING_CONFLICT_RETRY_SECONDS = 3


class AmazonBindingError(RetryableJobError):
    """Another job holds (or just changed) the binding: retry once it committed."""


class AmazonBindingMixin(models.AbstractModel):
    """One row per Amazon object, taken first by every job that applies a change to it."""

    _name = "amazon.binding.mixin"
    _description = "Amazon binding (one row per Amazon object)"

    #: Columns of the binding's unique key, exactly those of its UNIQUE constraint (the
    #: ``ON CONFLICT`` target).
    _amazon_binding_key = ()
    #: Row lock a job takes: ``UPDATE``, or ``NO KEY UPDATE`` for a binding other rows reference
    #: while a job holds it (an offer's queued stock changes: inserting them takes ``KEY SHARE``
    #: on the offer, which ``UPDATE`` would make wait for the job's call to Amazon).
    _amazon_binding_lock = "UPDATE"

    @api.model
    def _amazon_binding_insert_values(self, key_vals):
        """Columns of a new binding row besides its key (required columns without a default)."""
        return {}

    @api.model
    def _amazon_take_binding(self, key_vals):
        """Create the binding of ``key_vals`` if it does not exist, and lock it; return it.

        Call it first in the job's transaction (before reading the object, its sales order or
        its return): everything read afterwards is the state the last job left, and no other
        job can apply a change until this transaction ends.

        A conflict raises :class:`AmazonBindingError` (a ``RetryableJobError``, not counted as
        a retry) when running as a queue job, rather than letting psycopg2's error reach
        queue_job's ``runjob``. Both work today: ``runjob`` of queue_job 18.0.1.7.0 and 19.0.2.4
        turns an ``OperationalError`` whose code is in Odoo's ``PG_CONCURRENCY_ERRORS_TO_RETRY``
        (55P03, 40001, 40P01) into a retry after 5 s, counted against the job's retries. The
        explicit error is more robust: it does not depend on that list, on psycopg's error
        classes or on the job being run by ``runjob`` at all (OCA ``connector``'s
        ``RecordLocker`` does the same), it says which object was busy, and it does not use up
        the job's retries. Outside a job (a button), psycopg2's error is raised as is: Odoo's
        request layer retries concurrency errors itself.

        :param key_vals: ``{column: value}`` of the unique key (every column of
            ``_amazon_binding_key``).
        :return: the binding, locked until the transaction ends, its cache fresh.
        :raise AmazonBindingError: another job holds or just changed it (in a job).
        :raise psycopg2.OperationalError: the same, outside a job.
        """
        return self._amazon_take_binding_row(key_vals)[0]

    @api.model
    def _amazon_take_binding_row(self, key_vals):
        """:meth:`_amazon_take_binding`, and whether this transaction created the row.

        :return: ``(binding, created)``; a created row holds its key (and
            :meth:`_amazon_binding_insert_values`) only, for the caller to fill.
        """
        if set(key_vals) != set(self._amazon_binding_key):
            raise ValueError(f"{self._name}: the binding key is {self._amazon_binding_key}")
        # Pending writes of this model reach the database first (the lock reads the table).
        self.flush_model()
        values = {**self._amazon_binding_insert_values(key_vals), **key_vals}
        uid = self.env.uid
        columns = [*values, "create_uid", "write_uid", "create_date", "write_date"]
        now = SQL("(now() AT TIME ZONE 'UTC')")
        table = SQL.identifier(self._table)
        key_columns = SQL(", ").join(SQL.identifier(name) for name in self._amazon_binding_key)
        condition = SQL(" AND ").join(
            SQL("%s = %s", SQL.identifier(name), value) for name, value in key_vals.items()
        )
        with self._amazon_binding_conflicts(", ".join(map(str, key_vals.values()))):
            self.env.cr.execute(
                SQL(
                    "INSERT INTO %s (%s) VALUES (%s) ON CONFLICT (%s) DO NOTHING",
                    table,
                    SQL(", ").join(SQL.identifier(name) for name in columns),
                    SQL(", ").join([*values.values(), uid, uid, now, now]),
                    key_columns,
                ),
                log_exceptions=False,  # a conflict is expected: the job is retried
            )
            created = self.env.cr.rowcount == 1
            self.env.cr.execute(
                SQL(
                    "SELECT id FROM %s WHERE %s FOR %s NOWAIT",
                    table,
                    condition,
                    SQL(self._amazon_binding_lock),
                ),
                log_exceptions=False,
            )
        binding = self.browse(self.env.cr.fetchone()[0])
        # Whatever the cache held was read before the lock.
        binding.invalidate_recordset()
        return binding, created

    def _amazon_take_bindings(self):
        """Lock these existing bindings (in id order) until the transaction ends; return those
        that still exist, their cache fresh.

        :meth:`_amazon_take_binding` for rows a job already knows (an offer's push job, a
        marketplace's feed): the same lock, the same errors.

        :raise AmazonBindingError: another job holds or just changed one of them (in a job).
        :raise psycopg2.OperationalError: the same, outside a job.
        """
        if not self:
            return self
        self.flush_recordset()
        with self._amazon_binding_conflicts(", ".join(map(str, self.ids))):
            self.env.cr.execute(
                SQL(
                    "SELECT id FROM %s WHERE id IN %s ORDER BY id FOR %s NOWAIT",
                    SQL.identifier(self._table),
                    tuple(self.ids),
                    SQL(self._amazon_binding_lock),
                ),
                log_exceptions=False,  # a conflict is expected: the job is retried
            )
        found = {row[0] for row in self.env.cr.fetchall()}
        # Whatever the cache held was read before the lock.
        self.invalidate_recordset()
        return self.browse([record_id for record_id in self.ids if record_id in found])

    @contextmanager
    def _amazon_binding_conflicts(self, what):
        """Turn PostgreSQL's concurrency errors met in the block into :class:`AmazonBindingError`
        when running as a queue job (see :meth:`_amazon_take_binding` for why).

        :param what: the binding(s) named in the error (key values or ids).
        """
        try:
            yield
        except psycopg2.OperationalError as error:
            if error.pgcode not in PG_CONCURRENCY_ERRORS_TO_RETRY or not self.env.context.get(
                "job_uuid"
            ):
                raise
            _logger.info("%s %s is busy with another job: retried", self._name, what)
            raise AmazonBindingError(
                f"{self._description} {what} is being changed by another job: retried in "
                f"{BINDING_CONFLICT_RETRY_SECONDS} s ({error.pgcode})",
                seconds=BINDING_CONFLICT_RETRY_SECONDS,
                ignore_retry=True,
            ) from error
