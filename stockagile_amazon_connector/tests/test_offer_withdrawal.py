"""A SKU that leaves sync goes to 0 on Amazon in every marketplace of its account.

New internal reference, *Sync with Amazon* unticked, product archived, deleted or moved to
another company: what the sandbox holds for the old SKU in each marketplace is asserted.
"""

from odoo.tests import new_test_user, tagged

from .common import run_amazon_jobs
from .test_offers import AmazonMarketplacesCase


@tagged("post_install", "-at_install")
class TestOfferWithdrawal(AmazonMarketplacesCase):
    """Leaving sync withdraws the old SKU (0) from ES, FR, DE, IT and NL."""

    def _on_amazon(self, sku, quantity=99):
        """The SKU exists on Amazon in every marketplace of the account with ``quantity``."""
        for marketplace in self.marketplaces:
            self.sandbox.put_listing(sku, marketplaceId=marketplace.api_ref, quantity=quantity)

    def _held(self, sku):
        """``{marketplace code: quantity Amazon holds for sku}``."""
        return {
            marketplace.code: (self.sandbox.listing(sku, marketplace.api_ref) or {}).get("quantity")
            for marketplace in self.marketplaces
        }

    def _everywhere(self, quantity):
        return dict.fromkeys(self.marketplaces.mapped("code"), quantity)

    def _synced_product(self, sku, quantity=7):
        """A stocked product synced and pushed: Amazon holds ``quantity`` in every marketplace."""
        self._on_amazon(sku)
        product = self._create_product(sku)
        self._set_inventory(product, quantity)
        product.amazon_sync = True
        self._push()
        self.assertEqual(self._held(sku), self._everywhere(quantity))
        return product

    def _withdrawals(self, sku):
        return self.env["amazon.offer.withdrawal"].search(
            [("account_id", "=", self.account.id), ("sku", "=", sku)]
        )

    def _assert_withdrawn(self, sku, reason):
        withdrawals = self._withdrawals(sku)
        self.assertEqual(withdrawals.marketplace_id, self.marketplaces)
        self.assertEqual(set(withdrawals.mapped("state")), {"done"})
        self.assertEqual(set(withdrawals.mapped("reason")), {reason})
        self.assertEqual(self._held(sku), self._everywhere(0), "Amazon offers none of it")

    def test_new_internal_reference_withdraws_the_old_sku(self):
        """A new reference: the old SKU is 0 in every marketplace, the new one has the stock."""
        product = self._synced_product("SA-WD-OLD")
        self._on_amazon("SA-WD-NEW")
        product.default_code = "SA-WD-NEW"
        self._push()
        self._assert_withdrawn("SA-WD-OLD", "sku_changed")
        self.assertEqual(self._held("SA-WD-NEW"), self._everywhere(7))
        offers = product.amazon_listing_ids.offer_ids
        self.assertEqual(set(offers.mapped("sku")), {"SA-WD-NEW"})
        self.assertEqual(set(offers.mapped("state")), {"synced"})

    def test_untick_sync_withdraws(self):
        """Unticking *Sync with Amazon* sets the SKU to 0 everywhere and archives the listing."""
        product = self._synced_product("SA-WD-UNTICK")
        product.amazon_sync = False
        self._push()
        self._assert_withdrawn("SA-WD-UNTICK", "sync_off")
        self.assertFalse(product.amazon_listing_ids, "the listing is archived")
        self._set_inventory(product, 12)
        self._push()
        self.assertEqual(self._held("SA-WD-UNTICK"), self._everywhere(0), "nothing more sent")

    def test_archive_withdraws_and_unarchive_syncs_again(self):
        """Archiving the product withdraws its SKU; unarchiving sends its stock again."""
        product = self._synced_product("SA-WD-ARCH")
        product.product_tmpl_id.active = False
        self._push()
        self._assert_withdrawn("SA-WD-ARCH", "archived")
        product.active = True
        self._push()
        self.assertEqual(self._held("SA-WD-ARCH"), self._everywhere(7))
        self.assertEqual(set(self._withdrawals("SA-WD-ARCH").mapped("state")), {"done"})

    def test_delete_withdraws(self):
        """Deleting a synced product (template) sets its SKU to 0 everywhere."""
        self._on_amazon("SA-WD-DEL", quantity=10)
        product = self._create_product("SA-WD-DEL")  # no stock move: it may be deleted
        product.amazon_sync = True
        template = product.product_tmpl_id
        template.unlink()
        self.assertFalse(self.env["amazon.listing"].search([("sku", "=", "SA-WD-DEL")]))
        self._push()
        self._assert_withdrawn("SA-WD-DEL", "deleted")
        self.assertFalse(self._withdrawals("SA-WD-DEL").product_id)

    def test_company_change_withdraws(self):
        """Moving the product to another company withdraws it from this company's account."""
        self._on_amazon("SA-WD-MOVE", quantity=10)
        product = self._create_product("SA-WD-MOVE", company_id=self.env.company.id)
        product.amazon_sync = True
        other = self.env["res.company"].create({"name": "Other company (withdrawal test)"})
        product.product_tmpl_id.company_id = other
        self._push()
        self._assert_withdrawn("SA-WD-MOVE", "company_changed")
        listing = (
            self.env["amazon.listing"]
            .with_context(active_test=False)
            .search([("product_id", "=", product.id)])
        )
        self.assertFalse(listing.active, "this company's account no longer sells it")

    def test_reference_changed_back_is_not_withdrawn(self):
        """A → B → A before the jobs ran: A keeps its stock, B goes to 0, in every marketplace."""
        product = self._synced_product("SA-WD-A")
        self._on_amazon("SA-WD-B")
        product.default_code = "SA-WD-B"
        product.default_code = "SA-WD-A"
        self._push()
        self.assertEqual(self._held("SA-WD-A"), self._everywhere(7))
        self.assertEqual(self._held("SA-WD-B"), self._everywhere(0))
        self.assertEqual(set(self._withdrawals("SA-WD-A").mapped("state")), {"cancelled"})
        self.assertEqual(set(self._withdrawals("SA-WD-B").mapped("state")), {"done"})

    def test_throttled_withdrawal_is_retried_and_retry_sends_again(self):
        """Amazon throttling a withdrawal delays it only; *Retry* sends the 0 again."""
        product = self._synced_product("SA-WD-THROTTLE")
        self.sandbox.add_fault("patchListingsItem", "throttle", count=2)
        product.amazon_sync = False
        run_amazon_jobs(self.env, include_future=True, max_rounds=40)
        self._assert_withdrawn("SA-WD-THROTTLE", "sync_off")
        failed = self.env["queue.job"].search([("state", "=", "failed")])
        self.assertFalse(failed, "throttles are retried, never failed")
        # Someone set the quantity in Seller Central: Retry withdraws again.
        self._on_amazon("SA-WD-THROTTLE", quantity=4)
        self._withdrawals("SA-WD-THROTTLE").action_retry()
        self._push()
        self._assert_withdrawn("SA-WD-THROTTLE", "sync_off")

    def test_inventory_admin_without_amazon_group_withdraws(self):
        """An Inventory Administrator (no Amazon group) renaming or archiving withdraws too."""
        admin = new_test_user(
            self.env,
            "withdrawal_inventory_admin",
            groups="base.group_user,stock.group_stock_manager,product.group_product_manager",
        )
        renamed = self._synced_product("SA-WD-ROLE-1")
        archived = self._synced_product("SA-WD-ROLE-2")
        self._on_amazon("SA-WD-ROLE-1B")
        renamed.with_user(admin).write({"default_code": "SA-WD-ROLE-1B"})
        archived.with_user(admin).product_tmpl_id.action_archive()
        self._push()
        self._assert_withdrawn("SA-WD-ROLE-1", "sku_changed")
        self._assert_withdrawn("SA-WD-ROLE-2", "archived")
        self.assertEqual(self._held("SA-WD-ROLE-1B"), self._everywhere(7))
