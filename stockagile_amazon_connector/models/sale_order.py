from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from .. import odoo_compat

#: Amazon's order fulfillment statuses (Orders API 2026-01-01, ``FulfillmentStatus``).
AMAZON_STATUSES = [
    ("PENDING_AVAILABILITY", "Pending availability"),
    ("PENDING", "Pending"),
    ("UNSHIPPED", "Unshipped"),
    ("PARTIALLY_SHIPPED", "Partially shipped"),
    ("SHIPPED", "Shipped"),
    ("CANCELLED", "Cancelled"),
    ("UNFULFILLABLE", "Unfulfillable"),
]
FULFILLMENT_CHANNELS = [
    ("fbm", "Fulfilled by the merchant (FBM)"),
    ("fba", "Fulfilled by Amazon (FBA)"),
]
#: Countries whose invoices must carry the buyer's tax id even for consumers.
VAT_REQUIRED_COUNTRIES = ("AR", "BR", "CL", "CO", "EC", "MX", "PE")

SHIPPING_STATES = [
    ("none", "Nothing shipped"),
    ("awaiting_data", "Awaiting shipping data"),
    ("pending", "Sending to Amazon"),
    ("error", "Amazon error"),
    ("confirmed", "Confirmed on Amazon"),
]

#: The order shows its most urgent delivery: an error first, then missing data...
PRIORITY = ("error", "awaiting_data", "pending", "confirmed")


@odoo_compat.sql_constraints(
    (
        "amazon_order_ref_unique",
        "UNIQUE(amazon_account_id, amazon_order_ref)",
        "This Amazon order was already imported for this account.",
    ),
)
class SaleOrder(models.Model):
    """An Amazon order is an ordinary sales order carrying where it comes from.

    The importer (``amazon.order.importer``) creates and updates these fields; the warehouse,
    delivery-note and invoicing machinery of the ERP does the rest.
    """

    _inherit = "sale.order"

    amazon_account_id = fields.Many2one(
        "amazon.account", readonly=True, index="btree_not_null", copy=False
    )
    amazon_order_ref = fields.Char(
        string="Amazon Order ID", readonly=True, index="btree_not_null", copy=False
    )
    amazon_marketplace_id = fields.Many2one("amazon.marketplace", readonly=True, copy=False)
    amazon_purchase_date = fields.Datetime(readonly=True, copy=False)
    amazon_last_update = fields.Datetime(
        readonly=True, copy=False, help="lastUpdatedTime of the order on Amazon when imported."
    )
    amazon_fulfillment_channel = fields.Selection(
        FULFILLMENT_CHANNELS, string="Fulfilled by", readonly=True, copy=False
    )
    amazon_status = fields.Selection(
        AMAZON_STATUSES,
        readonly=True,
        copy=False,
        help="The order's fulfillment status on Amazon at the last import.",
    )
    amazon_buyer_ref = fields.Char(
        string="Buyer's reference",
        readonly=True,
        copy=False,
        help="Purchase order number the buyer entered at checkout (Amazon Business).",
    )
    amazon_review_needed = fields.Boolean(
        string="Amazon review needed", readonly=True, copy=False, index=True
    )
    amazon_review_message = fields.Text(readonly=True, copy=False)
    amazon_anonymized = fields.Boolean(
        readonly=True, copy=False, help="The buyer's personal data was erased."
    )
    is_amazon_order = fields.Boolean(
        compute="_compute_is_amazon_order", search="_search_is_amazon_order"
    )

    @api.depends("amazon_order_ref")
    def _compute_is_amazon_order(self):
        for order in self:
            order.is_amazon_order = bool(order.amazon_order_ref)

    def _search_is_amazon_order(self, operator, value):
        if operator not in ("=", "!="):
            raise UserError(_("Unsupported search on Amazon orders."))
        positive = (operator == "=") == bool(value)
        return [("amazon_order_ref", "!=" if positive else "=", False)]

    # ------------------------------------------------------------------
    # Order tools
    # ------------------------------------------------------------------

    def _amazon_pending_pickings(self):
        """Outgoing transfers of the order that are neither done nor cancelled."""
        return self.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))

    def action_amazon_print_delivery_note(self):
        """Print the ERP's delivery slip of the order's deliveries."""
        pickings = self.picking_ids.filtered(
            lambda p: p.state != "cancel" and p.picking_type_code == "outgoing"
        )
        if not pickings:
            raise UserError(_("This order has no delivery to print yet: confirm it first."))
        return self.env.ref("stock.action_report_delivery").report_action(pickings, config=False)

    def action_amazon_change_warehouse(self):
        """Open the wizard that moves the pending delivery to another warehouse."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Change warehouse"),
            "res_model": "amazon.change.warehouse.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_order_id": self.id},
        }

    def _amazon_change_warehouse(self, warehouse):
        """Deliver the order from ``warehouse``: its pending transfers are routed again.

        The transfers not done are cancelled (their reservations released) and the ERP's
        procurement runs again from the new warehouse, so both warehouses' free quantities, and the
        Amazon stock pushes that follow them, change in the same transaction.

        :raise UserError: the order is not confirmed, already (partly) shipped, or is FBA.
        """
        self.ensure_one()
        if warehouse.company_id != self.company_id:
            raise UserError(_("The warehouse must belong to the order's company."))
        if self.amazon_fulfillment_channel == "fba":
            raise UserError(_("Amazon delivers FBA orders from its own warehouses."))
        if self.state != "sale":
            raise UserError(_("Only confirmed orders have a delivery to move."))
        if self.picking_ids.filtered(lambda p: p.state == "done"):
            raise UserError(
                _("Order %(order)s is already (partly) shipped: it can no longer change warehouse.")
                % {"order": self.name}
            )
        if warehouse == self.warehouse_id:
            return False
        old = self.warehouse_id
        self._amazon_pending_pickings().action_cancel()
        self.warehouse_id = warehouse
        self.order_line._action_launch_stock_rule()
        # A log note: it needs no sender address (users without an e-mail move orders too).
        self._message_log(
            body=_(
                "Delivery moved from warehouse %(old)s to %(new)s.",
                old=old.display_name,
                new=warehouse.display_name,
            )
        )
        return True

    def _amazon_tool_done(self, message, close=False):
        """Return the notification an order tool shows once it worked.

        :param message: what changed, naming the order
        :param close: close the tool's dialog too (a wizard's button)
        :return: a client action showing ``message``, then reloading the order behind it
        """
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("Amazon order"),
                "message": message,
                "type": "success",
                "sticky": False,
                "next": {"type": "ir.actions.act_window_close"}
                if close
                else {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def action_amazon_create_invoice(self):
        """Invoice the whole order at ordered quantities in one invoice (XML-RPC).

        The form has no button of its own for this any more: the ERP's *Create invoice* (its
        invoicing wizard, the list action) runs the same check through ``_create_invoices``.
        This method stays for integrations that call it.

        :return: the action opening the invoices created
        :raise UserError: not an invoiceable Amazon order, or customer data is missing (the
            message lists each missing field per partner); nothing is created then.
        """
        for order in self:
            if not order.amazon_order_ref:
                raise UserError(_("%(order)s is not an Amazon order.", order=order.name))
            if order.state != "sale":
                raise UserError(
                    _("Order %(order)s must be confirmed to be invoiced.", order=order.name)
                )
        self._amazon_check_invoice_data()
        if not any(line.qty_to_invoice for line in self.order_line):
            raise UserError(_("Everything on these orders is already invoiced."))
        invoices = self._create_invoices()
        return self.action_view_invoice(invoices)

    def _create_invoices(self, grouped=False, final=False, date=None):
        """Amazon orders are invoiced only with complete customer data, however it is started.

        The ERP's *Create invoice* button, its list action, its invoicing wizard and XML-RPC all
        end here: the check lists what is missing and nothing is created. A return's credit note
        (``amazon_invoice_line_ids`` in the context) follows an invoice that passed the check and
        must still be possible after the buyer's data was erased.
        """
        if self.env.context.get("amazon_invoice_line_ids") is None:
            self._amazon_check_invoice_data()
        return super()._create_invoices(grouped=grouped, final=final, date=date)

    def _amazon_check_invoice_data(self):
        """Refuse to invoice Amazon orders whose customer data an invoice needs is missing.

        :raise UserError: listing each missing field per order and partner.
        """
        missing = self.filtered("amazon_order_ref")._amazon_missing_invoice_data()
        if missing:
            raise UserError(
                _("The invoice cannot be created; customer data is missing:\n%(lines)s")
                % {"lines": "\n".join(missing)}
            )

    def _amazon_missing_invoice_data(self):
        """Return one line per order and partner whose invoice data is incomplete.

        Name, street, city, ZIP and country of the invoice address; the VAT number of the
        commercial partner for business buyers, or for every buyer where the company's country
        requires it on invoices.
        """
        problems = []
        for order in self:
            partner = order.partner_invoice_id
            commercial = partner.commercial_partner_id
            missing = {}
            for name in ("name", "street", "city", "zip", "country_id"):
                if not partner[name]:
                    missing.setdefault(partner, []).append(name)
            country = order.company_id.account_fiscal_country_id.code
            if (commercial.is_company or country in VAT_REQUIRED_COUNTRIES) and not commercial.vat:
                missing.setdefault(commercial, []).append("vat")
            for missing_partner, names in missing.items():
                labels = [
                    missing_partner._fields[name].get_description(self.env)["string"]
                    for name in names
                ]
                problems.append(
                    _(
                        "%(order)s, customer %(partner)s: %(fields)s",
                        order=order.name,
                        partner=missing_partner.display_name or _("(no name)"),
                        fields=", ".join(labels),
                    )
                )
        return problems

    def action_amazon_check_products(self):
        """Import flagged quotations again from Amazon; confirm those with nothing left to review.

        After a product got the missing SKU, a tax, fiscal position, currency or pricelist was
        configured: lines, taxes and totals are mapped and checked again. Amazon Users only
        (README, *Roles*), on orders they may edit: the import then runs as the order's company.

        :raise AccessError: the caller is not an Amazon User or may not edit these orders.
        """
        # The integration user ships Amazon deliveries and does nothing else (README, Roles).
        if not self.env.is_superuser() and (
            not self.env.user.has_group("stockagile_amazon_connector.group_amazon_user")
            or self.env.user.has_group("stockagile_amazon_connector.group_amazon_integration")
        ):
            raise AccessError(_("Only Amazon Users may check Amazon orders' products."))
        self.check_access("write")
        importer = self.env["amazon.order.importer"]
        checked = self.filtered(lambda o: o.amazon_review_needed and o.state == "draft")
        for order in checked:
            company = order.company_id  # the order's, whichever companies the user has open
            # What it stores for everyone (review reasons, notes) in the company's language.
            lang = self.env["amazon.job.mixin"]._amazon_company_lang(company)
            importer.with_company(company).with_context(lang=lang)._retry_import(
                order.with_company(company).with_context(lang=lang)
            )
        if len(self) != 1:
            return True
        if self not in checked:
            message = _("Order %(order)s has nothing to review.", order=self.name)
        elif self.amazon_review_needed:
            message = _(
                "Order %(order)s is still to review: %(reason)s",
                order=self.name,
                reason=self.amazon_review_message,
            )
        else:
            message = _(
                "Order %(order)s: products checked, the order is confirmed.", order=self.name
            )
        return self._amazon_tool_done(message)

    # ------------------------------------------------------------------
    # Personal data
    # ------------------------------------------------------------------

    def _amazon_done_before(self, limit):
        """True when the order was cancelled, or entirely delivered, before ``limit``."""
        self.ensure_one()
        if self.state == "cancel":
            return (self.amazon_last_update or self.write_date) < limit
        moves = self.order_line.move_ids.filtered(lambda move: move.state != "cancel")
        if not moves or any(move.state != "done" for move in moves):
            return False
        return max(moves.mapped("date")) < limit

    def _amazon_anonymize(self):
        """Erase the buyers' personal data: name, street and phone of their partners.

        Country, city and ZIP stay (tax reports need the place of supply); a partner still used by
        an order that is not due yet is kept as it is. Company buyers are not personal data.
        """
        partners = (self.partner_id | self.partner_invoice_id | self.partner_shipping_id).filtered(
            "amazon_buyer"
        )
        if partners:
            not_due = self.search(
                [
                    ("id", "not in", self.ids),
                    ("amazon_anonymized", "=", False),
                    "|",
                    "|",
                    ("partner_id", "in", partners.ids),
                    ("partner_invoice_id", "in", partners.ids),
                    ("partner_shipping_id", "in", partners.ids),
                ]
            )
            in_use = not_due.partner_id | not_due.partner_invoice_id | not_due.partner_shipping_id
            (partners - in_use).write(
                {
                    "name": _("Anonymized Amazon buyer"),
                    "street": False,
                    "street2": False,
                    "email": False,
                    **dict.fromkeys(odoo_compat.PARTNER_PHONE_FIELDS, False),
                }
            )
        self.write({"amazon_anonymized": True})

    # ------------------------------------------------------------------
    # Shipping: where the order's packages stand on Amazon, labels to print
    # (the packages themselves are ``amazon.shipment`` records of the order's deliveries)
    # ------------------------------------------------------------------

    amazon_shipping_state = fields.Selection(
        SHIPPING_STATES,
        string="Amazon shipping",
        compute="_compute_amazon_shipping_state",
        store=True,
        help="Where the order's packages stand on Amazon (the most urgent delivery wins):\n"
        "Awaiting shipping data: a delivery is done but has no carrier or tracking number yet; "
        "set them on the delivery or with the XML-RPC API.\n"
        "Sending to Amazon: confirmations queued, sent after the commit.\n"
        "Amazon error: Amazon refused a confirmation; see the delivery and press Retry.\n"
        "Confirmed on Amazon: every shipped package is confirmed.",
    )

    @api.depends("picking_ids.amazon_sync_state")
    def _compute_amazon_shipping_state(self):
        for order in self:
            states = set(order.picking_ids.mapped("amazon_sync_state"))
            order.amazon_shipping_state = next(
                (state for state in PRIORITY if state in states), "none"
            )

    def action_amazon_print_labels(self):
        """Print (download) the carrier labels the ERP's carrier integration attached."""
        self.ensure_one()
        pickings = self.picking_ids.filtered(lambda p: p.picking_type_code == "outgoing")
        labels = self.env["ir.attachment"].search(
            [
                ("res_model", "=", "stock.picking"),
                ("res_id", "in", pickings.ids),
                ("name", "=ilike", "label%"),
            ],
            order="id desc",
        )
        if not labels:
            raise UserError(
                _(
                    "No carrier label yet: labels are created when a delivery whose carrier is a "
                    "shipping integration (Get Rate and Create Shipment) is validated."
                )
            )
        if len(labels) == 1:
            return {
                "type": "ir.actions.act_url",
                "url": f"/web/content/{labels.id}?download=true",
                "target": "download",
            }
        return {
            "type": "ir.actions.act_window",
            "name": _("Carrier labels"),
            "res_model": "ir.attachment",
            "view_mode": "kanban,list,form",
            "domain": [("id", "in", labels.ids)],
        }

    def action_amazon_view_shipments(self):
        """Open the order's deliveries with their Amazon shipment state."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("stock.action_picking_tree_all")
        action["domain"] = [("sale_id", "=", self.id), ("picking_type_code", "=", "outgoing")]
        action["context"] = {}
        return action

    # ------------------------------------------------------------------
    # Returns: the smart button, and refunds of returned lines only
    # ------------------------------------------------------------------

    amazon_return_ids = fields.One2many("amazon.return", "sale_order_id", string="Amazon returns")
    amazon_return_count = fields.Integer(compute="_compute_amazon_return_count")

    def _compute_amazon_return_count(self):
        counts = dict(
            self.env["amazon.return"]._read_group(
                [("sale_order_id", "in", self.ids)], ["sale_order_id"], ["__count"]
            )
        )
        for order in self:
            order.amazon_return_count = counts.get(order, 0)

    def _get_invoiceable_lines(self, final=False):
        """With ``amazon_invoice_line_ids`` in the context, only those lines (a return's refund)."""
        lines = super()._get_invoiceable_lines(final=final)
        only = self.env.context.get("amazon_invoice_line_ids")
        if only is not None:
            lines = lines.filtered(lambda line: line.id in only)
        return lines

    def action_view_amazon_returns(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "stockagile_amazon_connector.amazon_return_action"
        )
        if self.amazon_return_count == 1:
            action.update(
                {
                    "views": [(False, "form")],
                    "view_mode": "form",
                    "res_id": self.amazon_return_ids.id,
                }
            )
        action["domain"] = [("sale_order_id", "=", self.id)]
        action["context"] = {}
        return action
