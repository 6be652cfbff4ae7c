"""What a buyer asked Amazon to change on an order (``BuyerRequestedChange``, issue 24).

The ORDER_CHANGE notification only says that the buyer asked for something: the new delivery
address or the cancellation request is read from the order Amazon returns (getOrder, the
trusted source), and applied by the order's import job under the order's binding lock, so a
forged or repeated notification changes nothing Amazon does not hold.

- A new delivery address before the order left: the pending deliveries go to it (a delivery
  contact of the buyer with that address; the previous one is kept for other orders), logged
  in the order's and the deliveries' chatter.
- A new address once a delivery is done, or a cancellation request: a to-do activity for the
  order's salesperson (the team leader, else an Amazon Manager of the company), since only a
  person can decide (call the carrier, refuse or accept the cancellation in Seller Central).
"""

from odoo import SUPERUSER_ID, api, models
from odoo.tools import html_escape

from ..odoo_compat import GROUPS_FIELD

ACTIVITY_TYPE = "mail.mail_activity_data_todo"
MANAGER = "stockagile_amazon_connector.group_amazon_manager"
#: The partner fields a delivery address is made of (compared and copied).
ADDRESS_FIELDS = ("name", "street", "street2", "city", "zip", "state_id", "country_id")


class AmazonBuyerChange(models.AbstractModel):
    _name = "amazon.buyer.change"
    _description = "Amazon: changes requested by the buyer"

    @api.model
    def _apply(self, order, data, cache=None):
        """Apply the buyer's requests that ``data`` (Amazon's order) holds to ``order``.

        :param order: ``sale.order`` being updated by the import (its binding is held).
        :param data: the order from the Orders API 2026-01-01.
        :param cache: the import's cache (countries, states), if any.
        :return: what was done (``address``, ``activity`` or None).
        """
        if order.amazon_anonymized or order.state == "cancel":
            return None  # the buyer's data is erased, or nothing is left to deliver
        status = (data.get("fulfillment") or {}).get("fulfillmentStatus")
        done = order.picking_ids.filtered(
            lambda p: p.state == "done" and p.picking_type_code == "outgoing"
        )
        requests = self._cancel_requests(data)
        if requests and status != "CANCELLED":
            reason = ", ".join(sorted(requests))
            self._activity(
                order,
                self.env._(
                    "The buyer asked to cancel Amazon order %(ref)s", ref=order.amazon_order_ref
                ),
                self.env._(
                    "The buyer asked Amazon to cancel this order (%(reason)s). Accept or refuse "
                    "the cancellation in Seller Central; Odoo cancels the order once Amazon "
                    "does.",
                    reason=reason,
                ),
            )
            return "activity"
        address = (data.get("recipient") or {}).get("deliveryAddress") or {}
        if not address:
            return None
        mapper = self.env["amazon.order.mapper"]
        values = mapper._address_values(address, cache or {"run": {}})
        values["name"] = address.get("name") or order.partner_shipping_id.name
        pending = order._amazon_pending_pickings().filtered(
            lambda p: p.picking_type_code == "outgoing"
        )
        current = (pending or done)[:1].partner_id or order.partner_shipping_id
        if self._same_address(current, values):
            return None
        text = self._address_text(values)
        if done or status == "SHIPPED" or not pending:
            self._activity(
                order,
                self.env._(
                    "The buyer changed the address of shipped order %(ref)s",
                    ref=order.amazon_order_ref,
                ),
                self.env._(
                    "The buyer asked Amazon to deliver this order to %(address)s, but it has "
                    "already left: contact the carrier or the buyer.",
                    address=text,
                ),
            )
            return "activity"
        if not values["country_id"] or not values["street"]:
            self._activity(
                order,
                self.env._(
                    "Unreadable new address on Amazon order %(ref)s", ref=order.amazon_order_ref
                ),
                self.env._(
                    "The buyer asked for a new delivery address that has no street or no known "
                    "country (%(address)s): the delivery was not changed. Check the order in "
                    "Seller Central.",
                    address=text,
                ),
            )
            return "activity"
        delivery = self._delivery_partner(order, current, values, address)
        pending.write({"partner_id": delivery.id})
        message = self.env._(
            "The buyer asked Amazon for a new delivery address: %(old)s → %(new)s.",
            old=self._address_text({f: current[f] for f in ADDRESS_FIELDS}),
            new=text,
        )
        order._message_log(body=message)
        for picking in pending:
            picking._message_log(body=message)
        return "address"

    @api.model
    def _cancel_requests(self, data):
        """The reasons of the buyer's cancellation requests on the order's items."""
        reasons = set()
        for item in data.get("orderItems") or ():
            request = (item.get("cancellation") or {}).get("cancellationRequest") or {}
            if request.get("requester") == "BUYER":
                reasons.add(request.get("cancelReason") or self.env._("no reason given"))
        return reasons

    @api.model
    def _same_address(self, partner, values):
        return all(
            (partner[field].id if field in ("state_id", "country_id") else partner[field] or False)
            == (values.get(field) or False)
            for field in ADDRESS_FIELDS
        )

    @api.model
    def _address_text(self, values):
        """One line of an address (``values``: partner fields, records or ids)."""
        parts = []
        for field in ADDRESS_FIELDS:
            value = values.get(field)
            if field in ("state_id", "country_id"):
                model = "res.country.state" if field == "state_id" else "res.country"
                value = (
                    self.env[model].browse(value).name
                    if isinstance(value, int)
                    else (value.name if value else False)
                )
            if value:
                parts.append(str(value))
        return ", ".join(parts)

    @api.model
    def _delivery_partner(self, order, current, values, address):
        """A delivery contact of the buyer at the new address (found or created)."""
        customer = order.partner_id.commercial_partner_id
        return self.env["amazon.order.mapper"]._find_or_create_partner(
            order.amazon_account_id,
            {
                **values,
                "phone": address.get("phone") or current.phone or False,
                "type": "delivery",
                "parent_id": customer.id,
                "amazon_buyer": True,
            },
        )

    @api.model
    def _activity(self, order, summary, note):
        """A to-do for whoever handles the order, once per request (same summary)."""
        todo = self.env.ref(ACTIVITY_TYPE)
        if order.activity_ids.filtered(
            lambda a: a.activity_type_id == todo and a.summary == summary
        ):
            return
        order.activity_schedule(
            ACTIVITY_TYPE,
            summary=summary,
            note=html_escape(note),
            user_id=self._salesperson(order).id,
        )
        order._message_log(body=note)

    @api.model
    def _salesperson(self, order):
        """The order's salesperson, else its team's leader, else an Amazon Manager of the
        company, else the account's creator."""
        if order.user_id:
            return order.user_id
        if order.team_id.user_id:
            return order.team_id.user_id
        manager = self.env["res.users"].search(
            [
                (GROUPS_FIELD, "in", self.env.ref(MANAGER).id),
                ("company_ids", "in", order.company_id.id),
                ("share", "=", False),
                ("id", "!=", SUPERUSER_ID),
            ],
            order="id",
            limit=1,
        )
        return manager or order.amazon_account_id.create_uid
