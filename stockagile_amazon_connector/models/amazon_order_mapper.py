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

_logger = logging.getLogger(__name__)

#: Amounts closer than this are equal (Amazon rounds to cents).
CENT = Decimal("0.01")


def _amount(money):
    """Decimal amount of an Amazon ``Money`` dict (0 when absent)."""
    try:
        return Decimal(str((money or {}).get("amount") or 0))
    except InvalidOperation:
        raise UserError(_("Amazon sent an amount that is not a number: %s", money)) from None


class AmazonOrderMapper(models.AbstractModel):
    _name = "amazon.order.mapper"
    _description = "Amazon Order Mapper"

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

    def _currency(self, data, marketplace):
        code = ((data.get("proceeds") or {}).get("grandTotal") or {}).get("currencyCode")
        if not code:
            return marketplace.currency_id
        currency = (
            self.env["res.currency"].with_context(active_test=False).search([("name", "=", code)])
        )
        if not currency:
            raise UserError(_("Currency %(code)s does not exist in the ERP.", code=code))
        if not currency.active:
            currency.sudo().active = True
        return currency

    def _pricelist(self, account, currency, cache):
        """A pricelist in the order's currency (the account's one when it matches)."""
        pricelists = cache["created"].setdefault("pricelists", {})
        if currency.id not in pricelists:
            pricelist = account.pricelist_id
            if pricelist.currency_id != currency:
                pricelist = self.env["product.pricelist"].search(
                    [
                        ("currency_id", "=", currency.id),
                        ("company_id", "in", [False, account.company_id.id]),
                    ],
                    limit=1,
                ) or self.env["product.pricelist"].sudo().create(
                    {
                        "name": _("Amazon %(currency)s", currency=currency.name),
                        "currency_id": currency.id,
                        "company_id": account.company_id.id,
                    }
                )
            pricelists[currency.id] = pricelist
        return pricelists[currency.id]

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

    def _order_lines(self, account, data, cache, currency):
        """Sale order line values and the review problems (unknown SKUs, unknown taxes).

        Amounts are Amazon's proceeds: per item the ``ITEM`` subtotal (quantity times unit price),
        ``SHIPPING`` (one shipping line per tax), ``DISCOUNT`` (a negative promotion line taxed
        like what it discounts) and ``TAX``. EU marketplaces state amounts taxes included: the
        lines then carry price-included taxes so that the order total is exactly Amazon's.
        """
        lines, problems, shipping = [], [], {}
        products = cache["run"]["products"]
        items = data.get("orderItems") or ()
        if not items:
            raise UserError(_("Amazon sent the order without order items: nothing to import."))
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
            unit_price = _amount((product_data.get("price") or {}).get("unitPrice"))
            if "ITEM" not in parts and not unit_price:
                problems.append(
                    _(
                        "Amazon sent no amount for order item %(item)s (%(sku)s): its line is at "
                        "0; check the price in Seller Central.",
                        item=item.get("orderItemId"),
                        sku=sku,
                    )
                )
            gross = _amount(parts["ITEM"]["subtotal"]) if "ITEM" in parts else unit_price * quantity
            shipping_gross = _amount((parts.get("SHIPPING") or {}).get("subtotal"))
            discount = _amount((parts.get("DISCOUNT") or {}).get("subtotal"))
            vat_parts = {
                detail.get("subtype"): _amount(detail.get("value"))
                for detail in (parts.get("TAX") or {}).get("detailedBreakdowns") or ()
            }
            if "TAX" in parts and not vat_parts:
                vat_parts["ITEM"] = _amount(parts["TAX"]["subtotal"])
            included = self._taxes_included(item, gross + shipping_gross + discount, parts)
            item_taxes, problem = self._taxes(
                account, gross, vat_parts.get("ITEM", Decimal(0)), included, cache
            )
            problems += [problem] if problem else []
            product = products.get(sku)
            values = {
                "product_uom_qty": quantity,
                "tax_id": [Command.set(item_taxes.ids)],
                "price_unit": self._price(gross, vat_parts.get("ITEM", 0), included, item_taxes)
                / quantity,
                "amazon_order_item_ref": item.get("orderItemId"),
                "amazon_sku": sku,
            }
            if product:
                values["product_id"] = product.id
            else:
                values["product_id"] = self.env.ref(
                    "stockagile_amazon_connector.product_amazon_unknown"
                ).id
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
                shipping_taxes, problem = self._taxes(
                    account, shipping_gross, vat_parts.get("SHIPPING", 0), included, cache
                )
                problems += [problem] if problem else []
                price = self._price(
                    shipping_gross, vat_parts.get("SHIPPING", 0), included, shipping_taxes
                )
                key = tuple(shipping_taxes.ids)
                shipping[key] = shipping.get(key, Decimal(0)) + price
            if discount:
                lines.append(
                    self._promotion_line(account, item, parts["DISCOUNT"], discount, cache)
                    | {"tax_id": [Command.set(item_taxes.ids)]}
                )
        for tax_ids, price in shipping.items():
            lines.append(
                {
                    "product_id": account.shipping_product_id.id,
                    "name": _("Amazon shipping"),
                    "product_uom_qty": 1,
                    "price_unit": price,
                    "tax_id": [Command.set(list(tax_ids))],
                }
            )
        if any(not line.get("product_id") for line in lines):
            raise UserError(_("Set the shipping and promotion products of the Amazon account."))
        digits = self.env["decimal.precision"].precision_get("Product Price")
        for line in lines:
            line["price_unit"] = float_round(float(line["price_unit"]), precision_digits=digits)
        return lines, list(dict.fromkeys(problems))

    def _promotion_line(self, account, item, part, discount, cache):
        """A negative line for the item's promotions (taxed like the item)."""
        promotions = [
            promo.get("promotionId")
            for promo in (item.get("promotion") or {}).get("breakdowns") or ()
            if promo.get("promotionId")
        ]
        sku = (item.get("product") or {}).get("sellerSku") or ""
        return {
            "product_id": account.discount_product_id.id,
            "name": _(
                "Amazon promotion %(promotions)s (%(sku)s)",
                promotions=", ".join(promotions) or "",
                sku=sku,
            ),
            "product_uom_qty": 1,
            "price_unit": discount,  # taxes included like the item (see _order_lines)
        }

    @staticmethod
    def _taxes_included(item, untaxed_sum, parts):
        """True when the item's amounts include taxes (EU), False when taxes come on top (US)."""
        total = _amount((item.get("proceeds") or {}).get("proceedsTotal"))
        if not total or "TAX" not in parts:
            return True
        tax = _amount(parts["TAX"]["subtotal"])
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

    def _taxes(self, account, amount, vat, included, cache):
        """The company's sales tax whose rate gives Amazon's ``vat`` on ``amount``.

        :return: (taxes, review problem or None). A marketplace stating prices taxes included
            gets a price-included tax, created as a twin of the matching price-excluded one when
            the company has none, so that totals are exactly Amazon's.
        """
        if not vat:
            return self.env["account.tax"], None
        amount, vat = Decimal(amount), Decimal(vat)
        company = account.company_id
        taxes = cache["created"].setdefault("taxes", {})
        if company.id not in taxes:
            taxes[company.id] = self.env["account.tax"].search(
                [
                    ("company_id", "=", company.id),
                    ("type_tax_use", "=", "sale"),
                    ("amount_type", "=", "percent"),
                    ("amount", ">", 0),
                ]
            )
        fitting = []
        for tax in taxes[company.id]:
            rate = Decimal(str(tax.amount)) / 100
            expected = amount * rate / (1 + rate) if included else amount * rate
            gap = abs(expected - vat)
            if gap <= CENT:
                fitting.append((gap, tax.price_include != included, tax.sequence, tax.id, tax))
        if not fitting:
            base = amount - vat if included else amount
            rate = float_round(float(vat / base * 100), 1) if base else 0
            return self.env["account.tax"], _(
                "No sales tax of about %(rate)s%% in company %(company)s: lines were imported "
                "without tax.",
                rate=rate,
                company=company.name,
            )
        tax = min(fitting, key=lambda row: row[:4])[-1]
        if included and not tax.price_include:
            tax = self._included_twin(tax, cache)
        return tax, None

    def _included_twin(self, tax, cache):
        """The price-included copy of ``tax`` (same rate, accounts and tax grids)."""
        twin = self.env["account.tax"].search(
            [
                ("company_id", "=", tax.company_id.id),
                ("type_tax_use", "=", "sale"),
                ("amount_type", "=", "percent"),
                ("amount", "=", tax.amount),
                ("price_include_override", "=", "tax_included"),
            ],
            limit=1,
        )
        if not twin:
            twin = tax.sudo().copy(
                {
                    "name": _("%(name)s (incl.)", name=tax.name),
                    "price_include_override": "tax_included",
                }
            )
            _logger.info("Created tax %s for Amazon's tax-included prices", twin.name)
            cache["created"].pop("taxes", None)
        return twin
