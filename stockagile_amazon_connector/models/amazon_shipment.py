"""Shipment confirmations: one package of a done delivery → Amazon's ``confirmShipment``.

A delivery is one Amazon package, or several when its goods were put in several Odoo packages
(or labelled as several parcels by a carrier integration): one ``amazon.shipment`` per package,
each with its own tracking number and items, each confirmed once (Orders v0 confirms one
``packageDetail`` per call).

The path of a shipment reads as a sentence: an Amazon delivery is validated (or its shipping data
changes) → its ``amazon.shipment`` is created or refreshed with the request body Amazon must
receive and a confirmation job is enqueued → after the commit the job runner runs it → the job
sends the package with Orders v0 ``confirmShipment`` and marks it confirmed in the same
transaction as Amazon's answer. Each shipment is a job of its own in its account's channel, so a
stopped account never holds back another's shipments.

Exactly once: a shipment is sent only while ``payload`` differs from ``confirmed_payload`` (what
Amazon accepted last), so retries, restarts and repeated API calls send nothing new. The job
locks the row while it talks to Amazon, so a concurrent change waits and is sent afterwards as a
correction; it locks the delivery and the order too (``NOWAIT``, before the call), so that two
packages of one order confirmed at once never fail to record Amazon's answer and send it again.
The only window left is a crash between Amazon's answer and our commit: the job's
retry sends the same body again with the same ``packageReferenceId`` (stored once per package: the
picking id for its first package), which Amazon
treats as an update of that package, not as a second package.
"""

import json
import logging

import psycopg2

from odoo import _, api, fields, models
from odoo.service.model import PG_CONCURRENCY_ERRORS_TO_RETRY
from odoo.tools import SQL
from odoo.tools.translate import LazyTranslate

from .. import odoo_compat
from ..services import (
    AmazonError,
    AuthError,
    ThrottledError,
    TransientError,
    payloads,
)
from .amazon_binding_mixin import BINDING_CONFLICT_RETRY_SECONDS, AmazonBindingError
from .amazon_job_mixin import PRIORITY_REALTIME

_lt = LazyTranslate(__name__)

_logger = logging.getLogger(__name__)

SHIPMENT_STATES = [
    ("awaiting_data", "Awaiting shipping data"),
    ("pending", "Pending"),
    ("confirmed", "Confirmed"),
    ("error", "Error"),
]
#: Seconds before retrying after an outage, doubled per failed attempt up to MAX_BACKOFF: one
#: try per minute at most keeps Amazon unbothered during a long outage and lets the queue drain
#: within a minute once Amazon answers again.
OUTAGE_BACKOFF = 15
MAX_BACKOFF = 60


@odoo_compat.sql_constraints(
    (
        "picking_package_unique",
        "UNIQUE(picking_id, package_key)",
        "A package of a delivery has one shipment confirmation.",
    ),
)
class AmazonShipment(models.Model):
    """The shipment confirmation of one package of a done delivery of an Amazon order."""

    _name = "amazon.shipment"
    _inherit = ["amazon.job.mixin"]
    _description = "Amazon Shipment Confirmation"
    _order = "id desc"
    _rec_name = "picking_id"

    picking_id = fields.Many2one(
        "stock.picking", string="Delivery", required=True, ondelete="cascade", index=True
    )
    sale_order_id = fields.Many2one(
        "sale.order", related="picking_id.sale_id", store=True, string="Sales Order"
    )
    account_id = fields.Many2one("amazon.account", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="account_id.company_id", store=True)
    package_key = fields.Char(
        required=True,
        default="delivery",
        readonly=True,
        help="Which package of the delivery this is: 'delivery' for the whole delivery (or "
        "what was shipped unpacked), 'package:<id>' for an Odoo package, or a carrier "
        "integration's parcel.",
    )
    package_name = fields.Char(string="Package", readonly=True)
    amazon_order_ref = fields.Char(string="Amazon Order ID", required=True)
    marketplace_ref = fields.Char(string="Marketplace ID")
    package_reference_id = fields.Char(
        required=True,
        help="Amazon's packageReferenceId, a positive number unique within the order: the "
        "delivery's id for its first package.",
    )
    carrier_code = fields.Char(help="Amazon carrier code; 'Other' sends the carrier name.")
    carrier_name = fields.Char()
    tracking_number = fields.Char()
    shipping_method = fields.Char()
    ship_date = fields.Datetime()
    ship_from_supply_source_id = fields.Char(string="Ship-from supply source")
    items = fields.Text(help="JSON list of the order items and quantities of this package.")
    payload = fields.Text(
        readonly=True, help="The confirmShipment body Amazon must hold for this package."
    )
    confirmed_payload = fields.Text(readonly=True, help="The body Amazon last accepted.")
    state = fields.Selection(
        SHIPMENT_STATES,
        required=True,
        default="awaiting_data",
        index=True,
        help="Awaiting shipping data: the delivery is done but its carrier or tracking number is "
        "missing; set them on the delivery or with amazon_update_shipping.\n"
        "Pending: queued; sent to Amazon after the commit (retried on throttling and outages).\n"
        "Confirmed: Amazon accepted this package as it is now.\n"
        "Error: Amazon refused it; fix the data and press Retry.",
    )
    last_error = fields.Text(readonly=True)
    attempts = fields.Integer(readonly=True, help="Failed attempts since the last success.")
    confirmed_at = fields.Datetime(readonly=True)
    correction_count = fields.Integer(
        readonly=True, help="Corrections Amazon accepted after the first confirmation."
    )

    def init(self):
        """Databases from before several packages per delivery keep a UNIQUE(picking_id) that
        Odoo does not drop by itself: drop it (idempotent, on every install and update)."""
        self.env.cr.execute(
            "ALTER TABLE amazon_shipment DROP CONSTRAINT IF EXISTS amazon_shipment_picking_unique"
        )

    # ------------------------------------------------------------------
    # Scheduling
    # ------------------------------------------------------------------

    def _enqueue_confirm(self):
        """Enqueue the confirmation of these shipments (one pending job each)."""
        for shipment in self:
            shipment._amazon_delay(
                shipment.account_id,
                "confirm",
                priority=PRIORITY_REALTIME,
                description=_lt(
                    "Amazon: confirm shipment of %(order)s", order=shipment.amazon_order_ref
                ),
            )._amazon_job_confirm()

    # ------------------------------------------------------------------
    # From the delivery to the request body
    # ------------------------------------------------------------------

    @api.model
    def _sync_pickings(self, pickings):
        """Create or refresh the shipments (one per package) of done Amazon deliveries.

        :param pickings: ``stock.picking`` records; those that are not done Amazon deliveries of an
            order still to ship on Amazon are ignored.
        :return: the shipments of those deliveries.
        """
        shipments = self.browse()
        for picking in pickings.filtered("is_amazon_delivery"):
            if picking.state != "done":
                continue
            existing = self.search([("picking_id", "=", picking.id)], order="id")
            if not existing and picking.sale_id.amazon_status == "SHIPPED":
                continue  # shipped on Amazon before it was imported: nothing to confirm
            try:
                packages = picking._amazon_packages()
            except ValueError as error:
                failed = existing or self._create_package(picking, {"key": "delivery"}, 0)
                for shipment in failed:
                    shipment._fail(str(error))
                shipments |= failed
                continue
            by_key = {shipment.package_key: shipment for shipment in existing}
            # A package that is gone (its parcel was cancelled) is dropped unless Amazon has it.
            gone = existing.filtered(
                lambda s, packages=packages: s.package_key not in {p["key"] for p in packages}
            )
            gone.filtered(lambda s: not s.confirmed_payload).unlink()
            for index, package in enumerate(packages):
                shipment = by_key.get(package["key"]) or self._create_package(
                    picking, package, index
                )
                shipment._refresh(package)
                shipments |= shipment
        return shipments

    @api.model
    def _create_package(self, picking, package, index):
        """The shipment of a new package; its ``packageReferenceId`` is unique in the order.

        The first package of a delivery takes the delivery's id (as when a delivery was always
        one package); the others a number derived from it, skipping any the order already uses.
        """
        order = picking.sale_id
        used = set(
            self.search(
                [
                    ("account_id", "=", order.amazon_account_id.id),
                    ("amazon_order_ref", "=", order.amazon_order_ref),
                ]
            ).mapped("package_reference_id")
        )
        reference = picking.id if index == 0 else picking.id * 1000 + index
        while str(reference) in used:
            reference += 1
        return self.create(
            {
                "picking_id": picking.id,
                "package_key": package["key"],
                "package_name": package.get("name") or False,
                "account_id": order.amazon_account_id.id,
                "amazon_order_ref": order.amazon_order_ref,
                "package_reference_id": str(reference),
            }
        )

    def _shipment_values(self, package):
        """This package as the delivery describes it now.

        :param package: one dict of ``stock.picking._amazon_packages()``.
        """
        self.ensure_one()
        picking = self.picking_id
        carrier, method = package.get("carrier_name"), picking.amazon_shipping_method
        code, name = payloads.carrier_code_for(carrier) if carrier else (False, False)
        if package.get("carrier_code"):
            code = package["carrier_code"]
            name = carrier or False
        elif carrier and code != payloads.OTHER_CARRIER:
            name = carrier  # Amazon's list knows it; the name is sent for readability
        return {
            "package_name": package.get("name") or False,
            "marketplace_ref": picking.sale_id.amazon_marketplace_id.api_ref or False,
            "carrier_code": code,
            "carrier_name": name or False,
            "tracking_number": (package.get("tracking_number") or "").strip() or False,
            "shipping_method": (
                package.get("shipping_method") or method or picking.carrier_id.name or False
            ),
            "ship_date": picking.amazon_ship_date or picking.date_done or fields.Datetime.now(),
            "ship_from_supply_source_id": (
                picking.picking_type_id.warehouse_id.amazon_supply_source_id or False
            ),
            "items": json.dumps(package["items"]),
        }

    def _build_payload(self):
        """The confirmShipment body of this package, as canonical JSON.

        :raise ValueError: the package cannot be confirmed as it is (no item, bad quantity...).
        """
        self.ensure_one()
        body = payloads.confirm_shipment_body(
            marketplace_id=self.marketplace_ref,
            package_reference_id=self.package_reference_id,
            carrier_code=self.carrier_code,
            carrier_name=self.carrier_name or None,
            shipping_method=self.shipping_method or None,
            tracking_number=self.tracking_number,
            ship_date=self.ship_date,
            items=json.loads(self.items or "[]"),
            ship_from_supply_source_id=self.ship_from_supply_source_id or None,
        )
        return json.dumps(body, sort_keys=True)

    def _refresh(self, package=None):
        """Recompute the body from the delivery and decide whether Amazon must receive it.

        Nothing is queued when Amazon already holds this exact body; a body that changed after a
        confirmation is queued again as a correction of the same package.

        :param package: this package's dict of ``stock.picking._amazon_packages()`` when the
            caller has it (one shipment then); read from the delivery otherwise.
        """
        for shipment in self:
            try:
                if package is None:
                    packages = shipment.picking_id._amazon_packages()
                    current = next((p for p in packages if p["key"] == shipment.package_key), None)
                    if current is None:
                        raise ValueError(_("This package is no longer in the delivery."))
                else:
                    current = package
                values = shipment._shipment_values(current)
            except ValueError as error:
                shipment._fail(str(error))
                continue
            changed = {
                name: value
                for name, value in values.items()
                if shipment._fields[name].convert_to_cache(value, shipment) != shipment[name]
            }
            if changed:
                shipment.write(changed)
            if not (shipment.tracking_number and shipment.carrier_code):
                if shipment.state != "confirmed":
                    shipment._set_state("awaiting_data", payload=False)
                continue
            try:
                payload = shipment._build_payload()
            except ValueError as error:
                shipment._fail(str(error))
                continue
            if payload == shipment.confirmed_payload:
                shipment._set_state("confirmed", payload=payload, last_error=False)
            elif payload != shipment.payload or shipment.state in ("awaiting_data", "confirmed"):
                shipment._set_state("pending", payload=payload, last_error=False, attempts=0)
                shipment._enqueue_confirm()

    def _set_state(self, state, **values):
        values["state"] = state
        values = {
            name: value
            for name, value in values.items()
            if self._fields[name].convert_to_cache(value, self) != self[name]
        }
        if values:
            self.write(values)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_retry(self):
        """Queue the shipments again (after an error, or to retry an outage now).

        Shipments are written by the connector only (what Amazon receives is derived from the
        delivery): whoever may edit the deliveries may retry them, as superuser on these.
        """
        self.picking_id.check_access("write")
        shipments = self.sudo()
        for shipment in shipments:
            shipment.write({"state": "awaiting_data", "payload": False, "last_error": False})
            shipment._refresh()
        shipments._amazon_retry_now()
        return True

    # ------------------------------------------------------------------
    # Sending (a job per shipment)
    # ------------------------------------------------------------------

    @api.model
    def _cron_confirm_shipments(self):
        """Safety net: enqueue the confirmation of every pending shipment (identities dedupe)."""
        self.search([("state", "=", "pending")], order="id")._enqueue_confirm()

    def _amazon_job_confirm(self):
        """Job: send this shipment's body to Amazon, unless Amazon already holds it."""
        self._amazon_claim_job()
        shipment = self.sudo()
        if not shipment._lock():
            return "not pending (or another job is sending it)"
        shipment._lock_delivery_and_order()
        with shipment._amazon_unit(shipment.account_id):
            return shipment._send(shipment.account_id._get_sp_api_service())

    def _lock(self):
        """Lock this pending shipment until the commit; False if it is not pending any more."""
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    "SELECT id FROM amazon_shipment WHERE id = %s AND state = 'pending' "
                    "FOR NO KEY UPDATE SKIP LOCKED",
                    [self.id],
                )
                locked = self.env.cr.fetchone()
        except psycopg2.errors.SerializationFailure:
            return False
        if not locked:
            return False
        self.invalidate_recordset()
        return True

    def _lock_delivery_and_order(self):
        """Lock the delivery and its order before talking to Amazon, or retry the job later.

        Recording Amazon's answer writes both (their stored shipping states). Two packages of
        one order confirmed at once (a delivery in two parcels), or the order changed by
        another transaction meanwhile, used to fail that write with a serialization failure
        *after* Amazon accepted: the job's retry sent the package again (three confirmShipment
        for two parcels). Taken first, with ``NOWAIT``, the conflict comes before the call
        and queue_job retries the job, which then sends its package once.

        :raise AmazonBindingError: the delivery or the order is busy (a ``RetryableJobError``).
        """
        self.ensure_one()
        name = self.picking_id.name  # read now: after a conflict the transaction is aborted
        rows = [("stock_picking", self.picking_id.id)]
        if self.sale_order_id:
            rows.append(("sale_order", self.sale_order_id.id))
        try:
            for table, row_id in rows:
                self.env.cr.execute(
                    SQL(
                        "SELECT id FROM %s WHERE id = %s FOR NO KEY UPDATE NOWAIT",
                        SQL.identifier(table),
                        row_id,
                    ),
                    log_exceptions=False,  # a conflict is expected: the job is retried
                )
        except psycopg2.OperationalError as error:
            if error.pgcode not in PG_CONCURRENCY_ERRORS_TO_RETRY:
                raise
            raise AmazonBindingError(
                f"Delivery {name} is being changed by another job: retried in "
                f"{BINDING_CONFLICT_RETRY_SECONDS} s ({error.pgcode})",
                seconds=BINDING_CONFLICT_RETRY_SECONDS,
                ignore_retry=True,
            ) from error
        self.picking_id.invalidate_recordset()
        self.sale_order_id.invalidate_recordset()

    def _send(self, service):
        """Send this shipment and record the outcome; return it (the job's result).

        Throttling propagates (the job is retried at Amazon's pace); an outage or refused
        credentials are shown on the delivery and a new job tries again with backoff; Amazon's
        refusal puts the shipment in error with Retry.
        """
        self.ensure_one()
        body = json.loads(self.payload)
        correction = bool(self.confirmed_payload)
        try:
            service.confirm_shipment(self.amazon_order_ref, body)
        except ThrottledError:
            raise  # retried at Amazon's pace, the shipment stays pending
        except (TransientError, AuthError) as error:
            # Shown on the delivery (and in the API's answer) while it is retried.
            attempts = self.attempts + 1
            delay = min(OUTAGE_BACKOFF * 2 ** (attempts - 1), MAX_BACKOFF)
            self.write({"last_error": error.message, "attempts": attempts})
            self._amazon_delay(
                self.account_id,
                "confirm",
                eta=delay,
                description=_lt(
                    "Amazon: confirm shipment of %(order)s", order=self.amazon_order_ref
                ),
            )._amazon_job_confirm()
            _logger.warning(
                "Amazon shipment %s of %s not sent (retry in %ss): %s",
                self.package_reference_id,
                self.amazon_order_ref,
                delay,
                error.message,
            )
            return f"retry in {delay}s"
        except AmazonError as error:
            self._fail(error.message)
            return "refused"
        self.write(
            {
                "state": "confirmed",
                "confirmed_payload": self.payload,
                "confirmed_at": fields.Datetime.now(),
                "last_error": False,
                "attempts": 0,
                "correction_count": self.correction_count + correction,
            }
        )
        message = (
            _("Shipment correction sent to Amazon: %(carrier)s, tracking %(tracking)s.")
            if correction
            else _("Shipment confirmed on Amazon: %(carrier)s, tracking %(tracking)s.")
        )
        self.picking_id._message_log(
            body=message
            % {"carrier": self.carrier_name or self.carrier_code, "tracking": self.tracking_number}
        )
        return "confirmed"

    def _fail(self, message):
        """Amazon (or our checks) refused the package: show why on the delivery, keep it there."""
        self.ensure_one()
        if self.state == "error" and self.last_error == message:
            return
        self.write({"state": "error", "last_error": message})
        self.picking_id._message_log(
            body=_(
                "Amazon did not accept the shipment confirmation of %(order)s: %(error)s "
                "Fix the shipping data, then press Retry.",
                order=self.amazon_order_ref,
                error=message,
            )
        )
