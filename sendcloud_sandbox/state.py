"""The sandbox's state and the behaviour of each Sendcloud resource (no HTTP here).

Shapes follow the Sendcloud panel API v2 as OCA's ``delivery_sendcloud_oca`` reads them (and as
its recorded cassettes show): integrations, shipping methods with their carrier code, parcels
with a label URL and a tracking number, parcel statuses, cancellation, integration shipments.
"""

import copy
import threading
import time
import uuid
from datetime import datetime, timezone

DEFAULT_PUBLIC_KEY = "sandbox-public-key"
DEFAULT_SECRET_KEY = "sandbox-secret-key"
INTEGRATION_ID = 4242
SENDER_ADDRESS_ID = 7001

#: (id, name, carrier code, max weight kg, price EUR): one method per carrier the connector maps,
#: plus PostNL, which Amazon's carrier list does not know (sent as ``Other``).
SHIPPING_METHODS = [
    (8001, "Correos Paq Premium 0-5kg", "correos", 5, 4.95),
    (8002, "Correos Express Paq 24 0-5kg", "correos_express", 5, 5.45),
    (8003, "SEUR 24 0-5kg", "seur", 5, 5.90),
    (8004, "GLS Business Parcel 0-5kg", "gls_es", 5, 5.10),
    (8005, "DHL Parcel Connect 0-5kg", "dhl", 5, 6.20),
    (8006, "UPS Standard 0-5kg", "ups", 5, 7.80),
    (8007, "DPD Classic 0-5kg", "dpd", 5, 5.60),
    (8008, "MRW Urgente 19 0-5kg", "mrw", 5, 6.10),
    (8009, "Nacex 19h 0-5kg", "nacex", 5, 6.50),
    (8010, "CTT Express 24h 0-5kg", "ctt_express", 5, 4.70),
    (8011, "PostNL Standard 0-5kg", "postnl", 5, 8.90),
]
COUNTRIES = {
    "ES": ("ESP", "Spain"),
    "PT": ("PRT", "Portugal"),
    "FR": ("FRA", "France"),
    "DE": ("DEU", "Germany"),
    "IT": ("ITA", "Italy"),
    "NL": ("NLD", "Netherlands"),
}
#: Parcel statuses (ids and messages as Sendcloud's ``/parcels/statuses`` lists them).
STATUSES = {
    999: "No label",
    1000: "Ready to send",
    1001: "Being announced",
    1002: "Announcement failed",
    3: "En route to sorting center",
    91: "Parcel en route",
    11: "Delivered",
    80: "Unable to deliver",
    1999: "Cancellation requested",
    2000: "Cancelled",
}
ANNOUNCED, NO_LABEL, CANCELLED, CANCELLATION_REQUESTED = 1000, 999, 2000, 1999
#: Statuses after which a parcel can no longer be cancelled (it is with the carrier).
SHIPPED_STATUSES = {3, 91, 11, 80}


class SendcloudError(Exception):
    """An API error: HTTP status and Sendcloud's ``{"error": {...}}`` body."""

    def __init__(self, status, message, extra=None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.extra = extra or {}

    def body(self, path):
        return {
            "error": {"code": self.status, "request": path.lstrip("/"), "message": self.message}
        }


def _now_text():
    return datetime.now(timezone.utc).strftime("%d-%m-%Y %H:%M:%S")


class TokenBucket:
    """A non-sleeping token bucket: ``take()`` is False when the caller must get a 429."""

    def __init__(self, capacity, per_second, clock=time.monotonic):
        self.capacity, self.per_second, self.clock = capacity, per_second, clock
        self.tokens, self.stamp = float(capacity), clock()

    def take(self):
        now = self.clock()
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.per_second)
        self.stamp = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


class SendcloudState:
    """Everything the sandbox holds; every public method runs under ``self.lock``."""

    def __init__(self):
        self.lock = threading.RLock()
        self.reset()

    def reset(self):
        with self.lock:
            self.public_key, self.secret_key = DEFAULT_PUBLIC_KEY, DEFAULT_SECRET_KEY
            self.config = {"rate_limits": True, "deferred_tracking": False}
            self.parcels = {}
            self.shipments = {}
            self.requests = []
            self.faults = []
            self.webhooks = []
            self.next_parcel_id = 300000001
            self.integration = {
                "id": INTEGRATION_ID,
                "shop_name": "Stockagile sandbox",
                "shop_url": "",
                "system": "odoo",
                "failing_since": None,
                "last_fetch": None,
                "last_updated_at": datetime.now(timezone.utc).isoformat(),
                "service_point_enabled": False,
                "service_point_carriers": [],
                "webhook_active": False,
                "webhook_url": "",
            }
            self.reset_rate_limits()

    def reset_rate_limits(self):
        #: Sendcloud's documented limits: bursts of 15 requests a second, 100 writes a minute.
        self.burst = TokenBucket(15, 15.0)
        self.writes = TokenBucket(100, 100 / 60.0)

    # ------------------------------------------------------------------ access control
    def allow(self, method):
        """Rate limiting; False means answer 429."""
        if not self.config.get("rate_limits"):
            return True
        if not self.burst.take():
            return False
        return method == "GET" or self.writes.take()

    def take_fault(self, operation):
        """The first armed fault for this operation (consumed), or None."""
        for fault in self.faults:
            if fault["operation"] in (operation, "*") and fault["count"] > 0:
                fault["count"] -= 1
                return dict(fault)
        return None

    # ------------------------------------------------------------------ integrations, methods
    def shipping_methods(self, method_id=None):
        methods = []
        for code, name, carrier, max_weight, price in SHIPPING_METHODS:
            if method_id is not None and code != method_id:
                continue
            methods.append(
                {
                    "id": code,
                    "name": name,
                    "carrier": carrier,
                    "min_weight": "0.001",
                    "max_weight": f"{max_weight}.001",
                    "service_point_input": "none",
                    "price": 0,
                    "properties": {},
                    "countries": [
                        {
                            "id": code * 100 + index,
                            "iso_2": iso_2,
                            "iso_3": iso_3,
                            "name": country,
                            "price": price,
                            "from_iso_2": "ES",
                            "from_iso_3": "ESP",
                        }
                        for index, (iso_2, (iso_3, country)) in enumerate(COUNTRIES.items())
                    ],
                }
            )
        return methods

    def sender_addresses(self):
        return [
            {
                "id": SENDER_ADDRESS_ID,
                "company_name": "Stockagile Demo",
                "contact_name": "Almacén",
                "email": "almacen@stockagile.example",
                "telephone": "+34910000000",
                "street": "Calle de Alcalá",
                "house_number": "50",
                "postal_box": "",
                "postal_code": "28014",
                "city": "Madrid",
                "country": "ES",
                "country_state": None,
                "vat_number": "",
                "eori_number": "",
                "brand_id": None,
                "label": "Madrid warehouse",
            }
        ]

    def upsert_shipments(self, shipments):
        """``POST /integrations/<id>/shipments``: the shop's orders as Sendcloud sees them."""
        answers = []
        for shipment in shipments:
            if not isinstance(shipment, dict):
                raise SendcloudError(400, "Each shipment must be an object.")
            key = shipment.get("shipment_uuid") or str(uuid.uuid4())
            status = "updated" if key in self.shipments else "created"
            self.shipments[key] = dict(shipment, shipment_uuid=key)
            answers.append(
                {
                    "status": status,
                    "shipment_uuid": key,
                    "external_order_id": shipment.get("external_order_id"),
                    "external_shipment_id": shipment.get("external_shipment_id"),
                }
            )
        return answers

    def delete_shipments(self, shipments):
        answers = []
        for shipment in shipments if isinstance(shipments, list) else []:
            key = (shipment or {}).get("shipment_uuid")
            found = self.shipments.pop(key, None)
            answers.append({"status": "deleted" if found else "not_found", "shipment_uuid": key})
        return answers

    # ------------------------------------------------------------------ parcels
    def _problems(self, parcel):
        problems = {}
        for name in ("name", "address", "city", "postal_code", "country"):
            if not str(parcel.get(name) or "").strip():
                problems[name] = ["This field is required."]
        country = str(parcel.get("country") or "").upper()
        if country and country not in COUNTRIES:
            problems["country"] = [f'"{country}" is not a valid choice.']
        method_id = (parcel.get("shipment") or {}).get("id")
        methods = self.shipping_methods(method_id) if method_id else []
        if parcel.get("request_label"):
            if not methods:
                problems["shipment"] = ["A valid shipping method is required to create a label."]
            try:
                weight = float(parcel.get("weight") or 0)
            except (TypeError, ValueError):
                weight = 0
            if weight <= 0:
                problems["weight"] = ["Ensure this value is greater than or equal to 0.001."]
            elif methods and weight > float(methods[0]["max_weight"]):
                problems["weight"] = [
                    f"The weight {weight} kg is over the shipping method's maximum "
                    f"({methods[0]['max_weight']} kg)."
                ]
        return problems, (methods[0] if methods else None)

    def create_parcels(self, body, base_url, refusal=None):
        """``POST /parcels`` with ``{"parcels": [...]}`` (or one ``{"parcel": {...}}``).

        All or nothing: when one parcel is refused none is created, and the answer lists each
        refused parcel in ``failed_parcels`` with its errors (Sendcloud's shape).
        """
        if isinstance(body, dict) and isinstance(body.get("parcels"), list):
            requested, many = body["parcels"], True
        elif isinstance(body, dict) and isinstance(body.get("parcel"), dict):
            requested, many = [body["parcel"]], False
        else:
            raise SendcloudError(400, 'The body must hold "parcels": [...] or "parcel": {...}.')
        failed = []
        checked = []
        references = set()
        for parcel in requested:
            if not isinstance(parcel, dict):
                raise SendcloudError(400, "Each parcel must be an object.")
            problems, method = self._problems(parcel)
            reference = parcel.get("external_reference")
            if reference and (reference in references or self.find_parcels(reference)):
                # Sendcloud: "Must be unique across parcels. This field is used to create
                # idempotence." (cancelled parcels free their reference here)
                problems["external_reference"] = [
                    f'A parcel with external_reference "{reference}" already exists.'
                ]
            references.add(reference)
            if refusal:
                field, message = refusal
                problems[field or "non_field_errors"] = [message]
            if problems:
                failed.append({"parcel": parcel, "errors": problems})
            checked.append((parcel, method))
        if failed:
            if not many:
                first = next(iter(failed[0]["errors"].items()))
                raise SendcloudError(400, f"{first[0]}: {first[1][0]}")
            return {"parcels": [], "failed_parcels": failed}
        colli_uuid = str(uuid.uuid4())
        created = []
        for number, (parcel, method) in enumerate(checked):
            created.append(
                self._new_parcel(parcel, method, base_url, colli_uuid, number, len(checked))
            )
        if many:
            return {"parcels": created, "failed_parcels": []}
        return {"parcel": created[0]}

    def _new_parcel(self, data, method, base_url, colli_uuid, collo_nr, collo_count):
        parcel_id = self.next_parcel_id
        self.next_parcel_id += 1
        country = str(data.get("country") or "").upper()
        iso_3, country_name = COUNTRIES.get(country, ("", ""))
        labelled = bool(data.get("request_label")) and method is not None
        tracking = ""
        if labelled and not self.config.get("deferred_tracking"):
            tracking = self.tracking_number(parcel_id)
        status = ANNOUNCED if labelled else NO_LABEL
        label_url = f"{base_url}/api/v2/labels/label_printer/{parcel_id}"
        parcel = {
            "id": parcel_id,
            "name": data.get("name"),
            "company_name": data.get("company_name") or "",
            "address": data.get("address"),
            "address_2": data.get("address_2") or "",
            "address_divided": {
                "street": data.get("address"),
                "house_number": data.get("house_number") or "",
            },
            "house_number": data.get("house_number") or "",
            "street": data.get("address"),
            "city": data.get("city"),
            "postal_code": data.get("postal_code"),
            "country": {"iso_2": country, "iso_3": iso_3, "name": country_name},
            "to_state": data.get("to_state"),
            "telephone": data.get("telephone") or "",
            "email": data.get("email") or "",
            "date_created": _now_text(),
            "date_updated": _now_text(),
            "date_announced": _now_text() if labelled else None,
            "weight": str(data.get("weight") or "0.000"),
            "status": {"id": status, "message": STATUSES[status]},
            "data": {},
            "shipment": {"id": method["id"], "name": method["name"]} if method else None,
            "shipping_method": method["id"] if method else None,
            "carrier": {"code": method["carrier"] if method else ""},
            "tracking_number": tracking,
            "tracking_url": self.tracking_url(tracking),
            "label": {
                "normal_printer": [f"{base_url}/api/v2/labels/normal_printer/{parcel_id}"]
                if labelled
                else [],
                "label_printer": label_url if labelled else "",
            },
            "documents": [{"type": "label", "size": "a6", "link": label_url}] if labelled else [],
            "external_order_id": data.get("external_order_id"),
            "external_shipment_id": data.get("external_shipment_id"),
            "shipment_uuid": data.get("shipment_uuid"),
            "external_reference": data.get("external_reference"),
            "order_number": data.get("order_number") or "",
            "reference": "0",
            "colli_uuid": colli_uuid,
            "collo_nr": collo_nr,
            "collo_count": collo_count,
            "colli_tracking_number": tracking if collo_count > 1 else None,
            "is_return": bool(data.get("is_return")),
            "type": "parcel",
            "note": "",
            "insured_value": 0,
            "total_insured_value": 0,
            "customs_invoice_nr": data.get("customs_invoice_nr") or "",
            "customs_shipment_type": data.get("customs_shipment_type"),
            "to_service_point": data.get("to_service_point"),
            "to_post_number": data.get("to_post_number") or "",
            "parcel_items": copy.deepcopy(data.get("parcel_items") or []),
        }
        self.parcels[parcel_id] = parcel
        return copy.deepcopy(parcel)

    @staticmethod
    def tracking_number(parcel_id):
        return f"3SSBX{parcel_id:010d}"

    @staticmethod
    def tracking_url(tracking):
        if not tracking:
            return ""
        return f"https://tracking.sendcloud.sc/forward?carrier=sandbox&code={tracking}"

    def find_parcels(
        self,
        external_reference=None,
        order_number=None,
        tracking_number=None,
        ids=None,
        parcel_status=None,
        active_only=True,
    ):
        """``GET /parcels`` filters (Sendcloud's query parameters); cancelled parcels are left
        out when ``active_only`` (what the uniqueness of ``external_reference`` considers)."""
        found = []
        for parcel in sorted(self.parcels.values(), key=lambda p: p["id"]):
            reference = parcel["external_reference"]
            if external_reference is not None and reference != external_reference:
                continue
            if order_number is not None and parcel["order_number"] != order_number:
                continue
            if tracking_number is not None and parcel["tracking_number"] != tracking_number:
                continue
            if ids is not None and parcel["id"] not in ids:
                continue
            if parcel_status is not None and parcel["status"]["id"] != parcel_status:
                continue
            if (
                active_only
                and parcel_status is None
                and parcel["status"]["id"]
                in (
                    CANCELLED,
                    CANCELLATION_REQUESTED,
                )
            ):
                continue
            found.append(parcel)
        return found

    def parcel(self, parcel_id):
        parcel = self.parcels.get(parcel_id)
        if parcel is None:
            raise SendcloudError(404, "No Parcel matches the given query.")
        return parcel

    def cancel_parcel(self, parcel_id):
        """``POST /parcels/<id>/cancel``: Sendcloud's answers (deleted, cancelled, failed)."""
        parcel = self.parcels.get(parcel_id)
        if parcel is None:
            raise SendcloudError(404, "No Parcel matches the given query.")
        status = parcel["status"]["id"]
        if status in SHIPPED_STATUSES:
            return 400, {
                "status": "failed",
                "message": "Shipped parcels, or parcels being shipped, can no longer be "
                "cancelled.",
            }
        if status == NO_LABEL:
            del self.parcels[parcel_id]
            return 200, {"status": "deleted", "message": "Parcel has been deleted"}
        self.set_status(parcel, CANCELLED)
        return 200, {"status": "cancelled", "message": "Parcel has been cancelled"}

    def set_status(self, parcel, status_id, tracking_number=None):
        """Move a parcel on (what the carrier's scans do); a tracking number may arrive now."""
        if status_id not in STATUSES:
            raise SendcloudError(400, f"Unknown parcel status {status_id}.")
        parcel["status"] = {"id": status_id, "message": STATUSES[status_id]}
        if tracking_number is not None:
            parcel["tracking_number"] = tracking_number
            parcel["tracking_url"] = self.tracking_url(tracking_number)
            if parcel.get("collo_count", 1) > 1:
                parcel["colli_tracking_number"] = tracking_number
        parcel["date_updated"] = _now_text()

    def statuses(self):
        return [{"id": key, "message": message} for key, message in STATUSES.items()]
