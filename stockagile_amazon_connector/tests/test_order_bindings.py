"""Bindings of Amazon orders and returns: one row per Amazon object, taken first by every job.

The side-by-side tests run two real jobs of one order (or return) at the same time, each on its
own database connection (``registry.cursor()``) in its own thread, the way two queue_job
workers do: their data must be committed to be seen, so each test commits its own account and
product and removes everything it committed afterwards.
"""

import threading
import time
import uuid
from contextlib import contextmanager
from datetime import timedelta
from unittest.mock import patch

import psycopg2

from odoo import SUPERUSER_ID, api, fields
from odoo.service.model import PG_CONCURRENCY_ERRORS_TO_RETRY
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import Job

from ..models.amazon_binding_mixin import AmazonBindingMixin
from ..models.amazon_job_mixin import account_channel
from ..models.amazon_order_importer import ORDER_DATASETS
from ..odoo_compat import environment_on
from ..services.const import REPORT_TYPE_RETURNS
from ..services.reports import parse_returns_report
from .common import (
    SANDBOX_PACKAGE,
    AmazonSandboxMixin,
    sandbox_module,
    sandbox_url,
)
from .test_order_import import AmazonOrderCase, iso_ago


def cancelled_now():
    """Amazon's change that cancels an order (two minutes ago)."""
    status = {"fulfillmentStatus": "CANCELLED"}
    return {"fulfillment": status, "lastUpdatedTime": iso_ago(minutes=2)}


#: Seconds a thread may wait for the other at a meeting point before the test fails.
MEET_TIMEOUT = 60


def run_like_queue_job(registry, job_uuid):
    """Run one stored job as queue_job's ``runjob`` does, on a connection of its own.

    Started and committed, then performed and committed; a concurrency error of PostgreSQL
    (the codes Odoo's ``PG_CONCURRENCY_ERRORS_TO_RETRY`` lists, which ``runjob`` of 18.0 and
    19.0 retries) or a ``RetryableJobError`` postpones it (state back to pending, written from
    another connection), anything else fails it.

    :return: ``("done", result)``, ``("retried", error)`` or ``("failed", error)``.
    """
    with registry.cursor() as cr:
        env = environment_on(registry, cr)
        job = Job.load(env, job_uuid)
        job.set_started()
        job.store()
        cr.commit()  # pylint: disable=invalid-commit  # a connection of its own, as runjob's
        try:
            try:
                job.perform()
                env.flush_all()
                job.set_done()
                job.store()
                env.flush_all()
                cr.commit()  # pylint: disable=invalid-commit
                return "done", job.result
            except psycopg2.OperationalError as error:
                if error.pgcode not in PG_CONCURRENCY_ERRORS_TO_RETRY:
                    raise
                raise RetryableJobError(str(error), seconds=5) from error
        except RetryableJobError as error:
            cr.rollback()
            with _stored_from_another_cursor(registry, job):
                job.postpone(result=str(error), seconds=error.seconds)
                job.set_pending(reset_retry=False)
            return "retried", error
        except Exception as error:  # pylint: disable=broad-except
            cr.rollback()
            with _stored_from_another_cursor(registry, job):
                job.set_failed(exc_name=type(error).__name__, exc_message=str(error))
            return "failed", error


@contextmanager
def _stored_from_another_cursor(registry, job):
    """Store what the block sets on ``job`` through a cursor of its own, as ``runjob`` does.

    queue_job 18.0 keeps the job's environment in ``job.env``; 19.0 derives it from
    ``job.recordset`` (``env`` is read-only there).
    """
    with registry.cursor() as other:
        env = environment_on(registry, other)
        recordset = job.recordset
        job.recordset = recordset.with_env(env)
        if not isinstance(getattr(type(job), "env", None), property):
            job.env = env
        yield
        job.store()
    job.recordset = recordset


@tagged("post_install", "-at_install")
class TestBindingsInOneTransaction(AmazonOrderCase):
    """What a binding holds decides: an older change of Amazon never overwrites a newer one."""

    def _binding(self, ref):
        return self.env["amazon.order"].search(
            [("account_id", "=", self.account.id), ("amazon_order_ref", "=", ref)]
        )

    def _amazon_order(self, ref):
        """The order as Amazon returns it now (getOrder on the sandbox)."""
        return self.account._get_sp_api_service().get_order(ref, included_data=ORDER_DATASETS)

    def test_older_change_after_newer_changes_nothing(self):
        """The import job of an older state, run after the cancellation, changes nothing."""
        ref = "402-5550001-0000001"
        self.sandbox.add_orders([self._new_order(ref, iso_ago(minutes=10))])
        created = self._amazon_order(ref)
        self.sandbox.patch_order(ref, cancelled_now())
        cancelled = self._amazon_order(ref)
        self.assertEqual(self.account._amazon_job_import_order(created), "created")
        self.assertEqual(self.account._amazon_job_import_order(cancelled), "updated")
        self.assertEqual(self.account._amazon_job_import_order(created), "unchanged")
        order = self._order(ref)
        self.assertEqual(order.state, "cancel", "the late older state must not revive the order")
        binding = self._binding(ref)
        self.assertEqual(binding.sale_order_id, order)
        self.assertEqual(binding.amazon_status, "CANCELLED")
        self.assertEqual(binding.amazon_last_update, order.amazon_last_update)

    def test_cancelled_before_import_is_never_created_by_a_late_job(self):
        """Cancelled first, then the late job of its creation: no sales order, ever."""
        ref = "402-5550001-0000002"
        self.sandbox.add_orders([self._new_order(ref, iso_ago(minutes=10))])
        created = self._amazon_order(ref)
        self.sandbox.patch_order(ref, cancelled_now())
        cancelled = self._amazon_order(ref)
        self.assertEqual(self.account._amazon_job_import_order(cancelled), "skipped")
        self.assertEqual(self.account._amazon_job_import_order(created), "unchanged")
        self.assertFalse(self._order(ref), "Amazon cancelled it: nothing to deliver")
        self.assertEqual(self._binding(ref).amazon_status, "CANCELLED")

    def test_poll_and_notification_read_the_binding(self):
        """A poll after the import queues nothing; an older notification is ignored."""
        self._sync()
        refs = self.env["sale.order"].search([("amazon_account_id", "=", self.account.id)])
        bindings = self.env["amazon.order"].search([("account_id", "=", self.account.id)])
        self.assertEqual(bindings.sale_order_id, refs, "every imported order has its binding")
        again = self._sync()
        self.assertEqual((again["created"], again["updated"]), (0, 0), "nothing newer on Amazon")
        order = refs[0]
        notification = self.env["amazon.notification"].create(
            {
                "account_id": self.account.id,
                "notification_ref": str(uuid.uuid4()),
                "amazon_order_ref": order.amazon_order_ref,
                "state": "received",
            }
        )
        self.assertEqual(notification._amazon_job_fetch_order(), "up to date")
        self.assertEqual(notification.state, "ignored")

    def test_a_busy_binding_is_a_concurrency_error(self):
        """Outside a job a busy binding raises PostgreSQL's error (Odoo's requests retry it)."""
        with self.registry.cursor() as other:
            other_env = api.Environment(other, SUPERUSER_ID, {})
            account = (
                other_env["amazon.account"].with_context(active_test=False).search([], limit=1)
            )
            key = {"account_id": account.id, "amazon_order_ref": "402-5550001-0000003"}
            other_env["amazon.order"]._amazon_take_binding(key)
            other.commit()  # the row exists for both connections
            try:
                other_env["amazon.order"]._amazon_take_binding(key)  # held by `other`
                with (
                    self.assertRaises(psycopg2.OperationalError) as caught,
                    mute_logger("odoo.sql_db"),
                    self.env.cr.savepoint(),
                ):
                    self.env["amazon.order"]._amazon_take_binding(key)
                self.assertIn(caught.exception.pgcode, PG_CONCURRENCY_ERRORS_TO_RETRY)
                with (
                    self.assertRaises(RetryableJobError, msg="in a job: queue_job retries it"),
                    mute_logger("odoo.sql_db"),
                    self.env.cr.savepoint(),
                ):
                    self.env["amazon.order"].with_context(job_uuid="x")._amazon_take_binding(key)
            finally:
                other.rollback()
                other_env["amazon.order"].search(
                    [("amazon_order_ref", "=", key["amazon_order_ref"])]
                ).unlink()
                other.commit()


@tagged("post_install", "-at_install")
class TestJobsSideBySide(AmazonSandboxMixin, TransactionCase):
    """Two jobs of one Amazon order or return, on two connections, really at the same time."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sandbox = sandbox_module(f"{SANDBOX_PACKAGE}.control").SandboxControl(sandbox_url())
        cls.marketplace_es = cls.env.ref("stockagile_amazon_connector.amazon_marketplace_es")
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.env.company.id)], limit=1
        )

    def setUp(self):
        super().setUp()
        self.reset_amazon()
        self.addCleanup(self.reset_rate_limits)
        self._commit_fixture()
        self.addCleanup(self._drop_fixture)

    # committed data --------------------------------------------------------------------------

    def _committed(self):
        """A cursor of its own and its superuser environment (commit on exit)."""
        cr = self.registry.cursor()
        return cr, api.Environment(cr, SUPERUSER_ID, {})

    def _commit_fixture(self):
        """An account on the sandbox, a product and a pricelist in euros, committed."""
        self.sku = f"BIND-{uuid.uuid4().hex[:8]}"
        cr, env = self._committed()
        with cr:
            eur = env.ref("base.EUR")
            self.eur_was_active = eur.active
            eur.active = True
            self.pricelist_id = (
                env["product.pricelist"]
                .create({"name": "Amazon EUR (bindings test)", "currency_id": eur.id})
                .id
            )
            self.tax_id = (
                env["account.tax"]
                .create(
                    {
                        "name": f"IVA 21% ({self.sku})",
                        "amount": 21.0,
                        "amount_type": "percent",
                        "type_tax_use": "sale",
                        "price_include_override": "tax_included",
                        "company_id": env.company.id,
                    }
                )
                .id
            )
            self.product_id = (
                env["product.product"]
                .create(
                    {
                        "name": f"Product {self.sku}",
                        "default_code": self.sku,
                        "is_storable": True,
                        "list_price": 12.90,
                        "taxes_id": [(6, 0, [self.tax_id])],
                    }
                )
                .id
            )
            account = env["amazon.account"].create(
                self._amazon_account_values(name=f"Amazon ES ({self.sku})")
            )
            self.account_id = account.id
            # Products the database ticked before (the demo's) are listed in a new account at
            # once: not this test's.
            account.listing_ids.unlink()
            env["queue.job"].search([("channel", "=", account_channel(account))]).unlink()

    def _drop_fixture(self):
        """Remove every row the test committed (orders, partners, returns, jobs, fixture)."""
        cr, env = self._committed()
        with cr:
            account = env["amazon.account"].browse(self.account_id)
            env["queue.job"].search([("channel", "=", account_channel(account))]).unlink()
            orders = env["sale.order"].search([("amazon_account_id", "=", account.id)])
            partners = orders.partner_id | orders.partner_invoice_id | orders.partner_shipping_id
            partners |= partners.parent_id | partners.child_ids
            orders.filtered(lambda order: order.state != "cancel")._action_cancel()
            pickings = orders.picking_ids
            if "procurement.group" in env:
                env["procurement.group"].search([("sale_id", "in", orders.ids)]).unlink()
            orders.unlink()
            pickings.unlink()
            partners.exists().unlink()
            env["amazon.return"].search([("account_id", "=", account.id)]).unlink()
            account.unlink()  # its bindings with it
            product = env["product.product"].browse(self.product_id)
            template = product.product_tmpl_id
            product.unlink()
            template.unlink()
            env["product.pricelist"].browse(self.pricelist_id).unlink()
            env["account.tax"].browse(self.tax_id).unlink()
            env.ref("base.EUR").active = self.eur_was_active

    def _enqueue(self, method, *args, **kwargs):
        """Store the account's job ``method(*args)`` as its code does; return its uuid."""
        cr, env = self._committed()
        with cr:
            account = env["amazon.account"].browse(self.account_id)
            job = account._amazon_delay(account, None)
            return getattr(job, method)(*args, **kwargs).uuid

    def _state(self):
        """Orders, bindings and jobs of the account as committed."""
        cr, env = self._committed()
        with cr:
            orders = env["sale.order"].search([("amazon_account_id", "=", self.account_id)])
            bindings = env["amazon.order"].search([("account_id", "=", self.account_id)])
            returns = env["amazon.return"].search([("account_id", "=", self.account_id)])
            account = env["amazon.account"].browse(self.account_id)
            jobs = env["queue.job"].search([("channel", "=", account_channel(account))])
            return {
                "orders": [(o.amazon_order_ref, o.state, o.amazon_status) for o in orders],
                "bindings": [
                    (b.amazon_order_ref, b.sale_order_id.amazon_order_ref, b.amazon_status)
                    for b in bindings
                ],
                "review": [o.amazon_review_message for o in orders if o.amazon_review_needed],
                "returns": [(r.rma_ref, r.request_status, len(r.line_ids)) for r in returns],
                "jobs": sorted(jobs.mapped("state")),
            }

    def _add_order(self, ref):
        """A new UNSHIPPED FBM order of the test's product on the sandbox."""
        order = AmazonOrderCase._new_order(self, ref, iso_ago(minutes=10), sku=self.sku)
        self.sandbox.add_orders([order])

    def _amazon_order(self, ref):
        """getOrder on the sandbox, as the job would receive it."""
        cr, env = self._committed()
        with cr:
            account = env["amazon.account"].browse(self.account_id)
            return account._get_sp_api_service().get_order(ref, included_data=ORDER_DATASETS)

    def _returns_rows(self):
        """The rows of a returns report generated now by the sandbox."""
        cr, env = self._committed()
        with cr:
            service = env["amazon.account"].browse(self.account_id)._get_sp_api_service()
            now = fields.Datetime.now()
            report = service.create_report(
                REPORT_TYPE_RETURNS, [self.marketplace_es.api_ref], now - timedelta(days=5), now
            )
            deadline = time.monotonic() + MEET_TIMEOUT
            status = service.get_report(report)
            while not status.done and time.monotonic() < deadline:
                time.sleep(0.1)  # waiting on the sandbox's state, not a fixed delay
                status = service.get_report(report)
            self.assertEqual(status.processing_status, "DONE")
            return parse_returns_report(service.get_report_document(status.document_id))

    # running two jobs at once ----------------------------------------------------------------

    def _race(self, first_uuid, second_uuid, first_wins=False):
        """Run two jobs in two threads that meet before taking their binding; return outcomes.

        Both threads start the job body together and take their snapshot of the database; they
        meet again just before the binding is taken (the job's first statement about the
        object), so neither has committed when the other reads. With ``first_wins`` the second
        thread takes the binding only once the first holds it.
        """
        meet = threading.Barrier(2)
        first_holds = threading.Event()
        original = AmazonBindingMixin._amazon_take_binding_row
        roles = {}

        def take(model, key_vals):
            role = roles.get(threading.get_ident())
            if role:
                model.env.cr.execute("SELECT 1")  # the snapshot of the job's transaction
                meet.wait(timeout=MEET_TIMEOUT)
                if first_wins and role == "second":
                    self.assertTrue(first_holds.wait(timeout=MEET_TIMEOUT))
            try:
                return original(model, key_vals)
            finally:
                if role == "first":
                    first_holds.set()

        outcomes = {}

        def work(role, job_uuid):
            roles[threading.get_ident()] = role
            try:
                outcomes[role] = run_like_queue_job(self.registry, job_uuid)
            except Exception as error:  # pylint: disable=broad-except
                outcomes[role] = ("crashed", error)
                meet.abort()

        threads = [
            threading.Thread(target=work, args=("first", first_uuid)),
            threading.Thread(target=work, args=("second", second_uuid)),
        ]
        with patch.object(AmazonBindingMixin, "_amazon_take_binding_row", take):
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=2 * MEET_TIMEOUT)
        self.assertFalse(any(thread.is_alive() for thread in threads), "a job hung")
        return outcomes

    def _rerun(self, job_uuid):
        """Run a postponed job again now, as queue_job does once its time comes."""
        return run_like_queue_job(self.registry, job_uuid)

    # tests ------------------------------------------------------------------------------------

    def test_create_and_cancel_of_one_order_at_once(self):
        """Creation and cancellation side by side: the loser is retried; the order is cancelled."""
        ref = "402-5550002-0000001"
        self._add_order(ref)
        created = self._amazon_order(ref)
        self.sandbox.patch_order(ref, cancelled_now())
        cancelled = self._amazon_order(ref)
        create_job = self._enqueue("_amazon_job_import_order", created)
        cancel_job = self._enqueue("_amazon_job_import_order", cancelled)
        outcomes = self._race(create_job, cancel_job, first_wins=True)
        self.assertEqual(outcomes["first"], ("done", "created"), outcomes)
        self.assertEqual(outcomes["second"][0], "retried", f"queue_job must retry it: {outcomes}")
        self.assertEqual(self._rerun(cancel_job), ("done", "updated"))
        state = self._state()
        self.assertEqual(state["orders"], [(ref, "cancel", "CANCELLED")], "Amazon's final state")
        self.assertEqual(state["bindings"], [(ref, ref, "CANCELLED")])
        self.assertEqual(state["jobs"], ["done", "done"], "no job failed or left behind")

    def test_create_and_change_of_one_order_at_once(self):
        """Two updates of a new order side by side: one sales order, at Amazon's newest state."""
        ref = "402-5550002-0000002"
        self._add_order(ref)
        created = self._amazon_order(ref)
        self.sandbox.patch_order(
            ref,
            {
                "fulfillment": {"fulfillmentStatus": "PARTIALLY_SHIPPED"},
                "lastUpdatedTime": iso_ago(minutes=2),
            },
        )
        changed = self._amazon_order(ref)
        uuids = {
            "first": self._enqueue("_amazon_job_import_order", created),
            "second": self._enqueue("_amazon_job_import_order", changed),
        }
        outcomes = self._race(uuids["first"], uuids["second"])
        retried = [role for role, outcome in outcomes.items() if outcome[0] == "retried"]
        self.assertEqual(len(retried), 1, f"exactly one job met the other: {outcomes}")
        self.assertEqual(self._rerun(uuids[retried[0]])[0], "done")
        state = self._state()
        self.assertEqual(state["orders"], [(ref, "sale", "PARTIALLY_SHIPPED")], state)
        self.assertEqual(state["bindings"], [(ref, ref, "PARTIALLY_SHIPPED")])
        self.assertEqual(state["jobs"], ["done", "done"], "no job failed or left behind")

    def test_two_changes_of_an_imported_order_at_once(self):
        """Two jobs of an order imported before: the busy row is retried; the newest state wins."""
        ref = "402-5550002-0000003"
        self._add_order(ref)
        self.assertEqual(
            self._rerun(self._enqueue("_amazon_job_import_order", self._amazon_order(ref))),
            ("done", "created"),
        )
        self.sandbox.patch_order(
            ref,
            {
                "fulfillment": {"fulfillmentStatus": "PARTIALLY_SHIPPED"},
                "lastUpdatedTime": iso_ago(minutes=5),
            },
        )
        changed = self._amazon_order(ref)
        self.sandbox.patch_order(ref, cancelled_now())
        cancelled = self._amazon_order(ref)
        uuids = {
            "first": self._enqueue("_amazon_job_import_order", cancelled),
            "second": self._enqueue("_amazon_job_import_order", changed),
        }
        outcomes = self._race(uuids["first"], uuids["second"], first_wins=True)
        self.assertEqual(outcomes["first"], ("done", "updated"), outcomes)
        self.assertEqual(outcomes["second"][0], "retried", outcomes)
        self.assertIn("55P03", str(outcomes["second"][1]), "the row was held: lock not available")
        self.assertEqual(self._rerun(uuids["second"]), ("done", "unchanged"), "older: ignored")
        state = self._state()
        self.assertEqual(state["orders"], [(ref, "cancel", "CANCELLED")], "the newest state won")
        self.assertEqual(state["jobs"], ["done", "done", "done"])

    def test_two_updates_of_one_return_at_once(self):
        """Two report rows of one return side by side: one return, at the newest report's status."""
        rma = f"R{uuid.uuid4().hex[:10].upper()}"
        row = {
            "order_id": "402-5550003-0000001",
            "order_date": iso_ago(days=5),
            "return_request_date": iso_ago(hours=5),
            "return_request_status": "Approved",
            "amazon_rma_id": rma,
            "merchant_sku": self.sku,
            "item_name": f"Item {self.sku}",
            "return_quantity": 1,
            "return_reason": "CR-UNWANTED_ITEM",
            "resolution": "StandardRefund",
        }
        self.sandbox.add_returns([row])
        approved = [r for r in self._returns_rows() if r["amazon_rma_id"] == rma]
        self.reset_amazon()
        self.sandbox.add_returns([dict(row, return_request_status="Rejected")])
        rejected = [r for r in self._returns_rows() if r["amazon_rma_id"] == rma]
        self.assertEqual(len(approved), 1)
        older = fields.Datetime.to_string(fields.Datetime.now() - timedelta(hours=1))
        newer = fields.Datetime.to_string(fields.Datetime.now())
        uuids = {
            "first": self._enqueue("_amazon_job_record_return", rma, approved, as_of=older),
            "second": self._enqueue("_amazon_job_record_return", rma, rejected, as_of=newer),
        }
        outcomes = self._race(uuids["first"], uuids["second"])
        retried = [role for role, outcome in outcomes.items() if outcome[0] == "retried"]
        self.assertEqual(len(retried), 1, f"exactly one job met the other: {outcomes}")
        self.assertEqual(self._rerun(uuids[retried[0]])[0], "done")
        state = self._state()
        self.assertEqual(state["returns"], [(rma, "Rejected", 1)], "one return, newest status")
        self.assertEqual(state["jobs"], ["done", "done"], "no job failed or left behind")


@tagged("post_install", "-at_install")
class TestReturnBinding(AmazonOrderCase):
    """A return's rows from an older report never overwrite a newer report's."""

    def test_older_report_after_newer_changes_nothing(self):
        """Rows of an older report, recorded after a newer one, leave the newer status."""
        rows = [
            {
                "order_id": "402-5550004-0000001",
                "return_request_date": iso_ago(hours=5),
                "return_request_status": "Approved",
                "amazon_rma_id": "RBINDOLD01",
                "merchant_sku": "SA-MUG-001",
                "return_quantity": "1",
            }
        ]
        newer = [dict(rows[0], return_request_status="Rejected")]
        now = fields.Datetime.now()
        record = self.account._amazon_job_record_return(
            "RBINDOLD01", newer, as_of=fields.Datetime.to_string(now)
        )
        self.assertIn(record, ("created", "review"))
        outcome = self.account._amazon_job_record_return(
            "RBINDOLD01", rows, as_of=fields.Datetime.to_string(now - timedelta(hours=2))
        )
        self.assertEqual(outcome, "unchanged")
        returned = self.env["amazon.return"].search([("rma_ref", "=", "RBINDOLD01")])
        self.assertEqual(returned.request_status, "Rejected")
        self.assertEqual(len(returned.line_ids), 1)
        self.assertEqual(returned.amazon_last_update, now)
