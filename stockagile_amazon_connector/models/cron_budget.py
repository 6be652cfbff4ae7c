"""How long one run of a connector cron may work before handing over to the next run.

Odoo reloads the whole server (threaded mode) or kills the worker (prefork) when a cron thread
runs longer than ``limit_time_real`` (120 s by default), counting every job, and every rerun asked
with ``_notify_progress``, that the thread processes in one go. So each connector cron stops after
``RUN_SECONDS`` and wakes itself again with a cron trigger: a new run, on a fresh clock.
"""

import time

#: Seconds of work per cron run; with the time the last item may take, well under 120 s.
RUN_SECONDS = 20.0


class RunBudget:
    """The time left to a cron run; ``None`` seconds means unlimited (buttons, tests)."""

    def __init__(self, seconds=RUN_SECONDS, clock=time.monotonic):
        self._clock = clock
        self._deadline = None if seconds is None else clock() + seconds

    @classmethod
    def for_run(cls, auto_commit):
        """A cron run (``auto_commit``) gets ``RUN_SECONDS``; a button or a test, no limit."""
        return cls(RUN_SECONDS if auto_commit else None)

    def left(self):
        """Seconds left (infinite without a limit)."""
        if self._deadline is None:
            return float("inf")
        return max(0.0, self._deadline - self._clock())

    def spent(self):
        """True once the run must hand over to the next one."""
        return self.left() <= 0.0
