from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, TransactionCase, tagged

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import Job

from .common import AmazonSandboxMixin, AmazonStockMixin, AmazonTestCase, run_amazon_jobs
from .test_order_import import AmazonOrderCase, iso_ago

RELATED_ORDER = "171-5550002-0000022"
ACTIVITY_TYPE = "stockagile_amazon_connector.mail_activity_type_amazon_credentials"


@tagged("post_install", "-at_install")
class TestRefusedCredentials(AmazonSandboxMixin, AmazonStockMixin, HttpCase):
    """Revoked credentials: the account in error once, its jobs wait, Test connection resumes.

    An HttpCase for its test mode: the account's error state is committed by a cursor of its
    own (the failing job's transaction is rolled back), which in test mode shares the test's
    transaction on both series.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setUpAmazon()
        cls.mug = cls._create_product("SA-MUG-001", price=12.90)
        cls.tee = cls._create_product("SA-TEE-BLK-M", price=9.90)

    def setUp(self):
        super().setUp()
        self.reset_amazon()
        self.addCleanup(self.reset_amazon)

    def _jobs(self):
        return self.env["queue.job"].search(
            [("channel", "=", f"root.amazon.account_{self.account.id}")], order="id"
        )

    def _run_jobs(self, include_future=False):
        """Run the account's pending jobs once, as queue_job's runner does.

        No savepoint around a job: what the job committed through its own cursor must stay,
        as it does in production (the job body here fails before it writes anything).
        """
        self.env.flush_all()
        now = fields.Datetime.now()
        for record in self._jobs().filtered(
            lambda job: job.state == "pending" and (include_future or not job.eta or job.eta <= now)
        ):
            job = Job.load(self.env, record.uuid)
            job.set_started()
            job.store()
            try:
                job.perform()
            except RetryableJobError as error:
                job.postpone(result=str(error), seconds=error.seconds)
                job.set_pending(reset_retry=False)
            else:
                job.set_done()
            job.store()
            self.env.flush_all()
        self.env.invalidate_all()

    def _activities(self):
        return self.env["mail.activity"].search(
            [
                ("res_model", "=", "amazon.account"),
                ("res_id", "=", self.account.id),
                ("activity_type_id", "=", self.env.ref(ACTIVITY_TYPE).id),
            ]
        )

    def test_revoked_credentials_wait_then_resume(self):
        """A revoked authorisation: one error, one activity, one call a minute, then resumed."""
        for product, quantity in ((self.mug, 4), (self.tee, 7)):
            self._set_inventory(product, quantity)
            product.amazon_sync = True
        self.assertEqual(len(self._jobs()), 2)
        self.sandbox.revoke_authorization()
        self.sandbox.clear_requests()

        self._run_jobs()
        self.assertEqual(self.account.connection_state, "error")
        self.assertTrue(self.account.credentials_refused)
        self.assertIn("authoris", self.account.last_error, "what to do: authorise the app again")
        self.assertEqual(len(self._activities()), 1, "one activity for the managers")
        self.assertTrue(
            self._activities().user_id.has_group("stockagile_amazon_connector.group_amazon_manager")
        )
        jobs = self._jobs()
        self.assertEqual(jobs.mapped("state"), ["pending", "pending"], "postponed, not failed")
        later = fields.Datetime.now() + timedelta(seconds=50)
        self.assertTrue(all(job.eta and job.eta >= later for job in jobs), "a minute, not seconds")
        self.assertEqual(len(self.sandbox.requests()), 1, "only the first job asked Amazon")

        self._run_jobs(include_future=True)
        self.assertEqual(len(self.sandbox.requests()), 1, "within the minute nobody asks Amazon")

        # A minute later: one job tries again, the other keeps waiting; still one activity.
        self.env.cr.execute(
            "UPDATE amazon_account SET amazon_outage_until = %s WHERE id = %s",
            [fields.Datetime.now() - timedelta(seconds=1), self.account.id],
        )
        self._run_jobs(include_future=True)
        self.assertEqual(len(self.sandbox.requests()), 2, "one try in the new minute")
        self.assertEqual(len(self._activities()), 1)
        self.assertEqual(self._jobs().mapped("state"), ["pending", "pending"])

        # The seller authorises the app again; Test connection resumes everything.
        self.sandbox.revoke_authorization(False)
        self.account.action_test_connection()
        self.assertEqual(self.account.connection_state, "connected")
        self.assertFalse(self.account.credentials_refused)
        self.assertFalse(self._activities(), "the activity is closed")
        self.assertFalse(any(self._jobs().mapped("eta")), "the waiting jobs run now")
        self._run_jobs()
        self.assertEqual(self._jobs().mapped("state"), ["done", "done"])
        self.assertEqual(self.sandbox.listing("SA-MUG-001")["quantity"], 4)
        self.assertEqual(self.sandbox.listing("SA-TEE-BLK-M")["quantity"], 7)


@tagged("post_install", "-at_install")
class TestRelatedRecord(AmazonOrderCase):
    """The job form's Related button opens the record an Amazon job concerns."""

    def test_related_opens_the_imported_order(self):
        """Related on an order's import job opens its sales order, not the account."""
        self.sandbox.add_orders([self._new_order(RELATED_ORDER, iso_ago(minutes=3))])
        self._sync()
        order = self._order(RELATED_ORDER)
        self.assertTrue(order)
        job = self.env["queue.job"].search(
            [("method_name", "=", "_amazon_job_import_order"), ("name", "ilike", RELATED_ORDER)]
        )
        self.assertEqual(len(job), 1)
        action = job.open_related_action()
        self.assertEqual((action["res_model"], action["res_id"]), ("sale.order", order.id))

    def test_related_opens_the_listing_creation(self):
        """Related on a listing creation's poll job opens the creation (no AttributeError)."""
        job_function = self.env.ref(
            "stockagile_amazon_connector.job_function_amazon_listing_creation_poll_amazon"
        )
        func_name = job_function.related_action["func_name"]
        self.assertTrue(hasattr(self.env["queue.job"], func_name), "looked up on queue.job")

    def test_every_amazon_job_has_its_backoff_and_related_action(self):
        """Each Amazon job method has a job function: its retry backoff and Related button."""
        missing = []
        for model_name in self.env.registry:
            model = self.env[model_name]
            for name in dir(type(model)):
                if not name.startswith("_amazon_job_") or name == "_amazon_job_key":
                    continue
                function = self.env["queue.job.function"].search(
                    [("name", "=", f"<{model_name}>.{name}")]
                )
                if not (function.retry_pattern and function.related_action):
                    missing.append(f"{model_name}.{name}")
        # Without a job function an outage is retried after queue_job's default ten minutes.
        self.assertEqual(missing, [])


@tagged("post_install", "-at_install")
class TestKilledJobs(AmazonTestCase):
    """A job that kills its worker again and again ends failed; the others still run."""

    def test_job_killing_its_worker_ends_failed_after_three_times(self):
        """Interrupted three times, a push ends failed with the reason; another push runs."""
        mug = self._create_product("SA-MUG-001", price=12.90)
        tee = self._create_product("SA-TEE-BLK-M", price=9.90)
        for product, quantity in ((mug, 4), (tee, 7)):
            self._set_inventory(product, quantity)
            product.amazon_sync = True
        jobs = self.env["queue.job"].search(
            [("channel", "=", f"root.amazon.account_{self.account.id}")], order="id"
        )
        killer, other = jobs
        for attempt in range(1, 4):
            killer.write(
                {
                    "state": "started",
                    "date_started": fields.Datetime.now() - timedelta(minutes=2),
                }
            )
            self.env["amazon.account"]._cron_recover_interrupted_jobs()
            killer.invalidate_recordset()
            self.assertEqual(killer.amazon_interrupted_count, attempt)
            self.assertEqual(killer.state, "failed" if attempt == 3 else "pending")
        self.assertIn("stopped 3 times", killer.exc_message)
        self.assertIn("SA-MUG-001", killer.name, "the failed job names its listing")
        run_amazon_jobs(self.env)
        self.assertEqual(other.state, "done", "the others run")
        self.assertEqual(self.sandbox.listing("SA-TEE-BLK-M")["quantity"], 7)
        self.assertEqual(killer.state, "failed", "not run again")

    def test_reason_in_the_company_language(self):
        """A Spanish company reads the reason of its job that stopped three times in Spanish."""
        self.env["res.lang"]._activate_lang("es_ES")
        self.env["ir.module.module"]._load_module_terms(
            ["stockagile_amazon_connector"], ["es_ES"], overwrite=True
        )
        self.account.company_id.partner_id.lang = "es_ES"
        mug = self._create_product("SA-MUG-001", price=12.90)
        self._set_inventory(mug, 4)
        mug.amazon_sync = True
        killer = self.env["queue.job"].search(
            [("channel", "=", f"root.amazon.account_{self.account.id}")]
        )
        self.assertEqual(killer.company_id, self.account.company_id)
        for _attempt in range(3):
            killer.write(
                {"state": "started", "date_started": fields.Datetime.now() - timedelta(minutes=2)}
            )
            self.env["amazon.account"]._cron_recover_interrupted_jobs()
        killer.invalidate_recordset()
        self.assertEqual(killer.state, "failed")
        self.assertIn("Su proceso se detuvo 3 veces", killer.exc_message)
        self.assertEqual(killer.exc_info, killer.exc_message)


@tagged("post_install", "-at_install")
class TestScheduledActionsInSpanish(TransactionCase):
    """The connector's scheduled actions are translated like the rest of the UI."""

    def test_cron_names_in_spanish(self):
        """In a Spanish database every *Amazon: …* scheduled action reads in Spanish."""
        self.env["res.lang"]._activate_lang("es_ES")
        self.env["ir.module.module"]._load_module_terms(
            ["stockagile_amazon_connector"], ["es_ES"], overwrite=True
        )
        cron_ids = (
            self.env["ir.model.data"]
            .search([("module", "=", "stockagile_amazon_connector"), ("model", "=", "ir.cron")])
            .mapped("res_id")
        )
        crons = self.env["ir.cron"].with_context(active_test=False).browse(cron_ids)
        self.assertGreaterEqual(len(crons), 9, "every scheduled action of the connector")
        english = {cron.id: cron.with_context(lang="en_US").name for cron in crons}
        # What the Scheduled Actions list (its "name" column) and a form's title read.
        rows = crons.with_context(lang="es_ES").read(["name", "display_name"])
        for row in rows:
            self.assertTrue(row["name"].startswith("Amazon: "), row["name"])
            self.assertNotEqual(row["name"], english[row["id"]], "translated, not English")
            self.assertEqual(row["display_name"], row["name"])
        names = {row["name"] for row in rows}
        self.assertIn("Amazon: importar pedidos", names)
        self.assertIn("Amazon: recibir notificaciones de pedidos (SQS)", names)
        self.assertIn("Amazon: recuperar trabajos interrumpidos", names)
        # The account's *Scheduled actions* button lists them all, in Spanish too.
        action = self.env["amazon.account"].action_view_scheduled_actions()
        listed = self.env["ir.cron"].with_context(lang="es_ES").search(action["domain"])
        self.assertEqual(set(listed.ids), set(crons.filtered("active").ids))
