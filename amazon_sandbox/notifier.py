"""ORDER_CHANGE notifications: what Amazon pushes to the seller's SQS queue when an order changes.

When an ORDER_CHANGE subscription exists, every order created, cancelled or changed through the
control API is published as a message matching ``OrderChangeNotification.json`` to the queue of
the subscription's destination, on the SQS endpoint of the config (``sqs_endpoint``, by default
``$STOCKAGILE_SQS_URL``: moto's server in tests). The message is sent with SQS's JSON protocol
over plain ``urllib`` (the sandbox stays stdlib-only; moto checks no signature).

Faults (``POST /_sandbox/notifications/faults``; each applies to the next ``count``
publications, several kinds together) model what Amazon and SQS do in real life:
``duplicate`` (a message delivered twice), ``out_of_order`` (the previous notification of the
same order delivered again after the new one), ``malformed`` (a body that is not a notification)
and ``sqs_down`` (the message is lost: the endpoint refused it). Every attempt is logged in
``state.notifications`` (``GET /_sandbox/notifications``).
"""

import json
import uuid
from urllib.error import URLError
from urllib.request import Request, urlopen

from . import SELLER_ID
from .timeutil import iso, now

#: 2026-01-01 fulfillmentStatus -> the Summary.OrderStatus of OrderChangeNotification.
ORDER_STATUS = {
    "PENDING": "Pending",
    "UNSHIPPED": "Unshipped",
    "PARTIALLY_SHIPPED": "PartiallyShipped",
    "SHIPPED": "Shipped",
    "CANCELLED": "Canceled",
    "UNFULFILLABLE": "Unfulfillable",
}
APPLICATION_ID = "amzn1.sellerapps.app.sandbox-stockagile"
#: Body of the ``malformed`` fault: cut-off JSON, as a truncated or foreign message looks.
MALFORMED_BODY = '{"NotificationType": "ORDER_CHANGE", "Payload": '
FAULT_KINDS = ("duplicate", "out_of_order", "malformed", "sqs_down")


def queue_url(endpoint: str, arn: str) -> str:
    """moto's URL of the queue ``arn:aws:sqs:<region>:<account>:<name>``."""
    parts = arn.split(":")
    return f"{endpoint.rstrip('/')}/{parts[4]}/{parts[5]}"


def order_change_message(order: dict, subscription_id: str, change_type: str, reason: str):
    """The ORDER_CHANGE document Amazon would publish for ``order`` as it is now."""
    stamp = iso(now())
    fulfillment = order.get("fulfillment") or {}
    status = ORDER_STATUS.get(fulfillment.get("fulfillmentStatus"), "Unshipped")
    items = []
    for item in order.get("orderItems") or []:
        done = (item.get("fulfillment") or {}).get("quantityFulfilled") or 0
        items.append(
            {
                "OrderItemId": item.get("orderItemId"),
                "SellerSKU": (item.get("product") or {}).get("sellerSku"),
                "SupplySourceId": "",
                "OrderItemStatus": status,
                "Quantity": item.get("quantityOrdered"),
                "QuantityShipped": done,
                "IsBuyerRequestedCancel": status == "Canceled"
                or ((item.get("cancellation") or {}).get("cancellationRequest") or {}).get(
                    "requester"
                )
                == "BUYER",
            }
        )
    return {
        "NotificationVersion": "1.0",
        "NotificationType": "ORDER_CHANGE",
        "PayloadVersion": "1.0",
        "EventTime": stamp,
        "Payload": {
            "OrderChangeNotification": {
                "NotificationLevel": "OrderLevel",
                "SellerId": SELLER_ID,
                "AmazonOrderId": order["orderId"],
                "OrderChangeType": change_type,
                "OrderChangeTrigger": {
                    "TimeOfOrderChange": order.get("lastUpdatedTime") or stamp,
                    "ChangeReason": reason,
                },
                "Summary": {
                    "MarketplaceId": (order.get("salesChannel") or {}).get("marketplaceId"),
                    "OrderStatus": status,
                    "PurchaseDate": order.get("createdTime"),
                    "DestinationPostalCode": (order.get("recipient") or {})
                    .get("deliveryAddress", {})
                    .get("postalCode", ""),
                    "FulfillmentType": "AFN"
                    if fulfillment.get("fulfilledBy") == "AMAZON"
                    else "MFN",
                    "OrderType": "StandardOrder",
                    "NumberOfItemsShipped": sum(i["QuantityShipped"] or 0 for i in items),
                    "NumberOfItemsUnshipped": sum(
                        (i["Quantity"] or 0) - (i["QuantityShipped"] or 0) for i in items
                    ),
                    "OrderItems": items,
                },
            }
        },
        "NotificationMetadata": {
            "ApplicationId": APPLICATION_ID,
            "SubscriptionId": subscription_id,
            "PublishTime": stamp,
            "NotificationId": str(uuid.uuid4()),
        },
    }


def send(endpoint: str, arn: str, body: str) -> tuple[str, str]:
    """SQS SendMessage of ``body`` to the queue ``arn`` on ``endpoint`` (JSON protocol).

    The Authorization header only names the region (moto reads it from the credential scope
    and checks no signature). :return: (``sent``/``failed``, error text)
    """
    region = arn.split(":")[3]
    request = Request(
        endpoint.rstrip("/") + "/",
        data=json.dumps({"QueueUrl": queue_url(endpoint, arn), "MessageBody": body}).encode(),
        headers={
            "X-Amz-Target": "AmazonSQS.SendMessage",
            "Content-Type": "application/x-amz-json-1.0",
            "Authorization": "AWS4-HMAC-SHA256 Credential=AKIDAMAZONSANDBOX/20260101/"
            f"{region}/sqs/aws4_request, SignedHeaders=host, Signature=0",
        },
    )
    try:
        with urlopen(request, timeout=5) as answer:
            answer.read()
        return "sent", ""
    except (URLError, OSError, ValueError) as exc:
        return "failed", str(exc)


def _take_faults(state) -> set:
    """Consume one count of every queued notification fault: the kinds that apply now."""
    with state.lock:
        kinds = set()
        for fault in list(state.notification_faults):
            kinds.add(fault["kind"])
            fault["count"] -= 1
            if fault["count"] <= 0:
                state.notification_faults.remove(fault)
        return kinds


def _deliver(state, order_id, body, target, note=""):
    """Send and log one message; ``target`` is (endpoint, arn) or None."""
    status, error = send(*target, body) if target else ("failed", "no SQS endpoint configured")
    url = queue_url(*target) if target else None
    with state.lock:
        state.notifications.append(
            {
                "time": iso(now()),
                "orderId": order_id,
                "queueUrl": url,
                "status": status,
                "error": error,
                "fault": note,
                "body": body,
            }
        )


def publish_raw(state, body: str, order_id=None):
    """Send ``body`` as it is to the destination queue of the ORDER_CHANGE subscription."""
    target = target_queue(state)
    if target is None:
        return False
    _deliver(state, order_id, body, target, "raw")
    return True


def target_queue(state):
    """(SQS endpoint, queue ARN) the ORDER_CHANGE subscription delivers to, or None."""
    with state.lock:
        subscription = state.subscriptions.get("ORDER_CHANGE")
        if not subscription:
            return None
        destination = state.destinations.get(subscription["destinationId"])
        endpoint = state.config.get("sqs_endpoint")
    if not destination or not endpoint:
        return None
    return endpoint, destination["resource"]["sqs"]["arn"]


def order_changed(state, order: dict, change_type="OrderStatusChange", reason="Order created"):
    """Publish one ORDER_CHANGE for ``order`` when subscribed (faults applied)."""
    with state.lock:
        subscription = state.subscriptions.get("ORDER_CHANGE")
        if not subscription:
            return
        marketplaces = (
            (subscription.get("processingDirective") or {})
            .get("eventFilter", {})
            .get("marketplaceIds")
        )
        if marketplaces and (order.get("salesChannel") or {}).get("marketplaceId") not in (
            marketplaces
        ):
            return
        document = order_change_message(order, subscription["subscriptionId"], change_type, reason)
        previous = state.last_notification.get(order["orderId"])
        state.last_notification[order["orderId"]] = json.dumps(document)
    target = target_queue(state)
    body = json.dumps(document)
    faults = _take_faults(state)
    if "sqs_down" in faults:
        with state.lock:
            state.notifications.append(
                {
                    "time": iso(now()),
                    "orderId": order["orderId"],
                    "queueUrl": queue_url(*target) if target else None,
                    "status": "failed",
                    "error": "SQS down (fault)",
                    "fault": "sqs_down",
                    "body": body,
                }
            )
        return
    if "malformed" in faults:
        _deliver(state, order["orderId"], MALFORMED_BODY, target, "malformed")
    _deliver(state, order["orderId"], body, target)
    if "duplicate" in faults:
        _deliver(state, order["orderId"], body, target, "duplicate")
    if "out_of_order" in faults and previous:
        _deliver(state, order["orderId"], previous, target, "out_of_order")
