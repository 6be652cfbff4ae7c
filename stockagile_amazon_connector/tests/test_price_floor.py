from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from .common import AmazonTestCase

EAN_ONE_MATCH = "8437000000028"  # B0CATMUG02 in the sandbox catalog
EAN_TWO_MATCHES = "8437000000035"  # B0CATTEE01 and B0CATTEE02
EAN_UNKNOWN = "8437000009991"


@tagged("post_install", "-at_install")
class TestPriceFloor(AmazonTestCase):
    """Create on Amazon refuses a price of 0, or below the account's floor, before sending."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.account.create_products = True

    def _puts(self):
        return self.sandbox.requests(operation="putListingsItem")

    def _wizard(self, product):
        action = product.action_amazon_create_listing()
        return product.env["amazon.listing.create.wizard"].browse(action["res_id"])

    def test_zero_price_offer_is_refused_and_nothing_is_sent(self):
        """An offer at 0 € is refused with a clear message; Amazon receives no put at all."""
        product = self._create_product("SA-ZERO-OFFER", price=0.0, barcode=EAN_ONE_MATCH)
        wizard = self._wizard(product)
        with self.assertRaisesRegex(UserError, "set its sales price"):
            wizard.candidate_ids.action_pick()
        self.assertEqual(self._puts(), [], msg="neither the preview nor the submit was sent")

    def test_zero_price_full_listing_is_refused_before_the_preview(self):
        """A new product at 0 € is refused at Submit: no VALIDATION_PREVIEW, no put."""
        product = self._create_product("SA-ZERO-NEW", price=0.0, barcode=EAN_UNKNOWN)
        wizard = self._wizard(product)
        wizard.keywords = "mug"
        wizard.action_search_types()
        wizard.action_load_attributes()
        for line in wizard.attribute_ids.filtered("missing"):
            line.value = "1"
        with self.assertRaisesRegex(UserError, "Nothing was sent to Amazon"):
            wizard.action_submit()
        self.assertEqual(self._puts(), [])

    def test_price_below_the_account_floor_is_refused(self):
        """The seller's floor per account: a price under it is refused, one above it is sent."""
        self.account.price_floor = 50.0
        cheap = self._create_product("SA-CHEAP", price=4.0, barcode=EAN_ONE_MATCH)
        with self.assertRaisesRegex(UserError, "below the lowest price"):
            self._wizard(cheap).candidate_ids.action_pick()
        self.assertEqual(self._puts(), [])
        cheap.list_price = 400.0
        with trap_jobs():
            self._wizard(cheap).candidate_ids.action_pick()
        [_preview, submit] = self._puts()
        offer = submit["body"]["attributes"]["purchasable_offer"][0]
        sent = float(offer["our_price"][0]["schedule"][0]["value_with_tax"])
        self.assertGreaterEqual(sent, 50.0, msg="a price above the floor is sent")

    def test_bulk_refuses_the_zero_price_product_only(self):
        """Bulk Create on Amazon: the 0 € product is left out with the reason; nothing sent."""
        zero = self._create_product("SA-BULK-ZERO", price=0.0, barcode=EAN_ONE_MATCH)
        other = self._create_product("SA-BULK-TWO", price=9.0, barcode=EAN_TWO_MATCHES)
        with trap_jobs():
            action = (zero | other).action_amazon_create_listing()
        self.assertEqual(self._puts(), [], msg="nothing sent for the 0 € product")
        self.assertIn("set its sales price", zero.amazon_creation_ids.issues or "")
        self.assertIn(zero.display_name, action["params"]["message"])
