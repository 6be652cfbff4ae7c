import json
import uuid

from odoo.tests import tagged

from .common import SANDBOX_PACKAGE, run_amazon_jobs, sandbox_module, seed
from .test_order_import import AmazonOrderCase, iso_ago

ORDER = "171-5550002-0000001"
NEW_ADDRESS = seed.address("Buyer " + ORDER, "Calle Mayor 7", "Valencia", "46001", "Valencia")


@tagged("post_install", "-at_install")
class TestBuyerChanges(AmazonOrderCase):
    """BuyerRequestedChange notifications: a new address before shipping moves the delivery; a
    new address after shipping or a cancellation request is a to-do for the salesperson."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.local_sqs = sandbox_module(f"{SANDBOX_PACKAGE}.sqs_process")

    def setUp(self):
        super().setUp()
        self.sandbox.config(sqs_endpoint=self.local_sqs.sqs_url())
        client, queue_url = self.local_sqs.create_queue("odoo-buyer")
        self.addCleanup(client.delete_queue, QueueUrl=queue_url)
        self.account.write(self.local_sqs.account_values(queue_url))
        self.account.action_amazon_subscribe()
        self.sandbox.add_orders([self._new_order(ORDER, iso_ago(minutes=5))])
        self._receive(1)
        run_amazon_jobs(self.env)
        self.order = self._order(ORDER)
        self.picking = self.order.picking_ids.filtered(lambda p: p.picking_type_code == "outgoing")
        self.assertEqual(len(self.picking), 1)
        self.old_partner = self.picking.partner_id
        self.old_street = self.old_partner.street

    def _receive(self, expected, rounds=10):
        received = 0
        for _round in range(rounds):
            received += self.account._amazon_receive_notifications(wait_seconds=1, commit=False)
            if received >= expected:
                break
        return received

    def _last_notification(self):
        return self.env["amazon.notification"].search(
            [("account_id", "=", self.account.id)], order="id desc", limit=1
        )

    def _todos(self):
        return self.order.activity_ids.filtered(
            lambda a: a.activity_type_id == self.env.ref("mail.mail_activity_data_todo")
        )

    def _ship(self):
        product = self.picking.move_ids.product_id
        self._set_inventory(product, 5)
        self.picking.action_assign()
        self.picking.move_ids.quantity = self.picking.move_ids.product_uom_qty
        self.picking.move_ids.picked = True
        self.picking.button_validate()
        self.assertEqual(self.picking.state, "done")

    def test_new_address_before_shipping_moves_the_delivery(self):
        """A new address before shipping: the delivery goes there, logged in both chatters."""
        self.sandbox.buyer_request(ORDER, "address", NEW_ADDRESS)
        body = json.loads(self.sandbox.notifications()[-1]["body"])
        change = body["Payload"]["OrderChangeNotification"]
        self.assertEqual(change["OrderChangeType"], "BuyerRequestedChange")
        self.assertEqual(self._receive(1), 1)
        run_amazon_jobs(self.env)
        self.assertEqual(self._last_notification().state, "queued")
        delivery = self.picking.partner_id
        self.assertEqual(
            (delivery.street, delivery.city, delivery.zip), ("Calle Mayor 7", "Valencia", "46001")
        )
        self.assertEqual(delivery.type, "delivery")
        self.assertEqual(self.old_partner.street, self.old_street, "the old contact is kept")
        for record in (self.order, self.picking):
            self.assertIn("Calle Mayor 7", record.message_ids[:1].body)
        self.assertFalse(self._todos())

    def test_new_address_after_shipping_is_a_todo(self):
        """A new address once shipped: a to-do for the salesperson; the delivery is unchanged."""
        self.order.user_id = self.env.user
        self._ship()
        self.sandbox.buyer_request(ORDER, "address", NEW_ADDRESS)
        self._receive(1)
        run_amazon_jobs(self.env)
        self.assertEqual(self.picking.partner_id, self.old_partner)
        [todo] = self._todos()
        self.assertEqual(todo.user_id, self.env.user)
        self.assertIn("Calle Mayor 7", todo.note)
        self.assertIn("already left", todo.note)

    def test_cancellation_request_is_a_todo(self):
        """A cancellation request: a to-do for the salesperson; the order is not cancelled."""
        self.order.user_id = self.env.user
        self.sandbox.buyer_request(ORDER, "cancel", reason="Ordered by mistake")
        body = json.loads(self.sandbox.notifications()[-1]["body"])
        items = body["Payload"]["OrderChangeNotification"]["Summary"]["OrderItems"]
        self.assertTrue(items[0]["IsBuyerRequestedCancel"])
        self._receive(1)
        run_amazon_jobs(self.env)
        self.assertEqual(self.order.state, "sale")
        [todo] = self._todos()
        self.assertEqual(todo.user_id, self.env.user)
        self.assertIn("Ordered by mistake", todo.note)
        self.assertEqual(self.picking.partner_id, self.old_partner)

    def test_untrusted_buyer_change_is_refused_and_changes_nothing(self):
        """A forged BuyerRequestedChange changes nothing: a malformed one is a dead letter with
        the reason; a well-formed one for a change Amazon does not hold is ignored."""
        creation = json.loads(self.sandbox.notifications()[-1]["body"])
        change = creation["Payload"]["OrderChangeNotification"]
        change["OrderChangeType"] = "BuyerRequestedChange"
        change["OrderChangeTrigger"]["ChangeReason"] = "Buyer Requested Cancel"
        change["Summary"]["OrderItems"][0]["IsBuyerRequestedCancel"] = "yes"
        creation["NotificationMetadata"]["NotificationId"] = str(uuid.uuid4())
        self.sandbox.send_notification(json.dumps(creation))
        self._receive(1)
        run_amazon_jobs(self.env)
        dead = self._last_notification()
        self.assertEqual(dead.state, "dead")
        self.assertIn("IsBuyerRequestedCancel is not true or false", dead.error)
        # Well formed, but Amazon's order holds no request and is not newer.
        change["Summary"]["OrderItems"][0]["IsBuyerRequestedCancel"] = True
        creation["NotificationMetadata"]["NotificationId"] = str(uuid.uuid4())
        self.sandbox.send_notification(json.dumps(creation))
        self._receive(1)
        run_amazon_jobs(self.env)
        self.assertEqual(self._last_notification().state, "ignored")
        self.assertFalse(self._todos())
        self.assertEqual(self.picking.partner_id, self.old_partner)
        self.assertEqual(self.order.state, "sale")
