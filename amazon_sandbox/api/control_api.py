"""The ``/_sandbox`` control API used by tests and demos (JSON in, JSON out)."""

import copy
from urllib.parse import unquote

from .. import notifier
from ..faults import FAULT_KINDS, GZIP_BOMB_SIZE
from ..jobs import TERMINAL
from ..listing_ops import find_listing, listing_key, refresh_status
from ..responses import ApiError, json_response
from ..returns_report import normalize_row
from ..seed import make_listing
from ..state import DEFAULT_CONFIG
from ..timeutil import iso, now, parse_iso


def _fail(status, message):
    return ApiError(status, "SandboxControl", message)


def _body(request, types=(dict,), required=False):
    body = request.json(required=required)
    if body is None:
        return {} if dict in types else []
    if not isinstance(body, types):
        raise _fail(400, f"body must be a JSON {' or '.join(t.__name__ for t in types)}")
    return body


def reset(request):
    """Back to a seed; body optional ``{"seed": "default"|"empty", "generate_listings": N}``."""
    body = _body(request)
    try:
        request.state.reset(body.get("seed", "default"), int(body.get("generate_listings") or 0))
    except ValueError as exc:
        raise _fail(400, str(exc)) from None
    return json_response(
        {"ok": True, "listings": len(request.state.listings), "orders": len(request.state.orders)}
    )


def get_state(request):
    return json_response(request.state.snapshot())


def health(request):
    return json_response({"ok": True})


def list_listings(request):
    with request.state.lock:
        return json_response(copy.deepcopy(list(request.state.listings.values())))


def get_listing(request):
    """One listing; ``?marketplaceId=`` picks the SKU's listing in that marketplace."""
    sku = unquote(request.params["sku"])
    marketplace_id = request.first("marketplaceId")
    with request.state.lock:
        if marketplace_id:
            listing = find_listing(request.state, sku, [marketplace_id])
        else:
            listing = request.state.listings.get(sku)
        if listing is None:
            raise _fail(404, f"unknown sku {sku}")
        return json_response(copy.deepcopy(listing))


def put_listing(request):
    """Create or replace one listing from flat fields (defaults as ``make_listing``)."""
    sku = unquote(request.params["sku"])
    body = _body(request, required=True)
    allowed = {
        "productType": "product_type",
        "quantity": "quantity",
        "price": "price",
        "currency": "currency",
        "marketplaceId": "marketplace_id",
        "asin": "asin",
        "itemName": "item_name",
    }
    listing = make_listing(sku, **{allowed[k]: v for k, v in body.items() if k in allowed})
    for key in ("attributes", "issues", "fulfillmentChannelCode", "conditionType"):
        if key in body:
            listing[key] = body[key]
    refresh_status(listing)
    with request.state.lock:
        # A SKU sold in several marketplaces has a listing in each (Amazon's model keeps offers
        # and fulfilment availability per marketplace): see ``listing_key``.
        request.state.listings[listing_key(request.state, sku, listing["marketplaceId"])] = listing
    return json_response(listing)


def publish_listing(request):
    """Finish Amazon's processing of a created listing now (ASIN + status)."""
    from ..creation_ops import publish

    sku = unquote(request.params["sku"])
    with request.state.lock:
        listing = request.state.listings.get(sku)
        if listing is None:
            raise _fail(404, f"unknown sku {sku}")
        if listing.get("publishAt") is not None:
            publish(request.state, listing)
        return json_response(copy.deepcopy(listing))


def get_catalog(request):
    with request.state.lock:
        return json_response(copy.deepcopy(list(request.state.catalog.values())))


def add_catalog_item(request):
    """Add one catalog item from ``{"asin", "ean", "productType", "title", "brand"}``."""
    from ..catalog import catalog_item

    body = _body(request, required=True)
    try:
        item = catalog_item(
            body["asin"], body["ean"], body["productType"], body["title"], body.get("brand", "")
        )
    except KeyError as exc:
        raise _fail(400, f"missing field {exc}") from None
    with request.state.lock:
        request.state.catalog[item["asin"]] = item
    return json_response(item)


def get_requests(request):
    operation = request.first("operation")
    with request.state.lock:
        entries = [
            e for e in request.state.requests if operation is None or e["operation"] == operation
        ]
        return json_response(copy.deepcopy(entries))


def clear_requests(request):
    with request.state.lock:
        request.state.requests.clear()
    return json_response({"ok": True})


def add_fault(request):
    """Queue one fault: ``{"operation", "kind", "count": 1, "delay": 0, "after": 0}``.

    ``after``: let that many matching calls through first (e.g. throttle the second page).
    Document faults (:mod:`amazon_sandbox.faults`) also take ``url`` (``document_url``,
    ``redirect``: where to point) and ``size`` (``gzip_bomb``: expanded bytes).
    """
    body = _body(request, required=True)
    kind, operation = body.get("kind"), body.get("operation")
    if kind not in FAULT_KINDS:
        raise _fail(400, f"kind must be one of {', '.join(FAULT_KINDS)}")
    if not isinstance(operation, str) or not operation:
        raise _fail(400, "operation is required (an operationId, '*' or 'lwaToken')")
    fault = {
        "operation": operation,
        "kind": kind,
        "count": int(body.get("count", 1)),
        "delay": float(body.get("delay", 0)),
        "after": int(body.get("after", 0)),
    }
    if fault["count"] < 1:
        raise _fail(400, "count must be >= 1")
    if fault["after"] < 0:
        raise _fail(400, "after must be >= 0")
    if kind in ("document_url", "redirect"):
        if not isinstance(body.get("url"), str) or not body["url"]:
            raise _fail(400, f"a {kind} fault needs the url to point to")
        fault["url"] = body["url"]
    if kind == "gzip_bomb":
        fault["size"] = int(body.get("size") or GZIP_BOMB_SIZE)
        if fault["size"] < 1:
            raise _fail(400, "size must be >= 1")
    with request.state.lock:
        request.state.faults.append(fault)
        return json_response({"ok": True, "faults": copy.deepcopy(request.state.faults)})


def get_faults(request):
    with request.state.lock:
        return json_response(copy.deepcopy(request.state.faults))


def clear_faults(request):
    with request.state.lock:
        request.state.faults.clear()
    return json_response({"ok": True})


def config(request):
    """Merge known config keys; GET returns the current config."""
    body = _body(request) if request.method == "POST" else {}
    unknown = set(body) - set(DEFAULT_CONFIG)
    if unknown:
        raise _fail(400, f"unknown config keys: {', '.join(sorted(unknown))}")
    with request.state.lock:
        request.state.config.update(body)
        return json_response(dict(request.state.config))


def finish_jobs(request):
    """Amazon finishes every feed and report still processing (at the next request): a test
    holds them with a long ``*_processing_seconds`` as long as it needs, then ends them."""
    with request.state.lock:
        pending = [
            job
            for job in (*request.state.feeds.values(), *request.state.reports.values())
            if job["processingStatus"] not in TERMINAL
        ]
        for job in pending:
            job["_duration"] = 0.0
    return json_response({"finishing": len(pending)})


def authorization(request):
    """``{"revoked": true}``: the seller removed the app's authorisation (its refresh token now
    gets LWA's ``invalid_grant``, its access tokens a 403); ``false`` authorises it again."""
    body = _body(request, required=True)
    if not isinstance(body.get("revoked"), bool):
        raise _fail(400, 'body must be {"revoked": true|false}')
    with request.state.lock:
        request.state.config["authorization_revoked"] = body["revoked"]
        return json_response({"revoked": body["revoked"]})


def add_orders(request):
    """Upsert orders given in the official 2026-01-01 ``Order`` shape."""
    body = _body(request, types=(list, dict), required=True)
    orders = body if isinstance(body, list) else [body]
    for order in orders:
        if (
            not isinstance(order, dict)
            or not isinstance(order.get("orderId"), str)
            or not isinstance(order.get("orderItems"), list)
        ):
            raise _fail(400, "each order needs at least orderId and orderItems")
    known = set()
    with request.state.lock:
        for order in orders:
            if order["orderId"] in request.state.orders:
                known.add(order["orderId"])
            stamp = iso(now())
            order.setdefault("createdTime", stamp)
            order.setdefault("lastUpdatedTime", order["createdTime"])
            _normalize_times(order)
            order.setdefault(
                "salesChannel",
                {
                    "channelName": "AMAZON",
                    "marketplaceId": "A1RKKUPIHCS9HS",
                    "marketplaceName": "Amazon.es",
                },
            )
            request.state.orders[order["orderId"]] = order
    for order in orders:
        reason = "Order updated" if order["orderId"] in known else "Order created"
        notifier.order_changed(request.state, copy.deepcopy(order), reason=reason)
    return json_response({"ok": True, "orderIds": [o["orderId"] for o in orders]})


def _normalize_times(order: dict):
    """Store order timestamps in Amazon's ``...Z`` form whatever ISO form they came in."""
    for key in ("createdTime", "lastUpdatedTime"):
        try:
            order[key] = iso(parse_iso(order[key]))
        except (KeyError, ValueError) as exc:
            raise _fail(400, f"invalid {key}: {exc}") from None


def _merge(target: dict, patch: dict):
    """Recursive dict merge (lists and scalars replace)."""
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = value


def patch_order(request):
    """Merge fields into an order and bump ``lastUpdatedTime`` (unless given)."""
    order_id = unquote(request.params["orderId"])
    body = _body(request, required=True)
    with request.state.lock:
        order = request.state.orders.get(order_id)
        if order is None:
            raise _fail(404, f"unknown order {order_id}")
        _merge(order, body)
        if "lastUpdatedTime" not in body:
            order["lastUpdatedTime"] = iso(now())
        _normalize_times(order)
        order = copy.deepcopy(order)
    cancelled = (order.get("fulfillment") or {}).get("fulfillmentStatus") == "CANCELLED"
    notifier.order_changed(
        request.state, order, reason="Order canceled" if cancelled else "Order updated"
    )
    return json_response(order)


def buyer_request(request):
    """The buyer asks Amazon for a change of an order; Amazon publishes a BuyerRequestedChange.

    Body ``{"type": "address", "deliveryAddress": {...}}`` (a new ``CustomerAddress``, merged
    into the order's recipient) or ``{"type": "cancel", "reason": "..."}`` (each unshipped item
    gets the buyer's ``cancellation.cancellationRequest``, as in the Orders API 2026-01-01).
    """
    order_id = unquote(request.params["orderId"])
    body = _body(request, required=True)
    kind = body.get("type")
    if kind not in ("address", "cancel"):
        raise _fail(400, "type must be 'address' or 'cancel'")
    with request.state.lock:
        order = request.state.orders.get(order_id)
        if order is None:
            raise _fail(404, f"unknown order {order_id}")
        if kind == "address":
            address = body.get("deliveryAddress")
            if not isinstance(address, dict):
                raise _fail(400, "deliveryAddress must be an object (a CustomerAddress)")
            order.setdefault("recipient", {}).setdefault("deliveryAddress", {}).update(address)
            reason = "Buyer Requested Address Change"
        else:
            reason = body.get("reason") or "Buyer Requested Cancel"
            for item in order.get("orderItems") or []:
                item.setdefault("cancellation", {})["cancellationRequest"] = {
                    "requester": "BUYER",
                    "cancelReason": reason,
                }
            reason = "Buyer Requested Cancel"
        order["lastUpdatedTime"] = iso(now())
        order = copy.deepcopy(order)
    notifier.order_changed(request.state, order, change_type="BuyerRequestedChange", reason=reason)
    return json_response(order)


def get_order(request):
    order_id = unquote(request.params["orderId"])
    with request.state.lock:
        order = request.state.orders.get(order_id)
        if order is None:
            raise _fail(404, f"unknown order {order_id}")
        return json_response(copy.deepcopy(order))


def get_shipments(request):
    with request.state.lock:
        return json_response(copy.deepcopy(request.state.shipments))


def add_returns(request):
    """Append return rows (snake_case keys or report column headers)."""
    body = _body(request, types=(list, dict), required=True)
    rows = body if isinstance(body, list) else [body]
    try:
        normalized = [normalize_row(row) for row in rows]
    except (ValueError, AttributeError) as exc:
        raise _fail(400, str(exc)) from None
    with request.state.lock:
        request.state.returns.extend(normalized)
        return json_response({"ok": True, "returns": len(request.state.returns)})


def get_returns(request):
    with request.state.lock:
        return json_response(copy.deepcopy(request.state.returns))


def get_notifications(request):
    """Every ORDER_CHANGE publication attempt (``status`` sent/failed, ``fault``, ``body``)."""
    with request.state.lock:
        return json_response(copy.deepcopy(request.state.notifications))


def send_notification(request):
    """Send ``{"body": "<text>"}`` as it is to the subscription's queue (tests' raw messages)."""
    body = _body(request, required=True)
    if not isinstance(body.get("body"), str):
        raise _fail(400, "body must be a string")
    if not notifier.publish_raw(request.state, body["body"], body.get("orderId")):
        raise _fail(409, "no ORDER_CHANGE subscription with a destination and an sqs_endpoint")
    return json_response({"ok": True})


def add_notification_fault(request):
    """Queue ``{"kind": duplicate|out_of_order|malformed|sqs_down, "count": 1}``."""
    body = _body(request, required=True)
    kind = body.get("kind")
    if kind not in notifier.FAULT_KINDS:
        raise _fail(400, f"kind must be one of {', '.join(notifier.FAULT_KINDS)}")
    count = body.get("count", 1)
    if not isinstance(count, int) or count < 1:
        raise _fail(400, "count must be a positive integer")
    with request.state.lock:
        request.state.notification_faults.append({"kind": kind, "count": count})
        return json_response(copy.deepcopy(request.state.notification_faults))


def clear_notification_faults(request):
    with request.state.lock:
        request.state.notification_faults.clear()
    return json_response({"ok": True})


ROUTES = [
    ("POST", r"/_sandbox/reset", "sandboxReset", reset, "control"),
    ("GET", r"/_sandbox/state", "sandboxState", get_state, "control"),
    ("GET", r"/_sandbox/health", "sandboxHealth", health, "control"),
    ("GET", r"/_sandbox/listings", "sandboxListings", list_listings, "control"),
    ("GET", r"/_sandbox/listings/(?P<sku>[^/]+)", "sandboxListing", get_listing, "control"),
    ("PUT", r"/_sandbox/listings/(?P<sku>[^/]+)", "sandboxPutListing", put_listing, "control"),
    (
        "POST",
        r"/_sandbox/listings/(?P<sku>[^/]+)/publish",
        "sandboxPublishListing",
        publish_listing,
        "control",
    ),
    ("GET", r"/_sandbox/catalog", "sandboxCatalog", get_catalog, "control"),
    ("POST", r"/_sandbox/catalog", "sandboxAddCatalogItem", add_catalog_item, "control"),
    ("GET", r"/_sandbox/requests", "sandboxRequests", get_requests, "control"),
    ("DELETE", r"/_sandbox/requests", "sandboxClearRequests", clear_requests, "control"),
    ("GET", r"/_sandbox/faults", "sandboxFaults", get_faults, "control"),
    ("POST", r"/_sandbox/faults", "sandboxAddFault", add_fault, "control"),
    ("DELETE", r"/_sandbox/faults", "sandboxClearFaults", clear_faults, "control"),
    ("GET", r"/_sandbox/config", "sandboxConfig", config, "control"),
    ("POST", r"/_sandbox/config", "sandboxSetConfig", config, "control"),
    ("POST", r"/_sandbox/jobs/finish", "sandboxFinishJobs", finish_jobs, "control"),
    ("POST", r"/_sandbox/authorization", "sandboxAuthorization", authorization, "control"),
    ("POST", r"/_sandbox/orders", "sandboxAddOrders", add_orders, "control"),
    (
        "POST",
        r"/_sandbox/orders/(?P<orderId>[^/]+)/buyer-requests",
        "sandboxBuyerRequest",
        buyer_request,
        "control",
    ),
    ("GET", r"/_sandbox/notifications", "sandboxNotifications", get_notifications, "control"),
    ("POST", r"/_sandbox/notifications", "sandboxSendNotification", send_notification, "control"),
    (
        "POST",
        r"/_sandbox/notifications/faults",
        "sandboxNotificationFault",
        add_notification_fault,
        "control",
    ),
    (
        "DELETE",
        r"/_sandbox/notifications/faults",
        "sandboxClearNotificationFaults",
        clear_notification_faults,
        "control",
    ),
    ("GET", r"/_sandbox/orders/(?P<orderId>[^/]+)", "sandboxOrder", get_order, "control"),
    ("PATCH", r"/_sandbox/orders/(?P<orderId>[^/]+)", "sandboxPatchOrder", patch_order, "control"),
    ("GET", r"/_sandbox/shipments", "sandboxShipments", get_shipments, "control"),
    ("GET", r"/_sandbox/returns", "sandboxReturns", get_returns, "control"),
    ("POST", r"/_sandbox/returns", "sandboxAddReturns", add_returns, "control"),
]
