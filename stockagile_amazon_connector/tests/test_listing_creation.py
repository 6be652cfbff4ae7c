import json

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.tests.common import trap_jobs

from .common import AmazonTestCase

ES = "A1RKKUPIHCS9HS"
DE = "A1PA6795UKMFR9"
EAN_ONE_MATCH = "8437000000028"  # B0CATMUG02 in the sandbox catalog
EAN_TWO_MATCHES = "8437000000035"  # B0CATTEE01 and B0CATTEE02
EAN_UNKNOWN = "8437000009991"


@tagged("post_install", "-at_install")
class TestListingCreation(AmazonTestCase):
    """Create on Amazon: barcode match → offer-only, or product type → full listing."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.account.create_products = True

    def _wizard(self, product):
        action = product.action_amazon_create_listing()
        self.assertEqual(action["res_model"], "amazon.listing.create.wizard")
        return product.env["amazon.listing.create.wizard"].browse(action["res_id"])

    def _puts(self, sku):
        return [
            r
            for r in self.sandbox.requests(operation="putListingsItem")
            if r["path"].endswith("/" + sku)
        ]

    def _fill(self, wizard, **values):
        for line in wizard.attribute_ids:
            if line.name in values:
                line.value = values[line.name]

    def _new_mug(self, sku="SA-NEW-MUG", barcode=EAN_UNKNOWN):
        product = self._create_product(sku, price=14.50, barcode=barcode, name="Taza nueva")
        self._set_inventory(product, 4)
        wizard = self._wizard(product)
        self.assertEqual(wizard.step, "type", "an unknown barcode goes to the product type")
        wizard.keywords = "mug"
        wizard.action_search_types()
        self.assertEqual(wizard.product_type_id.name, "DRINKING_CUP")
        wizard.action_load_attributes()
        return product, wizard

    def test_offer_only_from_barcode_match_then_asin_then_stock_syncs(self):
        """One catalog match → offer-only listing → ASIN → the stock sync takes over."""
        product = self._create_product("SA-NEW-OFFER", price=11.0, barcode=EAN_ONE_MATCH)
        self._set_inventory(product, 5)
        self.assertTrue(product.amazon_can_create)
        wizard = self._wizard(product)
        self.assertEqual(wizard.step, "match")
        self.assertEqual(wizard.candidate_ids.mapped("asin"), ["B0CATMUG02"])
        self.assertEqual(wizard.candidate_ids.brand, "Cerámicas Sol")
        [search] = self.sandbox.requests(operation="searchCatalogItems")
        self.assertEqual(search["path"], "/catalog/2022-04-01/items")
        self.sandbox.config(listing_creation_seconds=3600)
        with trap_jobs() as trap:
            wizard.candidate_ids.action_pick()
            trap.assert_jobs_count(1)
            creation = product.amazon_creation_ids
            trap.assert_enqueued_job(
                creation._poll_amazon,
                properties={"channel": f"root.amazon.account_{self.account.id}"},
            )
            self.assertEqual(creation.state, "submitted")
            puts = self._puts("SA-NEW-OFFER")
            self.assertEqual(
                [p["query"].get("mode") for p in puts],
                ["VALIDATION_PREVIEW", None],
                "a clean preview first, then the real put",
            )
            body = puts[1]["body"]
            self.assertEqual(body["requirements"], "LISTING_OFFER_ONLY")
            self.assertEqual(body["productType"], "DRINKING_CUP")
            self.assertEqual(
                body["attributes"]["merchant_suggested_asin"][0]["value"], "B0CATMUG02"
            )
            self.assertEqual(body["attributes"]["fulfillment_availability"][0]["quantity"], 5)
            self.assertFalse(product.amazon_can_create, "no second creation while submitted")
            with self.assertRaises(RetryableJobError):
                trap.perform_enqueued_jobs()  # Amazon is still processing it
            self.assertEqual(creation.state, "submitted")
        self.sandbox.publish("SA-NEW-OFFER")
        creation._poll_amazon()
        self.assertEqual((creation.state, creation.asin), ("created", "B0CATMUG02"))
        self.assertIn("BUYABLE", creation.amazon_status)
        self.assertTrue(product.amazon_sync, "the normal stock and price sync takes over")
        self._push()
        self._receive(product, 3)
        self._push()
        self.assertEqual(self.sandbox.listing("SA-NEW-OFFER")["quantity"], 8)
        self.assertEqual(product.amazon_listing_ids.state, "synced")

    def test_several_matches_let_the_user_pick(self):
        """An EAN with two ASINs shows both; the picked ASIN is the one offered."""
        product = self._create_product("SA-NEW-TEE", barcode=EAN_TWO_MATCHES)
        wizard = self._wizard(product)
        self.assertEqual(sorted(wizard.candidate_ids.mapped("asin")), ["B0CATTEE01", "B0CATTEE02"])
        self.assertTrue(all(wizard.candidate_ids.mapped("image_url")))
        with trap_jobs():
            wizard.candidate_ids.filtered(lambda c: c.asin == "B0CATTEE02").action_pick()
        stored = self.sandbox.listing("SA-NEW-TEE")
        self.assertEqual(stored["attributes"]["merchant_suggested_asin"][0]["value"], "B0CATTEE02")

    def test_full_listing_missing_attributes_filled_then_submitted_then_asin(self):
        """New product: product type → missing attributes shown → filled → clean → ASIN."""
        product, wizard = self._new_mug()
        missing = wizard.attribute_ids.filtered("missing")
        self.assertEqual(
            sorted(missing.mapped("name")),
            ["brand", "color", "material"],
            "name, description, barcode and condition come from the product",
        )
        self.assertTrue(all(missing.mapped("description")), "Amazon's description is shown")
        with self.assertRaises(UserError):
            wizard.action_submit()
        self.assertFalse(self._puts("SA-NEW-MUG"), "nothing is sent while attributes miss")
        self._fill(wizard, brand="Stockagile", material="Gres", color="Azul")
        self.sandbox.config(listing_creation_seconds=0)
        with trap_jobs() as trap:
            wizard.action_submit()
            trap.assert_jobs_count(1)
            creation = product.amazon_creation_ids
            self.assertEqual(creation.state, "submitted", wizard.issues)
            trap.perform_enqueued_jobs()
        self.assertEqual(creation.state, "created")
        self.assertTrue(creation.asin)
        body = self._puts("SA-NEW-MUG")[-1]["body"]
        self.assertEqual(body["requirements"], "LISTING")
        attributes = body["attributes"]
        self.assertEqual(
            attributes["item_name"][0],
            {"value": "Taza nueva", "language_tag": "es_ES", "marketplace_id": ES},
        )
        self.assertEqual(
            attributes["externally_assigned_product_identifier"][0]["value"], EAN_UNKNOWN
        )
        self.assertEqual(attributes["fulfillment_availability"][0]["quantity"], 4)
        self.assertEqual(product.amazon_attribute_values["brand"], "Stockagile")
        self.assertIn("BUYABLE", self.sandbox.listing("SA-NEW-MUG")["status"])

    def test_preview_with_errors_sends_nothing_for_real(self):
        """A preview with errors shows Amazon's issues and no real put reaches Amazon."""
        product, wizard = self._new_mug()
        self._fill(wizard, brand="Stockagile", material="G" * 60, color="Azul")
        with trap_jobs() as trap:
            wizard.action_submit()
            trap.assert_jobs_count(0)
        self.assertEqual(
            [p["query"].get("mode") for p in self._puts("SA-NEW-MUG")], ["VALIDATION_PREVIEW"]
        )
        self.assertIsNone(self.sandbox.listing("SA-NEW-MUG"), "Amazon holds nothing")
        creation = product.amazon_creation_ids
        self.assertEqual(creation.state, "invalid")
        self.assertIn("Material", creation.issues, "issues name the attribute by its label")
        self.assertIn("too long", wizard.issues)
        self.assertEqual(wizard.step, "attributes", "the user stays on the attributes to fix")

    def test_throttled_put_creates_nothing(self):
        """Amazon throttling the put: a clear message, no creation record, nothing on Amazon."""
        product = self._create_product("SA-NEW-OFFER", barcode=EAN_ONE_MATCH)
        wizard = self._wizard(product)
        self.sandbox.add_fault("putListingsItem", "throttle")
        with self.assertRaises(UserError) as info:
            wizard.candidate_ids.action_pick()
        self.assertIn("throttled", str(info.exception))
        self.assertIn("Nothing was created", str(info.exception))
        self.assertFalse(product.amazon_creation_ids)
        self.assertIsNone(self.sandbox.listing("SA-NEW-OFFER"))

    def test_refused_put_names_the_product_listing_role(self):
        """A 403 on putListingsItem tells the app needs the Product Listing role."""
        self.account.seller_id = "AOTHERSELLER"
        product = self._create_product("SA-NEW-OFFER", barcode=EAN_ONE_MATCH)
        wizard = self._wizard(product)
        with self.assertRaises(UserError) as info:
            wizard.candidate_ids.action_pick()
        self.assertIn("Product Listing role", str(info.exception))
        self.assertFalse(product.amazon_creation_ids)

    def test_option_off_or_no_sku_is_refused(self):
        """Without the account option, or without internal reference, nothing opens."""
        product = self._create_product("SA-NEW-X", barcode=EAN_ONE_MATCH)
        product.default_code = False
        with self.assertRaisesRegex(UserError, "Internal Reference"):
            product.action_amazon_create_listing()
        product.default_code = "SA-NEW-X"
        self.account.create_products = False
        self.assertFalse(product.amazon_can_create)
        with self.assertRaisesRegex(UserError, "Create products on Amazon"):
            product.action_amazon_create_listing()

    def test_existing_listing_is_not_created_again(self):
        """A product already synced with a listing cannot be created again."""
        product = self._create_product("SA-MUG-001")
        product.amazon_sync = True
        self.assertFalse(product.amazon_can_create)
        with self.assertRaisesRegex(UserError, "already have a listing"):
            product.action_amazon_create_listing()

    def test_bulk_action_offers_single_matches_and_names_the_rest(self):
        """Bulk: one catalog call for the barcodes; single matches become offers."""
        one = self._create_product("SA-BULK-1", barcode=EAN_ONE_MATCH)
        two = self._create_product("SA-BULK-2", barcode=EAN_TWO_MATCHES)
        none = self._create_product("SA-BULK-3", barcode=EAN_UNKNOWN)
        with trap_jobs() as trap:
            action = (one | two | none).action_amazon_create_listing()
            trap.assert_jobs_count(1)
        self.assertEqual(len(self.sandbox.requests(operation="searchCatalogItems")), 1)
        self.assertEqual(one.amazon_creation_ids.state, "submitted")
        self.assertFalse(two.amazon_creation_ids | none.amazon_creation_ids)
        message = action["params"]["message"]
        self.assertIn(two.display_name, message)
        self.assertIn(none.display_name, message)

    def test_schema_cached_by_checksum(self):
        """A second product of the same type reads the definition but not the schema again."""
        _product, _wizard = self._new_mug("SA-NEW-MUG-1")
        product_type = self.env["amazon.product.type"].search([("name", "=", "DRINKING_CUP")])
        schema = json.loads(product_type.schema)
        self.assertIn("material", schema["required"])
        self.sandbox.clear_requests()
        self._new_mug("SA-NEW-MUG-2", barcode="8437000009992")
        self.assertEqual(len(self.sandbox.requests(operation="getDefinitionsProductType")), 1)
        self.assertFalse(self.sandbox.requests(operation="downloadSchema"))

    def test_each_marketplace_has_its_own_state(self):
        """Two marketplaces: two creations, each with its own put, job and state."""
        de = self.env.ref("stockagile_amazon_connector.amazon_marketplace_de")
        self.account.marketplace_ids = [(4, de.id)]
        product = self._create_product("SA-NEW-OFFER", price=11.0, barcode=EAN_ONE_MATCH)
        wizard = self._wizard(product)
        self.assertEqual(wizard.marketplace_ids, self.marketplace_es | de)
        self.sandbox.config(listing_creation_seconds=3600)
        with trap_jobs() as trap:
            wizard.candidate_ids.action_pick()
            trap.assert_jobs_count(2)
        creations = product.amazon_creation_ids
        in_es = creations.filtered(lambda c: c.marketplace_id == self.marketplace_es)
        in_de = creations.filtered(lambda c: c.marketplace_id == de)
        self.assertEqual((in_es.state, in_de.state), ("submitted", "submitted"))
        real = [p for p in self._puts("SA-NEW-OFFER") if p["query"].get("mode") is None]
        self.assertEqual(sorted(p["query"]["marketplaceIds"] for p in real), sorted([ES, DE]))
        offer = real[-1]["body"]["attributes"]["purchasable_offer"][0]
        self.assertEqual(offer["marketplace_id"], real[-1]["query"]["marketplaceIds"])
        self.sandbox.publish(f"SA-NEW-OFFER@{DE}")
        in_de._poll_amazon()
        with self.assertRaises(RetryableJobError):
            in_es._poll_amazon()
        self.assertEqual((in_es.state, in_de.state), ("submitted", "created"))
        self.assertEqual(in_de.asin, "B0CATMUG02")

    def test_values_kept_for_the_next_marketplace(self):
        """Attributes typed for one marketplace pre-fill the next one."""
        product, wizard = self._new_mug()
        self._fill(wizard, brand="Stockagile", material="Gres", color="Azul")
        with trap_jobs():
            wizard.action_submit()
        de = self.env.ref("stockagile_amazon_connector.amazon_marketplace_de")
        self.account.marketplace_ids = [(4, de.id)]
        self.assertTrue(product.amazon_can_create, "DE is still to create")
        wizard = self._wizard(product)
        self.assertEqual(wizard.marketplace_ids, de, "ES is already submitted")
        wizard.keywords = "mug"
        wizard.action_search_types()
        wizard.action_load_attributes()
        self.assertFalse(wizard.attribute_ids.filtered("missing"))
        values = {line.name: line.value for line in wizard.attribute_ids}
        self.assertEqual((values["brand"], values["material"]), ("Stockagile", "Gres"))

    def test_amazon_user_creates_but_only_managers_turn_it_on(self):
        """An Amazon user runs the offer path; only managers switch the option; companies apart."""
        clerk = new_test_user(
            self.env,
            "amazon_creation_clerk",
            groups="stockagile_amazon_connector.group_amazon_user,stock.group_stock_user,"
            "sales_team.group_sale_salesman",
        )
        with self.assertRaises(AccessError):
            self.account.with_user(clerk).write({"create_products": False})
        product = self._create_product("SA-NEW-OFFER", barcode=EAN_ONE_MATCH)
        wizard = self._wizard(product.with_user(clerk))
        self.assertEqual(wizard.env.user, clerk)
        with trap_jobs() as trap:
            wizard.candidate_ids.action_pick()
            trap.assert_jobs_count(1)
        self.assertEqual(product.amazon_creation_ids.state, "submitted")
        self.assertEqual(product.amazon_creation_ids.create_uid, clerk)
        other_company = self.env["res.company"].create({"name": "Other Creation Co"})
        outsider = new_test_user(
            self.env,
            "amazon_creation_outsider",
            groups="stockagile_amazon_connector.group_amazon_manager",
            company_id=other_company.id,
            company_ids=[(6, 0, other_company.ids)],
        )
        self.assertFalse(self.env["amazon.listing.creation"].with_user(outsider).search([]))

    def test_empty_keywords_change_nothing(self):
        """Searching product types without words is refused with a message; nothing is called."""
        _product, wizard = self._new_mug()
        self.sandbox.clear_requests()
        wizard.keywords = "  "
        with self.assertRaises(UserError):
            wizard.action_search_types()
        self.assertFalse(self.sandbox.requests(operation="searchDefinitionsProductTypes"))

    def test_image_shared_by_public_https_url(self):
        """With an HTTPS base URL, the product image goes as a tokenised public URL."""
        self.env["ir.config_parameter"].sudo().set_param("web.base.url", "https://erp.example")
        png = (
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5E"
            "rkJggg=="
        )
        product, wizard = self._new_mug()
        self.assertFalse(
            wizard.attribute_ids.filtered(lambda a: a.name == "main_product_image_locator"),
            "no image, no URL",
        )
        product.product_tmpl_id.image_1920 = png
        wizard.action_load_attributes()
        [line] = wizard.attribute_ids.filtered(lambda a: a.name == "main_product_image_locator")
        self.assertRegex(line.value, r"^https://erp\.example/web/image/\d+\?access_token=\w+")
        self._fill(wizard, brand="Stockagile", material="Gres", color="Azul")
        with trap_jobs():
            wizard.action_submit()
        sent = self._puts("SA-NEW-MUG")[-1]["body"]["attributes"]["main_product_image_locator"]
        self.assertEqual(sent[0]["media_location"], line.value)

    def test_issues_after_processing_refuse_the_creation(self):
        """Amazon's ERROR issues on the processed listing end the wait as Refused."""
        product = self._create_product("SA-NEW-OFFER", barcode=EAN_ONE_MATCH)
        wizard = self._wizard(product)
        self.sandbox.config(listing_creation_seconds=3600)
        with trap_jobs():
            wizard.candidate_ids.action_pick()
        issue = {
            "code": "18027",
            "message": "This product is restricted in this category.",
            "severity": "ERROR",
            "attributeNames": ["merchant_suggested_asin"],
        }
        self.sandbox.put_listing("SA-NEW-OFFER", productType="DRINKING_CUP", issues=[issue])
        creation = product.amazon_creation_ids
        creation._poll_amazon()
        self.assertEqual(creation.state, "error")
        self.assertIn("restricted in this category", creation.issues)
        self.assertFalse(product.amazon_sync, "a refused listing is not synced")

    def test_throttled_poll_is_retried_later(self):
        """A throttled getListingsItem leaves the creation submitted and retries the job later."""
        product = self._create_product("SA-NEW-OFFER", barcode=EAN_ONE_MATCH)
        wizard = self._wizard(product)
        with trap_jobs():
            wizard.candidate_ids.action_pick()
        self.sandbox.add_fault("getListingsItem", "throttle")
        creation = product.amazon_creation_ids
        with self.assertRaises(RetryableJobError) as info:
            creation._poll_amazon()
        self.assertGreaterEqual(info.exception.seconds, 1)
        self.assertEqual(creation.state, "submitted")

    def test_bulk_looks_barcodes_up_twenty_per_call(self):
        """21 products with barcodes: two searchCatalogItems calls (20 identifiers at most)."""
        products = self.env["product.product"]
        for index in range(21):
            products |= self._create_product(f"SA-BULK-{index:02d}", barcode=f"84370001{index:05d}")
        with trap_jobs():
            products.action_amazon_create_listing()
        calls = self.sandbox.requests(operation="searchCatalogItems")
        self.assertEqual(len(calls), 2)
        sizes = sorted(len(c["query"]["identifiers"].split(",")) for c in calls)
        self.assertEqual(sizes, [1, 20])
