"""Amazon orders → sales orders: the one place that maps an Amazon order to the ERP.

The path of an order reads as a sentence: the cron (or the account's *Sync orders* button)
enqueues the account's poll job → it asks Amazon for the orders updated since the account's
cursor (searchOrders, Orders API 2026-01-01, page by page) → each order becomes a job of its own
and the cursor moves past it → each order's job imports it: a new payable order becomes a
confirmed ``sale.order`` with its partners and lines, a known one is updated (status,
cancellation). An order that fails is a failed job, visible and retryable, and never holds back
the orders after it; importing is idempotent; a throttle postpones the poll.
"""

import logging
from datetime import datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_round

from ..services import AmazonError, InvalidRequestError, ThrottledError
from .amazon_job_mixin import PRIORITY_IMPORT

_logger = logging.getLogger(__name__)

#: Datasets asked with every order: buyer, delivery address and tax registrations for the
#: partners, proceeds and promotions for the lines, fulfillment and cancellation for the workflow.
ORDER_DATASETS = (
    "BUYER",
    "RECIPIENT",
    "FULFILLMENT",
    "PROCEEDS",
    "PROMOTION",
    "CANCELLATION",
    "TAX",
)
#: Orders per searchOrders page (the operation's maximum: fewest calls).
PAGE_SIZE = 100
#: How far back the first import of an account looks.
FIRST_SYNC_DAYS = 7
#: Not payable yet: Amazon may still drop them, and withholds the buyer. Imported once payable.
NOT_PAYABLE_STATUSES = ("PENDING", "PENDING_AVAILABILITY")
#: Never imported when first seen in these statuses: nothing to deliver, nothing to cancel.
SKIPPED_NEW_STATUSES = ("CANCELLED", "UNFULFILLABLE", *NOT_PAYABLE_STATUSES)
#: Every fulfillment status of the Orders API 2026-01-01; an order in another one is not imported.
KNOWN_STATUSES = (
    "PENDING",
    "PENDING_AVAILABILITY",
    "UNSHIPPED",
    "PARTIALLY_SHIPPED",
    "SHIPPED",
    "CANCELLED",
    "UNFULFILLABLE",
)
#: Amounts closer than this are equal (Amazon rounds to cents).
CENT = Decimal("0.01")


def _amount(money):
    """Decimal amount of an Amazon ``Money`` dict (0 when absent)."""
    try:
        return Decimal(str((money or {}).get("amount") or 0))
    except InvalidOperation:
        raise UserError(_("Amazon sent an amount that is not a number: %s", money)) from None


def _parse_time(value):
    """Naive UTC datetime of an ISO 8601 time of Amazon."""
    if not value:
        raise UserError(_("Amazon sent an order without lastUpdatedTime."))
    stamp = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if stamp.tzinfo:
        stamp = stamp.astimezone(timezone.utc).replace(tzinfo=None)
    return stamp.replace(microsecond=0)


class AmazonOrderImporter(models.AbstractModel):
    _name = "amazon.order.importer"
    _description = "Amazon Order Importer"

    # ------------------------------------------------------------------
    # The run: pages, savepoints, cursor
    # ------------------------------------------------------------------

    @api.model
    def _sync_account(self, account, page_token=None, since=None):
        """Read one page of the orders Amazon updated since the cursor; enqueue one job each.

        The body of the account's poll job. The page's orders are enqueued (one job per order
        and Amazon update, so a failing order is a failed job that blocks nothing) and the
        cursor moves past them in the same transaction: a crash loses neither, and reading a
        page again only adds jobs that already ran. The next page is a poll job of its own; a
        throttle enqueues the poll again for when Amazon allows it.

        :param account: one ``amazon.account``.
        :param page_token: Amazon's token of the next page of a poll under way.
        :param since: the ``lastUpdatedAfter`` of that poll (ISO string).
        :return: dict of counts: ``queued`` orders, ``throttled`` (bool), ``more`` (bool).
        """
        cursor = account.orders_last_sync or fields.Datetime.now() - timedelta(days=FIRST_SYNC_DAYS)
        start = fields.Datetime.to_datetime(since) if since and page_token else cursor
        service = account._get_sp_api_service()
        try:
            page = service.search_orders(
                account.marketplace_ids.mapped("api_ref"),
                start,
                pagination_token=page_token or None,
                max_results=PAGE_SIZE,
                included_data=ORDER_DATASETS,
            )
        except ThrottledError as error:
            account._schedule_next_order_sync(
                delay=int(error.retry_after or 60) + 1,
                page_token=page_token,
                since=since,
            )
            return {"queued": 0, "throttled": True, "more": bool(page_token)}
        except AmazonError as error:
            if not isinstance(error, InvalidRequestError):
                with account._amazon_unit(account):
                    raise  # an outage: the job is retried with backoff
            # Refused (e.g. an expired page token): said on the account, the next poll
            # starts again from the cursor.
            account.orders_poll_error = error.message
            account._schedule_next_order_sync()
            return {"queued": 0, "throttled": False, "more": False}
        synced_until = cursor
        for data in page.orders:
            updated_at = self._enqueue_order(account, data)
            if updated_at and updated_at > synced_until:
                synced_until = updated_at
        values = {"orders_poll_error": False}
        if synced_until != account.orders_last_sync:
            values["orders_last_sync"] = synced_until
        account.write(values)
        if page.next_token:
            account._enqueue_order_poll(page_token=page.next_token, since=str(start))
        else:
            account._schedule_next_order_sync()
        _logger.info(
            "Amazon account %s: %s orders queued%s",
            account.id,
            len(page.orders),
            ", more pages follow" if page.next_token else "",
        )
        return {"queued": len(page.orders), "throttled": False, "more": bool(page.next_token)}

    def _enqueue_order(self, account, data):
        """Enqueue the import of one order of a page; return its ``lastUpdatedTime``.

        The job's identity is the order and its update: a page read twice adds nothing, a
        newer update of the same order is a job of its own (an older one then changes nothing).
        """
        order_ref = str(data.get("orderId") or "?")
        try:
            updated_at = _parse_time(data.get("lastUpdatedTime"))
        except (UserError, ValueError):
            updated_at = None
        kind = f"order:{order_ref}@{data.get('lastUpdatedTime') or ''}"
        account._amazon_delay(
            account,
            kind,
            priority=PRIORITY_IMPORT,
            description=_("Amazon: import order %(ref)s", ref=order_ref),
        )._amazon_job_import_order(data)
        return updated_at

    @api.model
    def _import_one(self, account, data):
        """Import one Amazon order in the job's transaction; return what happened.

        Two jobs of one order (two updates) never run side by side: the second waits for the
        first to commit, then sees its sales order.
        """
        order_ref = data.get("orderId") if isinstance(data, dict) else None
        if not order_ref:
            raise UserError(_("Amazon sent an order without orderId."))
        self.env.cr.execute(
            "SELECT pg_advisory_xact_lock(hashtext(%s))", [f"amazon-order-{account.id}-{order_ref}"]
        )
        _parse_time(data.get("lastUpdatedTime"))
        cache = {"run": {}, "created": {}}
        self._prefetch(account, [data], cache)
        outcome = self._import_order(account, data, cache)
        # Earlier updates of this order whose import failed are superseded by this one.
        prefix = account._amazon_job_key(f"order:{order_ref}@")
        self.env["queue.job"].sudo().search(
            [("state", "=", "failed"), ("identity_key", "=like", f"{prefix}%")]
        ).button_done()
        return outcome

    def _prefetch(self, account, orders, cache):
        """Read the page's known orders and products in two queries."""
        refs = [data.get("orderId") for data in orders]
        known = self.env["sale.order"].search(
            [("amazon_account_id", "=", account.id), ("amazon_order_ref", "in", refs)]
        )
        cache["run"].setdefault("orders", {}).update({o.amazon_order_ref: o for o in known})
        skus = {
            (item.get("product") or {}).get("sellerSku")
            for data in orders
            for item in data.get("orderItems") or ()
        }
        cache["run"].setdefault("products", {}).update(self._products_by_sku(account, skus))

    def _products_by_sku(self, account, skus):
        """``{sku: product}`` for the SKUs that are a product's internal reference."""
        skus = [sku for sku in skus if sku]
        if not skus:
            return {}
        products = self.env["product.product"].search(
            [
                ("default_code", "in", skus),
                ("company_id", "in", [False, account.company_id.id]),
            ],
            order="company_id, id",
        )
        found = {}
        for product in products:
            found.setdefault(product.default_code, product)
        return found

    # ------------------------------------------------------------------
    # One order
    # ------------------------------------------------------------------

    def _import_order(self, account, data, cache):
        """Create or update the sales order of one Amazon order dict; return what happened."""
        order_ref = data.get("orderId")
        if not order_ref:
            raise UserError(_("Amazon sent an order without orderId."))
        fulfillment = data.get("fulfillment") or {}
        status = fulfillment.get("fulfillmentStatus")
        if not status:
            raise UserError(_("Amazon sent no fulfillment status."))
        if status not in KNOWN_STATUSES:
            raise UserError(
                _(
                    "Amazon sent the unknown fulfillment status %(status)r: the order is not "
                    "imported; check it in Seller Central.",
                    status=status,
                )
            )
        order = cache["run"]["orders"].get(order_ref)
        if order:
            return self._update_order(order, data, status)
        channel = "fba" if fulfillment.get("fulfilledBy") == "AMAZON" else "fbm"
        if status in SKIPPED_NEW_STATUSES:
            return "skipped"
        if channel == "fba" and (not account.fba_import or status != "SHIPPED"):
            return "skipped"  # FBA orders are imported once Amazon has shipped them
        order = self._create_order(account, data, cache, channel, status)
        cache["run"]["orders"][order_ref] = order
        return "created"

    def _update_order(self, order, data, status):
        """Apply what changed on Amazon since the last import (status, cancellation)."""
        updated_at = _parse_time(data["lastUpdatedTime"])
        if order.amazon_last_update and updated_at <= order.amazon_last_update:
            return "unchanged"
        if status == "CANCELLED" and order.state != "cancel":
            self._cancel_order(order, data)
        elif status == "SHIPPED" and order.amazon_status != "SHIPPED":
            if order._amazon_pending_pickings():
                order.message_post(
                    body=_("Amazon reports this order shipped; its delivery here is not done."),
                    subtype_xmlid="mail.mt_note",
                )
        order.write({"amazon_status": status, "amazon_last_update": updated_at})
        return "updated"

    def _cancel_order(self, order, data):
        """Cancel the order and its deliveries; if it already left, say so on the order."""
        reasons = {
            (item.get("cancellation") or {}).get("cancellationRequest", {}).get("cancelReason")
            or (item.get("cancellation") or {}).get("cancellationExecution", {}).get("cancelReason")
            for item in data.get("orderItems") or ()
        } - {None, ""}
        reason = ", ".join(sorted(reasons)) or _("no reason given")
        shipped = order.amazon_fulfillment_channel == "fba" or order.picking_ids.filtered(
            lambda p: p.state == "done" and p.picking_type_code == "outgoing"
        )
        if shipped:
            message = _(
                "Amazon cancelled this order (%(reason)s) but it was already shipped: it is kept "
                "as it is; handle the return and refund.",
                reason=reason,
            )
            order.write({"amazon_review_needed": True, "amazon_review_message": message})
            order.message_post(body=message, subtype_xmlid="mail.mt_note")
            return
        order._action_cancel()
        order.message_post(
            body=_("Cancelled on Amazon (%(reason)s).", reason=reason),
            subtype_xmlid="mail.mt_note",
        )

    def _create_order(self, account, data, cache, channel, status):
        """Create the sales order of a new payable Amazon order, and confirm it if it can."""
        company = account.company_id
        marketplace = self._marketplace(account, data)
        currency = self._currency(data, marketplace)
        partner, invoice_partner, shipping_partner = self._partners(account, data, cache)
        lines, problems = self._order_lines(account, data, cache, currency)
        buyer = data.get("buyer") or {}
        purchase_date = _parse_time(data.get("createdTime") or data["lastUpdatedTime"])
        values = {
            "company_id": company.id,
            "partner_id": partner.id,
            "partner_invoice_id": invoice_partner.id,
            "partner_shipping_id": shipping_partner.id,
            "pricelist_id": self._pricelist(account, currency, cache).id,
            "warehouse_id": account.warehouse_id.id,
            "user_id": False,
            "date_order": purchase_date,
            "origin": _("Amazon %(ref)s", ref=data["orderId"]),
            "client_order_ref": buyer.get("buyerPurchaseOrderNumber") or data["orderId"],
            "amazon_account_id": account.id,
            "amazon_order_ref": data["orderId"],
            "amazon_marketplace_id": marketplace.id,
            "amazon_purchase_date": purchase_date,
            "amazon_last_update": _parse_time(data["lastUpdatedTime"]),
            "amazon_fulfillment_channel": channel,
            "amazon_status": status,
            "amazon_buyer_ref": buyer.get("buyerPurchaseOrderNumber") or False,
            "amazon_review_needed": bool(problems),
            "amazon_review_message": "\n".join(problems) or False,
            "order_line": [Command.create(line) for line in lines],
        }
        order = (
            self.env["sale.order"]
            .with_context(tracking_disable=True, mail_create_nosubscribe=True)
            .create(values)
        )
        if problems:
            order.message_post(body="\n".join(problems), subtype_xmlid="mail.mt_note")
            return order  # a quotation until someone reviews it
        self._confirm(order)
        return order

    def _confirm(self, order):
        """Confirm with the ERP's workflow; deliver what Amazon already shipped."""
        purchase_date = order.amazon_purchase_date
        order.with_context(tracking_disable=True).action_confirm()
        order.date_order = purchase_date  # confirmation sets it to now
        if order.amazon_fulfillment_channel == "fba":
            self._deliver_fba(order)
        elif order.amazon_status == "SHIPPED":
            self._deliver_pickings(order)
            order.message_post(
                body=_("Already shipped on Amazon when imported: its delivery was validated."),
                subtype_xmlid="mail.mt_note",
            )

    def _deliver_fba(self, order):
        """Record the FBA sale as delivered from the account's Amazon stock location."""
        location = order.amazon_account_id._get_fba_location()
        customers = self.env.ref("stock.stock_location_customers")
        lines = order.order_line.filtered(lambda line: line.product_id.type == "consu")
        moves = self.env["stock.move"].create(
            [
                {
                    "name": line.name,
                    "product_id": line.product_id.id,
                    "product_uom_qty": line.product_uom_qty,
                    "product_uom": line.product_uom.id,
                    "location_id": location.id,
                    "location_dest_id": customers.id,
                    "sale_line_id": line.id,
                    "partner_id": order.partner_shipping_id.id,
                    "company_id": order.company_id.id,
                    "origin": order.name,
                }
                for line in lines
            ]
        )
        moves._action_confirm()
        for move in moves:
            move.quantity = move.product_uom_qty
        moves.picked = True
        moves._action_done()

    def _deliver_pickings(self, order):
        """Validate the order's pending transfers in full (the goods already left)."""
        for picking in order._amazon_pending_pickings().sorted("id"):
            for move in picking.move_ids:
                move.quantity = move.product_uom_qty
            picking.move_ids.picked = True
            picking._action_done()

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

    # ------------------------------------------------------------------
    # Review
    # ------------------------------------------------------------------

    def _review_unknown_skus(self, order):
        """Put products on lines whose SKU was unknown; confirm the order when none is left.

        :return: True when the order needs no more review.
        """
        placeholder = self.env.ref("stockagile_amazon_connector.product_amazon_unknown")
        lines = order.order_line.filtered(lambda line: line.product_id == placeholder)
        products = self._products_by_sku(order.amazon_account_id, set(lines.mapped("amazon_sku")))
        missing = []
        for line in lines:
            product = products.get(line.amazon_sku)
            if not product:
                missing.append(line.amazon_sku)
                continue
            line.write(
                {
                    "product_id": product.id,
                    "name": product.get_product_multiline_description_sale(),
                    "price_unit": line.price_unit,
                    "tax_id": [Command.set(line.tax_id.ids)],
                }
            )
        if missing:
            order.amazon_review_message = _(
                "SKUs still without a product: %(skus)s. Give products these internal "
                "references, then press Check products.",
                skus=", ".join(missing),
            )
            return False
        order.write({"amazon_review_needed": False, "amazon_review_message": False})
        order.message_post(
            body=_("Every Amazon SKU has a product now."), subtype_xmlid="mail.mt_note"
        )
        if order.state == "draft" and order.amazon_status not in SKIPPED_NEW_STATUSES:
            self._confirm(order)
        return True
