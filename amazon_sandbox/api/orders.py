"""Orders API 2026-01-01 (searchOrders, getOrder) and Orders v0 confirmShipment."""

import base64
import json
from datetime import timedelta

from ..order_ops import DATASETS, project, refresh_fulfillment, shipped_quantities
from ..responses import ApiError, Response, bad_request, json_response
from ..timeutil import iso, now, parse_iso

FULFILLMENT_STATUSES = (
    "PENDING_AVAILABILITY",
    "PENDING",
    "UNSHIPPED",
    "PARTIALLY_SHIPPED",
    "SHIPPED",
    "CANCELLED",
    "UNFULFILLABLE",
)
FULFILLED_BY = ("MERCHANT", "AMAZON")


# --------------------------------------------------------------------------------- helpers
def _enum_list(request, name, allowed) -> list:
    values = request.csv(name)
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise bad_request("Invalid Input", f"Invalid value(s) for '{name}': {', '.join(unknown)}.")
    return values


def _date(request, name):
    value = request.first(name)
    if value is None:
        return None
    try:
        return parse_iso(value)
    except ValueError:
        raise bad_request("Invalid Input", f"'{name}' must be an ISO 8601 date-time.") from None


def _time_window(request) -> dict:
    """Apply the model's rules on createdAfter/createdBefore/lastUpdatedAfter/Before."""
    created_after, created_before = _date(request, "createdAfter"), _date(request, "createdBefore")
    updated_after, updated_before = (
        _date(request, "lastUpdatedAfter"),
        _date(request, "lastUpdatedBefore"),
    )
    if (created_after is None) == (updated_after is None):
        raise bad_request(
            "Invalid Input", "Exactly one of 'createdAfter' and 'lastUpdatedAfter' is required."
        )
    if created_after and (updated_after or updated_before):
        raise bad_request(
            "Invalid Input",
            "'createdAfter' cannot be combined with " "'lastUpdatedAfter' or 'lastUpdatedBefore'.",
        )
    if updated_after and created_before:
        raise bad_request(
            "Invalid Input", "'lastUpdatedAfter' cannot be combined with 'createdBefore'."
        )
    field = "createdTime" if created_after else "lastUpdatedTime"
    after = created_after or updated_after
    before = created_before or updated_before
    latest = now() - timedelta(minutes=2)
    if after > now():
        raise bad_request("Invalid Input", "The 'After' date must not be in the future.")
    if before is not None:
        if before < after:
            raise bad_request(
                "Invalid Input", "The 'Before' date must be equal to or after the " "'After' date."
            )
        if before > latest:
            raise bad_request(
                "Invalid Input",
                "The 'Before' date must be at least two minutes " "before the time of the request.",
            )
    return {"field": field, "after": iso(after), "before": iso(before or latest)}


def _encode_token(query: dict, offset: int) -> str:
    raw = json.dumps({"q": query, "o": offset}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_token(token: str) -> tuple[dict, int]:
    try:
        padded = token + "=" * (-len(token) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        return data["q"], int(data["o"])
    except (ValueError, KeyError, TypeError):
        raise bad_request("Invalid Input", "Invalid 'paginationToken'.") from None


def _search_query(request) -> dict:
    """The normalized filters of a first-page searchOrders request."""
    window = _time_window(request)
    marketplace_ids = request.csv("marketplaceIds")
    if len(marketplace_ids) > 50:
        raise bad_request("Invalid Input", "'marketplaceIds' accepts at most 50 values.")
    return dict(
        window,
        statuses=_enum_list(request, "fulfillmentStatuses", FULFILLMENT_STATUSES),
        fulfilledBy=_enum_list(request, "fulfilledBy", FULFILLED_BY),
        marketplaceIds=marketplace_ids,
    )


def _matches(order: dict, query: dict) -> bool:
    stamp = parse_iso(order[query["field"]])
    if not parse_iso(query["after"]) <= stamp <= parse_iso(query["before"]):
        return False
    fulfillment = order.get("fulfillment") or {}
    if query["statuses"] and fulfillment.get("fulfillmentStatus") not in query["statuses"]:
        return False
    if query["fulfilledBy"] and fulfillment.get("fulfilledBy") not in query["fulfilledBy"]:
        return False
    marketplace = (order.get("salesChannel") or {}).get("marketplaceId")
    return not query["marketplaceIds"] or marketplace in query["marketplaceIds"]


# ------------------------------------------------------------------------------ operations
def search_orders(request):
    """``GET /orders/2026-01-01/orders``: time-window search with pagination."""
    included = _enum_list(request, "includedData", DATASETS)
    try:
        page_size = int(request.first("maxResultsPerPage", 100))
    except ValueError:
        raise bad_request("Invalid Input", "'maxResultsPerPage' must be an integer.") from None
    if not 1 <= page_size <= 100:
        raise bad_request("Invalid Input", "'maxResultsPerPage' must be between 1 and 100.")
    # Amazon may answer with fewer orders than asked; the config forces it (paging tests).
    page_size = min(page_size, int(request.state.config.get("orders_page_size") or page_size))
    token = request.first("paginationToken")
    query, offset = _decode_token(token) if token else (_search_query(request), 0)
    with request.state.lock:
        matches = sorted(
            (o for o in request.state.orders.values() if _matches(o, query)),
            key=lambda o: (o[query["field"]], o["orderId"]),
        )
        page = [project(order, included) for order in matches[offset : offset + page_size]]
    result = {"orders": page}
    if offset + page_size < len(matches):
        result["pagination"] = {"nextToken": _encode_token(query, offset + page_size)}
    before_key = "createdBefore" if query["field"] == "createdTime" else "lastUpdatedBefore"
    result[before_key] = query["before"]
    return json_response(result)


def get_order(request):
    """``GET /orders/2026-01-01/orders/{orderId}``."""
    included = _enum_list(request, "includedData", DATASETS)
    order_id = request.params["orderId"]
    with request.state.lock:
        order = request.state.orders.get(order_id)
        if order is None:
            raise ApiError(404, "NotFound", f"Order {order_id} not found.")
        return json_response({"order": project(order, included)})


# ------------------------------------------------------------------------- confirmShipment
def _require_str(container, name, where, problems):
    value = container.get(name)
    if not isinstance(value, str) or not value.strip():
        problems.append(f"'{where}{name}' is required and must be a non-empty string.")
    return value


def _package_problems(detail) -> list:
    """Required fields and formats of ``PackageDetail``."""
    if not isinstance(detail, dict):
        return ["'packageDetail' is required and must be an object."]
    problems = []
    reference = _require_str(detail, "packageReferenceId", "packageDetail.", problems)
    if (
        isinstance(reference, str)
        and reference
        and not (reference.isdigit() and int(reference) > 0)
    ):
        problems.append("'packageDetail.packageReferenceId' must be a positive number.")
    carrier = _require_str(detail, "carrierCode", "packageDetail.", problems)
    if carrier == "Other":
        _require_str(detail, "carrierName", "packageDetail.", problems)
    _require_str(detail, "trackingNumber", "packageDetail.", problems)
    ship_date = _require_str(detail, "shipDate", "packageDetail.", problems)
    if isinstance(ship_date, str) and ship_date:
        try:
            parse_iso(ship_date)
        except ValueError:
            problems.append("'packageDetail.shipDate' must be an ISO 8601 date-time.")
    items = detail.get("orderItems")
    if not isinstance(items, list) or not items:
        problems.append("'packageDetail.orderItems' must be a non-empty array.")
        return problems
    for index, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("orderItemId"), str):
            problems.append(f"'packageDetail.orderItems[{index}].orderItemId' is required.")
        elif (
            not isinstance(item.get("quantity"), int)
            or isinstance(item["quantity"], bool)
            or item["quantity"] < 1
        ):
            problems.append(
                f"'packageDetail.orderItems[{index}].quantity' must be a positive " "integer."
            )
    return problems


def _order_problems(order, body) -> list:
    """Business rules: marketplace, order state, items and quantities left to ship."""
    fulfillment = order.get("fulfillment") or {}
    marketplace = order["salesChannel"].get("marketplaceId")
    if body["marketplaceId"] != marketplace:
        return [f"The order belongs to marketplace {marketplace}, not {body['marketplaceId']}."]
    if fulfillment.get("fulfilledBy") == "AMAZON":
        return ["The order is fulfilled by Amazon and cannot be confirmed by the seller."]
    status = fulfillment.get("fulfillmentStatus")
    if status in ("CANCELLED", "PENDING", "PENDING_AVAILABILITY", "UNFULFILLABLE"):
        return [f"The order is {status} and cannot be shipped."]
    detail = body["packageDetail"]
    already = shipped_quantities(order, exclude_package=detail["packageReferenceId"])
    ordered = {item["orderItemId"]: item["quantityOrdered"] for item in order["orderItems"]}
    requested: dict[str, int] = {}
    for item in detail["orderItems"]:
        requested[item["orderItemId"]] = requested.get(item["orderItemId"], 0) + item["quantity"]
    problems = []
    for item_id, quantity in requested.items():
        if item_id not in ordered:
            problems.append(
                f"The order item {item_id} does not belong to order " f"{order['orderId']}."
            )
        elif quantity > ordered[item_id] - already.get(item_id, 0):
            problems.append(
                f"The quantity {quantity} for order item {item_id} exceeds the "
                f"{ordered[item_id] - already.get(item_id, 0)} left to ship."
            )
    return problems


def _record_package(order, detail):
    """Add or replace the package on the order (same packageReferenceId = update)."""
    package = {
        "packageReferenceId": detail["packageReferenceId"],
        "createdTime": iso(now()),
        "packageStatus": {"status": "SHIPPED"},
        "carrier": detail.get("carrierName") or detail["carrierCode"],
        "shipTime": iso(parse_iso(detail["shipDate"])),
        "shippingService": detail.get("shippingMethod") or "",
        "trackingNumber": detail["trackingNumber"],
        "packageItems": [
            {"orderItemId": i["orderItemId"], "quantity": i["quantity"]}
            for i in detail["orderItems"]
        ],
    }
    packages = [
        p
        for p in order.get("packages") or []
        if p["packageReferenceId"] != detail["packageReferenceId"]
    ]
    order["packages"] = [*packages, package]
    refresh_fulfillment(order)
    order["lastUpdatedTime"] = iso(now())


def confirm_shipment(request):
    """``POST /orders/v0/orders/{orderId}/shipmentConfirmation`` -> 204, 400 or 404."""
    order_id = request.params["orderId"]
    body = request.json()
    if not isinstance(body, dict):
        raise bad_request("Invalid Input", "The body must be a ConfirmShipmentRequest object.")
    problems = []
    _require_str(body, "marketplaceId", "", problems)
    problems += _package_problems(body.get("packageDetail"))
    if problems:
        raise bad_request("Invalid Input", " ".join(problems))
    state = request.state
    with state.lock:
        order = state.orders.get(order_id)
        if order is None:
            raise ApiError(404, "NotFound", f"Order {order_id} not found.")
        problems = _order_problems(order, body)
        if problems:
            raise bad_request("Invalid Input", " ".join(problems))
        reference = body["packageDetail"]["packageReferenceId"]
        duplicate = any(
            s["orderId"] == order_id and s["packageDetail"].get("packageReferenceId") == reference
            for s in state.shipments
        )
        _record_package(order, body["packageDetail"])
        state.shipments.append(
            {
                "orderId": order_id,
                "marketplaceId": body["marketplaceId"],
                "packageDetail": body["packageDetail"],
                "time": iso(now()),
                "duplicate": duplicate,
            }
        )
    return Response(204, b"")


ROUTES = [
    ("GET", r"/orders/2026-01-01/orders", "searchOrders", search_orders, "sp"),
    ("GET", r"/orders/2026-01-01/orders/(?P<orderId>[^/]+)", "getOrder", get_order, "sp"),
    (
        "POST",
        r"/orders/v0/orders/(?P<orderId>[^/]+)/shipmentConfirmation",
        "confirmShipment",
        confirm_shipment,
        "sp",
    ),
]
