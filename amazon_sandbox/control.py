"""``SandboxControl(url)``: a thin urllib client for every ``/_sandbox`` endpoint."""

import json
import urllib.error
import urllib.request
from urllib.parse import quote, urlencode


class SandboxControlError(RuntimeError):
    """A control call answered with an HTTP error (``.status``, ``.body``)."""

    def __init__(self, status, body):
        super().__init__(f"sandbox control error {status}: {body}")
        self.status = status
        self.body = body


class SandboxControl:
    """Drive a running sandbox: reset it, seed data, inject faults, read what happened."""

    def __init__(self, url: str, timeout: float = 30.0):
        self.url = url.rstrip("/")
        self.timeout = timeout

    def _call(self, method: str, path: str, body=None, query=None):
        url = f"{self.url}/_sandbox{path}"
        if query:
            url += "?" + urlencode(query)
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(
            url, data=data, method=method, headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as exc:
            raw = exc.read()
            try:
                payload = json.loads(raw)
            except ValueError:
                payload = raw.decode("utf-8", "replace")
            raise SandboxControlError(exc.code, payload) from None
        return json.loads(raw) if raw else None

    # -------------------------------------------------------------------------- lifecycle
    def reset(self, seed: str = "default", generate_listings: int = 0):
        return self._call("POST", "/reset", {"seed": seed, "generate_listings": generate_listings})

    def state(self):
        return self._call("GET", "/state")

    def config(self, **settings):
        """Merge settings (rate_limits, feed_processing_seconds, ...); no args = read."""
        if not settings:
            return self._call("GET", "/config")
        return self._call("POST", "/config", settings)

    def finish_jobs(self):
        """Amazon finishes every feed and report still processing (at the next request)."""
        return self._call("POST", "/jobs/finish")

    def revoke_authorization(self, revoked: bool = True):
        """The seller removes (``True``) or gives back (``False``) the app's authorisation."""
        return self._call("POST", "/authorization", {"revoked": revoked})

    # ---------------------------------------------------------------------------- listings
    def listing(self, sku: str, marketplace_id: str | None = None):
        """The flat listing record, or None when the SKU does not exist (in that marketplace)."""
        query = {"marketplaceId": marketplace_id} if marketplace_id else None
        try:
            return self._call("GET", f"/listings/{quote(sku, safe='')}", query=query)
        except SandboxControlError as exc:
            if exc.status == 404:
                return None
            raise

    def listings(self):
        return self._call("GET", "/listings")

    def put_listing(self, sku: str, **fields):
        return self._call("PUT", f"/listings/{quote(sku, safe='')}", fields)

    def publish(self, sku: str):
        """Finish Amazon's processing of a listing created with putListingsItem now."""
        return self._call("POST", f"/listings/{quote(sku, safe='')}/publish")

    def catalog(self):
        return self._call("GET", "/catalog")

    def add_catalog_item(self, asin: str, ean: str, product_type: str, title: str, brand=""):
        return self._call(
            "POST",
            "/catalog",
            {"asin": asin, "ean": ean, "productType": product_type, "title": title, "brand": brand},
        )

    # ---------------------------------------------------------------------------- requests
    def requests(self, operation: str | None = None):
        return self._call("GET", "/requests", query={"operation": operation} if operation else None)

    def clear_requests(self):
        return self._call("DELETE", "/requests")

    # ------------------------------------------------------------------------------ faults
    def add_fault(
        self,
        operation: str,
        kind: str,
        count: int = 1,
        delay: float = 0,
        after: int = 0,
        **params,
    ):
        """Queue a fault; ``params`` are the kind's own (``url``, ``size`` of document faults)."""
        return self._call(
            "POST",
            "/faults",
            {
                "operation": operation,
                "kind": kind,
                "count": count,
                "delay": delay,
                "after": after,
                **params,
            },
        )

    def faults(self):
        return self._call("GET", "/faults")

    def clear_faults(self):
        return self._call("DELETE", "/faults")

    # ------------------------------------------------------------------------------ orders
    def add_orders(self, orders):
        return self._call("POST", "/orders", list(orders))

    def order(self, order_id: str):
        return self._call("GET", f"/orders/{quote(order_id, safe='')}")

    def patch_order(self, order_id: str, fields: dict):
        return self._call("PATCH", f"/orders/{quote(order_id, safe='')}", fields)

    def buyer_request(self, order_id: str, kind: str, delivery_address=None, reason=None):
        """The buyer asks for a new ``delivery_address`` (``kind="address"``) or a
        cancellation (``kind="cancel"``): Amazon publishes a BuyerRequestedChange."""
        body = {"type": kind}
        if delivery_address is not None:
            body["deliveryAddress"] = delivery_address
        if reason:
            body["reason"] = reason
        return self._call("POST", f"/orders/{quote(order_id, safe='')}/buyer-requests", body)

    def shipments(self):
        return self._call("GET", "/shipments")

    # ----------------------------------------------------------------------------- returns
    def add_returns(self, rows):
        return self._call("POST", "/returns", list(rows))

    def returns(self):
        return self._call("GET", "/returns")

    # ----------------------------------------------------------------------- notifications
    def notifications(self):
        """Every ORDER_CHANGE publication attempt (``status``, ``fault``, ``body``...)."""
        return self._call("GET", "/notifications")

    def send_notification(self, body: str, order_id=None):
        """Send ``body`` as it is to the ORDER_CHANGE subscription's queue."""
        return self._call("POST", "/notifications", {"body": body, "orderId": order_id})

    def add_notification_fault(self, kind: str, count: int = 1):
        """``duplicate``, ``out_of_order``, ``malformed`` or ``sqs_down`` for the next ``count``."""
        return self._call("POST", "/notifications/faults", {"kind": kind, "count": count})

    def clear_notification_faults(self):
        return self._call("DELETE", "/notifications/faults")
