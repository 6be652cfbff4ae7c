"""HTTP layer: routing, authentication, fault injection, rate limiting and the request log.

The routes are :func:`amazon_sandbox.api.route_table`'s (the API modules list them there); their
handlers take a :class:`Request` and return a :class:`Response` or raise :class:`ApiError`.
Control routes (``/_sandbox``) are never logged, never faulted.
"""

import json
import sys
import threading
import time
import traceback
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from . import creation_ops
from .api import Route, feeds, reports, route_table
from .api.notifications import GRANTLESS_OPERATIONS
from .faults import ANSWER_FAULTS, fault_response, rewrite_document_url
from .ratelimit import rate_header
from .responses import ApiError, Response, bad_request, errors_response, json_response
from .state import SandboxState
from .timeutil import iso, now

SECRET_KEYS = {
    "client_secret",
    "refresh_token",
    "access_token",
    "x-amz-access-token",
    "code",
    "assertion",
}
MASK = "***"


@dataclass
class Request:
    """A parsed incoming request as handlers see it."""

    method: str
    path: str
    query: dict
    headers: object
    raw_body: bytes
    params: dict
    state: SandboxState
    base_url: str
    _json: object = None

    def json(self, required=True):
        """The JSON body; a body that is absent or not JSON is Amazon's 400."""
        if self._json is not None:
            return self._json
        if not self.raw_body:
            if required:
                raise bad_request("The request body is missing.")
            return None
        try:
            self._json = json.loads(self.raw_body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise bad_request("The request body is not valid JSON.", str(exc)) from None
        return self._json

    def first(self, name, default=None):
        """Single-valued query parameter."""
        values = self.query.get(name)
        return values[0] if values else default

    def csv(self, name) -> list:
        """Array query parameter: accepts ``a,b`` (the model's csv format) and repeated keys."""
        result = []
        for value in self.query.get(name, []):
            result.extend(part.strip() for part in value.split(",") if part.strip())
        return result


def mask_secrets(value):
    """Recursively replace secret values so the request log never holds credentials."""
    if isinstance(value, dict):
        return {
            k: (MASK if str(k).lower() in SECRET_KEYS else mask_secrets(v))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [mask_secrets(v) for v in value]
    return value


def flat_query(query: dict) -> dict:
    """Query as logged: single values as strings, repeated keys as lists."""
    return {k: (v[0] if len(v) == 1 else v) for k, v in query.items()}


def advance_jobs(state: SandboxState):
    """Let feeds and reports progress on the clock before any request is served."""
    feeds.advance(state)
    reports.advance(state)
    creation_ops.advance(state)


class SandboxServer(ThreadingHTTPServer):
    """Threading HTTP server holding the state and the route table."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, host="127.0.0.1", port=0, seed_name="default", generate_listings=0):
        self.state = SandboxState(seed_name, generate_listings)
        self.routes = route_table()
        super().__init__((host, port), SandboxHandler)
        bound_host, bound_port = self.server_address[:2]
        self.base_url = f"http://{bound_host}:{bound_port}"

    def match(self, method: str, path: str):
        """(route, path params) or (None, None); a known path with another verb is a 405."""
        path_known = False
        for route in self.routes:
            found = route.pattern.match(path)
            if found:
                path_known = True
                if route.method == method:
                    return route, found.groupdict()
        return None, ("method" if path_known else None)


class SandboxHandler(BaseHTTPRequestHandler):
    """Turns HTTP exchanges into Request objects and runs the pipeline."""

    protocol_version = "HTTP/1.1"
    server_version = "AmazonSandbox/1.0"

    def log_message(self, format, *args):
        """Silence the per-request stderr line; the request log is the record."""

    def do_GET(self):
        self._handle()

    def do_POST(self):
        self._handle()

    def do_PUT(self):
        self._handle()

    def do_PATCH(self):
        self._handle()

    def do_DELETE(self):
        self._handle()

    # ---------------------------------------------------------------------------- pipeline
    def _handle(self):
        server: SandboxServer = self.server
        split = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw_body = self.rfile.read(length) if length else b""
        route, params = server.match(self.command, split.path)
        request = Request(
            self.command,
            split.path,
            parse_qs(split.query, keep_blank_values=True),
            self.headers,
            raw_body,
            params if route else {},
            server.state,
            server.base_url,
        )
        if route is None:
            status = 405 if params == "method" else 404
            message = "Method not allowed." if status == 405 else "Resource not found."
            self._send(
                errors_response(status, "NotFound" if status == 404 else "InvalidInput", message)
            )
            return
        advance_jobs(server.state)
        if route.kind == "control":
            self._send(self._run(route, request))
            return
        request_id = str(uuid.uuid4())
        response = self._serve_api(route, request)
        response.headers.setdefault("x-amzn-RequestId", request_id)
        self._record(route, request, response, request_id)
        self._send(response)

    def _serve_api(self, route: Route, request: Request) -> Response:
        """Faults first (they model the network/edge), then auth, then quota, then the call."""
        state = request.state
        fault = state.take_fault(route.operation, route.kind == "sp")
        if fault:
            time.sleep(float(fault.get("delay") or 0))
            if fault["kind"] in ANSWER_FAULTS:
                return rewrite_document_url(self._serve_call(route, request), fault)
            if fault["kind"] != "slow":
                return fault_response(
                    fault["kind"], route.operation, fault, state.config.get("rate_plans")
                )
        return self._serve_call(route, request)

    def _serve_call(self, route: Route, request: Request) -> Response:
        """Auth and quota of SP-API calls, then the handler."""
        state = request.state
        if route.kind == "sp":
            denied = self._check_token(state, route.operation)
            if denied:
                return denied
            plans = state.config.get("rate_plans")
            if state.config.get("rate_limits") and not state.limiter.allow(route.operation, plans):
                resp = errors_response(
                    429, "QuotaExceeded", "You exceeded your quota for the requested resource."
                )
                resp.headers["x-amzn-RateLimit-Limit"] = rate_header(route.operation, plans)
                return resp
        response = self._run(route, request)
        if route.kind == "sp":
            response.headers.setdefault(
                "x-amzn-RateLimit-Limit",
                rate_header(route.operation, state.config.get("rate_plans")),
            )
        return response

    def _check_token(self, state: SandboxState, operation: str):
        """403 unless ``x-amz-access-token`` is a token this sandbox issued and still valid.

        Grantless operations (Notifications destinations...) take a grantless token only.
        """

        grantless = operation in GRANTLESS_OPERATIONS
        if not grantless and state.config.get("authorization_revoked"):
            # Amazon refuses the tokens of a revoked authorisation, valid or not.
            return errors_response(403, "Unauthorized", "Access to requested resource is denied.")
        status = state.token_status(self.headers.get("x-amz-access-token"), grantless)
        if status == "valid":
            return None
        if status == "expired":
            return errors_response(
                403, "Unauthorized", "The access token you provided has expired."
            )
        return errors_response(403, "Unauthorized", "Access to requested resource is denied.")

    def _run(self, route: Route, request: Request) -> Response:
        """Call the handler; map ApiError and unexpected crashes to error bodies."""
        try:
            return route.handler(request)
        except ApiError as exc:
            if route.kind == "control":
                return json_response({"error": exc.message}, exc.status)
            return errors_response(exc.status, exc.code, exc.message, exc.details)
        except Exception:
            traceback.print_exc(file=sys.stderr)
            return errors_response(
                500, "InternalFailure", "We encountered an internal error. Please try again."
            )

    def _record(self, route: Route, request: Request, response: Response, request_id: str):
        """Append one masked entry to the request log."""
        entry = {
            "time": iso(now()),
            "method": request.method,
            "path": request.path,
            "operation": route.operation,
            "query": mask_secrets(flat_query(request.query)),
            "body": mask_secrets(_loggable_body(route, request)),
            "status": response.status,
            "requestId": request_id,
        }
        with request.state.lock:
            request.state.requests.append(entry)

    def _send(self, response: Response):
        """Write status, headers and body (always with Content-Length for keep-alive)."""
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if response.body and self.command != "HEAD":
            self.wfile.write(response.body)


def _loggable_body(route: Route, request: Request):
    """JSON or form bodies as data; document bytes only as their size."""
    if not request.raw_body:
        return None
    if route.kind == "doc":
        return {"bytes": len(request.raw_body)}
    if route.kind == "lwa":
        return {k: v[0] for k, v in parse_qs(request.raw_body.decode("utf-8", "replace")).items()}
    try:
        return json.loads(request.raw_body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return {"raw": request.raw_body[:200].decode("utf-8", "replace")}


def serve(host="127.0.0.1", port=0, seed_name="default", generate_listings=0, ready=None):
    """Create the server; ``ready(server)`` is called once it listens. Blocks until shutdown."""
    server = SandboxServer(host, port, seed_name, generate_listings)
    if ready:
        ready(server)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
    return server


def start_in_thread(host="127.0.0.1", port=0, **kwargs) -> SandboxServer:
    """In-process server on a daemon thread (handy for debugging; tests use a subprocess)."""
    server = SandboxServer(host, port, **kwargs)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
