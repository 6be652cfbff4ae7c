"""The in-memory store of one simulated seller account, guarded by a single lock.

Handlers take ``state.lock`` around read-modify-write sequences; the store itself is plain
dicts so that ``GET /_sandbox/state`` can dump it as JSON.
"""

import collections
import copy
import os
import secrets
import threading
import time

from . import catalog, seed
from .ratelimit import RateLimiter
from .timeutil import now

DEFAULT_CONFIG = {
    "rate_limits": True,
    # {operationId: [rate, burst]} replacing Amazon's usage plans (a test's faster Amazon).
    "rate_plans": {},
    "feed_processing_seconds": 0.0,
    "report_processing_seconds": 0.0,
    "cancel_empty_reports": True,
    "orders_page_size": 0,
    "listing_creation_seconds": 1.0,
    # SQS endpoint ORDER_CHANGE notifications are published to (moto's server in tests).
    "sqs_endpoint": os.environ.get("STOCKAGILE_SQS_URL", ""),
    # The seller removed the app's authorisation (or its refresh token expired): LWA answers
    # invalid_grant and the access tokens it issued are refused (POST /_sandbox/authorization).
    "authorization_revoked": False,
}
REQUEST_LOG_SIZE = 20000
TOKEN_LIFETIME = 3600


class SandboxState:
    """All mutable sandbox data plus the helpers that several APIs share."""

    def __init__(self, seed_name="default", generate_listings=0):
        self.lock = threading.RLock()
        self.limiter = RateLimiter()
        # Issued LWA access tokens survive resets: they belong to the auth server, and the
        # client library caches tokens process-wide.
        self.access_tokens: dict[str, float] = {}
        #: grantless tokens (scope sellingpartnerapi::notifications) -> expiry
        self.grantless_tokens: dict[str, float] = {}
        self._counter = 0
        self.reset(seed_name, generate_listings)

    # ----------------------------------------------------------------------------- reset
    def reset(self, seed_name="default", generate_listings=0):
        """Back to the seed: data, faults, request log, rate buckets and config."""
        if seed_name not in ("default", "empty"):
            raise ValueError("seed must be 'default' or 'empty'")
        with self.lock:
            self.seed_name = seed_name
            self.listings: dict[str, dict] = {}
            self.orders: dict[str, dict] = {}
            self.returns: list[dict] = []
            self.catalog: dict[str, dict] = catalog.default_catalog()
            #: keys of listings created with putListingsItem and not yet published
            self.publishing: set[str] = set()
            if seed_name == "default":
                self.listings.update(seed.default_listings())
                self.orders.update(seed.default_orders())
                self.returns.extend(seed.default_returns())
            self.listings.update(seed.generated_listings(int(generate_listings or 0)))
            self.documents: dict[str, dict] = {}
            self.feeds: dict[str, dict] = {}
            self.reports: dict[str, dict] = {}
            self.shipments: list[dict] = []
            #: UPLOAD_VAT_INVOICE documents Amazon took or failed (see vat_invoices.py)
            self.vat_invoices: list[dict] = []
            self.faults: list[dict] = []
            #: Notifications API: destinationId -> Destination, notificationType -> Subscription
            self.destinations: dict[str, dict] = {}
            self.subscriptions: dict[str, dict] = {}
            #: every ORDER_CHANGE publication attempt (see notifier.py) and queued faults
            self.notifications: list[dict] = []
            self.notification_faults: list[dict] = []
            #: orderId -> body of the last ORDER_CHANGE published (for out_of_order)
            self.last_notification: dict[str, str] = {}
            self.requests = collections.deque(maxlen=REQUEST_LOG_SIZE)
            self.config = dict(DEFAULT_CONFIG)
            self.limiter.reset()

    # ------------------------------------------------------------------------- identifiers
    def next_number(self) -> int:
        """Monotonic counter for ids that must be unique within the process."""
        with self.lock:
            self._counter += 1
            return self._counter

    def new_id(self, kind: str) -> str:
        """Amazon-looking identifiers: numeric feed/report ids, opaque document ids."""
        number = self.next_number()
        if kind in ("feed", "report"):
            return str(50000000000 + number * 7919)
        if kind == "document":
            return f"amzn1.tortuga.4.eu.{secrets.token_hex(16)}.T{number:04d}SANDBOX"
        return f"{kind}-{number}-{secrets.token_hex(4)}"

    # ------------------------------------------------------------------------------ tokens
    def issue_access_token(self) -> tuple[str, int]:
        """A fresh ``Atza|`` token valid for one hour."""
        token = "Atza|" + secrets.token_urlsafe(48)
        with self.lock:
            self.access_tokens[token] = time.time() + TOKEN_LIFETIME
        return token, TOKEN_LIFETIME

    def issue_grantless_token(self) -> tuple[str, int]:
        """A fresh token of scope ``sellingpartnerapi::notifications``, valid for one hour."""
        token = "Atc|" + secrets.token_urlsafe(48)
        with self.lock:
            self.grantless_tokens[token] = time.time() + TOKEN_LIFETIME
        return token, TOKEN_LIFETIME

    def token_status(self, token, grantless=False) -> str:
        """``valid``, ``expired`` or ``unknown`` for an ``x-amz-access-token`` value.

        ``grantless``: the operation takes a grantless token (a seller token is refused).
        """
        tokens = self.grantless_tokens if grantless else self.access_tokens
        expiry = tokens.get(token or "")
        if expiry is None:
            return "unknown"
        return "valid" if expiry > time.time() else "expired"

    # ------------------------------------------------------------------------------ faults
    def take_fault(self, operation: str, is_sp_api: bool):
        """Consume the first queued fault matching this operation (``*`` = any SP-API call)."""
        with self.lock:
            for fault in self.faults:
                target = fault["operation"]
                if target == operation or (target == "*" and is_sp_api):
                    if fault.get("after", 0) > 0:
                        fault["after"] -= 1
                        return None
                    fault["count"] -= 1
                    if fault["count"] <= 0:
                        self.faults.remove(fault)
                    return dict(fault)
        return None

    # --------------------------------------------------------------------------- snapshot
    def snapshot(self) -> dict:
        """Deep copy of everything, for ``GET /_sandbox/state``."""
        with self.lock:
            documents = {
                doc_id: {k: v for k, v in doc.items() if k != "content"}
                | {"size": len(doc.get("content") or b"")}
                for doc_id, doc in self.documents.items()
            }
            return copy.deepcopy(
                {
                    "time": now().isoformat(),
                    "seed": self.seed_name,
                    "config": self.config,
                    "listings": self.listings,
                    "catalog": self.catalog,
                    "orders": self.orders,
                    "shipments": self.shipments,
                    "vatInvoices": self.vat_invoices,
                    "feeds": self.feeds,
                    "reports": self.reports,
                    "documents": documents,
                    "returns": self.returns,
                    "destinations": self.destinations,
                    "subscriptions": self.subscriptions,
                    "faults": self.faults,
                    "requestCount": len(self.requests),
                }
            )
