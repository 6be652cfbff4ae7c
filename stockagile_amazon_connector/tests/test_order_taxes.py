from decimal import Decimal

from odoo.tests import new_test_user, tagged

from ..odoo_compat import fiscal_position_tax_map, sale_line_taxes
from .test_order_import import AmazonOrderCase, iso_ago


@tagged("post_install", "-at_install")
class TestOrderTaxes(AmazonOrderCase):
    """Taxes through fiscal positions; nothing of accounting is created by the importer."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.france = cls.env.ref("base.fr")
        cls.spain = cls.env.ref("base.es")
        cls.env.company.country_id = cls.spain  # a seller established in Spain
        cls.oss20 = cls._sale_tax("TVA 20% FR (OSS, test)", 20.0, country=cls.france)
        # A domestic French tax of the same rate: only the fiscal position tells them apart.
        cls.domestic20 = cls._sale_tax("TVA 20% (domestic, test)", 20.0, sequence=1)

    @classmethod
    def _sale_tax(cls, name, rate, country=None, **values):
        country = country or cls.env.company.account_fiscal_country_id
        group = cls.env["account.tax.group"].create(
            {"name": f"VAT {country.code} (test)", "country_id": country.id}
        )
        return cls.env["account.tax"].create(
            {
                "name": name,
                "amount": rate,
                "amount_type": "percent",
                "type_tax_use": "sale",
                "price_include_override": "tax_included",
                "country_id": country.id,
                "tax_group_id": group.id,
                "company_id": cls.env.company.id,
                **values,
            }
        )

    def _oss_france(self):
        """The fiscal position l10n_eu_oss sets up for consumers in France."""
        return self.env["account.fiscal.position"].create(
            {
                "name": "OSS B2C France (test)",
                "auto_apply": True,
                "country_id": self.france.id,
                "tax_ids": fiscal_position_tax_map(self.vat21, self.oss20),
            }
        )

    def _french_order(self, order_id, price="12.00", rate="0.20"):
        """An order delivered to a consumer in France, Amazon charging French VAT at ``rate``."""
        order = self._new_order(order_id, iso_ago(minutes=5), price=float(price))
        order["recipient"]["deliveryAddress"].update(
            {"countryCode": "FR", "city": "Lyon", "postalCode": "69001", "stateOrRegion": ""}
        )
        gross, rate = Decimal(price), Decimal(rate)
        vat = (gross - gross / (1 + rate)).quantize(Decimal("0.01"))
        for part in order["orderItems"][0]["proceeds"]["breakdowns"]:
            if part["type"] == "TAX":
                part["subtotal"]["amount"] = str(vat)
                part["detailedBreakdowns"][0]["value"]["amount"] = str(vat)
        self.sandbox.reset(seed="empty")
        self.sandbox.add_orders([order])
        return order

    def _counts(self):
        """How many taxes, pricelists, fiscal positions and journal entries the database has."""
        return {
            model: self.env[model].with_context(active_test=False).search_count([])
            for model in ("account.tax", "product.pricelist", "account.fiscal.position")
        } | {"account.move": self.env["account.move"].search_count([])}

    def test_oss_fiscal_position_gives_the_french_tax(self):
        """Seller in ES, consumer in FR at 20 %: the OSS position maps the tax, totals match."""
        position = self._oss_france()
        self._french_order("402-1000000-0000011")
        self._sync()
        order = self._order("402-1000000-0000011")
        self.assertEqual(order.fiscal_position_id, position, msg="Odoo's fiscal position applies")
        line = order.order_line.filtered("product_id")
        self.assertEqual(sale_line_taxes(line), self.oss20, msg="the OSS tax, not the domestic 20%")
        self.assertEqual(order.state, "sale", msg="nothing to review: confirmed")
        self.assertAlmostEqual(order.amount_total, 12.00, places=2)
        self.assertAlmostEqual(order.amount_tax, 2.00, places=2)

    def test_missing_tax_flags_the_order_and_creates_nothing(self):
        """No tax of Amazon's French 20 %: a flagged quotation; Check products after the fix."""
        self._french_order("402-1000000-0000012")
        before = self._counts()
        self._sync()
        order = self._order("402-1000000-0000012")
        self.assertEqual(order.state, "draft", msg="a quotation until the tax is configured")
        self.assertTrue(order.amazon_review_needed)
        self.assertIn("20.0%", order.amazon_review_message)
        self.assertIn("France", order.amazon_review_message, msg="names what to configure")
        self.assertEqual(self._counts(), before, msg="no tax, pricelist or entry created")
        self._oss_france()
        clerk = new_test_user(
            self.env, "taxes_clerk", groups="stockagile_amazon_connector.group_amazon_user"
        )
        order.with_user(clerk).action_amazon_check_products()  # an Amazon User can complete it
        self.assertFalse(order.amazon_review_needed, order.amazon_review_message)
        self.assertEqual(order.state, "sale", msg="imported again and confirmed after the fix")
        self.assertEqual(sale_line_taxes(order.order_line.filtered("product_id")), self.oss20)
        self.assertAlmostEqual(order.amount_total, 12.00, places=2)

    def test_inactive_currency_flags_the_order(self):
        """Euros not active: the order waits flagged, euros stay inactive; Retry after the fix."""
        self.eur.active = False
        self.sandbox.reset(seed="empty")
        self.sandbox.add_orders([self._new_order("402-1000000-0000013", iso_ago(minutes=5))])
        before = self._counts()
        self._sync()
        order = self._order("402-1000000-0000013")
        self.assertTrue(order.amazon_review_needed)
        self.assertIn("EUR", order.amazon_review_message)
        self.assertEqual(order.state, "draft")
        self.assertFalse(self.eur.active, msg="the importer never activates a currency")
        self.assertEqual(self._counts(), before, msg="no pricelist or tax created")
        self.eur.active = True
        # Odoo archived the euro pricelists with the currency: the integrator restores one.
        self.env["product.pricelist"].with_context(active_test=False).search(
            [("currency_id", "=", self.eur.id)]
        ).active = True
        order.action_amazon_check_products()
        self.assertEqual(order.state, "sale", msg=order.amazon_review_message)
        self.assertEqual(order.currency_id, self.eur)
        self.assertAlmostEqual(order.amount_total, 12.90, places=2)

    def test_total_mismatch_flags_the_order(self):
        """A price-excluded tax rounds 10.00 € to 9.99 €: the cent is caught, the order flagged."""
        self.vat21.price_include_override = "tax_excluded"
        self.sandbox.reset(seed="empty")
        self.sandbox.add_orders(
            [self._new_order("402-1000000-0000014", iso_ago(minutes=5), price=10.00)]
        )
        self._sync()
        order = self._order("402-1000000-0000014")
        self.assertNotAlmostEqual(order.amount_total, 10.00, places=2)
        self.assertTrue(order.amazon_review_needed, msg="totals are checked on every import")
        self.assertIn("10.00", order.amazon_review_message)
        self.assertEqual(order.state, "draft")
