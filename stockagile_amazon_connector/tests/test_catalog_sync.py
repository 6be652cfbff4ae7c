import time
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from ..odoo_compat import stock_move_values
from .common import AmazonTestCase, run_amazon_jobs


def to_eur(env, amount):
    """A sales price of the company, as Amazon.es must show it (in EUR)."""
    company = env.company
    return company.currency_id._convert(amount, env.ref("base.EUR"), company, fields.Date.today())


@tagged("post_install", "-at_install")
class TestCatalogSync(AmazonTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mug = cls._create_product("SA-MUG-001", price=12.90)
        cls.tee = cls._create_product("SA-TEE-BLK-M", price=19.90)

    def _enable(self, products, quantity=None):
        for product in products:
            if quantity is not None:
                self._set_inventory(product, quantity)
        products.write({"amazon_sync": True})
        self._push()
        self.sandbox.clear_requests()

    def _patches(self, sku=None):
        return [
            r
            for r in self.sandbox.requests(operation="patchListingsItem")
            if sku is None or r["path"].endswith("/" + sku)
        ]

    def test_enable_sync_pushes_quantity_and_price(self):
        """Ticking Sync with Amazon creates the listing and pushes free quantity and price."""
        self._set_inventory(self.mug, 7)
        self.mug.amazon_sync = True
        listing = self.mug.amazon_listing_ids
        self.assertEqual((listing.account_id, listing.sku), (self.account, "SA-MUG-001"))
        self.assertTrue(listing.has_pending_changes, "enabling must queue a push")
        self._push()
        amazon = self.sandbox.listing("SA-MUG-001")
        self.assertEqual(amazon["quantity"], 7)
        self.assertAlmostEqual(amazon["price"], to_eur(self.env, 12.90))
        self.assertEqual(listing.state, "synced")
        self.assertEqual(listing.last_quantity_sent, 7)
        self.assertAlmostEqual(listing.last_price_sent, to_eur(self.env, 12.90))
        self.assertFalse(listing.change_ids, "the pushed changes must leave the queue")

    def test_template_checkbox_enables_variants(self):
        """The template's checkbox enables sync on its variant."""
        self.tee.product_tmpl_id.amazon_sync = True
        self.assertTrue(self.tee.amazon_sync)
        self.assertEqual(self.tee.amazon_listing_ids.sku, "SA-TEE-BLK-M")

    def test_enable_without_sku_refused(self):
        """A product without internal reference cannot be synced; the message names it."""
        product = self._create_product(False)
        product.name = "Nameless Gadget"
        with self.assertRaisesRegex(UserError, "Nameless Gadget"):
            product.amazon_sync = True
        self.assertFalse(product.amazon_listing_ids)

    def test_receipt_reaches_amazon(self):
        """A validated receipt raises the quantity on Amazon."""
        self._enable(self.mug, quantity=3)
        self._receive(self.mug, 5)
        self._push()
        self.assertEqual(self.sandbox.listing("SA-MUG-001")["quantity"], 8)

    def test_delivery_reaches_amazon(self):
        """A validated delivery lowers the quantity on Amazon."""
        self._enable(self.mug, quantity=10)
        self._deliver(self.mug, 4)
        self._push()
        self.assertEqual(self.sandbox.listing("SA-MUG-001")["quantity"], 6)

    def test_scrap_reaches_amazon(self):
        """A validated scrap lowers the quantity on Amazon."""
        self._enable(self.mug, quantity=10)
        scrap = self.env["stock.scrap"].create(
            {
                "product_id": self.mug.id,
                "scrap_qty": 2,
                "location_id": self.warehouse.lot_stock_id.id,
            }
        )
        scrap.action_validate()
        self._push()
        self.assertEqual(self.sandbox.listing("SA-MUG-001")["quantity"], 8)

    def test_inventory_adjustment_reaches_amazon(self):
        """An inventory adjustment sets the quantity on Amazon."""
        self._enable(self.mug, quantity=10)
        self._set_inventory(self.mug, 42)
        self._push()
        self.assertEqual(self.sandbox.listing("SA-MUG-001")["quantity"], 42)

    def test_reservation_lowers_free_quantity(self):
        """Units reserved for a delivery are no longer offered on Amazon (free quantity)."""
        self._enable(self.mug, quantity=10)
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": self.warehouse.out_type_id.id,
                "location_id": self.warehouse.lot_stock_id.id,
                "location_dest_id": self.env.ref("stock.stock_location_customers").id,
                "move_ids": [
                    (
                        0,
                        0,
                        stock_move_values(
                            {
                                "name": "reserve",
                                "product_id": self.mug.id,
                                "product_uom_qty": 3,
                                "product_uom": self.mug.uom_id.id,
                                "location_id": self.warehouse.lot_stock_id.id,
                                "location_dest_id": self.env.ref(
                                    "stock.stock_location_customers"
                                ).id,
                            }
                        ),
                    )
                ],
            }
        )
        picking.action_confirm()
        picking.action_assign()
        self._push()
        self.assertEqual(self.sandbox.listing("SA-MUG-001")["quantity"], 7)

    def test_safety_stock_and_never_negative(self):
        """The account's safety stock is held back, and the quantity sent is never negative."""
        self.account.safety_stock = 2
        self._enable(self.mug, quantity=5)
        self.assertEqual(self.sandbox.listing("SA-MUG-001")["quantity"], 3)
        self._set_inventory(self.mug, 1)
        self._push()
        self.assertEqual(self.sandbox.listing("SA-MUG-001")["quantity"], 0)

    def test_moves_in_other_warehouse_ignored(self):
        """Stock of another warehouse does not touch the account's listing."""
        self._enable(self.mug, quantity=4)
        other = self.env["stock.warehouse"].create({"name": "Other WH", "code": "OTH"})
        self._set_inventory(self.mug, 50, location=other.lot_stock_id)
        self.assertFalse(self.mug.amazon_listing_ids.change_ids)
        self._push()
        self.assertFalse(self._patches())
        self.assertEqual(self.sandbox.listing("SA-MUG-001")["quantity"], 4)

    def test_coalescing(self):
        """Several moves before a push become one call with the latest quantity."""
        self._enable(self.mug, quantity=10)
        for quantity in (9, 8, 7, 6, 5):
            self._set_inventory(self.mug, quantity)
        self._push()
        self.assertEqual(len(self._patches("SA-MUG-001")), 1, "moves must coalesce")
        self.assertEqual(self.sandbox.listing("SA-MUG-001")["quantity"], 5)

    def test_unchanged_quantity_sends_nothing(self):
        """A change that leaves the free quantity as Amazon has it makes no API call."""
        self._enable(self.mug, quantity=10)
        self._receive(self.mug, 2)
        self._deliver(self.mug, 2)
        self._push()
        self.assertFalse(self._patches())

    def test_price_change_pushed(self):
        """A new sales price reaches Amazon as purchasable_offer."""
        self._enable(self.mug, quantity=1)
        self.mug.product_tmpl_id.list_price = 14.50
        self._push()
        self.assertAlmostEqual(self.sandbox.listing("SA-MUG-001")["price"], to_eur(self.env, 14.50))
        patch = self._patches("SA-MUG-001")[0]["body"]["patches"]
        self.assertIn("/attributes/purchasable_offer", [p["path"] for p in patch])

    def test_price_from_pricelist_with_taxes(self):
        """The account's pricelist and the product's sales taxes decide the price sent."""
        tax = self.env["account.tax"].create(
            {"name": "VAT 21", "amount": 21, "type_tax_use": "sale", "price_include": False}
        )
        self.mug.taxes_id = tax
        self.account.pricelist_id = self.env["product.pricelist"].create(
            {
                "name": "Amazon",
                "currency_id": self.env.ref("base.EUR").id,
                "item_ids": [
                    (
                        0,
                        0,
                        {
                            "applied_on": "0_product_variant",
                            "product_id": self.mug.id,
                            "compute_price": "fixed",
                            "fixed_price": 10.0,
                        },
                    )
                ],
            }
        )
        self._enable(self.mug, quantity=1)
        self.assertAlmostEqual(self.sandbox.listing("SA-MUG-001")["price"], 12.10)

    def test_price_sync_can_be_disabled(self):
        """With price sync off, only the quantity is sent."""
        self.account.sync_price = False
        self._set_inventory(self.mug, 3)
        self.mug.amazon_sync = True
        self._push()
        paths = [p["path"] for p in self._patches("SA-MUG-001")[0]["body"]["patches"]]
        self.assertEqual(paths, ["/attributes/fulfillment_availability"])

    def test_unknown_sku_marked_not_on_amazon(self):
        """A SKU Amazon does not know marks that product Not on Amazon, the others still sync."""
        ghost = self._create_product("SA-GHOST-404")
        self._set_inventory(self.mug, 2)
        (ghost | self.mug).write({"amazon_sync": True})
        self._push()
        ghost_listing = ghost.amazon_listing_ids
        self.assertEqual(ghost_listing.state, "not_found")
        self.assertIn("SA-GHOST-404", ghost_listing.last_error)
        self.assertEqual(self.mug.amazon_listing_ids.state, "synced")
        self.assertEqual(self.sandbox.listing("SA-MUG-001")["quantity"], 2)

    def test_throttled_then_recovered(self):
        """A 429 leaves the change queued; the next run delivers it, nothing lost."""
        self._enable(self.mug, quantity=1)
        self._set_inventory(self.mug, 9)
        self.sandbox.add_fault("patchListingsItem", "throttle", count=1)
        self._push()
        listing = self.mug.amazon_listing_ids
        self.assertTrue(listing.change_ids, "a throttled push must stay queued")
        self.assertEqual(self.sandbox.listing("SA-MUG-001")["quantity"], 1)
        self.reset_rate_limits()  # as if Amazon's retry-after had passed
        run_amazon_jobs(self.env, include_future=True)
        self.assertEqual(self.sandbox.listing("SA-MUG-001")["quantity"], 9)
        self.assertFalse(listing.change_ids)

    def test_amazon_down_then_recovered(self):
        """5xx and HTML errors keep the change queued, show the retry, and deliver it later."""
        self._enable(self.mug, quantity=1)
        self._set_inventory(self.mug, 6)
        self.sandbox.add_fault("patchListingsItem", "html500", count=1)
        self._push()
        listing = self.mug.amazon_listing_ids
        self.assertTrue(listing.change_ids, "an outage loses nothing")
        self.assertIn("Retrying", listing.amazon_job_error)
        self.assertEqual(self.sandbox.listing("SA-MUG-001")["quantity"], 1)
        self.sandbox.add_fault("patchListingsItem", "error503", count=1)
        run_amazon_jobs(self.env, include_future=True, max_rounds=1)
        self.assertTrue(listing.change_ids)
        run_amazon_jobs(self.env, include_future=True)
        self.assertEqual(self.sandbox.listing("SA-MUG-001")["quantity"], 6)
        self.assertEqual(listing.state, "synced")
        self.assertFalse(listing.amazon_job_error)

    def test_one_bad_listing_never_stops_the_others(self):
        """A listing whose push cannot be built (negative price) fails alone; others go on."""
        bad = self._create_product("SA-BOTTLE-750", price=-5.0)
        self._set_inventory(bad, 3)
        self._set_inventory(self.mug, 3)
        (bad | self.mug).write({"amazon_sync": True})
        self._push()
        self.assertEqual(self.sandbox.listing("SA-MUG-001")["quantity"], 3)
        self.assertEqual(self.mug.amazon_listing_ids.state, "synced")
        self.assertEqual(bad.amazon_listing_ids.state, "error")
        self.assertIn("negative", bad.amazon_listing_ids.last_error)
        self._set_inventory(self.mug, 5)
        self._push()
        self.assertEqual(self.sandbox.listing("SA-MUG-001")["quantity"], 5, "later pushes go on")

    def test_unexpected_error_fails_one_job_with_retry(self):
        """An unexpected error fails that listing's job, shown on it with Retry; others go on."""
        self._set_inventory(self.mug, 2)
        self._set_inventory(self.tee, 2)
        listing_model = type(self.env["amazon.listing"])
        original = listing_model._amazon_patches

        def broken(this, marketplace, quantity=None, price=None):
            if this.sku == "SA-TEE-BLK-M":
                raise KeyError("boom")
            return original(this, marketplace, quantity, price)

        with patch.object(listing_model, "_amazon_patches", broken):
            (self.mug | self.tee).write({"amazon_sync": True})
            self._push()
        self.assertEqual(self.sandbox.listing("SA-MUG-001")["quantity"], 2)
        tee_listing = self.tee.amazon_listing_ids
        self.assertIn("boom", tee_listing.amazon_job_error)
        self.assertTrue(tee_listing.change_ids, "nothing lost")
        tee_listing.action_amazon_retry_jobs()
        self._push()
        self.assertEqual(self.sandbox.listing("SA-TEE-BLK-M")["quantity"], 2)
        self.assertFalse(tee_listing.amazon_job_error)

    def test_sync_now_button(self):
        """Sync now queues the push at once and the job delivers it."""
        self._set_inventory(self.mug, 4)
        self.mug.amazon_sync = True
        action = self.mug.action_amazon_sync_now()
        self.assertEqual(action["params"]["type"], "success")
        self._push()
        self.assertEqual(self.sandbox.listing("SA-MUG-001")["quantity"], 4)

    def test_disable_sync(self):
        """Disabling sync archives the listing, sets the SKU to 0 on Amazon and stops pushes."""
        self._enable(self.mug, quantity=4)
        self.mug.action_amazon_disable_sync()
        self.assertFalse(self.mug.amazon_sync)
        self._push()
        self.assertEqual(self.sandbox.listing("SA-MUG-001")["quantity"], 0, "withdrawn")
        self.sandbox.clear_requests()
        self._set_inventory(self.mug, 40)
        self._push()
        self.assertFalse(self._patches())
        self.assertEqual(self.sandbox.listing("SA-MUG-001")["quantity"], 0)


@tagged("post_install", "-at_install")
class TestCatalogFeeds(AmazonTestCase):
    def setUp(self):
        super().setUp()
        self.sandbox.reset(generate_listings=80)
        self.sandbox.config(rate_limits=False)

    def test_bulk_enable_and_sync_all_by_feed(self):
        """Sync all sends one feed; its report marks each product synced or not on Amazon."""
        products = self.env["product.product"]
        for number in range(1, 81):
            products |= self._create_product(f"SA-GEN-{number:05d}", price=10.0 + number)
        ghosts = self._create_product("SA-GHOST-1") | self._create_product("SA-GHOST-2")
        for product in products[:5]:
            self._set_inventory(product, 3)
        (products | ghosts).product_tmpl_id.action_amazon_enable_sync()
        self.env["amazon.sync.engine"]._dequeue(self.account.listing_ids)
        self.env["queue.job"].search([("channel", "like", "root.amazon")]).unlink()
        self.account.action_sync_all_products()
        self._push()
        feeds = self.env["amazon.feed"].search([("account_id", "=", self.account.id)])
        self.assertEqual(len(feeds), 1, "one feed per marketplace")
        self.assertEqual(feeds.message_count, 82)
        self.assertEqual(len(self.sandbox.requests(operation="createFeed")), 1)
        self.assertFalse(self.sandbox.requests(operation="patchListingsItem"))
        self._check_feeds()
        self.assertEqual(feeds.state, "done")
        self.assertEqual((feeds.accepted_count, feeds.error_count), (80, 2))
        self.assertEqual(set(ghosts.amazon_listing_ids.mapped("state")), {"not_found"})
        self.assertEqual(set(products.amazon_listing_ids.mapped("state")), {"synced"})
        self.assertEqual(self.sandbox.listing("SA-GEN-00001")["quantity"], 3)
        self.assertAlmostEqual(
            self.sandbox.listing("SA-GEN-00080")["price"], to_eur(self.env, 90.0)
        )
        self.assertEqual(products[0].amazon_listing_ids.last_quantity_sent, 3)

    def test_large_queue_goes_by_feed(self):
        """When many listings are queued at once the engine sends a feed, not many patches."""
        products = self.env["product.product"]
        for number in range(1, 61):
            products |= self._create_product(f"SA-GEN-{number:05d}")
        products.action_amazon_enable_sync()
        self._push()
        self.assertEqual(len(self.sandbox.requests(operation="createFeed")), 1)
        self.assertFalse(self.sandbox.requests(operation="patchListingsItem"))
        self.assertFalse(self.account.listing_ids.change_ids, "the feed covers the queue")
        self._check_feeds()
        self.assertEqual(set(products.amazon_listing_ids.mapped("state")), {"synced"})

    def test_feed_never_overwrites_a_newer_quantity(self):
        """Stock that changes while a feed is processed is patched at once and again after
        the feed's report, so Amazon ends at Odoo's quantity."""
        self.sandbox.config(feed_processing_seconds=1.0)
        products = self.env["product.product"]
        for number in range(1, 61):
            products |= self._create_product(f"SA-GEN-{number:05d}")
        first = products[0]
        self._set_inventory(first, 10)
        products.action_amazon_enable_sync()
        self._push()
        feed = self.env["amazon.feed"].search([("account_id", "=", self.account.id)])
        self.assertEqual(feed.state, "submitted")
        self._set_inventory(first, 6)
        self._push()
        patches = self.sandbox.requests(operation="patchListingsItem")
        self.assertEqual(len(patches), 1, "real time never waits for a feed")
        deadline = time.monotonic() + 30
        while feed.state == "submitted" and time.monotonic() < deadline:
            time.sleep(0.2)  # Amazon processes the feed
            self._check_feeds()
        self.assertEqual(feed.state, "done")
        self._push()
        listing = first.amazon_listing_ids
        self.assertEqual(
            len(self.sandbox.requests(operation="patchListingsItem")),
            2,
            "the offer patched during the feed is pushed again after its report",
        )
        self.assertEqual(self.sandbox.listing("SA-GEN-00001")["quantity"], 6)
        self.assertEqual((listing.state, listing.last_quantity_sent), ("synced", 6))
