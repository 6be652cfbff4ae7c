import json
import logging
import uuid
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from ..models.amazon_account_notification import CONSUMER_BUDGET, CONSUMER_CRON
from .common import SANDBOX_PACKAGE, run_amazon_jobs, sandbox_module
from .test_order_import import AmazonOrderCase, iso_ago

NEW_ORDER = "171-5550001-0000001"


@tagged("post_install", "-at_install")
class TestOrderNotifications(AmazonOrderCase):
    """ORDER_CHANGE notifications through Amazon SQS (moto's server) from the sandbox."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.local_sqs = sandbox_module(f"{SANDBOX_PACKAGE}.sqs_process")

    def setUp(self):
        super().setUp()
        self.sandbox.config(sqs_endpoint=self.local_sqs.sqs_url())
        client, queue_url = self.local_sqs.create_queue("odoo")
        self.addCleanup(client.delete_queue, QueueUrl=queue_url)
        self.account.write(self.local_sqs.account_values(queue_url))
        self.account.action_amazon_subscribe()

    def _receive(self, expected, rounds=10):
        """Read the queue as the consumer cron does until ``expected`` messages came."""
        received = 0
        for _round in range(rounds):
            received += self.account._amazon_receive_notifications(wait_seconds=1, commit=False)
            if received >= expected:
                break
        return received

    def _notifications(self):
        return self.env["amazon.notification"].search(
            [("account_id", "=", self.account.id)], order="id"
        )

    def test_subscribe_creates_destination_and_filtered_subscription(self):
        """Subscribe stores Amazon's ids; the subscription filters the account's marketplaces."""
        self.assertEqual(self.account.notification_state, "subscribed")
        state = self.sandbox.state()
        subscription = state["subscriptions"]["ORDER_CHANGE"]
        self.assertEqual(self.account.notification_subscription_ref, subscription["subscriptionId"])
        self.assertEqual(self.account.notification_destination_ref, subscription["destinationId"])
        event_filter = subscription["processingDirective"]["eventFilter"]
        self.assertEqual(event_filter["marketplaceIds"], ["A1RKKUPIHCS9HS"])
        self.assertEqual(
            event_filter["orderChangeTypes"], ["OrderStatusChange", "BuyerRequestedChange"]
        )
        self.account.action_amazon_unsubscribe()
        self.assertEqual(self.account.notification_state, "none")
        self.assertEqual(self.sandbox.state()["subscriptions"], {})

    def test_created_order_arrives_without_polling(self):
        """An order created on Amazon becomes a confirmed sale through its notification."""
        self.sandbox.add_orders([self._new_order(NEW_ORDER, iso_ago(minutes=1))])
        self.assertEqual(self._receive(1), 1)
        run_amazon_jobs(self.env)
        order = self._order(NEW_ORDER)
        self.assertEqual(order.state, "sale", "the notified order is imported and confirmed")
        self.assertEqual(self._notifications().mapped("state"), ["queued"])
        self.assertEqual(self._notifications().sale_order_id, order)
        self.assertFalse(self.sandbox.requests("searchOrders"), "no poll was needed")
        self.assertEqual(len(self.sandbox.requests("getOrder")), 1)
        self.assertEqual(
            self.account._amazon_receive_notifications(wait_seconds=0, commit=False),
            0,
            "handled messages are deleted from the queue",
        )

    def test_consumer_run_is_short_and_triggers_the_next(self):
        """A consumer run reads within its budget, then re-triggers its cron (no progress loop)."""
        cron = self.env.ref(CONSUMER_CRON)
        self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]).unlink()
        progress = []
        self.patch(
            type(self.env["ir.cron"]),
            "_notify_progress",
            lambda _self, **kwargs: progress.append(kwargs),
        )
        self.sandbox.add_orders([self._new_order(NEW_ORDER, iso_ago(minutes=1))])
        start = fields.Datetime.now()
        self.env["amazon.account"]._cron_receive_notifications(budget=2, commit=False)
        self.assertEqual(len(self._notifications()), 1, "the message was stored in this run")
        self.assertFalse(progress, "no 'work left' report: Odoo would loop it on one thread")
        triggers = self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)])
        self.assertTrue(triggers, "the next run is triggered at once")
        self.assertLessEqual(max(triggers.mapped("call_at")), fields.Datetime.now())
        self.assertGreaterEqual(min(triggers.mapped("call_at")), start)
        self.assertLessEqual(
            CONSUMER_BUDGET * 6,
            60,
            "a run ends well inside limit_time_real (60 s in the README's proof)",
        )

    def test_consumer_does_not_trigger_for_an_unreadable_queue(self):
        """With its queue unreadable the consumer waits for its interval instead of spinning."""
        cron = self.env.ref(CONSUMER_CRON)
        self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]).unlink()
        self.account.sqs_endpoint_url = "http://127.0.0.1:9"
        self.env["amazon.account"]._cron_receive_notifications(budget=2, commit=False)
        self.assertTrue(self.account.sqs_consumer_error)
        self.assertFalse(self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]))

    def test_cancellation_duplicates_and_stale_notifications(self):
        """A cancellation arrives the same way; duplicates and older changes change nothing."""
        self.sandbox.add_orders([self._new_order(NEW_ORDER, iso_ago(minutes=2))])
        self._receive(1)
        run_amazon_jobs(self.env)
        first = self.sandbox.notifications()[-1]["body"]
        self.sandbox.add_notification_fault("duplicate")
        self.sandbox.add_notification_fault("out_of_order")
        self.sandbox.patch_order(NEW_ORDER, {"fulfillment": {"fulfillmentStatus": "CANCELLED"}})
        # Delivered: the cancellation, again as a duplicate, then the creation again (out of order).
        self.assertEqual(self._receive(3), 3)
        run_amazon_jobs(self.env)
        order = self._order(NEW_ORDER)
        self.assertEqual(order.state, "cancel", "the cancellation arrived through SQS")
        self.assertEqual(len(self._notifications()), 2, "each NotificationId is stored once")
        # An older change under a new NotificationId: Amazon's order is not newer, ignored.
        stale = json.loads(first)
        stale["NotificationMetadata"]["NotificationId"] = str(uuid.uuid4())
        self.sandbox.send_notification(json.dumps(stale))
        self._receive(1)
        run_amazon_jobs(self.env)
        self.assertEqual(self._notifications()[-1].state, "ignored")
        self.assertEqual(self._order(NEW_ORDER).state, "cancel", "the older change did not win")

    def test_malformed_message_is_kept_and_does_not_stop_others(self):
        """A malformed message is a dead letter with its body; the order beside it is imported."""
        self.sandbox.add_notification_fault("malformed")
        self.sandbox.add_orders([self._new_order(NEW_ORDER, iso_ago(minutes=1))])
        self._receive(2)
        run_amazon_jobs(self.env)
        dead = self._notifications().filtered(lambda n: n.state == "dead")
        self.assertEqual(len(dead), 1)
        self.assertIn('"Payload": ', dead.raw_body, "the raw body is kept for review")
        self.assertIn("not JSON", dead.error)
        self.assertEqual(self._order(NEW_ORDER).state, "sale")
        dead.action_retry()
        self.assertEqual(dead.state, "dead", "still malformed: it stays a dead letter")
        dead.action_discard()
        self.assertEqual(dead.state, "ignored")

    def test_sqs_down_polling_imports_and_consumer_resumes(self):
        """With SQS down, polling is back at its normal interval and imports; reading resumes."""
        self.account._amazon_receive_notifications(wait_seconds=0, commit=False)
        self.account._schedule_next_order_sync()
        healthy_next = self.account.orders_next_sync
        self.assertGreater(
            healthy_next,
            fields.Datetime.now() + timedelta(minutes=30),
            "while notifications flow, polling is the safety net: a longer interval",
        )
        good_endpoint = self.account.sqs_endpoint_url
        self.account.sqs_endpoint_url = "http://127.0.0.1:9"
        self.assertIsNone(self.account._amazon_receive_notifications(wait_seconds=0, commit=False))
        self.assertTrue(self.account.sqs_consumer_error)
        self.assertLessEqual(
            self.account.orders_next_sync,
            fields.Datetime.now() + timedelta(minutes=self.account.order_sync_interval),
            "an SQS error brings polling back to the normal interval",
        )
        self.sandbox.add_orders([self._new_order(NEW_ORDER, iso_ago(minutes=3))])
        self._sync()
        self.assertEqual(self._order(NEW_ORDER).state, "sale", "polling imports it meanwhile")
        self.account.sqs_endpoint_url = good_endpoint
        self._receive(1)
        run_amazon_jobs(self.env)
        self.assertFalse(self.account.sqs_consumer_error, "the consumer resumed")
        self.assertEqual(
            self._notifications().mapped("state"),
            ["ignored"],
            "the notification of an order polling already imported changes nothing",
        )

    def test_settings_and_buttons_are_for_managers_only(self):
        """Amazon Users neither read the SQS secret nor subscribe; notifications are hidden."""
        user = new_test_user(
            self.env,
            login="amazon_user_sqs",
            groups="base.group_user,stockagile_amazon_connector.group_amazon_user",
        )
        account = self.account.with_user(user)
        with self.assertRaises(AccessError):
            account.read(["sqs_secret_access_key"])
        with self.assertRaises(AccessError):
            account.action_amazon_subscribe()
        with self.assertRaises(AccessError):
            self.env["amazon.notification"].with_user(user).search([])

    def test_no_secret_in_log(self):
        """The AWS secret and Amazon's grantless token never reach the log, even at DEBUG."""
        self.account.action_amazon_unsubscribe()
        # The settings written in setUp: Odoo's own SQL debug log, not the connector's.
        self.env.flush_all()
        with self.assertLogs(level=logging.DEBUG) as logs:
            self.account.action_amazon_subscribe()
            self.sandbox.add_orders([self._new_order(NEW_ORDER, iso_ago(minutes=1))])
            self._receive(1)
            run_amazon_jobs(self.env)
            self.account.sqs_endpoint_url = "http://127.0.0.1:9"
            self.account._amazon_receive_notifications(wait_seconds=0, commit=False)
        text = "\n".join(logs.output)
        self.assertEqual(self._order(NEW_ORDER).state, "sale")
        for secret in (self.local_sqs.SECRET_ACCESS_KEY, "sandbox-client-secret", "Atc|"):
            self.assertNotIn(secret, text, f"{secret[:4]}… leaked into the log")

    def test_managers_see_their_companies_notifications_only(self):
        """A notification of another company's account is invisible to this company's manager."""
        company_b = self.env["res.company"].create({"name": "Amazon Co B (notifications)"})
        account_b = self.env["amazon.account"].create(
            self._amazon_account_values(
                name="Amazon ES (company B)",
                company_id=company_b.id,
                warehouse_id=self.env["stock.warehouse"]
                .search([("company_id", "=", company_b.id)], limit=1)
                .id,
            )
        )
        notifications = self.env["amazon.notification"].create(
            [
                {"account_id": account.id, "notification_ref": f"n-{account.id}", "state": "dead"}
                for account in (self.account, account_b)
            ]
        )
        manager_a = new_test_user(
            self.env,
            login="amazon_manager_a_sqs",
            groups="base.group_user,stockagile_amazon_connector.group_amazon_manager",
            company_id=self.env.company.id,
            company_ids=[(6, 0, self.env.company.ids)],
        )
        seen = (
            self.env["amazon.notification"]
            .with_user(manager_a)
            .search([("id", "in", notifications.ids)])
        )
        self.assertEqual(seen.account_id, self.account, "company B's notification stays hidden")
        with self.assertRaises(AccessError):
            notifications.filtered(lambda n: n.account_id == account_b).with_user(
                manager_a
            ).action_discard()
