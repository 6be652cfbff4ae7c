"""Amazon's returns report → ``amazon.return`` records: the one place that reads returns.

The path of a run reads as a sentence: the cron (or the account's *Sync returns* button)
enqueues the account's returns job → it asks Amazon for a merchant-fulfilled returns report over
the next window after the account's cursor (createReport, Reports API 2021-06-30, at most 60
days) and keeps its id on the account → it polls getReport (never sleeping: a report still in
progress ends the job, and another comes back a minute later) → when DONE, it downloads the
document (getReportDocument, GZIP, UTF-8 or ISO-8859-1), reads its rows, and records each return
(RMA) as a job of its own, so one failing return never stops the others; each new return is
processed at once (return picking, or *To review* with a message) → once every return of the
report has its job, the cursor moves to the end of the window. A report Amazon CANCELLED has
no returns (the cursor moves too); a FATAL one is asked again. A throttle or an outage ends
the job, keeps the pending report and enqueues the next try. Recording is idempotent (one
return per account and RMA), so windows overlap a little to catch returns Amazon adds late.
"""

import hashlib
import json
import logging
from collections import Counter
from datetime import timedelta

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools.translate import LazyTranslate

from ..services import AmazonError, AuthError, NotFoundError, ThrottledError, TransientError
from ..services.const import MAX_DAYS_PER_RETURNS_REPORT, REPORT_TYPE_RETURNS
from ..services.reports import parse_quantity, parse_report_date, parse_returns_report
from .amazon_job_mixin import PRIORITY_BULK

_lt = LazyTranslate(__name__)

_logger = logging.getLogger(__name__)

#: How far back the first import of an account looks.
FIRST_SYNC_DAYS = 30
#: Each report starts this long before the cursor: returns Amazon records late are not missed.
WINDOW_OVERLAP = timedelta(days=1)
#: Reports one run may request to catch up (each covers up to 60 days).
MAX_REPORTS_PER_RUN = 4
#: A run asks for another report at once only when its window ended longer ago than this.
CATCH_UP_AFTER = timedelta(days=1)
#: Seconds before a job looks again at a report Amazon is still preparing.
REPORT_POLL_SECONDS = 60
#: Seconds before a job tries again after an outage (the pending report is kept).
OUTAGE_RETRY_SECONDS = 60


class AmazonReturnsImporter(models.AbstractModel):
    _name = "amazon.returns.importer"
    _description = "Amazon Returns Importer"

    # ------------------------------------------------------------------
    # The run: report life cycle, savepoints, cursor
    # ------------------------------------------------------------------

    @api.model
    def _sync_account(self, account):
        """Advance the account's returns import as far as Amazon allows now.

        The body of the account's returns job (one transaction; each return in a savepoint).

        :param account: one ``amazon.account``.
        :return: dict of counts (``created``, ``updated``, ``unchanged``, ``review``,
            ``failed``) and ``pending`` (a report is still being generated), ``throttled``.
        """
        counts, errors = Counter(), []
        pending = throttled = False
        service = account._get_sp_api_service()
        now = fields.Datetime.now()
        for _run in range(MAX_REPORTS_PER_RUN):
            try:
                if not account.returns_report_id:
                    self._request_report(account, service, now)
                status = service.get_report(account.returns_report_id)
                if not status.done:
                    pending = True
                    account._schedule_returns_run(REPORT_POLL_SECONDS)
                    break
                if status.processing_status == "FATAL":
                    self._forget_report(account)
                    errors.append(
                        _("Amazon could not generate the returns report; it is asked again.")
                    )
                    break
                rows = []
                if status.processing_status == "DONE" and status.document_id:
                    text = service.get_report_document(status.document_id)
                    rows = parse_returns_report(text)
            except ThrottledError as error:
                throttled = True
                account._schedule_returns_run((error.retry_after or 60) + 1)
                break
            except NotFoundError as error:
                self._forget_report(account)  # expired or unknown: ask again
                errors.append(error.message)
                break
            except AmazonError as error:
                errors.append(error.message)
                if isinstance(error, TransientError | AuthError):
                    # An outage: the pending report is kept; a new job tries again soon.
                    account._schedule_returns_run(OUTAGE_RETRY_SECONDS)
                break
            recorded_all = self._record_rows(account, rows, counts, errors)
            end = account.returns_report_end
            self._forget_report(account, cursor=end if recorded_all else None)
            if not recorded_all or not end or now - end < CATCH_UP_AFTER:
                break
        account.write({"returns_sync_error": "\n".join(errors) or False})
        _logger.info(
            "Amazon account %s: returns %s%s%s",
            account.id,
            dict(counts),
            " (report pending)" * pending,
            " (throttled)" * throttled,
        )
        return {
            **{k: counts[k] for k in ("queued", "unchanged")},
            "pending": pending,
            "throttled": throttled,
        }

    def _request_report(self, account, service, now):
        """createReport over the window after the cursor; its id is kept on the account."""
        start = (
            account.returns_last_sync or now - timedelta(days=FIRST_SYNC_DAYS)
        ) - WINDOW_OVERLAP
        end = min(start + timedelta(days=MAX_DAYS_PER_RETURNS_REPORT), now)
        refs = account.marketplace_ids.mapped("api_ref")
        report_id = service.create_report(REPORT_TYPE_RETURNS, refs, start, end)
        account.write(
            {
                "returns_report_id": report_id,
                "returns_report_start": start,
                "returns_report_end": end,
            }
        )

    def _forget_report(self, account, cursor=None):
        """Done with the pending report; move the cursor to ``cursor`` when given."""
        values = {
            "returns_report_id": False,
            "returns_report_start": False,
            "returns_report_end": False,
        }
        if cursor and (not account.returns_last_sync or cursor > account.returns_last_sync):
            values["returns_last_sync"] = cursor
        account.write(values)

    # ------------------------------------------------------------------
    # Rows → returns
    # ------------------------------------------------------------------

    def _record_rows(self, account, rows, counts, errors):
        """Enqueue the recording of each return of the report: one job per return.

        A return already recorded with the same status (and not waiting for review) is not
        enqueued again: the windows overlap, so most of a report is known.

        :return: True (every return of the report has its job; the cursor may move).
        """
        # The report's data is Amazon's state at the end of its window.
        as_of = fields.Datetime.to_string(account.returns_report_end) or None
        groups = {}
        for row in rows:
            groups.setdefault(self._rma_key(row), []).append(row)
        known = {
            record.rma_ref: record
            for record in self.env["amazon.return"].search(
                [("account_id", "=", account.id), ("rma_ref", "in", list(groups))]
            )
        }
        for rma, rma_rows in groups.items():
            existing = known.get(rma)
            status = rma_rows[0].get("return_request_status") or False
            if existing and existing.state != "review" and existing.request_status == status:
                counts["unchanged"] += 1
                continue
            digest = hashlib.sha1(
                json.dumps(rma_rows, sort_keys=True, default=str).encode()
            ).hexdigest()[:12]
            account._amazon_delay(
                account,
                f"return:{rma}@{digest}",
                priority=PRIORITY_BULK,
                description=_lt("Amazon: record return %(rma)s", rma=rma),
            )._amazon_job_record_return(rma, rma_rows, as_of=as_of)
            counts["queued"] += 1
        return True

    @api.model
    def _record_one(self, account, rma, rows, as_of=None):
        """Record one return in the job's transaction; return what happened.

        The return (``amazon.return``, one row per account and RMA: the return's binding) is
        taken first, before anything about it is read: two jobs of one return never both apply
        their rows; the second is retried once the first committed. Rows of a report older than
        the one last applied change nothing (``unchanged``).

        :param as_of: end of the report's window (Amazon's state then); None for jobs queued
            before it was passed (applied as they come).
        :raise AmazonBindingError: another job holds the return (retried by queue_job).
        """
        if not rows or not isinstance(rows, list):
            raise UserError(_("The returns report has no row for return %(rma)s.", rma=rma))
        as_of = fields.Datetime.to_datetime(as_of) if as_of else None
        record, created = (
            self.env["amazon.return"]
            .sudo()
            ._amazon_take_binding_row({"account_id": account.id, "rma_ref": rma})
        )
        applied = record.amazon_last_update
        if not created and as_of and applied and as_of < applied:
            return "unchanged"  # a newer report of this return was applied already
        if as_of and (not applied or as_of > applied):
            record.amazon_last_update = as_of
        if created:
            return self._record_return(account, rma, rows, None, new=record)
        return self._record_return(account, rma, rows, record)

    @staticmethod
    def _rma_key(row):
        """Amazon's RMA id, else the order and request date (one return per request)."""
        rma = (row.get("amazon_rma_id") or "").strip()
        if rma:
            return rma
        return f"{row.get('order_id') or '?'}/{row.get('return_request_date') or '?'}"

    def _record_return(self, account, rma, rows, existing, new=None):
        """Create (and process) the return of ``rows``, or update the one already recorded.

        :param new: the row of the return just created by its binding (filled here), if any.
        :return: ``created``, ``review`` (new or still flagged), ``updated`` or ``unchanged``.
        """
        first = rows[0]
        status = first.get("return_request_status") or False
        if existing:
            changed = bool(status) and existing.request_status != status
            if changed:
                existing.request_status = status
            if existing.state == "review":
                return "review" if existing._amazon_process() else "updated"
            return "updated" if changed else "unchanged"
        values = {
            "account_id": account.id,
            "rma_ref": rma,
            "seller_rma_ref": first.get("seller_rma_id") or False,
            "amazon_order_ref": first.get("order_id") or False,
            "return_date": parse_report_date(first.get("return_request_date")),
            "request_status": status,
            "return_carrier": first.get("return_carrier") or False,
            "tracking_ref": first.get("tracking_id") or False,
            "line_ids": [Command.create(self._line_values(row)) for row in rows],
        }
        if new:
            record = new
            record.with_context(mail_notrack=True).write(values)
        else:
            record = self.env["amazon.return"].create(values)
        record._message_log(
            body=_(
                "Return %(rma)s of Amazon order %(order)s recorded.",
                rma=rma,
                order=record.amazon_order_ref or "?",
            )
        )
        return "review" if record._amazon_process() else "created"

    @staticmethod
    def _line_values(row):
        return {
            "sku": row.get("merchant_sku") or False,
            "asin": row.get("asin") or False,
            "item_name": row.get("item_name") or False,
            "quantity": parse_quantity(row.get("return_quantity")) or 0,
            "reason": row.get("return_reason") or False,
            "resolution": row.get("resolution") or False,
        }
