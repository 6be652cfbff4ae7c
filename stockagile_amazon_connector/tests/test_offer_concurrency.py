"""Two push jobs of one offer, on two database connections, really at the same time.

Each job runs as queue_job's runner does (``run_like_queue_job``: its own connection, started
and committed, then performed and committed), in a thread of its own; the stock changes are
committed by a third connection meanwhile. The test commits its own account and product and
removes everything it committed afterwards.
"""

import threading
import uuid
from unittest.mock import patch

from odoo import SUPERUSER_ID, api
from odoo.tests import TransactionCase, tagged

from ..models.amazon_binding_mixin import AmazonBindingMixin
from ..models.amazon_job_mixin import account_channel
from ..models.amazon_sync_engine import AmazonSyncEngine
from .common import SANDBOX_PACKAGE, AmazonSandboxMixin, sandbox_module, sandbox_url
from .test_order_bindings import MEET_TIMEOUT, run_like_queue_job


@tagged("post_install", "-at_install")
class TestOfferPushesSideBySide(AmazonSandboxMixin, TransactionCase):
    """Pushes of one offer never overlap: the newer quantity wins, nothing is sent twice."""

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
        self.sku = f"OFFER-{uuid.uuid4().hex[:8]}"
        self.sandbox.put_listing(self.sku, marketplaceId=self.marketplace_es.api_ref, quantity=0)
        self._commit_fixture()
        self.addCleanup(self._drop_fixture)

    # committed data --------------------------------------------------------------------------

    def _committed(self):
        cr = self.registry.cursor()
        return cr, api.Environment(cr, SUPERUSER_ID, {})

    def _commit_fixture(self):
        """An account on the sandbox (ES) and a synced product, committed."""
        cr, env = self._committed()
        with cr:
            cr.execute("SELECT COALESCE(MAX(id), 0) FROM queue_job")
            self.jobs_before = cr.fetchone()[0]
            account = env["amazon.account"].create(
                self._amazon_account_values(name=f"Amazon ES ({self.sku})", sync_price=False)
            )
            self.account_id = account.id
            # Products the database ticked before (the demo's) are listed in a new account at
            # once: not this test's.
            account.listing_ids.unlink()
            env["queue.job"].search([("channel", "=", account_channel(account))]).unlink()
            product = env["product.product"].create(
                {
                    "name": f"Product {self.sku}",
                    "default_code": self.sku,
                    "is_storable": True,
                    "list_price": 10.0,
                    "taxes_id": [(6, 0, [])],
                }
            )
            self.product_id = product.id
            product.amazon_sync = True
            # (The demo data's account, if any, gets a listing too: not this test's.)
            listing = product.amazon_listing_ids.filtered(
                lambda listing: listing.account_id.id == self.account_id
            )
            self.offer_id = listing.offer_ids.id

    def _drop_fixture(self):
        """Remove every row the test committed (jobs, quants, account, product)."""
        cr, env = self._committed()
        with cr:
            env["queue.job"].search([("id", ">", self.jobs_before)]).unlink()
            env["amazon.account"].browse(self.account_id).unlink()  # its listings, offers
            cr.execute("DELETE FROM stock_quant WHERE product_id = %s", [self.product_id])
            env["amazon.listing"].with_context(active_test=False).search(
                [("product_id", "=", self.product_id)]
            ).unlink()  # other accounts' (demo data): nothing to withdraw
            cr.execute(
                "UPDATE product_product SET amazon_sync = false WHERE id = %s", [self.product_id]
            )
            env.invalidate_all()
            product = env["product.product"].browse(self.product_id)
            template = product.product_tmpl_id
            product.unlink()
            template.unlink()

    def _set_stock(self, quantity):
        """Set the free quantity (committed, as a stock move does); return the push job's uuid.

        The connector queues the change and enqueues the offer's push job, which this returns.
        """
        cr, env = self._committed()
        with cr:
            product = env["product.product"].browse(self.product_id)
            location = self.warehouse.lot_stock_id.with_env(env)
            free = product.with_context(warehouse_id=self.warehouse.id).free_qty
            env["stock.quant"]._update_available_quantity(product, location, quantity - free)
            account = env["amazon.account"].browse(self.account_id)
            jobs = env["queue.job"].search(
                [
                    ("channel", "=", account_channel(account)),
                    ("method_name", "=", "_amazon_job_push"),
                    ("state", "=", "pending"),
                ]
            )
            return jobs.uuid

    def _second_push_job(self):
        """Another push job of the offer, as a second queue_job worker would run it."""
        cr, env = self._committed()
        with cr:
            offer = env["amazon.offer"].browse(self.offer_id)
            return offer._amazon_delay(offer.account_id, None)._amazon_job_push().uuid

    def _quantities_sent(self):
        """Quantities Amazon received for the SKU, in order."""
        return [
            attribute["value"][0]["quantity"]
            for request in self.sandbox.requests(operation="patchListingsItem")
            if request["path"].endswith("/" + self.sku)
            for attribute in request["body"]["patches"]
            if attribute["path"] == "/attributes/fulfillment_availability"
        ]

    def _offer(self):
        cr, env = self._committed()
        with cr:
            offer = env["amazon.offer"].browse(self.offer_id)
            account = env["amazon.account"].browse(self.account_id)
            jobs = env["queue.job"].search([("channel", "=", account_channel(account))])
            return offer.state, offer.last_quantity_sent, sorted(set(jobs.mapped("state")))

    # tests ------------------------------------------------------------------------------------

    def test_newer_stock_during_a_push_is_sent_after_it(self):
        """A push holds its offer; a newer change meanwhile is queued, retried, then sent."""
        self.assertEqual(run_like_queue_job(self.registry, self._set_stock(5))[0], "done")
        self.sandbox.clear_requests()
        first_uuid = self._set_stock(3)
        calling = threading.Event()
        release = threading.Event()
        original = AmazonSyncEngine._patch_offer
        first_thread = []

        def patch_offer(engine, *args):
            if threading.current_thread() in first_thread:
                calling.set()  # the offer is taken, its quantity read: Amazon is being called
                self.assertTrue(release.wait(timeout=MEET_TIMEOUT))
            return original(engine, *args)

        outcomes = {}
        with patch.object(AmazonSyncEngine, "_patch_offer", patch_offer):
            thread = threading.Thread(
                target=lambda: outcomes.update(first=run_like_queue_job(self.registry, first_uuid))
            )
            first_thread.append(thread)
            thread.start()
            try:
                self.assertTrue(calling.wait(timeout=MEET_TIMEOUT))
                # Meanwhile stock drops again: queuing it never waits for the push.
                second_uuid = self._set_stock(1)
                self.assertTrue(second_uuid and second_uuid != first_uuid, "a job of its own")
                outcomes["second"] = run_like_queue_job(self.registry, second_uuid)
            finally:
                release.set()
                thread.join(timeout=2 * MEET_TIMEOUT)
        self.assertFalse(thread.is_alive(), "the first push hung")
        self.assertEqual(outcomes["first"], ("done", "synced"))
        self.assertEqual(outcomes["second"][0], "retried", "the offer was busy: retried")
        self.assertIn("another job", str(outcomes["second"][1]))
        self.assertEqual(run_like_queue_job(self.registry, second_uuid), ("done", "synced"))
        self.assertEqual(self._quantities_sent(), [3, 1], "the newer quantity last, each once")
        self.assertEqual(self.sandbox.listing(self.sku)["quantity"], 1)
        self.assertEqual(self._offer(), ("synced", 1, ["done"]))

    def test_two_pushes_of_one_change_at_once_send_it_once(self):
        """Two push jobs of one offer meet before taking it: one sends, the other sends nothing."""
        first_uuid = self._set_stock(4)
        second_uuid = self._second_push_job()
        meet = threading.Barrier(2)
        original = AmazonBindingMixin._amazon_take_bindings
        racing = set()

        def take(records):
            if threading.current_thread() in racing:
                records.env.cr.execute("SELECT 1")  # the job's snapshot
                meet.wait(timeout=MEET_TIMEOUT)
            return original(records)

        outcomes = {}

        def work(role, job_uuid):
            try:
                outcomes[role] = run_like_queue_job(self.registry, job_uuid)
            except Exception as error:  # pylint: disable=broad-except
                outcomes[role] = ("crashed", error)
                meet.abort()

        threads = [
            threading.Thread(target=work, args=("first", first_uuid)),
            threading.Thread(target=work, args=("second", second_uuid)),
        ]
        racing.update(threads)
        with patch.object(AmazonBindingMixin, "_amazon_take_bindings", take):
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=2 * MEET_TIMEOUT)
        self.assertFalse(any(thread.is_alive() for thread in threads), "a job hung")
        results = sorted(outcome[0] for outcome in outcomes.values())
        self.assertEqual(results, ["done", "retried"], outcomes)
        retried = first_uuid if outcomes["first"][0] == "retried" else second_uuid
        self.assertEqual(run_like_queue_job(self.registry, retried), ("done", "nothing queued"))
        self.assertEqual(self._quantities_sent(), [4], "sent once")
        self.assertEqual(self._offer(), ("synced", 4, ["done"]))
