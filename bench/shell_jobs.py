"""Run the connector's queued jobs inside ``odoo-bin shell``, as queue_job's runner would.

The benchmarks that need no HTTP server (sync all, order import) use this to run every job to
completion in one process: each job in its own transaction, committed, in the runner's order
(priority, then creation). A job Amazon postponed (throttled) is run again when it is due.
"""

import time

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import Job


def run_jobs(env, timeout=1800.0, only_due=False, methods=None):
    """Run pending ``root.amazon`` jobs until none is left; return ``{state: count}``.

    :param timeout: seconds after which the run stops even if jobs are left (reported).
    :param only_due: stop when the next job is due later, instead of waiting for it.
    :param methods: run only jobs of these job methods (the others stay pending).
    """
    deadline = time.monotonic() + timeout
    outcomes = {}
    while time.monotonic() < deadline:
        env.cr.commit()  # a fresh snapshot (and clock): jobs others stored, etas now due
        env.cr.execute(
            """
            SELECT uuid, eta > (clock_timestamp() AT TIME ZONE 'UTC') FROM queue_job
             WHERE state = 'pending' AND channel LIKE 'root.amazon%%'
               AND (%s IS NULL OR method_name = ANY(%s))
             ORDER BY eta NULLS FIRST, priority, date_created, id
            """,
            [methods and list(methods), methods and list(methods)],
        )
        rows = env.cr.fetchall()
        if not rows:
            break
        uuid, later = rows[0]
        if later and only_due:
            rows = []
            break
        if later:
            time.sleep(0.2)
            continue
        job = Job.load(env, uuid)
        job.set_started()
        job.store()
        env.cr.commit()
        try:
            job.perform()
            job.set_done()
            job.store()
            env.flush_all()
            env.cr.commit()
            outcomes["done"] = outcomes.get("done", 0) + 1
        except RetryableJobError as error:
            env.cr.rollback()
            job.postpone(result=str(error), seconds=error.seconds)
            job.set_pending(reset_retry=False)
            job.store()
            env.cr.commit()
            outcomes["postponed"] = outcomes.get("postponed", 0) + 1
        except Exception as error:
            env.cr.rollback()
            job.set_failed(exc_name=type(error).__name__, exc_message=str(error))
            job.store()
            env.cr.commit()
            outcomes["failed"] = outcomes.get("failed", 0) + 1
        env.invalidate_all()
    outcomes["left"] = len(rows) if time.monotonic() >= deadline else 0
    return outcomes
