"""*Label with Sendcloud* on Amazon deliveries, and each Sendcloud parcel as one Amazon package.

The path reads as a sentence: the user presses *Label with Sendcloud* on the Amazon order or
its delivery (or on several deliveries from the list) → OCA's module creates the parcel(s) with
a label on Sendcloud → the label PDF is attached to the delivery and its tracking number stored
→ the delivery is validated (in the ERP, or with ``amazon_mark_shipped`` over XML-RPC) → each
parcel is one Amazon package with its carrier, tracking number and items → Amazon's
confirmation leaves after the commit (the connector's ``amazon.shipment``). A tracking number
that arrives later by Sendcloud's status webhook sends the confirmation then.
"""

import base64

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools.pdf import merge_pdf

from .sendcloud_parcel import CANCELLED_STATUSES

LABEL_PREFIX = "Label-Sendcloud-"


class StockPicking(models.Model):
    _inherit = "stock.picking"

    amazon_sendcloud_error = fields.Text(
        string="Sendcloud label error",
        copy=False,
        readonly=True,
        help="Why the last 'Label with Sendcloud' failed (Sendcloud's message); fix the data "
        "and press it again.",
    )
    amazon_sendcloud_override = fields.Boolean(
        string="Shipping data from the API",
        copy=False,
        readonly=True,
        help="Set when amazon_update_shipping gave the carrier and tracking number: Amazon "
        "receives those instead of the Sendcloud parcels'.",
    )
    amazon_sendcloud_can_label = fields.Boolean(compute="_compute_amazon_sendcloud_labels")
    amazon_sendcloud_labelled = fields.Boolean(compute="_compute_amazon_sendcloud_labels")

    @api.depends(
        "state",
        "sale_id",
        "carrier_id.delivery_type",
        "picking_type_id.warehouse_id.amazon_sendcloud_carrier_id",
        "sendcloud_parcel_ids.sendcloud_status",
        "sendcloud_parcel_ids.amazon_label_attachment_id",
    )
    def _compute_amazon_sendcloud_labels(self):
        for picking in self:
            parcels = picking._amazon_sendcloud_parcels()
            picking.amazon_sendcloud_labelled = bool(parcels.amazon_label_attachment_id)
            picking.amazon_sendcloud_can_label = bool(
                picking.is_amazon_delivery
                and picking._amazon_sendcloud_carrier()
                and (
                    (picking.state in ("confirmed", "waiting", "assigned") and not parcels)
                    or picking._amazon_sendcloud_to_relabel()
                )
            )

    def _amazon_sendcloud_to_relabel(self):
        """Whether this done delivery lost parcels to a cancellation: all of them, or one of
        a package Amazon holds (a new label for it corrects Amazon)."""
        self.ensure_one()
        if self.state != "done" or not self.is_amazon_delivery or self.amazon_sendcloud_override:
            return False
        parcels = self._amazon_sendcloud_parcels()
        if not (self.sudo().sendcloud_parcel_ids - parcels):
            return False
        if not parcels:
            return True
        try:
            packages = self._amazon_packages()
        except ValueError:
            return False
        return any(p.get("sendcloud_cancelled") for p in packages)

    # ------------------------------------------------------------------
    # Buttons
    # ------------------------------------------------------------------

    def action_amazon_sendcloud_label(self):
        """Button and list action: create the Sendcloud parcels and labels of these deliveries.

        Each delivery is labelled on its own: one that Sendcloud refuses shows the message on
        the delivery and stays open and retryable, the others are labelled.
        """
        if not self.env.user.has_group("stock.group_stock_user"):
            raise AccessError(_("Only inventory users label deliveries with Sendcloud."))
        self.check_access("write")
        labelled, failed = self.browse(), {}
        for picking in self:
            error = picking._amazon_sendcloud_label()
            if error:
                failed[picking] = error
            else:
                labelled |= picking
        if failed:
            message = "\n".join(f"{picking.name}: {error}" for picking, error in failed.items())
            kind = "danger"
        else:
            later = _("(comes later)")
            trackings = [p.tracking_number or later for p in labelled._amazon_sendcloud_parcels()]
            message = _(
                "Labelled with Sendcloud: %(names)s. Tracking: %(tracking)s.",
                names=", ".join(labelled.mapped("name")),
                tracking=", ".join(trackings),
            )
            kind = "success"
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("Sendcloud"),
                "message": message,
                "type": kind,
                "sticky": bool(failed),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def action_amazon_sendcloud_print_labels(self):
        """Button and list action: the label PDFs of these deliveries, in one document."""
        self.check_access("read")
        attachments = self._amazon_sendcloud_parcels().amazon_label_attachment_id
        if not attachments:
            raise UserError(_("These deliveries have no Sendcloud label yet."))
        if len(attachments) > 1:
            merged = merge_pdf([base64.b64decode(a.datas) for a in attachments.sorted("id")])
            attachments = (
                self.env["ir.attachment"]
                .sudo()
                .create(
                    {
                        "name": _("Sendcloud labels.pdf"),
                        "datas": base64.b64encode(merged),
                        "mimetype": "application/pdf",
                        "res_model": self._name,
                        "res_id": self[:1].id,
                    }
                )
            )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachments.id}?download=true",
            "target": "download",
        }

    # ------------------------------------------------------------------
    # Labelling
    # ------------------------------------------------------------------

    def _amazon_sendcloud_carrier(self):
        """The Sendcloud method of this delivery: its own, else its warehouse's for Amazon."""
        self.ensure_one()
        carrier = self.sudo().carrier_id
        if carrier.delivery_type == "sendcloud":
            return carrier
        return self.sudo().picking_type_id.warehouse_id.amazon_sendcloud_carrier_id

    def _amazon_sendcloud_parcels(self):
        """The parcels of these deliveries that still ship (cancelled ones left out)."""
        return (
            self.sudo().sendcloud_parcel_ids.filtered(lambda p: p._amazon_is_active()).sorted("id")
        )

    def _amazon_sendcloud_missing_data(self):
        """What Sendcloud needs and the delivery lacks, as a sentence (empty when complete)."""
        self.ensure_one()
        partner = self.sudo().partner_id
        labels = {
            "street": _("street"),
            "zip": _("ZIP"),
            "city": _("city"),
            "country_id": _("country"),
        }
        missing = [label for name, label in labels.items() if not partner[name]]
        problems = []
        if missing:
            problems.append(
                _(
                    "The address of %(partner)s lacks: %(missing)s.",
                    partner=partner.display_name or _("the recipient"),
                    missing=", ".join(missing),
                )
            )
        if not (self.shipping_weight or self.weight) > 0:
            problems.append(
                _("The delivery weighs nothing: set the products' weight or the shipping weight.")
            )
        return " ".join(problems)

    def _amazon_sendcloud_label(self):
        """Label this delivery with Sendcloud; return the error message, or False.

        A refusal (missing data, Sendcloud's message) changes nothing but the error shown on
        the delivery, which stays open: nothing reaches Amazon. The Sendcloud calls run as
        superuser once the user's right to edit the delivery is checked (the integration's keys
        are not for every warehouse user).
        """
        self.ensure_one()
        relabel = self._amazon_sendcloud_to_relabel()
        if not relabel and (
            not self.is_amazon_delivery or self.state in ("draft", "done", "cancel")
        ):
            raise UserError(
                _(
                    "%(picking)s is not an open delivery of an Amazon order: only those are "
                    "labelled here.",
                    picking=self.display_name,
                )
            )
        if self._amazon_sendcloud_parcels() and not relabel:
            return False  # already labelled: nothing is sent twice
        picking = self.sudo()
        carrier = picking._amazon_sendcloud_carrier()
        error = picking._amazon_sendcloud_missing_data()
        if not carrier:
            error = _(
                "Choose a Sendcloud shipping method on the delivery, or the warehouse's "
                "'Sendcloud method for Amazon'."
            )
        if not error:
            step = "parcels"
            try:
                with self.env.cr.savepoint():
                    if picking.carrier_id != carrier:
                        picking.carrier_id = carrier
                    # OCA's button_create_sendcloud_labels, in two steps: the parcels (found on
                    # Sendcloud when an earlier try created them, else bought), then the labels.
                    integration = carrier.sendcloud_integration_id
                    parcels_data = picking._sendcloud_sync_multiple_parcels(
                        integration, picking._prepare_sendcloud_parcels_from_picking()
                    )
                    picking._sendcloud_create_update_received_parcels(
                        parcels_data, integration.company_id.id
                    )
                    if not picking._amazon_sendcloud_parcels():
                        raise UserError(_("Sendcloud created no parcel."))
                    step = "labels"
                    picking._amazon_sendcloud_parcels().filtered(
                        lambda p: not p.attachment_id
                    )._generate_parcel_labels()
                    picking._amazon_sendcloud_attach_labels()
            except (UserError, ValidationError) as refusal:
                error = picking._amazon_sendcloud_oca_message(
                    str(refusal.args[0] if refusal.args else refusal)
                )
                if step == "labels":
                    error = _(
                        "Sendcloud holds the parcel but its label did not download (%(reason)s); "
                        "press Label with Sendcloud again: the same parcel is used, no label is "
                        "bought twice.",
                        reason=error.rstrip(". "),
                    )
        if error:
            picking.amazon_sendcloud_error = error
            picking._message_log(body=_("Label with Sendcloud failed: %(error)s", error=error))
            return error
        picking.amazon_sendcloud_error = False
        parcels = picking._amazon_sendcloud_parcels()
        tracking = ", ".join(p.tracking_number or "-" for p in parcels)
        # A log note: labelling never depends on the user's e-mail address.
        picking._message_log(
            body=_("Labelled with Sendcloud: one parcel, tracking %(tracking)s.", tracking=tracking)
            if len(parcels) == 1
            else _(
                "Labelled with Sendcloud: %(count)s parcels, tracking %(tracking)s.",
                count=len(parcels),
                tracking=tracking,
            )
        )
        return False

    # ------------------------------------------------------------------
    # Creating parcels: once, and Sendcloud's refusal in one sentence
    # ------------------------------------------------------------------

    @api.model
    def _sendcloud_sync_multiple_parcels(self, integration, parcel_vals_list):
        """OCA's parcel creation (the Label button's and the validation's), made idempotent
        for Amazon deliveries.

        A try can fail after Sendcloud created the parcels (the label download times out, the
        worker stops): its transaction is rolled back, Sendcloud keeps what it bought. Before
        buying, each parcel is looked up on Sendcloud by its ``external_reference`` (this
        delivery and its package, which Sendcloud keeps unique "to create idempotence") and
        its order number; only the parcels not found are created. A refusal is one sentence
        (Sendcloud's reason, the field, what to do), not OCA's dump of the request.
        """
        if not any(self.mapped("is_amazon_delivery")) or not parcel_vals_list:
            return super()._sendcloud_sync_multiple_parcels(integration, parcel_vals_list)
        found, missing = [], []
        for vals in parcel_vals_list:
            parcel = self._amazon_sendcloud_find_parcel(integration, vals)
            if parcel:
                found.append(parcel)
            else:
                missing.append(vals)
        if not missing:
            return found
        response = integration.with_context(skip_sendcloud_check_response=True).create_parcels(
            {"parcels": missing}
        )
        refusal = self._amazon_sendcloud_refusal(response, missing)
        if refusal:
            raise UserError(refusal)
        return found + response["parcels"]

    @api.model
    def _amazon_sendcloud_oca_message(self, message):
        """OCA's module's message in the user's language (it ships no Spanish): the ones a
        label can end with, the others as they are."""
        known = {
            "Sendcloud: server not reachable, try again later": _(
                "Sendcloud cannot be reached, try again later"
            ),
            "Sendcloud timeout: the server didn't reply within 30s": _(
                "Sendcloud did not answer in time"
            ),
            "Label not available: no label printer url provided.": _(
                "Sendcloud gave no label for the parcel"
            ),
        }
        return known.get(message.strip(), message)

    @api.model
    def _amazon_sendcloud_find_parcel(self, integration, vals):
        """The parcel Sendcloud already holds for these parcel values (same delivery and
        package, same order), not cancelled; or None."""
        reference = vals.get("external_reference")
        if not reference:
            return None
        answer = integration.with_context(skip_sendcloud_check_response=True)._get_panel_request(
            "/parcels", {"external_reference": reference}
        )
        for parcel in (answer or {}).get("parcels") or []:
            status = str((parcel.get("status") or {}).get("id") or "")
            if (
                parcel.get("external_reference") == reference
                and (parcel.get("order_number") or "") == (vals.get("order_number") or "")
                and status not in CANCELLED_STATUSES
            ):
                return parcel
        return None

    @api.model
    def _amazon_sendcloud_refusal(self, response, sent):
        """Sendcloud's refusal of ``sent`` (parcel values) as one sentence, or "" when accepted.

        :param response: the answer of ``POST /parcels`` (``failed_parcels`` with each field's
            errors, or ``error`` with a message).
        """
        response = response if isinstance(response, dict) else {}
        fields_said = {
            "name": (_("recipient"), "address"),
            "company_name": (_("company"), "address"),
            "address": (_("street"), "address"),
            "house_number": (_("house number"), "address"),
            "city": (_("city"), "address"),
            "postal_code": (_("ZIP"), "address"),
            "country": (_("country"), "address"),
            "to_state": (_("state"), "address"),
            "telephone": (_("phone"), "address"),
            "email": (_("email"), "address"),
            "weight": (_("weight"), "weight"),
            "shipment": (_("shipping method"), "method"),
            "external_reference": (_("reference"), "reference"),
        }
        todo = {
            "address": _(
                "correct the delivery address or choose another Sendcloud shipping method, "
                "then press Label with Sendcloud again"
            ),
            "weight": _(
                "correct the products' weight or the shipping weight, or choose a Sendcloud "
                "method for that weight, then press Label with Sendcloud again"
            ),
            "method": _(
                "choose another Sendcloud shipping method on the delivery, then press Label "
                "with Sendcloud again"
            ),
            "reference": _(
                "a parcel for this package is already on Sendcloud: press Label with Sendcloud "
                "again to use it"
            ),
            "other": _(
                "correct the delivery or choose another Sendcloud shipping method, then press "
                "Label with Sendcloud again"
            ),
        }
        failed = response.get("failed_parcels") or []
        error = response.get("error") if "parcels" not in response else None
        if not failed and not error and response.get("parcels"):
            return ""
        if failed:
            errors = failed[0].get("errors") or {}
            parcel = failed[0].get("parcel") or (sent[0] if sent else {})
            field, messages = next(iter(errors.items()), ("", []))
            if isinstance(messages, dict):  # a nested field (shipment: {id: [...]})
                messages = [m for value in messages.values() for m in value]
            reason = " ".join(str(m) for m in (messages or [])) or _("no reason given")
        else:
            parcel, field = (sent[0] if sent else {}), ""
            reason = (error or {}).get("message") if isinstance(error, dict) else ""
            reason = reason or _("Sendcloud created no parcel")
        reason = " ".join(str(reason).split()).rstrip(".")
        label, kind = fields_said.get(field, ("", "other"))
        value = parcel.get(field) if isinstance(parcel, dict) else None
        if label and isinstance(value, str | int | float) and str(value).strip():
            label = f"{label} {value}"
        if label:
            return _(
                "Sendcloud refused the label, %(field)s: %(reason)s; %(todo)s.",
                field=label,
                reason=reason,
                todo=todo[kind],
            )
        return _(
            "Sendcloud refused the label: %(reason)s; %(todo)s.", reason=reason, todo=todo[kind]
        )

    def _amazon_sendcloud_attach_labels(self):
        """Attach each parcel's label PDF (fetched by OCA's module) to its delivery."""
        for picking in self.sudo():
            for parcel in picking._amazon_sendcloud_parcels():
                if parcel.amazon_label_attachment_id:
                    continue
                if not parcel.attachment_id and parcel.label_printer_url:
                    parcel._generate_parcel_labels()
                if not parcel.attachment_id:
                    continue
                parcel.amazon_label_attachment_id = self.env["ir.attachment"].create(
                    {
                        "name": f"{LABEL_PREFIX}{parcel.name}.pdf",
                        "datas": parcel.attachment_id.datas,
                        "mimetype": "application/pdf",
                        "res_model": picking._name,
                        "res_id": picking.id,
                    }
                )
            picking._amazon_sendcloud_parcels_changed()

    def _amazon_sendcloud_parcels_changed(self):
        """Parcels were created or changed (label, webhook): store their tracking numbers on the
        delivery; a done Amazon delivery then sends its confirmation (or correction)."""
        for picking in self.sudo().filtered("is_amazon_delivery"):
            if picking.amazon_sendcloud_override:
                continue
            parcels = picking._amazon_sendcloud_parcels()
            trackings = [p.tracking_number for p in parcels if p.tracking_number]
            if trackings and len(trackings) == len(parcels):
                tracking = ",".join(trackings)
                if picking.carrier_tracking_ref != tracking:
                    picking.carrier_tracking_ref = tracking
            if picking.state == "done":
                picking._amazon_sync_shipment()

    # ------------------------------------------------------------------
    # Amazon packages
    # ------------------------------------------------------------------

    def _amazon_packages(self):
        """One Amazon package per Sendcloud parcel: its carrier, tracking number and items.

        A parcel's items are the move lines of the Odoo package it was made for (OCA's
        ``external_reference`` is ``<delivery>,<package id>``, 0 for what is not packed); a
        delivery in one parcel ships all of it. The package's key is the Odoo package's (the
        connector's own key for it), never the parcel's: whatever the order of labelling,
        validation and webhooks, a package is one Amazon package with one
        ``packageReferenceId``, and a parcel that replaces a cancelled one corrects it.
        """
        self.ensure_one()
        parcels = self._amazon_sendcloud_parcels()
        cancelled = self.sudo().sendcloud_parcel_ids - parcels
        if self.amazon_sendcloud_override or not (parcels or cancelled):
            return super()._amazon_packages()
        groups = {key: lines for key, _name, lines in self._amazon_package_move_lines()}
        every_line = self.env["stock.move.line"].sudo().browse()
        for lines in groups.values():
            every_line |= lines
        carriers = self.env["amazon.sendcloud.carrier"]
        packages = []
        for parcel in parcels:
            key = parcel._amazon_package_key()
            if key in groups:
                lines = groups[key]
            elif len(parcels) == 1:  # labelled before packing: the parcel ships everything
                lines = every_line
                key = next(iter(groups)) if len(groups) == 1 else "delivery"
            else:
                lines = every_line.browse()
            if key in {p["key"] for p in packages}:  # never two parcels on one Amazon package
                key = f"{key}:{parcel.sendcloud_code}"
            code, name = carriers._amazon_carrier_for(parcel.carrier)
            packages.append(
                {
                    "key": key,
                    "sendcloud_code": parcel.sendcloud_code,
                    "name": parcel.name,
                    "items": self._amazon_shipped_items(lines),
                    "tracking_number": parcel.tracking_number or False,
                    "carrier_name": name,
                    "carrier_code": code,
                    "shipping_method": parcel.shipment_id.name or False,
                }
            )
        # A package Amazon holds whose parcel was cancelled: kept, without tracking and marked,
        # so that its shipment says so (and a new parcel for it corrects Amazon).
        held = self._amazon_sendcloud_held_keys() - {p["key"] for p in packages}
        for key in sorted(held):
            packages.append(
                {
                    "key": key,
                    "name": False,
                    "items": self._amazon_shipped_items(groups.get(key, every_line.browse())),
                    "tracking_number": False,
                    "carrier_name": False,
                    "carrier_code": False,
                    "sendcloud_cancelled": True,
                }
            )
        return packages

    def _amazon_sendcloud_held_keys(self):
        """Keys of this delivery's packages that Amazon holds as shipped (confirmed once)."""
        self.ensure_one()
        shipments = self.env["amazon.shipment"].sudo().search([("picking_id", "=", self.id)])
        return set(shipments.filtered("confirmed_payload").mapped("package_key"))

    # ------------------------------------------------------------------
    # XML-RPC API
    # ------------------------------------------------------------------

    def amazon_update_shipping(self, carrier, tracking_ref, shipping_method=False, ship_date=False):
        """As the connector's; on a Sendcloud-labelled delivery the data given here overrides
        the parcels' (Amazon receives what the integrator says)."""
        self._amazon_check_api_call()
        if self._amazon_sendcloud_parcels() and not self.amazon_sendcloud_override:
            self.sudo().amazon_sendcloud_override = True
        return super().amazon_update_shipping(
            carrier, tracking_ref, shipping_method=shipping_method, ship_date=ship_date
        )
