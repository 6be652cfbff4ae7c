"""Amazon order dict → sales order values: partners, currency, lines and taxes.

The importer (``amazon.order.importer``) owns the run (pages, savepoints, cursor, workflow);
this model owns the mapping of one Amazon order's data to the ERP's records and values, so
each can change without touching the other.
"""

import logging
from decimal import Decimal, InvalidOperation

from odoo import Command, _, models
from odoo.exceptions import UserError
from odoo.tools import float_round

from .. import odoo_compat

_logger = logging.getLogger(__name__)

#: Amounts closer than this are equal (Amazon rounds to cents).
CENT = Decimal("0.01")


class AmazonOrderMapper(models.AbstractModel):
    _name = "amazon.order.mapper"
    _description = "Amazon Order Mapper"

    def _amount(self, money):
        """Decimal amount of an Amazon ``Money`` dict (0 when absent).

        :raise UserError: the amount is not a number (e.g. "12,50"), quoted in the message.
        """
        value = (money or {}).get("amount") if isinstance(money, dict) else money
        try:
            return Decimal(str(value or 0))
        except InvalidOperation:
            raise UserError(
                self.env._(
                    "Amazon sent an amount that is not a number: %(amount)r (%(currency)s).",
                    amount=value,
                    currency=(money or {}).get("currencyCode") if isinstance(money, dict) else "",
                )
            ) from None

    # ------------------------------------------------------------------
    # Mapping: marketplace, currency, partners
    # ------------------------------------------------------------------

    def _marketplace(self, account, data):
        api_ref = (data.get("salesChannel") or {}).get("marketplaceId")
        marketplace = account.marketplace_ids.filtered(lambda m: m.api_ref == api_ref)[:1]
        if not marketplace:
            raise UserError(
                _("Marketplace %(ref)s is not one of the account's marketplaces.", ref=api_ref)
            )
        return marketplace

    def _sale_values(self, account, data, cache, marketplace, invoice_partner, shipping_partner):
        """Currency, pricelist, fiscal position and lines of the sales order of ``data``.

        Nothing of accounting is created or changed here: a currency that is not active, a
        missing pricelist in Amazon's currency or a tax Amazon charged that the company's
        configuration does not give is a review problem naming what to configure; the order
        then stays a quotation until *Check products* imports it again after the fix.

        :return: (``sale.order`` values, list of review problems).
        """
        company = account.company_id
        currency, problem = self._currency(data, marketplace)
        if not problem:
            pricelist, problem = self._pricelist(account, currency)
        fiscal_position = self._fiscal_position(company, invoice_partner, shipping_partner)
        if problem:  # no line in a currency the order cannot have: Retry maps them after the fix
            return {"pricelist_id": False, "fiscal_position_id": fiscal_position.id}, [problem]
        lines, problems = self._order_lines(
            account, data, cache, fiscal_position, shipping_partner.country_id
        )
        return {
            "pricelist_id": pricelist.id,
            "fiscal_position_id": fiscal_position.id,
            "order_line": [Command.create(line) for line in lines],
        }, problems

    def _currency(self, data, marketplace):
        """Amazon's currency of the order, and a problem when the ERP cannot use it.

        :raise UserError: Amazon sent a currency code the ERP does not know at all.
        """
        code = ((data.get("proceeds") or {}).get("grandTotal") or {}).get("currencyCode")
        if not code:
            return marketplace.currency_id, None
        currency = (
            self.env["res.currency"]
            .with_context(active_test=False)
            .search_fetch([("name", "=", code)], ["active"])
        )
        if not currency:
            raise UserError(_("Currency %(code)s does not exist in the ERP.", code=code))
        if not currency.active:
            return currency, _(
                "Currency %(code)s is not active: activate it (Accounting > Configuration > "
                "Currencies), then press Check products.",
                code=code,
            )
        return currency, None

    def _pricelist(self, account, currency):
        """The pricelist of the order's currency: the account's one, else one of the company.

        :return: (pricelist, problem). No pricelist is needed in the company's currency.
        """
        company = account.company_id
        if account.pricelist_id.currency_id == currency:
            return account.pricelist_id, None
        pricelist = self.env["product.pricelist"].search(
            [("currency_id", "=", currency.id), ("company_id", "in", [False, company.id])],
            order="company_id, sequence, id",
            limit=1,
        )
        if pricelist or currency == company.currency_id:
            return pricelist, None
        return pricelist, _(
            "Company %(company)s has no pricelist in %(code)s: create one (Sales > Products > "
            "Pricelists), then press Check products.",
            company=company.name,
            code=currency.name,
        )

    def _fiscal_position(self, company, partner, delivery):
        """The fiscal position Odoo applies to this customer and delivery address."""
        return (
            self.env["account.fiscal.position"]
            .with_company(company)
            ._get_fiscal_position(partner, delivery=delivery)
        )

    def _address_values(self, address, cache):
        """Partner address fields of an Amazon ``CustomerAddress``."""
        country = self._country(address.get("countryCode"), cache)
        state = self._state(country, address.get("stateOrRegion"), cache)
        street2 = " ".join(filter(None, (address.get("addressLine2"), address.get("addressLine3"))))
        return {
            "street": address.get("addressLine1") or False,
            "street2": street2 or False,
            "city": address.get("city") or False,
            "zip": address.get("postalCode") or False,
            "state_id": state.id,
            "country_id": country.id,
        }

    def _country(self, code, cache):
        countries = cache["run"].setdefault("countries", {})
        if code not in countries:
            countries[code] = (
                self.env["res.country"].search([("code", "=", code.upper())], limit=1)
                if code
                else self.env["res.country"]
            )
        return countries[code]

    def _state(self, country, name, cache):
        states = cache["run"].setdefault("states", {})
        key = (country.id, name)
        if key not in states:
            states[key] = (
                self.env["res.country.state"].search(
                    [
                        ("country_id", "=", country.id),
                        "|",
                        ("name", "=ilike", name),
                        ("code", "=ilike", name),
                    ],
                    limit=1,
                )
                if country and name
                else self.env["res.country.state"]
            )
        return states[key]

    def _partners(self, account, data, cache):
        """Return (customer, invoice address, delivery address), reusing known ones.

        Only what delivering and invoicing need is kept: names, addresses, the delivery phone,
        the business buyer's VAT number; never the buyer's e-mail. Consumers are matched on name
        and address within the account's company; business buyers on their VAT number.
        """
        buyer = data.get("buyer") or {}
        address = (data.get("recipient") or {}).get("deliveryAddress") or {}
        registration = next(
            (
                reg
                for reg in (data.get("tax") or {}).get("taxRegistrations") or ()
                if reg.get("entityType") == "BUYER"
            ),
            {},
        )
        company_name = (
            registration.get("legalName")
            or buyer.get("buyerCompanyName")
            or (address.get("companyName") if address.get("addressType") == "COMMERCIAL" else None)
        )
        delivery_values = self._address_values(address, cache)
        recipient = address.get("name") or buyer.get("buyerName")
        if company_name:
            customer = self._business_partner(
                account, company_name, registration, delivery_values, cache
            )
        else:
            name = buyer.get("buyerName") or recipient or _("Amazon buyer")
            customer = self._find_or_create_partner(
                account, {"name": name, **delivery_values, "amazon_buyer": True}
            )
            if (recipient or name) == name:
                if address.get("phone") and not customer.phone:
                    customer.phone = address["phone"]
                return customer, customer, customer
        delivery = self._find_or_create_partner(
            account,
            {
                "name": recipient or customer.name,
                **delivery_values,
                "phone": address.get("phone") or False,
                "type": "delivery",
                "parent_id": customer.id,
                "amazon_buyer": True,
            },
        )
        return customer, customer, delivery

    def _business_partner(self, account, company_name, registration, delivery_values, cache):
        """The buyer's company, matched on its VAT number (else name and address)."""
        vat = registration.get("taxRegistrationNumber") or False
        registered = registration.get("taxRegistrationAddress")
        values = {
            "name": company_name,
            "is_company": True,
            "vat": vat,
            **(self._address_values(registered, cache) if registered else delivery_values),
        }
        if vat:
            partner = self.env["res.partner"].search(
                [
                    ("vat", "=", vat),
                    ("is_company", "=", True),
                    ("company_id", "=", account.company_id.id),
                ],
                limit=1,
            )
            if partner:
                return partner
        return self._find_or_create_partner(account, values)

    def _find_or_create_partner(self, account, values):
        """The partner of the company with these exact name and address, created if missing."""
        keys = ("name", "street", "zip", "city", "country_id", "type", "parent_id", "is_company")
        domain = [("company_id", "=", account.company_id.id)]
        for key in keys:
            value = values.get(key, "contact" if key == "type" else False)
            domain.append((key, "=", value))
        partner = self.env["res.partner"].search(domain, limit=1)
        if partner:
            return partner
        return (
            self.env["res.partner"]
            .with_context(tracking_disable=True, mail_create_nolog=True)
            .create({**values, "company_id": account.company_id.id})
        )

    # ------------------------------------------------------------------
    # Mapping: lines, taxes
    # ------------------------------------------------------------------

    def _order_lines(self, account, data, cache, fiscal_position, country):
        """Sale order line values and the review problems (unknown SKUs, taxes that differ).

        Amounts are Amazon's proceeds: per item the ``ITEM`` subtotal (quantity times unit price),
        ``SHIPPING`` (one shipping line per tax), ``DISCOUNT`` (a negative promotion line taxed
        like what it discounts) and ``TAX``. Taxes are Odoo's: the product's sales taxes mapped
        by the fiscal position (shipping without taxes of its own is taxed like the item);
        Amazon's VAT only checks them. EU marketplaces state amounts taxes included: with
        price-included taxes the order total is exactly Amazon's.
        """
        lines, problems, shipping = [], [], {}
        products = cache["run"]["products"]
        company = account.company_id
        items = data.get("orderItems") or ()
        if not items:
            raise UserError(_("Amazon sent the order without order items: nothing to import."))
        placeholder = None  # looked up only for an unknown SKU (a query less per order)
        for item in items:
            quantity = item.get("quantityOrdered") or 0
            if not isinstance(quantity, int) or isinstance(quantity, bool):
                raise UserError(
                    _(
                        "Amazon sent the quantity %(quantity)r for order item %(item)s: "
                        "not a whole number.",
                        quantity=quantity,
                        item=item.get("orderItemId"),
                    )
                )
            if quantity <= 0:
                continue
            product_data = item.get("product") or {}
            sku = product_data.get("sellerSku") or ""
            parts = {
                part.get("type"): part
                for part in (item.get("proceeds") or {}).get("breakdowns") or ()
            }
            unit_price = self._amount((product_data.get("price") or {}).get("unitPrice"))
            if "ITEM" not in parts and not unit_price:
                problems.append(
                    _(
                        "Amazon sent no amount for order item %(item)s (%(sku)s): its line is at "
                        "0; check the price in Seller Central.",
                        item=item.get("orderItemId"),
                        sku=sku,
                    )
                )
            gross = (
                self._amount(parts["ITEM"]["subtotal"])
                if "ITEM" in parts
                else unit_price * quantity
            )
            shipping_gross = self._amount((parts.get("SHIPPING") or {}).get("subtotal"))
            discount = self._amount((parts.get("DISCOUNT") or {}).get("subtotal"))
            vat_parts = {
                detail.get("subtype"): self._amount(detail.get("value"))
                for detail in (parts.get("TAX") or {}).get("detailedBreakdowns") or ()
            }
            if "TAX" in parts and not vat_parts:
                vat_parts["ITEM"] = self._amount(parts["TAX"]["subtotal"])
            checked = "TAX" in parts
            included = self._taxes_included(item, gross + shipping_gross + discount, parts)
            product = products.get(sku)
            known = bool(product)
            if not known:
                placeholder = placeholder or self.env.ref(
                    "stockagile_amazon_connector.product_amazon_unknown"
                )
                product = placeholder
            item_taxes = self._product_taxes(product, company, fiscal_position)
            if known:  # an unknown SKU's taxes are mapped when it is known
                problems += self._check_taxes(
                    item_taxes,
                    gross,
                    vat_parts.get("ITEM", 0),
                    included,
                    checked,
                    _("SKU %(sku)s", sku=sku),
                    fiscal_position,
                    country,
                )
            values = {
                "product_id": product.id,
                "product_uom_qty": quantity,
                odoo_compat.SALE_LINE_TAXES_FIELD: [Command.set(item_taxes.ids)],
                "price_unit": self._price(gross, vat_parts.get("ITEM", 0), included, item_taxes)
                / quantity,
                "amazon_order_item_ref": item.get("orderItemId"),
                "amazon_sku": sku,
            }
            if not known:
                title = product_data.get("title") or ""
                values["name"] = f"[{sku}] {title}"
                problems.append(
                    _(
                        "SKU %(sku)s (%(title)s, quantity %(quantity)s) matches no product: give "
                        "a product this internal reference, then press Check products.",
                        sku=sku,
                        title=title,
                        quantity=quantity,
                    )
                )
            lines.append(values)
            if shipping_gross:
                shipping_taxes = (
                    self._product_taxes(account.shipping_product_id, company, fiscal_position)
                    or item_taxes
                )
                problems += self._check_taxes(
                    shipping_taxes,
                    shipping_gross,
                    vat_parts.get("SHIPPING", 0),
                    included,
                    checked and known,
                    _("shipping of SKU %(sku)s", sku=sku),
                    fiscal_position,
                    country,
                )
                price = self._price(
                    shipping_gross, vat_parts.get("SHIPPING", 0), included, shipping_taxes
                )
                key = tuple(shipping_taxes.ids)
                shipping[key] = shipping.get(key, Decimal(0)) + price
            if discount:
                promotion = self._promotion_line(account, item, discount, included, item_taxes)
                taxes = {odoo_compat.SALE_LINE_TAXES_FIELD: [Command.set(item_taxes.ids)]}
                lines.append(promotion | taxes)
        for tax_ids, price in shipping.items():
            lines.append(
                {
                    "product_id": account.shipping_product_id.id,
                    "name": _("Amazon shipping"),
                    "product_uom_qty": 1,
                    "price_unit": price,
                    odoo_compat.SALE_LINE_TAXES_FIELD: [Command.set(list(tax_ids))],
                }
            )
        if any(not line.get("product_id") for line in lines):
            raise UserError(_("Set the shipping and promotion products of the Amazon account."))
        digits = self.env["decimal.precision"].precision_get("Product Price")
        for line in lines:
            line["price_unit"] = float_round(float(line["price_unit"]), precision_digits=digits)
        return lines, list(dict.fromkeys(problems))

    def _promotion_line(self, account, item, discount, included, taxes):
        """A negative line for the item's promotions (taxed like the item)."""
        promotions = [
            promo.get("promotionId")
            for promo in (item.get("promotion") or {}).get("breakdowns") or ()
            if promo.get("promotionId")
        ]
        sku = (item.get("product") or {}).get("sellerSku") or ""
        rate = self._rate(taxes)
        return {
            "product_id": account.discount_product_id.id,
            "name": _(
                "Amazon promotion %(promotions)s (%(sku)s)",
                promotions=", ".join(promotions) or "",
                sku=sku,
            ),
            "product_uom_qty": 1,
            # Amazon's discount is in the item's form (taxes included or not), like the price
            "price_unit": self._price(
                discount, discount * rate / (1 + rate) if included else 0, included, taxes
            ),
        }

    def _taxes_included(self, item, untaxed_sum, parts):
        """True when the item's amounts include taxes (EU), False when taxes come on top (US)."""
        total = self._amount((item.get("proceeds") or {}).get("proceedsTotal"))
        if not total or "TAX" not in parts:
            return True
        tax = self._amount(parts["TAX"]["subtotal"])
        return abs(total - untaxed_sum) <= abs(total - untaxed_sum - tax)

    @staticmethod
    def _price(amount, vat, included, taxes):
        """The line amount in the form its taxes expect (included or not)."""
        amount, vat = Decimal(amount), Decimal(vat)
        price_include = bool(taxes) and all(taxes.mapped("price_include"))
        if included and taxes and not price_include:
            return amount - vat
        if not included and price_include:
            return amount + vat
        return amount

    @staticmethod
    def _rate(taxes):
        """The combined rate of percentage taxes, as a Decimal fraction (0.21 for 21 %)."""
        return sum(
            (Decimal(str(tax.amount)) for tax in taxes if tax.amount_type == "percent"), Decimal(0)
        ) / Decimal(100)

    @staticmethod
    def _product_taxes(product, company, fiscal_position):
        """The line taxes Odoo gives ``product``: its sales taxes mapped by the fiscal position."""
        taxes = product.taxes_id._filter_taxes_by_company(company)
        return fiscal_position.map_tax(taxes) if taxes else taxes

    def _check_taxes(self, taxes, amount, vat, included, checked, what, fiscal_position, country):
        """Review problems when the ERP's ``taxes`` do not give the VAT Amazon charged.

        :param checked: Amazon sent its tax breakdown (without it nothing can be compared).
        :return: a list of zero or one problem naming what to configure.
        """
        if not checked or not amount:
            return []
        amount, vat = Decimal(amount), Decimal(vat)
        rate = self._rate(taxes)
        expected = amount * rate / (1 + rate) if included else amount * rate
        percent_only = all(tax.amount_type == "percent" for tax in taxes)
        if percent_only and abs(expected - vat) <= CENT:
            return []
        base = amount - vat if included else amount
        amazon_rate = float_round(float(vat / base * 100), 1) if base else 0
        return [
            _(
                "%(what)s: Amazon charged %(rate)s%% tax (delivery to %(country)s) but the "
                "ERP gives %(taxes)s (fiscal position: %(position)s). Configure the product's "
                "sales taxes or a fiscal position for %(country)s that maps them to a "
                "%(rate)s%% sales tax (EU OSS: module l10n_eu_oss), then press Check products; "
                "nothing was invoiced.",
                what=what,
                rate=amazon_rate,
                country=country.name or _("unknown country"),
                taxes=", ".join(taxes.mapped("name")) or _("no tax"),
                position=fiscal_position.name or _("none"),
            )
        ]

    def _check_totals(self, order, data):
        """A problem when the order's total differs from Amazon's grand total by a cent or more."""
        grand = (data.get("proceeds") or {}).get("grandTotal") or {}
        if not grand.get("amount") or grand.get("currencyCode") != order.currency_id.name:
            return None
        amazon_total = self._amount(grand)
        total = Decimal(str(order.currency_id.round(order.amount_total)))
        if abs(total - amazon_total) < CENT:
            return None
        return _(
            "The order total %(total)s differs from Amazon's %(amazon)s %(currency)s: check the "
            "taxes of its lines (Amazon's EU amounts include VAT: use price-included sales "
            "taxes), then press Check products.",
            total=total,
            amazon=amazon_total,
            currency=order.currency_id.name,
        )
