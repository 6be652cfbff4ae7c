"""The seller's screens as a Spanish seller meets them (issue 27), proven on the models."""

import importlib.util
import re
from pathlib import Path
from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import Form, new_test_user, tagged

from ..odoo_compat import SALE_LINE_TAXES_FIELD as TAXES
from .common import run_amazon_jobs
from .test_order_import import BUSINESS, FBM_SINGLE, UNKNOWN_SKU, AmazonOrderCase


def new_lucia(env, login="lucia_es"):
    """Lucía: Amazon User with the ERP's Sales and Inventory user roles, and no e-mail address."""
    user = new_test_user(
        env,
        login,
        password=login,
        name="Lucía",
        groups="stockagile_amazon_connector.group_amazon_user,sales_team.group_sale_salesman,"
        "stock.group_stock_user",
    )
    user.partner_id.email = False
    return user


@tagged("post_install", "-at_install")
class TestSpanishSellerOrders(AmazonOrderCase):
    """Amazon orders: one invoice button, tools that need no e-mail and say what they did."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lucia = new_lucia(cls.env)
        cls.other_warehouse = cls.env["stock.warehouse"].create(
            {"name": "Almacén Getafe", "code": "GTF", "company_id": cls.env.company.id}
        )

    def _wizard(self, orders, method="delivered"):
        return (
            self.env["sale.advance.payment.inv"]
            .with_context(active_model="sale.order", active_ids=orders.ids)
            .create({"advance_payment_method": method, "amount": 10.0, "fixed_amount": 5.0})
        )

    def test_erp_invoice_wizard_checks_customer_data(self):
        """The ERP's own invoicing wizard lists the missing data; nothing is created."""
        self._sync()
        order = self._order(FBM_SINGLE)
        order.partner_invoice_id.write({"zip": False})
        lines_before = order.order_line
        for method in ("delivered", "percentage", "fixed"):
            with self.assertRaisesRegex(UserError, "(?s)customer data is missing.*Zip", msg=method):
                self._wizard(order, method).create_invoices()
            self.assertFalse(order.invoice_ids, f"{method}: an invoice was created")
            self.assertEqual(order.order_line, lines_before, f"{method}: a down payment line")
        order.partner_invoice_id.zip = "28013"
        self._wizard(order).create_invoices()
        self.assertEqual(len(order.invoice_ids), 1)
        self.assertEqual(order.invoice_status, "invoiced")

    def test_every_invoicing_path_checks_business_vat(self):
        """``_create_invoices`` (list action, integrations) refuses a missing business VAT."""
        self._sync()
        order = self._order(BUSINESS)
        order.partner_id.vat = False
        with self.assertRaisesRegex(UserError, "Tax ID"):
            order._create_invoices()
        self.assertFalse(order.invoice_ids)

    def test_non_amazon_orders_invoice_as_before(self):
        """An ordinary order with an incomplete address is invoiced as the ERP always did."""
        partner = self.env["res.partner"].create({"name": "Cliente de mostrador"})
        order = self.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "order_line": [(0, 0, {"product_id": self.products["SA-MUG-001"].id})],
            }
        )
        order.action_confirm()
        order.order_line.product_id.invoice_policy = "order"
        self._wizard(order).create_invoices()
        self.assertEqual(len(order.invoice_ids), 1)

    def test_order_form_has_one_invoice_button(self):
        """The Amazon order form offers only the ERP's Create invoice button."""
        arch = self.env["sale.order"].get_view(self.env.ref("sale.view_order_form").id, "form")[
            "arch"
        ]
        self.assertNotIn("action_amazon_create_invoice", arch)
        wizard = self.env.ref("sale.action_view_sale_advance_payment_inv")
        self.assertIn(f'name="{wizard.id}"', arch, "the ERP's button is there")

    def test_change_warehouse_without_email_logs_and_confirms(self):
        """A user without e-mail moves the delivery: a log note, a notification naming the order."""
        self._sync()
        order = self._order(FBM_SINGLE)
        old = order.warehouse_id
        wizard = Form(
            self.env["amazon.change.warehouse.wizard"]
            .with_user(self.lucia)
            .with_context(default_order_id=order.id)
        )
        wizard.warehouse_id = self.other_warehouse
        action = wizard.save().action_apply()
        self.assertEqual(order.warehouse_id, self.other_warehouse)
        params = action["params"]
        self.assertIn(order.name, params["message"])
        self.assertIn(self.other_warehouse.display_name, params["message"])
        self.assertIn(old.display_name, params["message"])
        self.assertEqual(params["next"], {"type": "ir.actions.act_window_close"})
        note = order.message_ids.filtered(lambda m: "Getafe" in (m.body or ""))
        self.assertEqual(note.author_id, self.lucia.partner_id)
        self.assertEqual(note.subtype_id, self.env.ref("mail.mt_note"))

    def test_check_products_says_what_it_did(self):
        """Check products names the order and whether it is still to review."""
        self._sync()
        order = self._order(FBM_SINGLE)
        message = order.with_user(self.lucia).action_amazon_check_products()["params"]["message"]
        self.assertEqual(message, f"Order {order.name} has nothing to review.")

    def test_check_products_without_email_confirms(self):
        """Lucía, without e-mail, fixes a missing SKU and Check products confirms the order."""
        self._sync()
        order = self._order(UNKNOWN_SKU)
        self.assertTrue(order.amazon_review_needed)
        lamp = self._create_product("SA-UNKNOWN-999", price=24.95, taxes_id=self.vat21.ids)
        action = order.with_user(self.lucia).action_amazon_check_products()
        self.assertEqual(order.order_line.product_id, lamp)
        self.assertEqual(order.state, "sale", "nothing left to review: confirmed")
        self.assertEqual(
            action["params"]["message"],
            f"Order {order.name}: products checked, the order is confirmed.",
        )
        note = order.message_ids.filtered(lambda m: "nothing left to review" in (m.body or ""))
        self.assertEqual(note.author_id, self.lucia.partner_id, "logged as her, no e-mail needed")

    def test_return_tools_without_email(self):
        """Lucía, without e-mail, retries and closes a return to review: logged, no error."""
        record = self.env["amazon.return"].create(
            {"account_id": self.account.id, "rma_ref": "RMA-LUCIA-1", "amazon_order_ref": "X-1"}
        )
        record._amazon_flag("Revisar a mano")
        self.assertEqual(record.state, "review")
        record.with_user(self.lucia).action_retry()
        self.assertEqual(record.state, "review", "the order was never imported")
        record.with_user(self.lucia).action_close()
        self.assertEqual(record.state, "cancel")
        note = record.message_ids.filtered(lambda m: "Closed by hand" in (m.body or ""))
        self.assertEqual(note.author_id, self.lucia.partner_id)


@tagged("post_install", "-at_install")
class TestSpanishSellerProducts(AmazonOrderCase):
    """Products: Amazon Users enable and disable the sync from the form, whatever their roles."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lucia = new_lucia(cls.env)

    def test_user_without_product_rights_enables_and_disables(self):
        """Lucía (products read-only to her) enables then disables the sync of one product."""
        mug = self._create_product("SA-MUG-001", name="Taza Lucía")
        template = mug.product_tmpl_id.with_user(self.lucia)
        self.assertFalse(template.has_access("write"), "her roles make products read-only")
        params = template.action_amazon_enable_sync()["params"]
        self.assertTrue(mug.amazon_sync)
        self.assertEqual(mug.amazon_listing_ids.account_id, self.account)
        self.assertEqual(params["message"], f"Amazon sync enabled on {mug.display_name}.")
        params = template.action_amazon_disable_sync()["params"]
        self.assertFalse(mug.amazon_sync)
        self.assertEqual(params["message"], f"Amazon sync disabled on {mug.display_name}.")

    def test_form_buttons_follow_bulk_rules(self):
        """The form's Enable refuses a product without SKU, as the bulk action does."""
        product = self._create_product("SA-TMP-NOSKU")
        product.default_code = False
        with self.assertRaises(UserError):
            product.product_tmpl_id.with_user(self.lucia).action_amazon_enable_sync()
        self.assertFalse(product.amazon_sync)
        arch = self.env["product.template"].get_view(
            self.env.ref("product.product_template_form_view").id, "form"
        )["arch"]
        self.assertIn("action_amazon_enable_sync", arch)
        self.assertIn("action_amazon_disable_sync", arch)


@tagged("post_install", "-at_install")
class TestSpanishSellerDemo(AmazonOrderCase):
    """The demo data a Spanish seller recognises."""

    def test_demo_vat_in_its_21_percent_group(self):
        """The demo's 21 % VAT sits in a 21 % tax group: totals read «IVA 21%»."""
        tax = self.env.ref("stockagile_amazon_connector.amazon_demo_tax_vat21", False)
        if not tax:
            self.skipTest("installed without demo data")
        self.assertIn("21", tax.tax_group_id.name)
        partner = self.env["res.partner"].create({"name": "Comprador demo"})
        mug = self.env.ref("stockagile_amazon_connector.amazon_demo_product_mug")
        order = self.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "order_line": [(0, 0, {"product_id": mug.id, TAXES: [(6, 0, tax.ids)]})],
            }
        )
        groups = [
            group["group_name"]
            for subtotal in order.tax_totals["subtotals"]
            for group in subtotal["tax_groups"]
        ]
        self.assertEqual(groups, [tax.tax_group_id.name])
        self.assertNotIn("0%", groups[0])


@tagged("post_install", "-at_install")
class TestSpanishSellerLanguage(AmazonOrderCase):
    """What jobs store for everyone to read is in the company's language, not the queuer's."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("es_ES")
        cls.env["ir.module.module"]._load_module_terms(
            ["stockagile_amazon_connector"], ["es_ES"], overwrite=True
        )
        cls.env.company.partner_id.lang = "es_ES"

    def test_listing_error_in_company_language(self):
        """A push queued by an English session stores Amazon's refusal in Spanish."""
        ghost = self._create_product("SA-GHOST-404")
        ghost.with_context(lang="en_US").amazon_sync = True
        self._push()
        listing = ghost.amazon_listing_ids
        self.assertEqual(listing.state, "not_found")
        self.assertIn("Amazon no tiene ningún anuncio con el SKU SA-GHOST-404", listing.last_error)
        self.assertNotIn("Sync now", listing.last_error)

    def test_job_names_in_company_language(self):
        """Import jobs are named, and review reasons written, in Spanish whoever queued the poll."""
        self.account.with_context(lang="en_US")._enqueue_order_poll()
        run_amazon_jobs(self.env)
        names = (
            self.env["queue.job"]
            .sudo()
            .search([("method_name", "=", "_amazon_job_import_order")])
            .mapped("name")
        )
        self.assertTrue(names, "no order was imported")
        for name in names:
            self.assertTrue(name.startswith("Amazon: importar el pedido"), name)
        review = self._order(UNKNOWN_SKU).amazon_review_message
        self.assertIn("SA-UNKNOWN-999", review)
        self.assertIn("no coincide con ningún producto", review, "the review reason in Spanish")

    def test_cron_queued_jobs_named_in_company_language(self):
        """Jobs queued by crons (no user language) or by an English session: Spanish names."""
        root = self.env.ref("base.user_root")
        root.partner_id.lang = "en_US"
        cron_env = self.env(user=root, context={})  # what ir.cron gives a scheduled action
        Job = self.env["queue.job"].sudo()
        earlier = Job.search([])  # queued by the fixtures, before the company spoke Spanish
        self.account.write({"sync_returns": True, "anonymize_after_days": 30})
        self._create_product("SA-GHOST-404").with_context(lang="en_US").amazon_sync = True
        cron_env["amazon.account"]._cron_sync_orders()
        cron_env["amazon.account"]._cron_sync_returns()
        cron_env["amazon.account"]._cron_anonymize_orders()
        names = (Job.search([("channel", "like", "root.amazon%")]) - earlier).mapped("name")
        account = self.account.name
        for expected in (
            f"Amazon: consultar pedidos de {account}",
            f"Amazon: importar devoluciones de {account}",
            f"Amazon: borrar los datos antiguos de compradores de {account}",
        ):
            self.assertIn(expected, names)
        self.assertTrue(
            [name for name in names if name.startswith("Amazon: enviar SA-GHOST-404")], names
        )
        run_amazon_jobs(self.env)
        english = re.compile(
            r"^Amazon: (poll orders|import order|import returns|push |feed of|erase |"
            r"confirm shipment|record return|report of|wait for|order .* changed)"
        )
        names = (Job.search([("channel", "like", "root.amazon%")]) - earlier).mapped("name")
        self.assertTrue(
            [name for name in names if name.startswith("Amazon: importar el pedido")], names
        )
        self.assertFalse([name for name in names if english.match(name)], "English job names")

    def test_user_tools_store_company_language(self):
        """Check products and a return's Retry, pressed in English, store Spanish reasons."""
        self._sync()
        order = self._order(UNKNOWN_SKU)
        order.with_context(lang="en_US").action_amazon_check_products()
        self.assertTrue(order.amazon_review_needed)
        self.assertIn("no coincide con ningún producto", order.amazon_review_message)
        record = self.env["amazon.return"].create(
            {"account_id": self.account.id, "rma_ref": "RMA-ES-1", "amazon_order_ref": "X-404"}
        )
        record.with_context(lang="en_US").action_retry()
        self.assertEqual(record.state, "review")
        self.assertNotIn("was never imported", record.review_message, "stored in Spanish")

    def test_migration_rewrites_english_listing_errors(self):
        """1.1.0's migration writes earlier English listing errors again in Spanish."""
        self.env.company.partner_id.lang = "en_US"
        ghost = self._create_product("SA-GHOST-404", amazon_sync=True)
        self._push()
        listing = ghost.amazon_listing_ids
        self.assertIn("press Sync now", listing.last_error)
        other = self._create_product("SA-GHOST-405", amazon_sync=True).amazon_listing_ids
        other.write({"state": "error", "last_error": "Texto escrito a mano"})
        self.env.company.partner_id.lang = "es_ES"
        path = Path(__file__).parents[1] / "migrations/1.1.0/post-screens_stored_language.py"
        spec = importlib.util.spec_from_file_location("screens_stored_language", path)
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        self.assertIn("press Sync now", listing.offer_ids.last_error, "the offer holds it too")
        self.assertEqual(migration.rewrite_listing_errors(self.env), listing)
        self.assertIn("Amazon no tiene ningún anuncio con el SKU SA-GHOST-404", listing.last_error)
        for offer in listing.offer_ids:
            self.assertIn("Amazon no tiene ningún anuncio", offer.last_error, "offers too")
        listing._amazon_summarise()
        self.assertNotIn("Sync now", listing.last_error, "summarised again from its offers")
        self.assertEqual(other.last_error, "Texto escrito a mano", "others stay as they are")


@tagged("post_install", "-at_install")
class TestSpanishSellerCounts(AmazonOrderCase):
    """A count of one is said in the singular (and translated), never «1 listings»."""

    def test_one_listing_queued(self):
        """Sync now on one listing says one listing; on two, their number."""
        mug = self._create_product("SA-MUG-001", amazon_sync=True)
        tee = self._create_product("SA-TEE-BLK-M", amazon_sync=True)
        message = mug.amazon_listing_ids.action_sync_now()["params"]["message"]
        self.assertTrue(message.startswith("One listing queued for Amazon; its state"), message)
        listings = (mug | tee).amazon_listing_ids
        message = listings.action_sync_now()["params"]["message"]
        self.assertTrue(message.startswith("2 listings queued for Amazon; their"), message)

    def test_sync_all_one_product(self):
        """Sync all products with one product names it instead of «1 products»."""
        self.account.listing_ids.write({"active": False})
        mug = self._create_product("SA-MUG-001", amazon_sync=True)
        self.assertEqual(len(self.account.listing_ids.filtered("active")), 1)
        message = self.account.action_sync_all_products()["params"]["message"]
        self.assertTrue(
            message.startswith(f"{mug.display_name} queued for Amazon in a feed; its state"),
            message,
        )

    def test_returns_to_review_counted(self):
        """Import returns now says no return, one return, or their number to review."""
        self.account.sync_returns = True

        def message():
            return self.account.action_sync_returns()["params"]["message"]

        self.assertIn("No return is to review now.", message())
        Return = self.env["amazon.return"]
        Return.create({"account_id": self.account.id, "rma_ref": "RMA-C1"})._amazon_flag("x")
        self.assertIn("One return is to review now.", message())
        Return.create({"account_id": self.account.id, "rma_ref": "RMA-C2"})._amazon_flag("y")
        self.assertIn("2 returns are to review now.", message())

    def test_bulk_offers_one(self):
        """Create on Amazon in bulk with one offer sent says one offer."""
        mug = self._create_product("SA-MUG-001")
        Wizard = type(self.env["amazon.listing.create.wizard"])
        with patch.object(Wizard, "_bulk_offers", return_value=([mug], mug.browse())):
            message = mug._amazon_create_offers_in_bulk()["params"]["message"]
        self.assertEqual(message, "One offer sent to Amazon.")
        with patch.object(Wizard, "_bulk_offers", return_value=([], mug)):
            message = mug._amazon_create_offers_in_bulk()["params"]["message"]
        self.assertTrue(message.startswith("No offer sent to Amazon. Open these products"), message)
