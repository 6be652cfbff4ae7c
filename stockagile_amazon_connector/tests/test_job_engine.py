import inspect
from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from odoo.addons.queue_job.jobrunner import runner

from .. import queue_job_compat
from .common import AmazonTestCase, run_amazon_jobs


@tagged("post_install", "-at_install")
class TestJobEngine(AmazonTestCase):
    """The job engine's own rules: channels, identities, interrupted jobs, the runner bridge."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mug = cls._create_product("SA-MUG-001", price=12.90)

    def _jobs(self, method):
        return self.env["queue.job"].search(
            [
                ("method_name", "=", method),
                ("channel", "=", f"root.amazon.account_{self.account.id}"),
            ]
        )

    def test_each_account_has_its_own_channel(self):
        """A stock change enqueues one push job in its account's own channel."""
        self.mug.amazon_sync = True
        job = self._jobs("_amazon_job_push")
        self.assertEqual(len(job), 1)
        self.assertEqual(job.channel, f"root.amazon.account_{self.account.id}")

    def test_changes_coalesce_into_one_pending_job(self):
        """Many changes of one listing before its job runs are one job, one call to Amazon."""
        self.mug.amazon_sync = True
        for quantity in (3, 5, 8):
            self._set_inventory(self.mug, quantity)
        self.assertEqual(len(self._jobs("_amazon_job_push")), 1)
        run_amazon_jobs(self.env)
        self.assertEqual(len(self.sandbox.requests(operation="patchListingsItem")), 1)
        self.assertEqual(self.sandbox.listing("SA-MUG-001")["quantity"], 8)

    def test_interrupted_job_runs_again(self):
        """A job left started by a dead process (its row unlocked) is requeued, then runs."""
        self._set_inventory(self.mug, 4)
        self.mug.amazon_sync = True
        job = self._jobs("_amazon_job_push")
        job.write(
            {"state": "started", "date_started": fields.Datetime.now() - timedelta(seconds=5)}
        )
        fresh = self.env["amazon.account"]._cron_recover_interrupted_jobs()
        self.assertNotIn(job, fresh, "a job that just started may not have claimed its row yet")
        job.date_started = fields.Datetime.now() - timedelta(minutes=2)
        recovered = self.env["amazon.account"]._cron_recover_interrupted_jobs()
        self.assertIn(job, recovered)
        self.assertEqual(job.state, "pending")
        run_amazon_jobs(self.env)
        self.assertEqual(self.sandbox.listing("SA-MUG-001")["quantity"], 4)

    def test_job_sent_to_a_dead_server_runs_again(self):
        """A job left enqueued by a server that died before starting it is requeued, then runs."""
        self._set_inventory(self.mug, 6)
        self.mug.amazon_sync = True
        job = self._jobs("_amazon_job_push")
        job.write(
            {"state": "enqueued", "date_enqueued": fields.Datetime.now() - timedelta(seconds=5)}
        )
        fresh = self.env["amazon.account"]._cron_recover_interrupted_jobs()
        self.assertNotIn(job, fresh, "a request may still be on its way to a busy server")
        job.date_enqueued = fields.Datetime.now() - timedelta(minutes=2)
        self.assertIn(job, self.env["amazon.account"]._cron_recover_interrupted_jobs())
        self.assertEqual(job.state, "pending")
        run_amazon_jobs(self.env)
        self.assertEqual(self.sandbox.listing("SA-MUG-001")["quantity"], 6)

    def test_runner_timeout_never_requeues_a_running_job(self):
        """The runner in use never resets a job whose request is slow (18.0.1.7.0's is bridged)."""
        request = runner._async_http_get
        if request is not queue_job_compat._async_http_get:  # a later queue_job, e.g. on 19.0
            self.assertNotIn(queue_job_compat.RESETS_ON_TIMEOUT, inspect.getsource(request))
        self.assertFalse(queue_job_compat.apply(), "nothing left to bridge")
