"""The one place that runs a unit of Amazon work as an OCA ``queue_job`` job.

Every exchange with Amazon is a job of its own: the push of one listing, one feed and its
report, one shipment confirmation, the import of one order or one return, one account's poll of
orders or returns. So one bad record is one failed job (visible in *Sales > Amazon > Jobs*, with
*Requeue*, and on the record with *Retry*) and never stops the others; each account's work runs
in its own channel (``root.amazon.account_<id>``), so an account that is throttled, down or
revoked only postpones its own jobs.

How a unit ends:

* Amazon throttled it → :class:`RetryableJobError` at Amazon's pace (not counted as a retry);
* Amazon or the network failed (5xx, timeout, expired token) → :class:`RetryableJobError`, retried
  with the backoff of the job function's ``retry_pattern`` (``data/queue_job_data.xml``), forever:
  nothing is lost during an outage;
* Amazon refused the data (invalid, not found) → the job body records Amazon's message on the
  record and ends normally;
* anything else → the job fails with its traceback; the record shows it, with *Retry*.
"""

import logging
import time
from contextlib import contextmanager

from odoo import _, api, fields, models
from odoo.exceptions import AccessError
from odoo.tools.translate import LazyGettext, LazyTranslate

from odoo.addons.queue_job.exception import RetryableJobError

from ..services import AuthError, ThrottledError, TransientError

_logger = logging.getLogger(__name__)
_lt = LazyTranslate(__name__)

#: Parent channel of every Amazon job (declared in data/queue_job_data.xml).
CHANNEL = "root.amazon"
#: Priorities (lower runs first): what a buyer or the stock level waits on goes first.
PRIORITY_REALTIME = 5
PRIORITY_IMPORT = 10
PRIORITY_BULK = 20
#: Namespace of the advisory locks running jobs hold (the first key of the two-key form).
JOB_LOCK_NAMESPACE = 0x414D5A  # "AMZ"
#: Seconds after its start before a job whose lock is free counts as interrupted (the job
#: runner commits *started* just before the job's own transaction takes the lock).
INTERRUPTED_AFTER = 30
#: A job whose process died this many times while it ran ends failed instead of running again.
MAX_INTERRUPTIONS = 3
INTERRUPTED_REASON = _lt(
    "Its process stopped %d times while it ran (killed on the server's time or memory limit, "
    "or a crash): not run again. Fix the cause, then Requeue or Retry.",
    MAX_INTERRUPTIONS,
)
#: Bounds of the seconds an account's jobs wait after one of them met an outage (5xx,
#: timeout, credentials): twice what the failed call waited, within these.
OUTAGE_PAUSE_MIN = 3
OUTAGE_PAUSE_MAX = 60
#: Seconds between two tries of Amazon while an account's credentials are refused.
REFUSED_RETRY_SECONDS = 60
#: Seconds to wait when Amazon throttled without saying how long.
DEFAULT_THROTTLE_WAIT = 2


#: Bus notification type of :meth:`AmazonJobMixin._amazon_refresh_forms`.
REFRESH_NOTIFICATION = "stockagile_amazon.changed"
#: Above this many records changed at once, open forms are not told to reload.
REFRESH_MAX_IDS = 200


def account_channel(account):
    """The channel of one account's jobs: its own queue under ``root.amazon``."""
    return f"{CHANNEL}.account_{account.id}"


class AmazonJobMixin(models.AbstractModel):
    """Records whose Amazon work runs as jobs: delay it, map its errors, show its failures."""

    _name = "amazon.job.mixin"
    _description = "Amazon work unit (queue job)"

    amazon_job_error = fields.Text(
        string="Job error",
        compute="_compute_amazon_job_error",
        help="Why the last background job of this record failed; press Retry once fixed.",
    )

    def init(self):
        """Index jobs' identity: every stock change and every page of orders looks one up."""
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS queue_job_amazon_identity_idx ON queue_job (identity_key)"
        )

    # ------------------------------------------------------------------
    # Enqueue
    # ------------------------------------------------------------------

    def _amazon_job_key(self, kind):
        """Identity of this record's job of ``kind``: at most one such job is pending."""
        return f"amazon:{self._name}:{','.join(map(str, self.ids))}:{kind}"

    def _amazon_delay(self, account, kind, priority=PRIORITY_REALTIME, eta=None, description=None):
        """``with_delay`` in the account's channel, one pending job per record and ``kind``.

        :param account: the ``amazon.account`` the work belongs to (its channel).
        :param kind: what the job does (part of its identity key); None: no identity, every
            call is a job of its own.
        :param eta: seconds from now, or a datetime, before which the job does not run.
        :param description: the job's name in the Jobs screen: a lazy term
            (``LazyTranslate(__name__)(…)``), written in the company's language whoever queued
            it (a cron has no user language); a plain string is stored as it is.
        """
        # Stored under the account's company (queue_job takes the enqueuing env's company):
        # its users see its jobs, other companies' users never do. The job runs in the
        # company's language (queue_job keeps ``lang``): what it stores for everyone to read
        # (listing errors, review reasons, notes, the names of the jobs it queues) is written
        # in it, not in the language of whoever or whatever queued it.
        company = account.company_id
        lang = self._amazon_company_lang(company)
        if isinstance(description, LazyGettext):
            description = self.with_context(lang=lang).env._(description)
        return (
            self.with_company(company)
            .with_context(lang=lang)
            .with_delay(
                channel=account_channel(account),
                priority=priority,
                eta=eta,
                identity_key=self._amazon_job_key(kind) if kind else None,
                description=description,
                max_retries=0,  # outages are retried with backoff until Amazon answers
            )
        )

    def _amazon_company_lang(self, company):
        """The language of ``company`` (its partner's), if installed; else the current one."""
        lang = company.sudo().partner_id.lang
        if lang and self.env["res.lang"]._lang_get(lang):
            return lang
        return self.env.lang

    # ------------------------------------------------------------------
    # Run
    # ------------------------------------------------------------------

    def _amazon_claim_job(self):
        """Hold a lock named after the running job until its transaction ends.

        A job whose process died (a killed worker, a crashed server) leaves its row *started*
        and its lock free: :meth:`_amazon_recover_interrupted_jobs` finds it by that and runs it
        again, so nothing is lost. An advisory lock, not a lock on the job's row: queue_job
        writes a retried or failed job's state through another connection before it rolls
        back the job's own transaction. Called first by every job body.
        """
        uuid = self.env.context.get("job_uuid")
        if uuid:
            self.env.cr.execute(
                "SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [JOB_LOCK_NAMESPACE, uuid]
            )

    @api.model
    def _amazon_recover_interrupted_jobs(self, grace_seconds=INTERRUPTED_AFTER):
        """Requeue the Amazon jobs a process that died left behind, so nothing is lost.

        Two states are left behind: *started* (the job ran; its lock is now free) and
        *enqueued* (the runner had sent the job to a server that died before starting it). A
        job in either state counts against its channel's capacity, so a few of them block every
        Amazon job until queue_job's own stuck-job cron (5 minutes) resets the enqueued ones and
        nothing resets the started ones.

        One conditional ``UPDATE``: a job that a server starts meanwhile (its row is locked
        from *enqueued* to *started*) is re-read after that lock and left alone, so a job is
        never both running and pending. A job that stopped its process ``MAX_INTERRUPTIONS``
        times (it exceeds a time or memory limit, or crashes the worker) is not run again: it
        ends failed with that reason (its name says which order, listing or return), the
        others go on. Raw SQL: the lock test runs per started job, after the
        cheap filters.

        :param grace_seconds: how long a job may stay started or enqueued before it counts as
            left behind (a request waiting for a busy server must not lose its job).
        :return: the requeued ``queue.job`` records.
        """
        self.env["queue.job"].flush_model()
        self.env.cr.execute(
            """
            WITH cutoff AS (
                SELECT (clock_timestamp() AT TIME ZONE 'UTC')
                       - make_interval(secs => %(grace)s) AS at
            )
            UPDATE queue_job
               SET state = CASE WHEN queue_job.state = 'started'
                                 AND COALESCE(queue_job.amazon_interrupted_count, 0) + 1
                                     >= %(most)s
                                THEN 'failed' ELSE 'pending' END,
                   exc_name = CASE WHEN queue_job.state = 'started'
                                    AND COALESCE(queue_job.amazon_interrupted_count, 0) + 1
                                        >= %(most)s
                                   THEN 'AmazonJobInterrupted' ELSE queue_job.exc_name END,
                   exc_message = CASE WHEN queue_job.state = 'started'
                                       AND COALESCE(queue_job.amazon_interrupted_count, 0) + 1
                                           >= %(most)s
                                      THEN %(reason)s ELSE queue_job.exc_message END,
                   exc_info = CASE WHEN queue_job.state = 'started'
                                    AND COALESCE(queue_job.amazon_interrupted_count, 0) + 1
                                        >= %(most)s
                                   THEN %(reason)s ELSE queue_job.exc_info END,
                   amazon_interrupted_count = COALESCE(queue_job.amazon_interrupted_count, 0)
                       + CASE WHEN queue_job.state = 'started' THEN 1 ELSE 0 END,
                   date_enqueued = NULL, date_started = NULL, worker_pid = NULL
              FROM cutoff
             WHERE queue_job.id IN (
                    SELECT job.id FROM (
                        SELECT id, uuid, state FROM queue_job, cutoff
                         WHERE channel LIKE %(channel)s
                           AND ((state = 'started' AND date_started < cutoff.at)
                                OR (state = 'enqueued' AND date_enqueued < cutoff.at))
                        OFFSET 0
                    ) AS job
                     WHERE job.state = 'enqueued'
                        OR pg_try_advisory_xact_lock(%(namespace)s, hashtext(job.uuid))
                   )
               AND ((state = 'started' AND date_started < cutoff.at)
                    OR (state = 'enqueued' AND date_enqueued < cutoff.at))
            RETURNING queue_job.id, queue_job.uuid, queue_job.state
            """,
            {
                "channel": f"{CHANNEL}%",
                "grace": grace_seconds,
                "namespace": JOB_LOCK_NAMESPACE,
                "most": MAX_INTERRUPTIONS,
                "reason": self.env._(INTERRUPTED_REASON),
            },
        )
        rows = self.env.cr.fetchall()
        self._amazon_translate_interrupted_reason([row[0] for row in rows if row[2] == "failed"])
        self.env["queue.job"].invalidate_model()
        if rows:
            _logger.info(
                "Requeued %d Amazon job(s) a stopped process left behind: %s",
                len(rows),
                ", ".join(row[1] for row in rows),
            )
        return self.env["queue.job"].sudo().browse([row[0] for row in rows])

    def _amazon_translate_interrupted_reason(self, job_ids):
        """Write the reason of the jobs that just ended failed in their company's language.

        The ``UPDATE`` above stores the English term (one statement for every company's
        jobs); the reason is read by the company's users, like the job's name.
        """
        if not job_ids:
            return
        jobs = self.env["queue.job"].sudo().browse(job_ids)
        jobs.invalidate_recordset(["company_id"])
        for company, company_jobs in jobs.grouped("company_id").items():
            lang = self._amazon_company_lang(company) if company else self.env.lang
            reason = self.with_context(lang=lang).env._(INTERRUPTED_REASON)
            self.env.cr.execute(
                "UPDATE queue_job SET exc_message = %s, exc_info = %s WHERE id IN %s",
                [reason, reason, tuple(company_jobs.ids)],
            )

    @contextmanager
    def _amazon_unit(self, account):
        """Run the body of a job: Amazon's pauses and outages become retries of the job.

        The job's transaction is rolled back on a retry, so nothing half-done is kept. An
        outage also pauses the account's other jobs (without calling Amazon), so that an
        account whose Amazon times out never holds the job
        runner's capacity that other accounts need.

        :param account: the ``amazon.account`` the job talks to Amazon for.
        """
        paused = account.sudo()._amazon_outage_left() or account.sudo()._amazon_credentials_gate()
        if paused:
            raise RetryableJobError(
                f"Amazon was unreachable or refused the credentials of this account; trying "
                f"again in {paused} s",
                seconds=paused,
                ignore_retry=True,
            )
        started = time.monotonic()
        try:
            yield
        except ThrottledError as error:
            raise RetryableJobError(
                error.message,
                seconds=max(1, round(error.retry_after or DEFAULT_THROTTLE_WAIT)),
                ignore_retry=True,
            ) from error
        except AuthError as error:
            # Retrying cannot help until a human fixes the credentials: one try a minute.
            account.sudo()._amazon_credentials_refused(error)
            raise RetryableJobError(
                error.message, seconds=REFUSED_RETRY_SECONDS, ignore_retry=True
            ) from error
        except TransientError as error:
            waited = time.monotonic() - started
            account.sudo()._amazon_pause_after_outage(
                min(OUTAGE_PAUSE_MAX, max(OUTAGE_PAUSE_MIN, 2 * waited))
            )
            raise RetryableJobError(error.message) from error

    # ------------------------------------------------------------------
    # Failures shown on the record
    # ------------------------------------------------------------------

    def _amazon_jobs(self, states):
        """Jobs of these records (any kind) in ``states``, newest first."""
        keys = [f"amazon:{self._name}:{record.id}:" for record in self]
        if not keys:
            return self.env["queue.job"].sudo()
        domain = ["|"] * (len(keys) - 1)
        for key in keys:
            domain.append(("identity_key", "=like", f"{key}%"))
        return (
            self.env["queue.job"].sudo().search([("state", "in", states), *domain], order="id desc")
        )

    @api.depends_context("uid")
    def _compute_amazon_job_error(self):
        jobs = self._amazon_jobs(["failed", "pending"])
        for record in self:
            prefix = f"amazon:{self._name}:{record.id}:"
            mine = jobs.filtered(lambda job, p=prefix: job.identity_key.startswith(p))
            failed = mine.filtered(lambda job: job.state == "failed")[:1]
            retrying = mine.filtered(lambda job: job.state == "pending" and job.retry)[:1]
            if failed:
                record.amazon_job_error = failed.exc_message or failed.exc_name
            elif retrying:
                record.amazon_job_error = _(
                    "Retrying automatically (attempt %(attempt)s): %(error)s",
                    attempt=retrying.retry,
                    error=retrying.result or "",
                )
            else:
                record.amazon_job_error = False

    def _amazon_retry_now(self):
        """Run these records' failed jobs again, and their postponed ones now."""
        self._amazon_jobs(["failed"]).requeue()
        self._amazon_jobs(["pending"]).filtered("eta").write({"eta": False})

    def action_amazon_retry_jobs(self):
        """Button: retry these records' Amazon jobs now (Amazon managers of their companies).

        Requeueing is a job manager's act (README, *Roles*): Amazon users see the error on the
        record and leave the retry to a manager, over the UI, XML-RPC and the account alike.
        """
        if not self.env.is_superuser() and not self.env.user.has_group(
            "stockagile_amazon_connector.group_amazon_manager"
        ):
            raise AccessError(_("Only Amazon Managers may retry Amazon jobs."))
        self.check_access("read")
        self._amazon_retry_now()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("Amazon"),
                "message": _("Queued again; the record updates when the job has run."),
                "type": "success",
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    # ------------------------------------------------------------------
    # Open forms follow what the jobs change (Odoo's bus)
    # ------------------------------------------------------------------

    def _amazon_refresh_forms(self, *related):
        """Tell the open forms of these records (and of ``related`` ones) to reload.

        Jobs change states behind the user's back (a listing synced, a push refused): the
        notification goes to the Amazon User group's bus channel, which every Amazon user's web
        client listens to, and is sent on commit only (a job rolled back says nothing). It
        carries model names and ids, no data; a form reloads only if it shows one of them with
        no unsaved change (``static/src/js/amazon_form_refresh.js``). A bulk change (a feed of
        thousands of listings) is not worth reloading forms for: beyond ``REFRESH_MAX_IDS``
        records nothing is sent.
        """
        records = {}
        for recordset in (self, *related):
            if recordset:
                records.setdefault(recordset._name, set()).update(recordset.ids)
        if not records or len(self) > REFRESH_MAX_IDS:
            return
        group = self.env.ref("stockagile_amazon_connector.group_amazon_user", False)
        if group:
            self.env["bus.bus"].sudo()._sendone(
                group,
                REFRESH_NOTIFICATION,
                {"records": {model: sorted(ids) for model, ids in records.items()}},
            )
