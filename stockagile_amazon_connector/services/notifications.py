"""ORDER_CHANGE notifications as they arrive from SQS: parsed and validated into a typed value.

An SQS message is untrusted input (anyone who can write to the queue writes it): the body must
be the JSON document of Amazon's ``OrderChangeNotification.json`` with every field the import
relies on, or :class:`MalformedNotificationError` is raised with a message naming what is wrong,
and nothing is taken from it.
"""

import json
import re
from datetime import datetime, timezone

from . import const
from .errors import InvalidRequestError
from .models import OrderChange

#: An Amazon order id: 3-7-7 digits.
_ORDER_ID = re.compile(r"\d{3}-\d{7}-\d{7}")
#: Largest body read (SQS itself caps messages at 256 KiB).
MAX_BODY_BYTES = 256 * 1024
#: The change types of Amazon's OrderChangeNotification model (any other is refused).
ORDER_CHANGE_TYPES = ("BuyerRequestedChange", "DeliveryTipChange", "OrderStatusChange")


class MalformedNotificationError(InvalidRequestError):
    """The message is not a valid ORDER_CHANGE notification (kept aside, never imported)."""

    def __init__(self, message):
        super().__init__(message, code="malformed_notification")


def _field(container, name, where, kind=str):
    """``container[name]`` checked to be a non-empty ``kind``."""
    value = container.get(name) if isinstance(container, dict) else None
    if not isinstance(value, kind) or (kind is str and not value.strip()):
        expected = "a text" if kind is str else "an object"
        raise MalformedNotificationError(f"{where}.{name} is missing or not {expected}.")
    return value


def _time(container, name, where):
    """An ISO 8601 timestamp field as an aware UTC datetime."""
    text = _field(container, name, where)
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise MalformedNotificationError(
            f"{where}.{name} is not an ISO 8601 date and time."
        ) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def parse_order_change(body):
    """Validate an SQS message body and return the :class:`~.models.OrderChange` it carries.

    :param body: the message body (str or bytes).
    :return: OrderChange
    :raise MalformedNotificationError: not JSON, not ORDER_CHANGE, or a required field missing
        or invalid (the message names it).
    """
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    if not isinstance(body, str) or not body.strip():
        raise MalformedNotificationError("The message body is empty.")
    if len(body.encode("utf-8")) > MAX_BODY_BYTES:
        raise MalformedNotificationError("The message body is larger than 256 KiB.")
    try:
        document = json.loads(body)
    except ValueError:
        raise MalformedNotificationError("The message body is not JSON.") from None
    if not isinstance(document, dict):
        raise MalformedNotificationError("The message body is not a JSON object.")
    kind = _field(document, "NotificationType", "notification")
    if kind != const.NOTIFICATION_TYPE_ORDER_CHANGE:
        raise MalformedNotificationError(f"Unexpected notification type {kind[:40]!r}.")
    metadata = _field(document, "NotificationMetadata", "notification", dict)
    payload = _field(document, "Payload", "notification", dict)
    change = _field(payload, "OrderChangeNotification", "Payload", dict)
    where = "OrderChangeNotification"
    summary = _field(change, "Summary", where, dict)
    trigger = _field(change, "OrderChangeTrigger", where, dict)
    order_id = _field(change, "AmazonOrderId", where)
    if not _ORDER_ID.fullmatch(order_id):
        raise MalformedNotificationError(
            f"{where}.AmazonOrderId is not an Amazon order id (123-1234567-1234567)."
        )
    change_type = _field(change, "OrderChangeType", where)
    if change_type not in ORDER_CHANGE_TYPES:
        raise MalformedNotificationError(
            f"{where}.OrderChangeType {change_type[:40]!r} is none of "
            f"{', '.join(ORDER_CHANGE_TYPES)}."
        )
    _check_items(summary)
    return OrderChange(
        notification_id=_field(metadata, "NotificationId", "NotificationMetadata")[:128],
        subscription_id=_field(metadata, "SubscriptionId", "NotificationMetadata")[:128],
        publish_time=_time(metadata, "PublishTime", "NotificationMetadata"),
        event_time=_time(document, "EventTime", "notification"),
        seller_id=_field(change, "SellerId", where)[:64],
        amazon_order_id=order_id,
        order_change_type=change_type,
        change_time=_time(trigger, "TimeOfOrderChange", "OrderChangeTrigger"),
        change_reason=str(trigger.get("ChangeReason") or "")[:256],
        marketplace_id=_field(summary, "MarketplaceId", "Summary")[:32],
        order_status=_field(summary, "OrderStatus", "Summary")[:64],
        fulfillment_type=_field(summary, "FulfillmentType", "Summary")[:16],
    )


def _check_items(summary):
    """``Summary.OrderItems``, when sent, is a list of objects whose buyer-cancel flag is a
    boolean (a BuyerRequestedChange is acted upon: a forged flag must not pass as one)."""
    items = summary.get("OrderItems")
    if items is None:
        return
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise MalformedNotificationError("Summary.OrderItems is not a list of objects.")
    for item in items:
        flag = item.get("IsBuyerRequestedCancel")
        if flag is not None and not isinstance(flag, bool):
            raise MalformedNotificationError(
                "Summary.OrderItems[].IsBuyerRequestedCancel is not true or false."
            )
