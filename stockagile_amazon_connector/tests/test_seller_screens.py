"""The seller's screens (issue 14): what a new user stumbled on, each fixed and proven here."""

import json
from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import AmazonTestCase, import_amazon_returns, run_amazon_jobs, sandbox_url
from .test_order_import import FBM_SINGLE, UNKNOWN_SKU, AmazonOrderCase, iso_ago


@tagged("post_install", "-at_install")
class TestSellerCatalogScreens(AmazonTestCase):
    """Products, listings and the account as the seller sees them."""

    def setUp(self):
        super().setUp()
        self.bus_start = self.env["bus.bus"].sudo().search([], order="id desc", limit=1).id

    def _template_values(self, sku, **values):
        return {"name": f"Template {sku}", "default_code": sku, "is_storable": True, **values}

    def test_template_created_with_sync_ticked_keeps_it(self):
        """A product template created with Sync with Amazon (XML-RPC's create) stays synced."""
        template = self.env["product.template"].create(
            self._template_values("SA-BOTTLE-750", amazon_sync=True)
        )
        self.assertTrue(template.amazon_sync, "the tick was lost on create")
        self.assertEqual(template.amazon_listing_ids.sku, "SA-BOTTLE-750")
        self._push()
        self.assertEqual(template.amazon_listing_ids.state, "synced")
        self.assertTrue(self.sandbox.requests(operation="patchListingsItem"), "Amazon was told")

    def test_template_form_with_sync_ticked_keeps_it(self):
        """Saving a new product form with the tick creates its listing and shows the tick."""
        form = Form(self.env["product.template"])
        form.name = "Notebook A5"
        form.default_code = "SA-NOTEBOOK-A5"
        form.amazon_sync = True
        template = form.save()
        self.assertTrue(template.amazon_sync)
        self.assertEqual(template.product_variant_ids.amazon_listing_ids.account_id, self.account)

    def test_variant_created_with_sync_ticked_keeps_it(self):
        """A product.product created with the tick has its listing too."""
        product = self._create_product("SA-CABLE-USBC", amazon_sync=True)
        self.assertTrue(product.amazon_sync)
        self.assertEqual(product.amazon_listing_ids.sku, "SA-CABLE-USBC")

    def test_successful_test_clears_the_sync_paused_banner(self):
        """A successful Test connection ends the outage pause and its banner at once."""
        self.account.write(
            {
                "sync_error": "Cannot reach Login with Amazon",
                "amazon_outage_until": fields.Datetime.now() + timedelta(minutes=5),
            }
        )
        self.account.action_test_connection()
        self.assertFalse(self.account.sync_error, "the banner stays")
        self.assertEqual(self.account._amazon_outage_left(), 0, "the jobs still wait")

    def test_failed_connection_says_what_to_do_raw_text_kept(self):
        """An unreachable endpoint reads as what to check; Amazon's own text is kept aside."""
        self.account.sp_api_endpoint = "http://127.0.0.1:9"
        self.account.lwa_token_endpoint = "http://127.0.0.1:9/auth/o2/token"
        self.account.action_test_connection()
        self.assertIn("cannot be reached", self.account.last_error)
        self.assertIn("Credentials", self.account.last_error)
        self.assertNotIn("127.0.0.1", self.account.last_error, "raw text reached the user")
        self.assertIn("127.0.0.1:9", self.account.last_error_details)
        self.account.sp_api_endpoint = sandbox_url()
        self.account.lwa_token_endpoint = f"{sandbox_url()}/auth/o2/token"
        self.account.action_test_connection()
        self.assertFalse(self.account.last_error_details, "a success clears Amazon's answer")

    def test_amazon_refusal_says_what_to_do_raw_text_kept(self):
        """An unknown SKU reads as what to do; Amazon's raw answer is kept in the details."""
        ghost = self._create_product("SA-GHOST-404", amazon_sync=True)
        self._push()
        listing = ghost.amazon_listing_ids
        self.assertEqual(listing.state, "not_found")
        self.assertIn("Seller Central", listing.last_error)
        for raw in ("patchListingsItem", self.marketplace_es.api_ref):
            self.assertNotIn(raw, listing.last_error, "Amazon's raw text reached the user")
        self.assertIn("patchListingsItem", listing.last_error_details, "raw text one click away")

    def test_listing_counts_never_mix_unknown_skus(self):
        """Listings counts SKUs Amazon knows; SKUs it does not know are counted apart."""
        self._create_product("SA-MUG-001", amazon_sync=True)
        self._create_product("SA-GHOST-404", amazon_sync=True)
        self._push()
        self.assertEqual(
            (self.account.listing_count, self.account.listing_unknown_count),
            (1, 1),
        )
        opened = self.account.with_context(amazon_overview="listing_unknown")
        listings = self.env["amazon.listing"].search(opened.action_overview_open()["domain"])
        self.assertEqual(listings.mapped("sku"), ["SA-GHOST-404"])
        known = self.env["amazon.listing"].search(self.account.action_view_listings()["domain"])
        self.assertEqual(known.mapped("sku"), ["SA-MUG-001"])

    def test_price_sent_carries_its_currency(self):
        """The price sent is an amount in the marketplace's currency (EUR on Amazon.es)."""
        product = self._create_product("SA-MUG-001", price=9.59, amazon_sync=True)
        self._push()
        listing = product.amazon_listing_ids
        self.assertEqual(listing._fields["last_price_sent"].type, "monetary")
        self.assertEqual(listing.currency_id, self.env.ref("base.EUR"))
        self.assertTrue(listing.last_price_sent)

    def test_sync_all_products_links_to_follow(self):
        """Sync all products says at once what was queued, with links to listings and jobs."""
        self._create_product("SA-MUG-001", amazon_sync=True)
        params = self.account.action_sync_all_products()["params"]
        self.assertIn("SA-MUG-001", params["message"], "one product: named, not counted")
        self.assertIn("queued for Amazon in a feed", params["message"])
        self.assertNotIn("1 products", params["message"])
        self.assertEqual(
            [link["url"] for link in params["links"]],
            [
                "/odoo/action-stockagile_amazon_connector.amazon_listing_action",
                "/odoo/action-stockagile_amazon_connector.amazon_job_action",
            ],
        )
        self.assertEqual(params["message"].count("%s"), 2, "one placeholder per link")

    def test_job_changing_a_listing_tells_open_forms(self):
        """A push that changes a listing sends the bus message its product's form reloads on."""
        product = self._create_product("SA-MUG-001", amazon_sync=True)
        self.env.cr.precommit.run()  # what the user's save sent is not the job's
        self._push()
        self.env.cr.precommit.run()  # the bus sends on commit
        group = self.env.ref("stockagile_amazon_connector.group_amazon_user")
        channel = [self.env.cr.dbname, "res.groups", group.id]
        payloads = [
            json.loads(message.message)["payload"]
            for message in self.env["bus.bus"].sudo().search([("id", ">", self.bus_start)])
            if json.loads(message.channel) == channel
            and json.loads(message.message)["type"] == "stockagile_amazon.changed"
        ]
        self.assertTrue(payloads, "no form was told")
        records = payloads[-1]["records"]
        self.assertEqual(records["amazon.listing"], product.amazon_listing_ids.ids)
        self.assertEqual(records["product.template"], product.product_tmpl_id.ids)

    def test_change_warehouse_with_one_warehouse_says_why(self):
        """With one warehouse the wizard says there is nothing to choose; Apply explains."""
        company = self.env["res.company"].create({"name": "One-warehouse seller"})
        order = (
            self.env["sale.order"]
            .with_company(company)
            .create(
                {
                    "partner_id": self.env["res.partner"].create({"name": "Buyer"}).id,
                    "company_id": company.id,
                }
            )
        )
        wizard = (
            self.env["amazon.change.warehouse.wizard"]
            .with_company(company)
            .create({"order_id": order.id})
        )
        self.assertEqual(wizard.other_warehouse_count, 0)
        with self.assertRaisesRegex(UserError, "Warehouses"):
            wizard.action_apply()
        self.env["stock.warehouse"].create(
            {"name": "Second", "code": "SEC2", "company_id": company.id}
        )
        wizard.invalidate_recordset()
        self.assertEqual(wizard.other_warehouse_count, 1)


@tagged("post_install", "-at_install")
class TestSellerOrderScreens(AmazonOrderCase):
    """Amazon deliveries and returns as the seller sees them."""

    def test_validate_amazon_delivery_never_offers_sms(self):
        """Validate on an Amazon delivery runs with stock_sms's switch off (no SMS to buyers)."""
        for product in self.products.values():
            self._set_inventory(product, 10)
        self._sync()
        order = self._order(FBM_SINGLE)
        picking = order.picking_ids.filtered(lambda p: p.picking_type_code == "outgoing")
        self.assertTrue(picking.is_amazon_delivery)
        seen = []
        Picking = type(self.env["stock.picking"])
        original = Picking._pre_action_done_hook

        def spy(pickings):
            seen.append(pickings.env.context.get("skip_sms"))
            return original(pickings)

        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
        picking.move_ids.picked = True
        with patch.object(Picking, "_pre_action_done_hook", spy):
            picking.button_validate()
        self.assertEqual(picking.state, "done")
        self.assertTrue(seen and all(seen), "an Amazon buyer could be offered an SMS")

    def test_returns_to_review_show_what_amazon_sent(self):
        """A return of an order never imported shows its product and a readable reason."""
        self.sandbox.config(report_processing_seconds=0)
        self.account.returns_last_sync = fields.Datetime.now() - timedelta(days=10)
        self.sandbox.add_returns(
            [
                {
                    "order_id": "999-0000000-0000002",
                    "order_date": iso_ago(days=5),
                    "return_request_date": iso_ago(hours=5),
                    "return_request_status": "Approved",
                    "amazon_rma_id": "RMA-REVIEW-1",
                    "merchant_sku": "SA-MUG-001",
                    "item_name": "Mug",
                    "return_quantity": 1,
                    "return_reason": "CR-DEFECTIVE",
                    "resolution": "StandardRefund",
                }
            ]
        )
        import_amazon_returns(self.env, self.account)
        record = self.env["amazon.return"].search([("rma_ref", "=", "RMA-REVIEW-1")])
        self.assertEqual(record.state, "review")
        self.assertEqual(record.line_ids.product_id, self.products["SA-MUG-001"])
        self.assertIn(self.products["SA-MUG-001"].name, record.item_summary)
        self.assertEqual(record.reason_summary, "Defective or does not work")
        self.assertEqual(record.amazon_order_ref, "999-0000000-0000002")
        to_review = self.env["amazon.return"].search_count(
            [("account_id", "=", self.account.id), ("state", "=", "review")]
        )
        params = self.account.action_sync_returns()["params"]
        self.assertIn(f"{to_review} returns are to review", params["message"])
        self.assertGreaterEqual(to_review, 1)
        run_amazon_jobs(self.env)

    def test_overview_counts_open_their_filtered_lists(self):
        """The overview's counters count what their lists show; the graph counts the day."""
        self._sync()
        self._create_product("SA-GHOST-404", amazon_sync=True)
        self._push()
        account = self.account
        self.assertEqual(account.overview_order_review_count, 1)
        self.assertEqual(account.listing_unknown_count, 1)
        for kind, model, expected in (
            ("order_review", "sale.order", self._order(UNKNOWN_SKU)),
            (
                "listing_unknown",
                "amazon.listing",
                self.env["amazon.listing"].search(
                    [("sku", "=", "SA-GHOST-404"), ("account_id", "=", account.id)]
                ),
            ),
        ):
            action = account.with_context(amazon_overview=kind).action_overview_open()
            self.assertEqual(action["res_model"], model)
            self.assertEqual(self.env[model].search(action["domain"]), expected, kind)
        with self.assertRaises(UserError):
            account.with_context(amazon_overview="res.users").action_overview_open()
        self.env.flush_all()
        activity = self.env["amazon.activity.report"].search(
            account.action_overview_activity()["domain"]
        )
        orders = self.env["sale.order"].search_count([("amazon_account_id", "=", account.id)])
        self.assertEqual(
            sum(activity.filtered(lambda a: a.kind == "order").mapped("count")), orders
        )
        self.assertTrue(activity.filtered(lambda a: a.kind == "stock_push"), "pushes are counted")
