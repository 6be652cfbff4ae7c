"""Notifications API v1 (notifications.json): SQS destinations and ORDER_CHANGE subscriptions.

Destinations belong to the application and their operations are grantless (an LWA token of
scope ``sellingpartnerapi::notifications``, see :mod:`.lwa`); subscriptions belong to the
seller (createSubscription/getSubscription need the seller's token), deleteSubscriptionById and
getSubscriptionById are grantless. Only ORDER_CHANGE is supported here; other notification types
answer 400 as an unknown value would.
"""

import copy
import re
from urllib.parse import unquote

from ..responses import ApiError, bad_request, json_response, not_found

SUPPORTED_TYPES = ("ORDER_CHANGE",)
ORDER_CHANGE_TYPES = ("BuyerRequestedChange", "DeliveryTipChange", "OrderStatusChange")
_ARN = re.compile(r"^arn:aws:sqs:\S+:\S+:\S+")
#: Operations that take a grantless token (the server checks which token each call carries).
GRANTLESS_OPERATIONS = {
    "createDestination",
    "getDestinations",
    "getDestination",
    "deleteDestination",
    "getSubscriptionById",
    "deleteSubscriptionById",
}


def _notification_type(request):
    kind = unquote(request.params["notificationType"])
    if kind not in SUPPORTED_TYPES:
        raise bad_request(f"Invalid notificationType: {kind}.")
    return kind


def create_destination(request):
    """``POST /notifications/v1/destinations``: an SQS destination (409 for a known ARN)."""
    body = request.json()
    if not isinstance(body, dict) or not isinstance(body.get("name"), str):
        raise bad_request("name and resourceSpecification are required.")
    sqs = (body.get("resourceSpecification") or {}).get("sqs")
    arn = sqs.get("arn") if isinstance(sqs, dict) else None
    if not isinstance(arn, str) or not _ARN.match(arn) or len(arn) > 1000:
        raise bad_request("resourceSpecification.sqs.arn must be an SQS queue ARN.")
    state = request.state
    with state.lock:
        for destination in state.destinations.values():
            if destination["resource"]["sqs"]["arn"] == arn:
                raise ApiError(409, "Conflict", "A destination with this resource already exists.")
        destination = {
            "destinationId": state.new_id("destination"),
            "name": body["name"][:256],
            "resource": {"sqs": {"arn": arn}},
        }
        state.destinations[destination["destinationId"]] = destination
        return json_response({"payload": copy.deepcopy(destination)})


def get_destinations(request):
    """``GET /notifications/v1/destinations``."""
    with request.state.lock:
        return json_response({"payload": copy.deepcopy(list(request.state.destinations.values()))})


def _destination(request):
    destination = request.state.destinations.get(unquote(request.params["destinationId"]))
    if destination is None:
        raise not_found("The destination does not exist.")
    return destination


def get_destination(request):
    """``GET /notifications/v1/destinations/{destinationId}``."""
    with request.state.lock:
        return json_response({"payload": copy.deepcopy(_destination(request))})


def delete_destination(request):
    """``DELETE /notifications/v1/destinations/{destinationId}`` (409 while subscribed)."""
    state = request.state
    with state.lock:
        destination = _destination(request)
        for subscription in state.subscriptions.values():
            if subscription["destinationId"] == destination["destinationId"]:
                raise ApiError(409, "Conflict", "A subscription still uses this destination.")
        del state.destinations[destination["destinationId"]]
    return json_response({})


def _event_filter_problems(directive):
    """Problems of a processingDirective for ORDER_CHANGE (empty when valid)."""
    if directive is None:
        return []
    event_filter = directive.get("eventFilter") if isinstance(directive, dict) else None
    if not isinstance(event_filter, dict):
        return ["processingDirective.eventFilter must be an object."]
    problems = []
    if event_filter.get("eventFilterType") != "ORDER_CHANGE":
        problems.append("eventFilter.eventFilterType must be ORDER_CHANGE.")
    marketplaces = event_filter.get("marketplaceIds", [])
    if not isinstance(marketplaces, list) or not all(isinstance(m, str) for m in marketplaces):
        problems.append("eventFilter.marketplaceIds must be a list of marketplace ids.")
    change_types = event_filter.get("orderChangeTypes", [])
    if not isinstance(change_types, list) or any(t not in ORDER_CHANGE_TYPES for t in change_types):
        problems.append(
            f"eventFilter.orderChangeTypes must be among {', '.join(ORDER_CHANGE_TYPES)}."
        )
    return problems


def create_subscription(request):
    """``POST /notifications/v1/subscriptions/{notificationType}`` (409 when one exists)."""
    kind = _notification_type(request)
    body = request.json()
    if not isinstance(body, dict):
        raise bad_request("The request body must be a CreateSubscriptionRequest.")
    unknown = set(body) - {"payloadVersion", "destinationId", "processingDirective"}
    if unknown:
        raise bad_request(f"Unknown fields: {', '.join(sorted(unknown))}.")
    if body.get("payloadVersion") != "1.0":
        raise bad_request("payloadVersion must be 1.0 for ORDER_CHANGE.")
    problems = _event_filter_problems(body.get("processingDirective"))
    if problems:
        raise bad_request(" ".join(problems))
    state = request.state
    with state.lock:
        if body.get("destinationId") not in state.destinations:
            raise bad_request("The destinationId does not exist.")
        if kind in state.subscriptions:
            raise ApiError(409, "Conflict", "A subscription for this notification type exists.")
        subscription = {
            "subscriptionId": state.new_id("subscription"),
            "payloadVersion": body["payloadVersion"],
            "destinationId": body["destinationId"],
        }
        if body.get("processingDirective") is not None:
            subscription["processingDirective"] = copy.deepcopy(body["processingDirective"])
        state.subscriptions[kind] = subscription
        return json_response({"payload": copy.deepcopy(subscription)})


def get_subscription(request):
    """``GET /notifications/v1/subscriptions/{notificationType}``."""
    kind = _notification_type(request)
    with request.state.lock:
        subscription = request.state.subscriptions.get(kind)
        if subscription is None:
            raise not_found("The subscription does not exist.")
        return json_response({"payload": copy.deepcopy(subscription)})


def _subscription_by_id(request):
    kind = _notification_type(request)
    subscription = request.state.subscriptions.get(kind)
    if subscription is None or subscription["subscriptionId"] != unquote(
        request.params["subscriptionId"]
    ):
        raise not_found("The subscription does not exist.")
    return kind, subscription


def get_subscription_by_id(request):
    """``GET /notifications/v1/subscriptions/{notificationType}/{subscriptionId}``."""
    with request.state.lock:
        return json_response({"payload": copy.deepcopy(_subscription_by_id(request)[1])})


def delete_subscription_by_id(request):
    """``DELETE /notifications/v1/subscriptions/{notificationType}/{subscriptionId}``."""
    with request.state.lock:
        kind, _subscription = _subscription_by_id(request)
        del request.state.subscriptions[kind]
    return json_response({})


_TYPE = r"(?P<notificationType>[^/]+)"
ROUTES = [
    ("POST", r"/notifications/v1/destinations", "createDestination", create_destination, "sp"),
    ("GET", r"/notifications/v1/destinations", "getDestinations", get_destinations, "sp"),
    (
        "GET",
        r"/notifications/v1/destinations/(?P<destinationId>[^/]+)",
        "getDestination",
        get_destination,
        "sp",
    ),
    (
        "DELETE",
        r"/notifications/v1/destinations/(?P<destinationId>[^/]+)",
        "deleteDestination",
        delete_destination,
        "sp",
    ),
    (
        "POST",
        rf"/notifications/v1/subscriptions/{_TYPE}",
        "createSubscription",
        create_subscription,
        "sp",
    ),
    ("GET", rf"/notifications/v1/subscriptions/{_TYPE}", "getSubscription", get_subscription, "sp"),
    (
        "GET",
        rf"/notifications/v1/subscriptions/{_TYPE}/(?P<subscriptionId>[^/]+)",
        "getSubscriptionById",
        get_subscription_by_id,
        "sp",
    ),
    (
        "DELETE",
        rf"/notifications/v1/subscriptions/{_TYPE}/(?P<subscriptionId>[^/]+)",
        "deleteSubscriptionById",
        delete_subscription_by_id,
        "sp",
    ),
]
