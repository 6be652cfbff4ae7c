from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import AmazonTestCase, import_amazon_orders, seed

UNICODE_SKU = "SA-ÜNÏCØDE-✓"


@tagged("post_install", "-at_install")
class TestBadOrderPayloads(AmazonTestCase):
    """Malformed or unexpected Amazon orders: an order to review with a clear message each, no
    partial order, the rest of the batch imported."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.skus = ("SA-MUG-001", "SA-TEE-BLK-M", UNICODE_SKU)
        products = cls.env["product.product"]
        for sku in cls.skus:
            products |= cls.env["product.product"].search(
                [("default_code", "=", sku)], limit=1
            ) or cls._create_product(sku)
        cls._configure_euro_sales(products)
        cls.account.orders_last_sync = fields.Datetime.now() - timedelta(days=2)

    def _orders(self, count, start):
        return seed.generated_orders(count, self.skus, start=start, prefix="412")

    def _imported(self, ref):
        return self.env["sale.order"].search(
            [("amazon_account_id", "=", self.account.id), ("amazon_order_ref", "=", ref)]
        )

    def _import(self, bad):
        """Put ``bad`` between two good orders and import; return the good ones' ids."""
        good = self._orders(2, start=0)
        bad["lastUpdatedTime"] = good[0]["lastUpdatedTime"]
        self.sandbox.reset(seed="empty")
        self.sandbox.add_orders([good[0], bad, good[1]])
        result = import_amazon_orders(self.env, self.account)
        for order in good:
            self.assertEqual(len(self._imported(order["orderId"])), 1, "the batch goes on")
        return result

    def _assert_refused(self, bad, message):
        before = self.env["sale.order.line"].search_count([])
        result = self._import(bad)
        self.assertEqual((result["review"], result["failed"]), (1, 0), result["jobs"])
        self.assertFalse(self._imported(bad["orderId"]), "no partial order")
        binding = self.env["amazon.order"].search(
            [("account_id", "=", self.account.id), ("amazon_order_ref", "=", bad["orderId"])]
        )
        self.assertTrue(binding.to_review, "an order to review, with Amazon's data")
        self.assertIn(message, binding.review_reason)
        self.assertIn(bad["orderId"], binding.raw_data)
        self.assertIn(bad["orderId"], self.account.orders_sync_error)
        self.assertIn(message, self.account.orders_sync_error)
        self.assertEqual(
            self.env["sale.order.line"].search_count([]) - before,
            len(self._imported_lines()),
        )

    def _imported_lines(self):
        return (
            self.env["sale.order"].search([("amazon_account_id", "=", self.account.id)]).order_line
        )

    def test_missing_order_items(self):
        """An order without items is refused with a message; nothing half-written."""
        bad = self._orders(1, start=10)[0]
        bad["orderItems"] = []
        self._assert_refused(bad, "without order items")

    def test_unknown_status(self):
        """An unknown fulfillment status is refused, naming the status."""
        bad = self._orders(1, start=11)[0]
        bad["fulfillment"]["fulfillmentStatus"] = "TELEPORTED"
        self._assert_refused(bad, "TELEPORTED")

    def test_quantity_not_a_number(self):
        """A quantity that is not a whole number is refused, naming the item."""
        bad = self._orders(1, start=12)[0]
        bad["orderItems"][0]["quantityOrdered"] = "two"
        self._assert_refused(bad, "'two'")

    def test_missing_amounts_flagged(self):
        """An item without any amount is imported for review, not confirmed."""
        bad = self._orders(1, start=13)[0]
        for item in bad["orderItems"]:
            item.pop("proceeds")
            item["product"].pop("price")
        bad.pop("proceeds")
        result = self._import(bad)
        order = self._imported(bad["orderId"])
        self.assertEqual(result["failed"], 0)
        self.assertTrue(order.amazon_review_needed, "an order without amounts needs review")
        self.assertEqual(order.state, "draft", "not confirmed at a price of 0")
        self.assertIn("no amount", order.amazon_review_message)

    def test_missing_buyer_and_address(self):
        """No buyer and no address: imported for a generic Amazon buyer."""
        bad = self._orders(1, start=14)[0]
        bad.pop("buyer")
        bad.pop("recipient")
        self._import(bad)
        order = self._imported(bad["orderId"])
        self.assertEqual(order.state, "sale")
        self.assertTrue(order.partner_id.name)

    def test_huge_quantities_and_prices(self):
        """Huge quantities and prices are imported as Amazon states them."""
        bad = self._orders(1, start=15)[0]
        bad["orderItems"] = [
            seed.order_item("99999999999999", "SA-MUG-001", "Huge", "B0HUGE", 10**6, 9999999.99)
        ]
        bad["proceeds"] = seed.order_proceeds(bad["orderItems"])
        self._import(bad)
        order = self._imported(bad["orderId"])
        line = order.order_line.filtered(lambda ln: ln.amazon_order_item_ref == "99999999999999")
        self.assertEqual(line.product_uom_qty, 10**6)
        grand_total = float(bad["proceeds"]["grandTotal"]["amount"])
        self.assertAlmostEqual(order.amount_total, grand_total, delta=0.05, msg="float precision")

    def test_unicode_buyer_and_sku(self):
        """Unicode buyer names and SKUs are kept as they are."""
        bad = self._orders(1, start=16)[0]
        bad["orderItems"] = [
            seed.order_item("77777777777777", UNICODE_SKU, "Ünïcødé ✓", "B0UNI", 1, 12.0)
        ]
        bad["proceeds"] = seed.order_proceeds(bad["orderItems"])
        bad["buyer"] = {"buyerName": "Zoë Ñúñez 山田 ✓"}
        bad["recipient"]["deliveryAddress"]["name"] = "Zoë Ñúñez 山田 ✓"
        self._import(bad)
        order = self._imported(bad["orderId"])
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.partner_id.name, "Zoë Ñúñez 山田 ✓")
        self.assertEqual(order.order_line[:1].product_id.default_code, UNICODE_SKU)


@tagged("post_install", "-at_install")
class TestBadCatalogInput(AmazonTestCase):
    """Unicode SKUs on Amazon, and SKUs shared by several products."""

    def test_unicode_sku_pushes(self):
        """A product with a unicode SKU syncs: Amazon holds its quantity."""
        self.sandbox.put_listing(UNICODE_SKU, productType="PRODUCT", quantity=0, price=10.0)
        product = self._create_product(UNICODE_SKU)
        self._set_inventory(product, 7)
        product.amazon_sync = True
        self._push()
        listing = product.amazon_listing_ids
        self.assertEqual(listing.state, "synced", listing.last_error)
        self.assertEqual(self.sandbox.listing(UNICODE_SKU)["quantity"], 7)

    def test_same_sku_two_companies(self):
        """Two companies' products with one SKU: each company's account binds its own."""
        company_b = self.env["res.company"].create({"name": "Amazon company B"})
        warehouse_b = self.env["stock.warehouse"].search([("company_id", "=", company_b.id)])
        account_b = (
            self.env["amazon.account"]
            .with_company(company_b)
            .create(
                self._amazon_account_values(
                    name="Amazon B", company_id=company_b.id, warehouse_id=warehouse_b.id
                )
            )
        )
        product_a = self._create_product("SA-SHARED-1", company_id=self.env.company.id)
        product_b = self._create_product("SA-SHARED-1", company_id=company_b.id)
        (product_a | product_b).amazon_sync = True
        self.assertEqual(product_a.amazon_listing_ids.account_id, self.account)
        self.assertEqual(product_b.amazon_listing_ids.account_id, account_b)

    def test_same_sku_one_account_refused(self):
        """Two products with one SKU on one account: refused, naming both products."""
        first = self._create_product("SA-TWICE-1", name="First twin")
        second = self._create_product("SA-TWICE-1", name="Second twin")
        first.amazon_sync = True
        with self.assertRaises(UserError) as caught:  # a savepoint: nothing half-written
            second.amazon_sync = True
        self.assertRegex(
            str(caught.exception),
            "First twin.*Second twin.*SA-TWICE-1|SA-TWICE-1.*First twin.*Second twin",
        )
        with self.assertRaises(UserError) as caught:
            (first | second).action_amazon_enable_sync()
        self.assertRegex(str(caught.exception), "First twin.*Second twin")
        second.invalidate_recordset()
        self.assertFalse(second.amazon_sync)
        self.assertFalse(second.with_context(active_test=False).amazon_listing_ids)
