from datetime import datetime, timedelta, timezone
from unittest.mock import patch

import psycopg2

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from ..models import amazon_order_importer
from ..odoo_compat import sale_line_taxes
from .common import AmazonTestCase, import_amazon_orders, run_amazon_jobs, seed

FBM_SINGLE, FBM_MULTI, BUSINESS = (
    "402-3715930-4861125",
    "403-8126479-1203347",
    "404-5520178-9930241",
)
FBA, CANCELLED, PENDING = "405-1187342-6652918", "406-7749201-3381570", "407-2290614-5174436"
UNKNOWN_SKU, SHIPPED_FBM = "408-6605123-7791044", "402-9918273-1100456"
SKUS = ("SA-MUG-001", "SA-TEE-BLK-M", "SA-BOTTLE-750", "SA-CABLE-USBC", "SA-NOTEBOOK-A5")


def iso_ago(**delta):
    """An Amazon time (ISO 8601 UTC) this long ago."""
    stamp = datetime.now(timezone.utc) - timedelta(**delta)
    return stamp.strftime("%Y-%m-%dT%H:%M:%SZ")


def naive(value):
    """The naive UTC datetime Odoo stores for an Amazon time."""
    return datetime.fromisoformat(value.replace("Z", "+00:00")).replace(tzinfo=None)


class AmazonOrderCase(AmazonTestCase):
    """An account importing orders, the seeded SKUs as products and Spain's 21% VAT.

    Configured as an integrator would (the importer never creates any of it): euros active, a
    pricelist in euros, a price-included 21% sales tax on the products.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.eur = cls.env.ref("base.EUR")
        cls.products = {sku: cls._product(sku) for sku in SKUS}
        cls.vat21 = cls._configure_euro_sales(
            cls.env["product.product"].concat(*cls.products.values())
        )
        cls.account.orders_last_sync = fields.Datetime.now() - timedelta(days=30)

    @classmethod
    def _product(cls, sku):
        """The product the importer matches for ``sku`` (created when the database has none)."""
        product = cls.env["product.product"].search(
            [("default_code", "=", sku)], order="company_id, id", limit=1
        )
        return product or cls._create_product(sku)

    def _sync(self):
        return import_amazon_orders(self.env, self.account)

    def _order(self, ref):
        return self.env["sale.order"].search(
            [("amazon_account_id", "=", self.account.id), ("amazon_order_ref", "=", ref)]
        )

    def _new_order(self, order_id, updated, sku="SA-MUG-001", quantity=1, price=12.90):
        """An FBM UNSHIPPED order in the official shape, updated at ``updated`` (ISO)."""
        created = naive(updated) - timedelta(hours=1)
        items = [seed.order_item(f"{order_id[-5:]}000001", sku, "Item", "B0TEST", quantity, price)]
        order = seed.base_order(order_id, created, naive(updated), "UNSHIPPED", "MERCHANT", items)
        order["lastUpdatedTime"] = updated
        order["buyer"] = {"buyerName": f"Buyer {order_id}"}
        order["recipient"] = {
            "deliveryAddress": seed.address(
                f"Buyer {order_id}", "Calle Test 1", "Madrid", "28001", "Madrid"
            )
        }
        return order


@tagged("post_install", "-at_install")
class TestOrderImport(AmazonOrderCase):
    def test_fbm_order_becomes_confirmed_sale(self):
        """A payable FBM order is a confirmed sale with a delivery from the account's warehouse."""
        result = self._sync()
        order = self._order(FBM_SINGLE)
        self.assertEqual(order.state, "sale", "payable FBM orders are confirmed")
        self.assertEqual(order.amazon_marketplace_id, self.marketplace_es)
        self.assertEqual(order.currency_id.name, "EUR")
        self.assertEqual(order.amazon_fulfillment_channel, "fbm")
        self.assertEqual(order.amazon_status, "UNSHIPPED")
        self.assertTrue(order.amazon_purchase_date)
        self.assertEqual(order.date_order, order.amazon_purchase_date)
        self.assertEqual(order.order_line.product_id, self.products["SA-MUG-001"])
        self.assertEqual(order.order_line.amazon_order_item_ref, "06538226431891")
        self.assertAlmostEqual(order.amount_total, 12.90, msg="totals must be Amazon's")
        self.assertEqual(order.partner_id.name, "Lucía Martín Gómez")
        self.assertEqual(order.partner_shipping_id.zip, "28009")
        self.assertEqual(order.partner_shipping_id.phone, "+34 612 345 678")
        self.assertFalse(order.partner_id.email, "the buyer's e-mail is not needed: not kept")
        picking = order.picking_ids
        self.assertEqual(len(picking), 1)
        self.assertEqual(picking.picking_type_id.warehouse_id, self.account.warehouse_id)
        self.assertEqual(picking.state, "assigned" if picking.move_ids.quantity else "confirmed")
        self.assertGreaterEqual(result["created"], 5)
        requests = self.sandbox.requests(operation="searchOrders")
        self.assertEqual(len(requests), 1, "one page holds the seed")
        self.assertIn("TAX", str(requests[0]["query"]), "tax registrations are asked for")

    def test_import_twice_updates_without_duplicates(self):
        """Importing again changes nothing; an update on Amazon updates the same order."""
        self._sync()
        orders = self.env["sale.order"].search([("amazon_account_id", "=", self.account.id)])
        again = self._sync()
        self.assertEqual(again["created"], 0, "a second import must not create orders")
        self.sandbox.patch_order(FBM_SINGLE, {"lastUpdatedTime": iso_ago(minutes=3)})
        third = self._sync()
        self.assertEqual((third["created"], third["updated"]), (0, 1))
        self.assertEqual(
            self.env["sale.order"].search([("amazon_account_id", "=", self.account.id)]),
            orders,
            "each Amazon order stays one sales order",
        )
        with (
            self.assertRaises(psycopg2.IntegrityError, msg="(account, order) is unique"),
            mute_logger("odoo.sql_db"),
            self.cr.savepoint(),
        ):
            orders[0].copy(
                {
                    "amazon_order_ref": orders[0].amazon_order_ref,
                    "amazon_account_id": self.account.id,
                }
            )

    def test_multi_line_order_with_shipping_and_promotion(self):
        """Lines by SKU, shipping as its own line, the promotion as a discount: Amazon's total."""
        self._sync()
        order = self._order(FBM_MULTI)
        lines = {line.product_id: line for line in order.order_line}
        tee = lines[self.products["SA-TEE-BLK-M"]]
        self.assertEqual(tee.product_uom_qty, 2)
        self.assertAlmostEqual(tee.price_unit, 19.90)
        self.assertEqual(lines[self.products["SA-CABLE-USBC"]].product_uom_qty, 1)
        shipping = lines[self.account.shipping_product_id]
        self.assertAlmostEqual(shipping.price_total, 3.99, msg="shipping charged as its own line")
        promotion = lines[self.account.discount_product_id]
        self.assertAlmostEqual(promotion.price_total, -2.00, msg="the promotion is a discount")
        self.assertIn("ES-BLACKWEEK-10", promotion.name)
        self.assertAlmostEqual(order.amount_total, 51.78, msg="the total must be Amazon's")
        self.assertTrue(sale_line_taxes(tee).price_include, "EU prices include VAT")
        self.assertEqual(sale_line_taxes(tee).amount, 21.0)
        self.assertAlmostEqual(order.amount_untaxed, round(51.78 / 1.21, 2), delta=0.02)

    def test_business_order_partner_and_reference(self):
        """A business buyer is a company with its VAT number; the PO is the buyer's reference."""
        self._sync()
        order = self._order(BUSINESS)
        self.assertTrue(order.partner_id.is_company)
        self.assertEqual(order.partner_id.vat, "ESB98765432")
        self.assertEqual(order.partner_invoice_id, order.partner_id)
        self.assertEqual(order.partner_shipping_id.parent_id, order.partner_id)
        self.assertEqual(order.partner_shipping_id.name, "Carmen Ruiz Ortega")
        self.assertEqual(order.amazon_buyer_ref, "PO-2025-0417")
        self.assertEqual(order.client_order_ref, "PO-2025-0417")
        self.assertEqual(order.partner_id.company_id, self.account.company_id, "company-scoped")
        self.assertAlmostEqual(order.amount_total, 65.00)

    def test_partners_reused_for_the_same_buyer(self):
        """A returning buyer at the same address is one partner, not one per order."""
        self._sync()
        first = self._order(FBM_SINGLE)
        twin = self._new_order("402-1111111-0000001", iso_ago(minutes=5))
        twin["buyer"] = {"buyerName": "Lucía Martín Gómez"}
        twin["recipient"] = {
            "deliveryAddress": seed.address(
                "Lucía Martín Gómez",
                "Calle de Alcalá 123",
                "Madrid",
                "28009",
                "Madrid",
                line2="3º B",
            )
        }
        self.sandbox.add_orders([twin])
        self._sync()
        self.assertEqual(self._order("402-1111111-0000001").partner_id, first.partner_id)

    def test_pending_and_cancelled_orders_are_not_delivered(self):
        """Pending orders wait until payable; orders cancelled before import are not created."""
        self._sync()
        self.assertFalse(self._order(PENDING), "a pending order must not become a delivery")
        self.assertFalse(self._order(CANCELLED))
        self.sandbox.patch_order(
            PENDING,
            {
                "fulfillment": {"fulfillmentStatus": "UNSHIPPED"},
                "buyer": {"buyerName": "Rosa Vidal"},
                "recipient": {
                    "deliveryAddress": seed.address(
                        "Rosa Vidal", "Calle Sierpes 2", "Sevilla", "41001", "Sevilla"
                    )
                },
                "lastUpdatedTime": iso_ago(minutes=3),
            },
        )
        self._sync()
        order = self._order(PENDING)
        self.assertEqual(order.state, "sale", "once payable, the order is imported and confirmed")
        self.assertTrue(order.picking_ids)

    def test_unknown_sku_flagged_for_review(self):
        """An unknown SKU keeps its line, leaves a quotation to review, found by the filter."""
        self._sync()
        order = self._order(UNKNOWN_SKU)
        self.assertEqual(order.state, "draft", "an order to review is not confirmed")
        self.assertTrue(order.amazon_review_needed)
        self.assertIn("SA-UNKNOWN-999", order.amazon_review_message)
        self.assertIn("SA-UNKNOWN-999", order.order_line.name, "the line is not dropped")
        self.assertAlmostEqual(order.amount_total, 24.95)
        to_review = self.env["sale.order"].search([("amazon_review_needed", "=", True)])
        self.assertIn(order, to_review, "listed by the Amazon orders to review filter")
        lamp = self._create_product("SA-UNKNOWN-999", price=24.95, taxes_id=self.vat21.ids)
        order.action_amazon_check_products()
        self.assertEqual(order.order_line.product_id, lamp)
        self.assertAlmostEqual(order.amount_total, 24.95)
        self.assertFalse(order.amazon_review_needed)
        self.assertEqual(order.state, "sale", "reviewed orders are confirmed")

    def test_fba_orders_are_an_account_option(self):
        """FBA orders: skipped by default; with the option, delivered from the Amazon location."""
        bottle = self.products["SA-BOTTLE-750"]
        self._sync()
        self.assertFalse(self._order(FBA), "FBA import is off by default")
        self.account.write(
            {
                "fba_import": True,
                "orders_last_sync": self.account.orders_last_sync - timedelta(days=30),
            }
        )
        on_hand = bottle.with_context(warehouse_id=self.warehouse.id).qty_available
        self._sync()
        order = self._order(FBA)
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.amazon_fulfillment_channel, "fba")
        self.assertEqual(order.order_line.filtered("product_id.is_storable").qty_delivered, 1)
        self.assertFalse(order.picking_ids, "no delivery from our warehouses")
        self.assertEqual(
            bottle.with_context(warehouse_id=self.warehouse.id).qty_available,
            on_hand,
            "FBM stock must not move for FBA sales",
        )
        moves = order.order_line.move_ids
        self.assertEqual(moves.location_id, self.account.fba_location_id)
        self.assertFalse(self.account.fba_location_id.warehouse_id)

    def test_order_shipped_before_import_is_delivered(self):
        """An FBM order already shipped on Amazon is imported with its delivery done."""
        self._sync()
        order = self._order(SHIPPED_FBM)
        self.assertEqual(order.amazon_status, "SHIPPED")
        self.assertEqual(order.picking_ids.state, "done")

    def test_cancellation_cancels_order_and_delivery(self):
        """Cancelled on Amazon: the order and its pending delivery are cancelled."""
        self._sync()
        self.sandbox.patch_order(
            FBM_SINGLE,
            {
                "fulfillment": {"fulfillmentStatus": "CANCELLED"},
                "lastUpdatedTime": iso_ago(minutes=3),
            },
        )
        self._sync()
        order = self._order(FBM_SINGLE)
        self.assertEqual(order.state, "cancel", "Amazon's cancellation cancels the order")
        self.assertEqual(order.picking_ids.mapped("state"), ["cancel"])
        self.assertEqual(order.amazon_status, "CANCELLED")

    def test_cancellation_after_shipping_leaves_a_note(self):
        """Cancelled on Amazon after the goods left: the order stays, flagged with a note."""
        self._sync()
        order = self._order(FBM_SINGLE)
        picking = order.picking_ids
        picking.move_ids.quantity = 1
        picking.move_ids.picked = True
        picking._action_done()
        self.sandbox.patch_order(
            FBM_SINGLE,
            {
                "fulfillment": {"fulfillmentStatus": "CANCELLED"},
                "lastUpdatedTime": iso_ago(minutes=3),
            },
        )
        self._sync()
        self.assertEqual(order.state, "sale", "a shipped order cannot be cancelled")
        self.assertTrue(order.amazon_review_needed)
        self.assertIn("already shipped", order.amazon_review_message)
        self.assertIn("already shipped", order.message_ids[0].body)

    def test_failed_order_never_blocks_the_others(self):
        """An order that cannot be read is to review: the cursor and the later orders go on."""
        self.sandbox.reset(seed="empty")
        times = [iso_ago(minutes=30), iso_ago(minutes=20), iso_ago(minutes=10)]
        orders = [self._new_order(f"402-000000{n}-0000001", t) for n, t in enumerate(times)]
        orders[1]["proceeds"]["grandTotal"]["currencyCode"] = "ZZZ"
        self.sandbox.add_orders(orders)
        result = self._sync()
        self.assertEqual((result["created"], result["review"], result["failed"]), (2, 1, 0))
        self.assertTrue(self._order(orders[2]["orderId"]), "one failure does not stop the others")
        self.assertFalse(self._order(orders[1]["orderId"]))
        self.assertEqual(
            self.account.orders_last_sync, naive(times[2]), "the cursor never waits on a failure"
        )
        self.assertIn(orders[1]["orderId"], self.account.orders_sync_error)
        to_review = self.env["amazon.order"].search(
            [("account_id", "=", self.account.id), ("to_review", "=", True)]
        )
        self.assertEqual(to_review.amazon_order_ref, orders[1]["orderId"], "an order to review")
        self.assertIn("ZZZ", to_review.review_reason)
        # New orders keep coming while the failed one waits for a fix.
        later = self._new_order("402-0000009-0000001", iso_ago(minutes=5))
        self.sandbox.add_orders([later])
        self.assertEqual(self._sync()["created"], 1)
        # Amazon updates the order (a fix on its side): the update is imported on its own.
        self.sandbox.patch_order(
            orders[1]["orderId"],
            {
                "proceeds": {"grandTotal": {"amount": "12.90", "currencyCode": "EUR"}},
                "lastUpdatedTime": iso_ago(minutes=3),  # searchOrders hides the last 2 min
            },
        )
        result = self._sync()
        self.assertEqual((result["created"], result["failed"]), (1, 0), result["jobs"])
        self.assertFalse(self.account.orders_sync_error, "the newer update supersedes the failure")
        self.assertFalse(to_review.to_review, "imported: no longer to review")
        self.assertEqual(len(self.account.order_ids), 4)

    def test_failing_orders_past_the_first_pages_never_stall_the_import(self):
        """Failures on every page never pin the cursor: 50 orders, 5 a page, all are read."""
        self.sandbox.reset(seed="empty")
        self.sandbox.config(rate_limits=False)
        orders = [
            self._new_order(f"405-{n:07d}-0000001", iso_ago(minutes=100 - n)) for n in range(50)
        ]
        for order in orders[::5]:
            order["fulfillment"]["fulfillmentStatus"] = "TELEPORTED"
        self.sandbox.add_orders(orders)
        with patch.object(amazon_order_importer, "PAGE_SIZE", 5):
            for _poll in range(3):
                self._sync()
        self.assertEqual(len(self.account.order_ids), 40)
        to_review = self.env["amazon.order"].search(
            [("account_id", "=", self.account.id), ("to_review", "=", True)]
        )
        self.assertEqual(len(to_review), 10, "each unreadable order is to review")

    def test_throttled_mid_pagination_resumes_without_loss(self):
        """Throttled on the second page: the first page is kept, the rest comes next run."""
        self.sandbox.reset(seed="empty")
        times = [iso_ago(minutes=50 - n) for n in range(5)]
        self.sandbox.add_orders(
            [self._new_order(f"403-000000{n}-0000002", t) for n, t in enumerate(times)]
        )
        self.sandbox.add_fault("searchOrders", "throttle", after=1)
        with patch.object(amazon_order_importer, "PAGE_SIZE", 3):
            result = self._sync()
            self.assertTrue(result["throttled"])
            self.assertEqual(result["created"], 3)
            self.assertEqual(self.account.orders_last_sync, naive(times[2]))
            self.assertGreater(self.account.orders_next_sync, fields.Datetime.now())
            self.assertTrue(
                self.env["queue.job"].search(
                    [("method_name", "=", "_amazon_job_poll_orders"), ("state", "=", "pending")]
                ),
                "the throttled page was enqueued again for when Amazon allows it",
            )
            self.reset_rate_limits()  # the retry delay has passed
            run_amazon_jobs(self.env, include_future=True)
        self.assertEqual(len(self.account.order_ids), 5, "nothing lost, nothing duplicated")
        statuses = [r["status"] for r in self.sandbox.requests(operation="searchOrders")]
        self.assertEqual(statuses.count(429), 1)

    def test_crash_in_one_order_job_loses_nothing(self):
        """A crash while importing one order leaves its job to run again; nothing duplicated."""

        class Crash(BaseException):
            pass

        self.sandbox.reset(seed="empty")
        times = [iso_ago(minutes=40 - n) for n in range(3)]
        self.sandbox.add_orders(
            [self._new_order(f"404-000000{n}-0000003", t) for n, t in enumerate(times)]
        )
        importer = type(self.env["amazon.order.importer"])
        original = importer._import_order
        calls = []

        def crash_on_third(this, account, data, cache):
            calls.append(data["orderId"])
            if len(calls) == 3:
                raise Crash
            return original(this, account, data, cache)

        crashed = False
        with patch.object(importer, "_import_order", crash_on_third):
            try:  # not assertRaises: Odoo's rolls back to a savepoint, hiding what stays
                self._sync()
            except Crash:
                crashed = True
        self.assertTrue(crashed)
        self.assertEqual(
            self.account.orders_last_sync, naive(times[2]), "every order's job is stored"
        )
        self.assertEqual(len(self.account.order_ids), 2)
        run_amazon_jobs(self.env)
        self.assertEqual(len(self.account.order_ids), 3)
        self._sync()
        self.assertEqual(len(self.account.order_ids), 3, "nothing duplicated")

    def test_cron_polls_at_the_account_interval(self):
        """The cron polls an account again only once its interval has passed."""
        self.env["amazon.account"]._cron_sync_orders()
        self.env["amazon.account"]._cron_sync_orders()
        run_amazon_jobs(self.env)
        self.env["amazon.account"]._cron_sync_orders()
        run_amazon_jobs(self.env)
        self.assertEqual(len(self.sandbox.requests(operation="searchOrders")), 1)
        self.assertTrue(self._order(FBM_SINGLE))
        with self.assertRaises(ValidationError, msg="faster than searchOrders' rate"):
            self.account.order_sync_interval = 1

    def test_sync_button_queues_the_import(self):
        """The Sync orders button queues the import at once and says where to follow it."""
        action = self.account.action_sync_orders()
        self.assertEqual(action["params"]["type"], "success")
        self.assertIn("queued", action["params"]["message"])
        self.assertFalse(self.account.order_count, "the user never waits on Amazon")
        run_amazon_jobs(self.env)
        self.assertTrue(self.account.order_count)

    def test_buyer_data_anonymized_after_delivery(self):
        """Buyer data of orders delivered longer ago than the account says is erased."""
        self._sync()
        order = self._order(FBM_SINGLE)
        picking = order.picking_ids
        picking.move_ids.quantity = 1
        picking.move_ids.picked = True
        picking._action_done()
        self.env["amazon.account"]._cron_anonymize_orders()
        run_amazon_jobs(self.env)
        self.assertFalse(order.amazon_anonymized, "recent deliveries keep their data")
        picking.move_ids.date = fields.Datetime.now() - timedelta(days=31)
        self.env["amazon.account"]._cron_anonymize_orders()
        run_amazon_jobs(self.env)
        partner = order.partner_shipping_id
        self.assertTrue(order.amazon_anonymized)
        self.assertNotIn("Lucía", partner.name, "the buyer's name must be erased")
        self.assertFalse(partner.street or partner.phone)
        self.assertEqual(partner.zip, "28009", "the place of supply stays for taxes")
