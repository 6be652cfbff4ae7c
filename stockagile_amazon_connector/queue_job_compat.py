"""Bridges OCA ``queue_job`` 18.0.1.7.0's job runner to the behaviour of its later releases.

``queue_job`` 18.0.1.7.1 and later need ``odoo.api.private``, which older Odoo 18.0 trees lack,
so such trees run 18.0.1.7.0. Its runner asks Odoo to run a job with an HTTP request it waits
for one second, and when Odoo takes longer to *answer* (a busy server) it puts the job back to
pending while Odoo is starting it: the runner asks again, the two collide, and under load a job
can bounce for minutes without running. Later releases treat that timeout as normal (the job is
running) and leave a job really stuck in *enqueued* to the garbage collector cron
(``requeue_stuck_jobs``). :func:`apply` gives 18.0.1.7.0 that behaviour; with any other release
it changes nothing.

It is applied when the connector's Python code is imported: in the threaded server and in
prefork mode with ``db_name`` set (the job runner's process is forked after the registry
loaded), which is how the connector is run.
"""

import inspect
import logging
import threading

import requests

_logger = logging.getLogger(__name__)

#: What 18.0.1.7.0's request function does on a timeout (later releases just log it).
RESETS_ON_TIMEOUT = "except requests.Timeout:\n            set_job_pending()"


def _async_http_get(scheme, host, port, user, password, db_name, job_uuid):
    """Ask Odoo to run the job without waiting for it (queue_job 18.0.2's version)."""

    def urlopen():
        url = f"{scheme}://{host}:{port}/queue_job/runjob?db={db_name}&job_uuid={job_uuid}"
        try:
            auth = (user, password) if user else None
            response = requests.get(url, timeout=1, auth=auth)
            response.raise_for_status()
        except requests.Timeout:
            # Odoo is running the job; it answers when the job is done.
            _logger.debug("job %s started on %s", job_uuid, db_name)
        except Exception:  # pylint: disable=broad-except
            _logger.exception("exception in GET %s", url)

    thread = threading.Thread(target=urlopen)
    thread.daemon = True
    thread.start()


def apply():
    """Replace the runner's request function when it is 18.0.1.7.0's (resets on timeout)."""
    try:
        from odoo.addons.queue_job.jobrunner import runner
    except ImportError:  # queue_job not on the addons path: nothing to bridge
        return False
    original = runner._async_http_get
    if original is _async_http_get:
        return False
    try:
        source = inspect.getsource(original)
    except (OSError, TypeError):
        return False
    if RESETS_ON_TIMEOUT not in source:
        return False
    runner._async_http_get = _async_http_get
    _logger.info("queue_job 18.0.1.7.0: a job runner request timeout no longer requeues the job")
    return True
