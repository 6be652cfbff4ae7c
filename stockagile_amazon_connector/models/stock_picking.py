"""Amazon deliveries: shipping data, the XML-RPC shipping API and the shipment confirmation hook.

Integrators (a warehouse app, a label tool) call two public methods over XML-RPC:

* ``amazon_update_shipping(carrier, tracking_ref, shipping_method=False, ship_date=False)``
* ``amazon_mark_shipped()``

Both return a dict (see :meth:`StockPicking._amazon_result`) and raise ``UserError`` /
``ValidationError`` / ``AccessError`` / ``MissingError`` for bad input, which XML-RPC clients
receive as a ``Fault`` carrying the message; nothing is changed then.
"""

import json
from datetime import datetime, timezone

from odoo import _, api, fields, models
from odoo.exceptions import MissingError, UserError, ValidationError
from odoo.tools import float_is_zero

from .. import odoo_compat

#: Fields of a delivery whose change must reach Amazon once the delivery is done.
SHIPPING_FIELDS = {
    "carrier_id",
    "carrier_tracking_ref",
    "amazon_carrier_name",
    "amazon_shipping_method",
    "amazon_ship_date",
}
#: The state a delivery in several packages shows: its most urgent package's.
SYNC_PRIORITY = ("error", "awaiting_data", "pending", "confirmed")
SYNC_STATES = [
    ("none", "Not shipped"),
    ("awaiting_data", "Awaiting shipping data"),
    ("pending", "Sending to Amazon"),
    ("confirmed", "Confirmed on Amazon"),
    ("error", "Amazon error"),
]


class StockPicking(models.Model):
    _inherit = "stock.picking"

    is_amazon_delivery = fields.Boolean(compute="_compute_is_amazon_delivery")
    amazon_order_ref = fields.Char(
        string="Amazon Order ID",
        compute="_compute_is_amazon_delivery",
        search="_search_amazon_order_ref",
    )
    amazon_carrier_name = fields.Char(
        string="Amazon carrier",
        copy=False,
        help="Carrier name sent to Amazon when the delivery has no carrier of the ERP with that "
        "name (mapped to Amazon's carrier codes, else sent as 'Other' with this name).",
    )
    amazon_shipping_method = fields.Char(
        string="Shipping method", copy=False, help="Ship method sent to Amazon (e.g. 'Express')."
    )
    amazon_ship_date = fields.Datetime(
        string="Ship date", copy=False, help="Sent to Amazon; the validation date when empty."
    )
    amazon_shipment_ids = fields.One2many("amazon.shipment", "picking_id", readonly=True)
    amazon_sync_state = fields.Selection(
        SYNC_STATES,
        string="Amazon shipment",
        compute="_compute_amazon_sync_state",
        store=True,
        help="Not shipped: the delivery is not done yet.\n"
        "Awaiting shipping data: done, but the carrier or tracking number is missing.\n"
        "Sending to Amazon: queued; the confirmation leaves after the commit and is retried on "
        "throttling and outages.\n"
        "Confirmed on Amazon: Amazon holds this package as it is now.\n"
        "Amazon error: Amazon refused it; see the message, fix the data and press Retry.",
    )
    amazon_sync_error = fields.Text(
        string="Amazon shipment error", compute="_compute_amazon_sync_state", store=True
    )

    @api.depends("picking_type_code", "sale_id")
    def _compute_is_amazon_delivery(self):
        for picking in self:
            order = picking.sudo().sale_id
            picking.is_amazon_delivery = bool(
                picking.picking_type_code == "outgoing"
                and order.amazon_order_ref
                and order.amazon_fulfillment_channel != "fba"
            )
            picking.amazon_order_ref = order.amazon_order_ref or False

    def _search_amazon_order_ref(self, operator, value):
        return [("sale_id.amazon_order_ref", operator, value)]

    @api.depends("amazon_shipment_ids.state", "amazon_shipment_ids.last_error")
    def _compute_amazon_sync_state(self):
        """A delivery in several packages shows its most urgent package (an error first)."""
        for picking in self:
            shipments = picking.sudo().amazon_shipment_ids
            states = set(shipments.mapped("state"))
            picking.amazon_sync_state = next(
                (state for state in SYNC_PRIORITY if state in states), "none"
            )
            errors = [
                f"{shipment.package_name}: {shipment.last_error}"
                if len(shipments) > 1 and shipment.package_name
                else shipment.last_error
                for shipment in shipments.sorted("id")
                if shipment.last_error
            ]
            picking.amazon_sync_error = "\n".join(errors) or False

    # ------------------------------------------------------------------
    # XML-RPC API
    # ------------------------------------------------------------------

    def amazon_update_shipping(self, carrier, tracking_ref, shipping_method=False, ship_date=False):
        """Store the shipping data of an Amazon delivery; confirm it on Amazon if it is done.

        :param carrier: carrier name; matched to a delivery carrier of the ERP by name, else
            kept as the Amazon carrier name (mapped to Amazon's carrier codes, else 'Other').
        :param tracking_ref: the carrier's tracking number (stored in ``carrier_tracking_ref``);
            for a delivery packed in several packages, one per package in package order, as a
            list or separated by commas (a single number is shared by every package).
        :param shipping_method: ship method label, optional.
        :param ship_date: ``YYYY-MM-DD[ HH:MM:SS]`` or ISO 8601 (UTC when no offset); optional,
            the validation date by default.
        :return: dict, see :meth:`_amazon_result`.
        :raise UserError: not an Amazon delivery, cancelled, empty carrier or tracking number,
            unreadable date; nothing is changed then.
        """
        self._amazon_check_api_call()
        for name, value, kinds in (
            ("carrier", carrier, (str,)),
            ("tracking_ref", tracking_ref, (str, int, list, tuple)),
            ("shipping_method", shipping_method, (str,)),
            ("ship_date", ship_date, (str, datetime)),
        ):
            if value not in (False, None) and (
                isinstance(value, bool) or not isinstance(value, kinds)
            ):
                raise ValidationError(
                    _(
                        "%(name)s must be %(kind)s, not %(value)r.",
                        name=name,
                        kind=_("a date string") if name == "ship_date" else _("a string"),
                        value=value,
                    )
                )
        if isinstance(tracking_ref, list | tuple):
            if not all(
                isinstance(ref, str | int) and not isinstance(ref, bool) for ref in tracking_ref
            ):
                raise ValidationError(
                    _(
                        "tracking_ref must be a string or a list of strings, not %(value)r.",
                        value=tracking_ref,
                    )
                )
            tracking_ref = ",".join(str(ref).strip() for ref in tracking_ref if str(ref).strip())
        carrier = " ".join(str(carrier or "").split())
        tracking_ref = str(tracking_ref or "").strip()
        if not tracking_ref:
            raise ValidationError(
                _("The tracking number is empty: give the carrier's tracking number.")
            )
        if not carrier:
            raise ValidationError(_("The carrier is empty: give the carrier's name, e.g. 'SEUR'."))
        values = {
            "carrier_tracking_ref": tracking_ref,
            "amazon_shipping_method": str(shipping_method).strip() if shipping_method else False,
        }
        if ship_date:
            values["amazon_ship_date"] = self._amazon_parse_date(ship_date)
        delivery_carrier = self.env["delivery.carrier"].search(
            [("name", "=ilike", carrier), ("company_id", "in", [False, self.company_id.id])],
            limit=1,
        )
        if delivery_carrier:
            values.update(carrier_id=delivery_carrier.id, amazon_carrier_name=False)
        else:
            values["amazon_carrier_name"] = carrier
        self.write(values)
        self._amazon_sync_shipment()
        if self.state != "done":
            return self._amazon_result(
                _("Shipping data stored; Amazon is told when the delivery is validated.")
            )
        return self._amazon_result()

    def amazon_mark_shipped(self):
        """Validate the Amazon delivery with its reserved quantities and confirm it on Amazon.

        Quantities are the delivery's reserved (or set) quantities; what is left goes to a
        backorder, as the ERP does. A delivery already done is not validated again: its
        confirmation is only (re)queued if its shipping data changed. When the delivery's carrier
        is an ERP carrier integration that creates labels, validation uses it and Amazon receives
        the tracking number it returns.

        :return: dict, see :meth:`_amazon_result`, with ``backorder_ids``.
        :raise UserError: not an Amazon delivery, cancelled, nothing reserved, or the ERP needs
            a decision the API cannot take; nothing is changed then.
        """
        self._amazon_check_api_call()
        if self.state == "done":
            self._amazon_sync_shipment()
            return self._amazon_result(_("The delivery was already done."))
        if self.state == "draft":
            self.action_confirm()
        moves = self.move_ids.filtered(lambda m: m.state not in ("done", "cancel"))
        if not any(self._amazon_has_quantity(move) for move in moves):
            self.action_assign()
        to_ship = moves.filtered(self._amazon_has_quantity)
        if not to_ship:
            raise UserError(
                _(
                    "Nothing is reserved on %(picking)s: receive the goods or set the quantities "
                    "to ship on its moves first.",
                    picking=self.name,
                )
            )
        to_ship.picked = True
        self.with_context(skip_backorder=True, skip_sms=True).button_validate()
        if self.state != "done":
            raise UserError(
                _(
                    "%(picking)s needs a decision in the ERP to be validated (lots, serial "
                    "numbers or quality checks): validate it there.",
                    picking=self.name,
                )
            )
        return self._amazon_result()

    @staticmethod
    def _amazon_has_quantity(move):
        return not float_is_zero(move.quantity, precision_rounding=move.product_uom.rounding)

    def _amazon_check_api_call(self):
        """Checks shared by the API methods: one existing, accessible, open Amazon delivery."""
        missing = self - self.exists()
        if missing:
            raise MissingError(
                _(
                    "Delivery (stock.picking) id %(ids)s does not exist or was deleted.",
                    ids=", ".join(str(i) for i in missing.ids),
                )
            )
        self.ensure_one()
        self.check_access("write")
        if not self.is_amazon_delivery:
            raise UserError(
                _(
                    "%(picking)s is not a delivery of an Amazon order shipped by the merchant: "
                    "only those are shipped through this API.",
                    picking=self.display_name,
                )
            )
        if self.state == "cancel":
            raise UserError(
                _("%(picking)s is cancelled: it cannot be shipped.", picking=self.display_name)
            )

    @api.model
    def _amazon_parse_date(self, value):
        """Naive UTC datetime from an XML-RPC date (datetime or string).

        :raise ValidationError: the value is not a date.
        """
        if isinstance(value, datetime):
            moment = value
        else:
            text = str(value).strip()
            try:
                moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
            except ValueError:
                raise ValidationError(
                    _(
                        "The ship date %(value)r is not a date: use YYYY-MM-DD, "
                        "'YYYY-MM-DD HH:MM:SS' or ISO 8601.",
                        value=text,
                    )
                ) from None
        if moment.tzinfo:
            moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
        return moment.replace(microsecond=0)

    def _amazon_result(self, message=None):
        """The answer of the API methods: only marshallable values, never None.

        :return: dict with ``picking_id``, ``name``, ``state``, ``amazon_order_ref``,
            ``amazon_sync_state`` (none, awaiting_data, pending, confirmed, error),
            ``amazon_error``, ``carrier``, ``tracking_ref``, ``backorder_ids``, ``message`` and
            ``packages``: one dict per Amazon package of the done delivery with ``package``
            (the Odoo package or parcel name, or ``""``), ``package_reference_id``, ``carrier``,
            ``carrier_code``, ``tracking_ref``, ``amazon_sync_state``, ``amazon_error`` and
            ``items`` (``[{"orderItemId", "quantity"}]``).
        """
        self.ensure_one()
        backorders = self.search([("backorder_id", "=", self.id)])
        state = self.amazon_sync_state
        if message is None:
            message = {
                "none": _("The delivery is not done yet."),
                "awaiting_data": _(
                    "Shipped; Amazon is told once the carrier and tracking number are set."
                ),
                "pending": _("Shipped; the confirmation is being sent to Amazon."),
                "confirmed": _("Shipped and confirmed on Amazon."),
                "error": _("Shipped, but Amazon refused the confirmation: %(error)s")
                % {"error": self.amazon_sync_error},
            }[state]
        if backorders:
            message += " " + _(
                "The rest is in backorder %(names)s.", names=", ".join(backorders.mapped("name"))
            )
        return {
            "picking_id": self.id,
            "name": self.name,
            "state": self.state,
            "amazon_order_ref": self.amazon_order_ref or "",
            "amazon_sync_state": state,
            "amazon_error": self.amazon_sync_error or "",
            "carrier": self._amazon_carrier_name() or "",
            "tracking_ref": self.carrier_tracking_ref or "",
            "backorder_ids": backorders.ids,
            "message": message,
            "packages": [
                {
                    "package": shipment.package_name or "",
                    "package_reference_id": shipment.package_reference_id,
                    "carrier": shipment.carrier_name or shipment.carrier_code or "",
                    "carrier_code": shipment.carrier_code or "",
                    "tracking_ref": shipment.tracking_number or "",
                    "amazon_sync_state": shipment.state,
                    "amazon_error": shipment.last_error or "",
                    "items": json.loads(shipment.items or "[]"),
                }
                for shipment in self.sudo().amazon_shipment_ids.sorted("id")
            ],
        }

    # ------------------------------------------------------------------
    # Buttons
    # ------------------------------------------------------------------

    def action_amazon_mark_shipped(self):
        """Button: validate and confirm on Amazon, then say what happened."""
        result = self.amazon_mark_shipped()
        return self._amazon_notify(result)

    def action_amazon_retry_shipment(self):
        """Button (and XML-RPC): send the shipment confirmation again after an error."""
        self.check_access("write")
        for picking in self:
            if not picking.amazon_shipment_ids:
                picking._amazon_sync_shipment()
            picking.amazon_shipment_ids.sudo().action_retry()
        if len(self) == 1:
            return self._amazon_result(_("The confirmation is queued again."))
        return True

    def _amazon_notify(self, result):
        kind = {"error": "danger", "awaiting_data": "warning"}.get(
            result["amazon_sync_state"], "success"
        )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("Amazon shipment"),
                "message": result["message"],
                "type": kind,
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    # ------------------------------------------------------------------
    # Shipment data
    # ------------------------------------------------------------------

    def _amazon_carrier_name(self):
        """The carrier Amazon is told: the Amazon carrier name, else the ERP carrier's name."""
        self.ensure_one()
        return self.amazon_carrier_name or self.sudo().carrier_id.name or False

    def _amazon_packages(self):
        """The Amazon packages of this done delivery, in a stable order.

        One package per Odoo package the goods were put in (Put in Pack), plus one for what was
        shipped unpacked; a delivery without packages is one package. Tracking numbers come from
        ``carrier_tracking_ref``: one per package (separated by commas, in package order), or a
        single one shared by all. Carrier integrations that know each parcel (Sendcloud)
        override this to give each package its own carrier and tracking.

        :return: list of dicts with ``key`` (stable id of the package within the delivery),
            ``name``, ``items`` (``[{"orderItemId", "quantity"}]``), ``tracking_number``,
            ``carrier_name`` and ``carrier_code`` (False: mapped from the carrier name).
        :raise ValueError: a quantity is not a whole number of sale units, or the tracking
            numbers do not match the packages.
        """
        self.ensure_one()
        groups = self._amazon_package_move_lines()
        trackings = [
            ref.strip() for ref in (self.carrier_tracking_ref or "").split(",") if ref.strip()
        ]
        if len(trackings) > 1 and len(trackings) != len(groups):
            raise ValueError(
                _(
                    "%(trackings)s tracking numbers for %(packages)s packages: give one tracking "
                    "number per package (separated by commas, in package order) or one for all.",
                    trackings=len(trackings),
                    packages=len(groups),
                )
            )
        carrier = self._amazon_carrier_name()
        return [
            {
                "key": key,
                "name": name,
                "items": self._amazon_shipped_items(move_lines),
                "tracking_number": (
                    trackings[index] if len(trackings) > 1 else (trackings or [False])[0]
                ),
                "carrier_name": carrier,
                "carrier_code": False,
            }
            for index, (key, name, move_lines) in enumerate(groups)
        ]

    def _amazon_package_move_lines(self):
        """Done move lines of this delivery grouped by the package they were put in.

        The only place that reads Odoo packages (``stock.quant.package``, renamed
        ``stock.package`` in Odoo 19): through the move lines' ``result_package_id``.

        :return: list of ``(key, package name or False, move lines)``, packages by id then the
            unpacked lines (key ``"delivery"``, also the whole delivery when nothing is packed).
        """
        self.ensure_one()
        lines = self.sudo().move_line_ids.filtered(lambda ml: ml.move_id.state == "done")
        groups = []
        for package in lines.result_package_id.sorted("id"):
            packed = lines.filtered(lambda ml, package=package: ml.result_package_id == package)
            groups.append((f"package:{package.id}", package.name, packed))
        unpacked = lines.filtered(lambda ml: not ml.result_package_id)
        if unpacked or not groups:
            groups.append(("delivery", False, unpacked))
        return groups

    def _amazon_shipped_items(self, move_lines):
        """``[{"orderItemId", "quantity"}]`` of these done move lines, in sale units.

        :raise ValueError: a quantity is not a whole number of sale units.
        """
        quantities = {}
        for move_line in move_lines:
            line = move_line.move_id.sale_line_id
            if not line.amazon_order_item_ref:
                continue
            quantity = move_line.product_uom_id._compute_quantity(
                move_line.quantity, odoo_compat.sale_line_uom(line), rounding_method="HALF-UP"
            )
            ref = line.amazon_order_item_ref
            quantities[ref] = quantities.get(ref, 0.0) + quantity
        items = []
        for ref, quantity in quantities.items():
            if abs(quantity - round(quantity)) > 1e-6:
                raise ValueError(
                    _(
                        "Order item %(item)s ships %(quantity)s units: Amazon needs whole units.",
                        item=ref,
                        quantity=quantity,
                    )
                )
            if round(quantity) > 0:
                items.append({"orderItemId": ref, "quantity": int(round(quantity))})
        return items

    def _amazon_sync_shipment(self):
        """Create or refresh the shipments of the done Amazon deliveries among ``self``."""
        return self.env["amazon.shipment"].sudo()._sync_pickings(self)

    # ------------------------------------------------------------------
    # Hooks
    # ------------------------------------------------------------------

    def _action_done(self):
        """After the ERP's validation (labels included), queue the Amazon confirmations of
        deliveries and mark the Amazon returns of return pickings received."""
        result = super()._action_done()
        self._amazon_sync_shipment()
        self._amazon_receive_returns()
        return result

    def _amazon_receive_returns(self):
        """A validated return picking of an Amazon return marks it received.

        Run as superuser, like a cron: the warehouse user receiving the parcel needs no Amazon or
        invoicing rights, and whatever fails is recorded on the return, never blocking the picking.
        """
        returns = self.env["amazon.return"].sudo().search([("picking_ids", "in", self.ids)])
        if returns:
            returns._amazon_on_received()

    def write(self, vals):
        result = super().write(vals)
        if SHIPPING_FIELDS.intersection(vals):
            done = self.filtered(lambda p: p.state == "done" and p.is_amazon_delivery)
            if done:
                done._amazon_sync_shipment()
        return result

    # ------------------------------------------------------------------
    # No messages to Amazon buyers
    # ------------------------------------------------------------------

    def button_validate(self):
        """Validate without offering or sending an SMS to Amazon buyers.

        Amazon's policy forbids contacting buyers outside its messaging service, so the
        confirmation SMS of Odoo's ``stock_sms`` (its *Validate* offer and the text it sends) is
        skipped for a selection holding an Amazon delivery. ``skip_sms`` is that module's own
        switch; set here, before the validation starts, it holds whatever the modules' order.
        """
        pickings = self
        if not self.env.context.get("skip_sms") and any(self.mapped("is_amazon_delivery")):
            pickings = self.with_context(skip_sms=True)
        return super(StockPicking, pickings).button_validate()
