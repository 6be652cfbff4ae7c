"""HTTP layer: routing, HTTP Basic authentication, rate limits (429), faults, the request log,
label PDFs, the control API (``/_sandbox``) and signed status webhooks sent to a shop.

Routes are data (method, path regex, operation name, handler); handlers take the
:class:`Call` and return ``(status, json_body)`` or raise :class:`SendcloudError`.
"""

import base64
import hashlib
import hmac
import json
import re
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from .state import SendcloudError, SendcloudState

API = "/api/v2"
WEBHOOK_TIMEOUT = 30
#: A fault of kind ``timeout``: the operation is done but its answer never comes (the connection
#: is held ``seconds``, then closed).
TIMEOUT = object()


class Call:
    """One incoming request as handlers see it."""

    def __init__(self, handler, method, path, query, raw_body, params):
        self.method, self.path, self.query = method, path, query
        self.raw_body, self.params = raw_body, params
        self.state = handler.server.state
        self.base_url = handler.server.base_url

    def json(self, required=True):
        if not self.raw_body:
            if required:
                raise SendcloudError(400, "The request body is missing.")
            return None
        try:
            return json.loads(self.raw_body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise SendcloudError(400, "The request body is not valid JSON.") from None


# ---------------------------------------------------------------------------- label documents


def label_pdf(parcel):
    """A small, valid one-page PDF carrying the parcel's carrier, tracking number and address."""
    lines = [
        f"Sendcloud sandbox label - parcel {parcel['id']}",
        f"Carrier: {parcel['carrier']['code']}  Tracking: {parcel['tracking_number'] or '-'}",
        f"{parcel['name']}, {parcel['address']} {parcel.get('house_number') or ''}",
        f"{parcel['postal_code']} {parcel['city']} {parcel['country']['iso_2']}",
    ]
    text = "".join(
        f"BT /F1 11 Tf 20 {260 - 18 * i} Td ({_pdf_text(line)}) Tj ET\n"
        for i, line in enumerate(lines)
    )
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 298 298] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(text.encode('latin-1', 'replace'))} >>\nstream\n{text}endstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1", "replace")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    ).encode()
    return out


def _pdf_text(value):
    return str(value).replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


# ---------------------------------------------------------------------------- API handlers


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        raise SendcloudError(404, "Not found.") from None


def get_integrations(call):
    return 200, [dict(call.state.integration)]


def update_integration(call):
    if _int(call.params["id"]) != call.state.integration["id"]:
        raise SendcloudError(404, "No Integration matches the given query.")
    body = call.json()
    if not isinstance(body, dict):
        raise SendcloudError(400, "The body must be an object.")
    allowed = {"shop_name", "shop_url", "webhook_active", "webhook_url", "service_point_enabled"}
    call.state.integration.update({k: v for k, v in body.items() if k in allowed})
    return 200, dict(call.state.integration)


def integration_shipments(call):
    if _int(call.params["id"]) != call.state.integration["id"]:
        raise SendcloudError(404, "No Integration matches the given query.")
    body = call.json()
    if not isinstance(body, list):
        raise SendcloudError(400, "Expected a list of shipments.")
    return 200, call.state.upsert_shipments(body)


def delete_integration_shipments(call):
    return 200, call.state.delete_shipments(call.json())


def shipping_methods(call):
    return 200, {"shipping_methods": call.state.shipping_methods()}


def shipping_method(call):
    methods = call.state.shipping_methods(_int(call.params["id"]))
    if not methods:
        raise SendcloudError(404, "No ShippingMethod matches the given query.")
    return 200, {"shipping_method": methods[0]}


def sender_addresses(call):
    return 200, {"sender_addresses": call.state.sender_addresses()}


def empty_list(name):
    def handler(call):
        return 200, {name: [], "next": None, "previous": None}

    return handler


def create_parcels(call, refusal=None):
    return 200, call.state.create_parcels(call.json(), call.base_url, refusal=refusal)


def get_parcels(call):
    """``GET /parcels`` with Sendcloud's filters (``external_reference``, ``order_number``,
    ``tracking_number``, ``ids``, ``parcel_status``); without one, every parcel."""

    def one(name):
        return call.query[name][0] if name in call.query else None

    status = one("parcel_status")
    ids = one("ids")
    try:
        ids = None if ids is None else {int(i) for i in ids.split(",") if i.strip()}
        status = None if status is None else int(status)
    except ValueError:
        raise SendcloudError(400, "ids and parcel_status are integers.") from None
    parcels = call.state.find_parcels(
        external_reference=one("external_reference"),
        order_number=one("order_number"),
        tracking_number=one("tracking_number"),
        ids=ids,
        parcel_status=status,
        active_only=False,
    )
    return 200, {"parcels": parcels, "next": None, "previous": None}


def get_parcel(call):
    return 200, {"parcel": call.state.parcel(_int(call.params["id"]))}


def cancel_parcel(call):
    return call.state.cancel_parcel(_int(call.params["id"]))


def parcel_statuses(call):
    return 200, call.state.statuses()


def return_portal_url(call):
    call.state.parcel(_int(call.params["id"]))
    return 200, {"url": None}


def label(call):
    parcel = call.state.parcel(_int(call.params["id"]))
    if not parcel["label"]["label_printer"]:
        raise SendcloudError(404, "This parcel has no label.")
    return 200, label_pdf(parcel)


ROUTES = [
    ("GET", r"/integrations", "getIntegrations", get_integrations),
    ("PUT", r"/integrations/(?P<id>\d+)", "updateIntegration", update_integration),
    ("POST", r"/integrations/(?P<id>\d+)/shipments", "upsertShipments", integration_shipments),
    (
        "POST",
        r"/integrations/(?P<id>\d+)/shipments/delete",
        "deleteShipments",
        delete_integration_shipments,
    ),
    ("GET", r"/shipping_methods", "getShippingMethods", shipping_methods),
    ("GET", r"/shipping_methods/(?P<id>\d+)", "getShippingMethod", shipping_method),
    ("GET", r"/user/addresses/sender", "getSenderAddresses", sender_addresses),
    ("GET", r"/user/invoices", "getInvoices", empty_list("invoices")),
    ("GET", r"/brands", "getBrands", empty_list("brands")),
    ("GET", r"/returns", "getReturns", empty_list("returns")),
    ("POST", r"/parcels", "createParcels", create_parcels),
    ("GET", r"/parcels", "getParcels", get_parcels),
    ("GET", r"/parcels/statuses", "getParcelStatuses", parcel_statuses),
    ("GET", r"/parcels/(?P<id>\d+)", "getParcel", get_parcel),
    ("POST", r"/parcels/(?P<id>\d+)/cancel", "cancelParcel", cancel_parcel),
    ("GET", r"/parcels/(?P<id>\d+)/return_portal_url", "getReturnPortalUrl", return_portal_url),
    ("GET", r"/labels/label_printer/(?P<id>\d+)", "getLabel", label),
    ("GET", r"/labels/normal_printer/(?P<id>\d+)", "getLabel", label),
]
COMPILED = [(m, re.compile(p + "/?$"), op, h) for m, p, op, h in ROUTES]


# ---------------------------------------------------------------------------- webhooks


def sign(secret_key, body):
    """``Sendcloud-Signature``: HMAC-SHA256 of the raw body with the integration's secret key."""
    return hmac.new(secret_key.encode(), body, hashlib.sha256).hexdigest()


def send_webhook(state, request):
    """Move a parcel to a status and POST Sendcloud's ``parcel_status_changed`` to a shop.

    The body is ``json.dumps(payload)`` with the default separators, signed with the secret key
    (or a wrong one when ``forge`` is set, to test that the shop refuses it).
    """
    url = request.get("url") or state.integration.get("webhook_url")
    if not url:
        raise SendcloudError(400, 'No "url" and no webhook_url on the integration.')
    with state.lock:
        parcel = state.parcel(_int(request.get("parcel_id")))
        tracking = request.get("tracking_number")
        if tracking is None and not parcel["tracking_number"]:
            tracking = state.tracking_number(parcel["id"])
        state.set_status(parcel, int(request.get("status_id") or 1000), tracking)
        payload = {
            "action": "parcel_status_changed",
            "timestamp": int(time.time() * 1000),
            "parcel": json.loads(json.dumps(parcel)),
        }
    body = json.dumps(payload).encode()
    key = "forged-" + state.secret_key if request.get("forge") else state.secret_key
    headers = {"Content-Type": "application/json", "Sendcloud-Signature": sign(key, body)}
    answer = {"url": url, "payload": payload, "signature": headers["Sendcloud-Signature"]}
    try:
        with urllib.request.urlopen(
            urllib.request.Request(url, data=body, headers=headers, method="POST"),
            timeout=WEBHOOK_TIMEOUT,
        ) as response:
            answer.update(status=response.status, body=response.read().decode(errors="replace"))
    except urllib.error.HTTPError as error:
        answer.update(status=error.code, body=error.read().decode(errors="replace"))
    except (urllib.error.URLError, OSError) as error:
        answer.update(status=0, body=str(error))
    with state.lock:
        state.webhooks.append({k: answer[k] for k in ("url", "status", "signature")})
    return answer


# ---------------------------------------------------------------------------- control API


def control(state, method, path, body):
    """``/_sandbox/...`` (JSON in, JSON out; never authenticated, limited or logged)."""
    with state.lock:
        if (method, path) == ("POST", "/reset"):
            state.reset()
            return 200, {"ok": True}
        if (method, path) == ("GET", "/health"):
            return 200, {"ok": True}
        if (method, path) == ("GET", "/state"):
            return 200, {
                "integration": state.integration,
                "parcels": sorted(state.parcels.values(), key=lambda p: p["id"]),
                "shipments": list(state.shipments.values()),
                "config": state.config,
                "faults": state.faults,
                "webhooks": state.webhooks,
                "keys": {"public_key": state.public_key},
            }
        if (method, path) == ("GET", "/parcels"):
            return 200, sorted(state.parcels.values(), key=lambda p: p["id"])
        if path == "/requests":
            if method == "DELETE":
                state.requests.clear()
                return 200, {"ok": True}
            return 200, list(state.requests)
        if path == "/faults":
            if method == "DELETE":
                state.faults.clear()
            elif method == "POST":
                fault = dict({"operation": "*", "kind": "refuse", "count": 1}, **(body or {}))
                if fault["kind"] not in ("refuse", "throttle", "error500", "timeout"):
                    return 400, {"error": f"unknown fault kind {fault['kind']!r}"}
                state.faults.append(fault)
            return 200, state.faults
        if path == "/config":
            if method == "POST":
                state.config.update(body or {})
                if "secret_key" in (body or {}):
                    state.secret_key = state.config.pop("secret_key")
                if "public_key" in (body or {}):
                    state.public_key = state.config.pop("public_key")
                state.reset_rate_limits()
            return 200, state.config
        match = re.fullmatch(r"/parcels/(\d+)", path)
        if match and method == "PATCH":
            parcel = state.parcel(int(match.group(1)))
            state.set_status(parcel, int(body.get("status_id")), body.get("tracking_number"))
            return 200, parcel
    if (method, path) == ("POST", "/webhook"):
        return 200, send_webhook(state, body or {})
    return 404, {"error": f"no control endpoint {method} {path}"}


# ---------------------------------------------------------------------------- HTTP


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):
        pass

    def _answer(self, status, body, content_type="application/json"):
        if isinstance(body, bytes):
            data = body
        else:
            data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _handle(self, method):
        split = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        state = self.server.state
        if split.path.startswith("/_sandbox/"):
            try:
                body = json.loads(raw) if raw else None
                status, answer = control(state, method, split.path[len("/_sandbox") :], body)
            except SendcloudError as error:
                status, answer = error.status, error.body(split.path)
            except (ValueError, TypeError, KeyError) as error:
                status, answer = 400, {"error": str(error)}
            return self._answer(status, answer)
        if not split.path.startswith(API):
            return self._answer(404, {"error": {"code": 404, "message": "Not found."}})
        path = split.path[len(API) :]
        found = next(
            (
                (route, route[1].match(path))
                for route in COMPILED
                if route[0] == method and route[1].match(path)
            ),
            None,
        )
        if found is None:
            return self._answer(404, {"error": {"code": 404, "message": "Not found."}})
        (_method, _pattern, operation, handler), match = found
        call = Call(self, method, split.path, parse_qs(split.query), raw, match.groupdict())
        status, answer = self._dispatch(state, call, operation, handler)
        timeout = status is TIMEOUT
        with state.lock:
            state.requests.append(
                {
                    "time": time.time(),
                    "method": method,
                    "path": split.path,
                    "query": split.query,
                    "operation": operation,
                    "body": raw.decode("utf-8", "replace"),
                    "status": 0 if timeout else status,
                }
            )
        if timeout:
            # No answer at all: the connection is held, then closed (what a client whose own
            # timeout expires sees). The operation was done (a parcel created...), its answer lost.
            time.sleep(float(answer.get("seconds") or 0))
            self.close_connection = True
            return None
        content_type = "application/pdf" if isinstance(answer, bytes) else "application/json"
        return self._answer(status, answer, content_type)

    def _dispatch(self, state, call, operation, handler):
        if not self._authenticated(state):
            return 401, {
                "error": {
                    "code": 401,
                    "request": call.path.lstrip("/"),
                    "message": "Invalid username/password.",
                }
            }
        with state.lock:
            if not state.allow(call.method):
                return 429, {"error": {"code": 429, "message": "Too many requests, slow down."}}
            fault = state.take_fault(operation)
            try:
                if fault and fault["kind"] == "throttle":
                    return 429, {"error": {"code": 429, "message": "Too many requests."}}
                if fault and fault["kind"] == "error500":
                    return 500, {"error": {"code": 500, "message": "Internal server error."}}
                if fault and fault["kind"] == "timeout":
                    handler(call)  # Sendcloud did the work; its answer never arrives
                    return TIMEOUT, fault
                if fault and operation == "createParcels":
                    refusal = (fault.get("field"), fault.get("message") or "Refused by carrier.")
                    return handler(call, refusal=refusal)
                if fault:
                    raise SendcloudError(400, fault.get("message") or "Refused.")
                return handler(call)
            except SendcloudError as error:
                return error.status, error.body(call.path)

    def _authenticated(self, state):
        header = self.headers.get("Authorization") or ""
        if not header.startswith("Basic "):
            return False
        try:
            user, _sep, password = base64.b64decode(header[6:]).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return False
        return hmac.compare_digest(user, state.public_key) and hmac.compare_digest(
            password, state.secret_key
        )

    def do_GET(self):
        self._handle("GET")

    def do_POST(self):
        self._handle("POST")

    def do_PUT(self):
        self._handle("PUT")

    def do_PATCH(self):
        self._handle("PATCH")

    def do_DELETE(self):
        self._handle("DELETE")


class SendcloudServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, host, port):
        super().__init__((host, port), Handler)
        self.state = SendcloudState()
        self.base_url = f"http://{host}:{self.server_address[1]}"


def serve(host="127.0.0.1", port=8898, ready=None):
    """Serve until interrupted; ``ready(server)`` is called once listening."""
    server = SendcloudServer(host, port)
    if ready:
        ready(server)
    try:
        server.serve_forever()
    finally:
        server.server_close()


def serve_in_thread(host="127.0.0.1", port=0):
    """Start a server in a daemon thread (for pytest); return it (``.shutdown()`` to stop)."""
    server = SendcloudServer(host, port)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
