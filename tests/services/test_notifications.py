"""Notifications API, ORDER_CHANGE parsing and the SQS consumer against the sandbox and moto."""

import json

import pytest

from amazon_sandbox.sqs_process import (
    ACCESS_KEY_ID,
    REGION,
    SECRET_ACCESS_KEY,
    create_queue,
    sqs_url,
)
from stockagile_amazon_connector.services import const
from stockagile_amazon_connector.services.errors import AuthError, TransientError
from stockagile_amazon_connector.services.notifications import (
    MalformedNotificationError,
    parse_order_change,
)
from stockagile_amazon_connector.services.sqs import SqsConfig, SqsConsumer

from .test_sandbox import _order

ES_ID = "A1RKKUPIHCS9HS"


@pytest.fixture()
def queue(sandbox):
    """A fresh moto queue; the sandbox publishes to moto (config ``sqs_endpoint``)."""
    sandbox.config(sqs_endpoint=sqs_url())
    _client, queue_url = create_queue("services")
    return SqsConfig(
        queue_url=queue_url,
        region=REGION,
        access_key_id=ACCESS_KEY_ID,
        secret_access_key=SECRET_ACCESS_KEY,
        endpoint_url=sqs_url(),
        timeout=5.0,
    )


def _subscribe(service, queue):
    destination = service.create_destination("stockagile", queue.queue_arn)
    return destination, service.create_order_change_subscription(
        destination.destination_id, [ES_ID]
    )


def _receive_all(consumer, expected, rounds=10):
    messages = []
    for _round in range(rounds):
        messages += consumer.receive(wait_seconds=2)
        if len(messages) >= expected:
            break
    return messages


def test_subscribe_sends_official_requests(service, sandbox, queue):
    """Destination is grantless, the subscription filters ORDER_CHANGE by marketplace and type."""
    destination, subscription = _subscribe(service, queue)
    assert destination.sqs_arn == queue.queue_arn
    assert subscription.destination_id == destination.destination_id
    create = sandbox.requests("createSubscription")[-1]
    assert create["path"] == "/notifications/v1/subscriptions/ORDER_CHANGE"
    assert create["body"] == {
        "payloadVersion": "1.0",
        "destinationId": destination.destination_id,
        "processingDirective": {
            "eventFilter": {
                "eventFilterType": "ORDER_CHANGE",
                "marketplaceIds": [ES_ID],
                "orderChangeTypes": ["OrderStatusChange", "BuyerRequestedChange"],
            }
        },
    }, "exactly the official CreateSubscriptionRequest, no marketplaceIds added by the library"
    assert sandbox.requests("createDestination")[-1]["status"] == 200
    # Idempotent: subscribing again returns the existing destination and subscription.
    again_destination, again = _subscribe(service, queue)
    assert again_destination.destination_id == destination.destination_id
    assert again.subscription_id == subscription.subscription_id
    assert service.get_order_change_subscription().subscription_id == subscription.subscription_id
    service.delete_order_change_subscription(subscription.subscription_id)
    assert service.get_order_change_subscription() is None
    service.delete_destination(destination.destination_id)
    assert service.get_destinations() == ()


def test_order_created_and_cancelled_arrive_as_messages(service, sandbox, queue):
    """The sandbox publishes ORDER_CHANGE to the queue; the consumer parses and deletes them."""
    _destination, subscription = _subscribe(service, queue)
    sandbox.add_orders([_order("171-0000001-0000001", 1)])
    sandbox.patch_order("171-0000001-0000001", {"fulfillment": {"fulfillmentStatus": "CANCELLED"}})
    consumer = SqsConsumer(queue)
    messages = _receive_all(consumer, 2)
    changes = sorted((parse_order_change(m.body) for m in messages), key=lambda c: c.publish_time)
    assert [c.order_status for c in changes] == ["Unshipped", "Canceled"]
    assert {c.amazon_order_id for c in changes} == {"171-0000001-0000001"}
    assert {c.subscription_id for c in changes} == {subscription.subscription_id}
    for message in messages:
        consumer.delete(message.receipt_handle)
    assert consumer.receive(wait_seconds=0) == [], "deleted messages are gone"


def test_buyer_requests_arrive_as_buyer_requested_change(service, sandbox, queue):
    """The sandbox's buyer requests are BuyerRequestedChange messages the parser accepts."""
    _subscribe(service, queue)
    order_id = "171-0000002-0000001"
    sandbox.add_orders([_order(order_id, 1)])
    sandbox.buyer_request(
        order_id, "address", {"addressLine1": "Calle Mayor 7", "postalCode": "46001"}
    )
    sandbox.buyer_request(order_id, "cancel", reason="Ordered by mistake")
    held = sandbox.order(order_id)
    assert held["recipient"]["deliveryAddress"]["postalCode"] == "46001"
    request = held["orderItems"][0]["cancellation"]["cancellationRequest"]
    assert request == {"requester": "BUYER", "cancelReason": "Ordered by mistake"}
    consumer = SqsConsumer(queue)
    messages = _receive_all(consumer, 3)
    bodies = [json.loads(m.body)["Payload"]["OrderChangeNotification"] for m in messages]
    changes = {
        body["OrderChangeTrigger"]["ChangeReason"]: body
        for body in bodies
        if body["OrderChangeType"] == "BuyerRequestedChange"
    }
    assert set(changes) == {"Buyer Requested Address Change", "Buyer Requested Cancel"}
    cancel = changes["Buyer Requested Cancel"]["Summary"]["OrderItems"][0]
    assert cancel["IsBuyerRequestedCancel"] is True
    for message in messages:
        assert parse_order_change(message.body).amazon_order_id == order_id


def test_faults_duplicate_and_malformed(service, sandbox, queue):
    """duplicate delivers one notification twice; malformed adds a body that does not parse."""
    _subscribe(service, queue)
    sandbox.add_notification_fault("duplicate")
    sandbox.add_notification_fault("malformed")
    sandbox.add_orders([_order("171-0000002-0000001", 1), _order("171-0000002-0000002", 1)])
    messages = _receive_all(SqsConsumer(queue), 4)
    parsed, malformed = [], 0
    for message in messages:
        try:
            parsed.append(parse_order_change(message.body).notification_id)
        except MalformedNotificationError:
            malformed += 1
    assert malformed == 1
    assert len(parsed) == 3 and len(set(parsed)) == 2, "one notification delivered twice"


def test_sqs_down_is_logged_failed(service, sandbox, queue):
    """sqs_down: the publication fails (lost, as when SQS refuses it) and is logged."""
    _subscribe(service, queue)
    sandbox.add_notification_fault("sqs_down")
    sandbox.add_orders([_order("171-0000003-0000001", 1)])
    assert [n["status"] for n in sandbox.notifications()] == ["failed"]
    assert SqsConsumer(queue).receive(wait_seconds=1) == []


def test_consumer_errors_are_typed(queue):
    """An unreachable endpoint is transient; refused credentials are an AuthError."""
    down = SqsConfig(
        queue_url=queue.queue_url,
        region="eu-west-1",
        access_key_id="AKID",
        secret_access_key="s3cr3t-value",
        endpoint_url="http://127.0.0.1:9",
        timeout=2.0,
    )
    with pytest.raises(TransientError):
        SqsConsumer(down).receive(wait_seconds=0)
    with pytest.raises(AuthError):
        SqsConsumer(
            SqsConfig(queue.queue_url, "eu-west-1", "AKID", "", endpoint_url=queue.endpoint_url)
        )


def _document(**changes):
    document = {
        "NotificationVersion": "1.0",
        "NotificationType": "ORDER_CHANGE",
        "PayloadVersion": "1.0",
        "EventTime": "2026-01-11T00:09:53.109Z",
        "Payload": {
            "OrderChangeNotification": {
                "NotificationLevel": "OrderLevel",
                "SellerId": "A2SANDBOXSELLER",
                "AmazonOrderId": "903-8868176-2219830",
                "OrderChangeType": "OrderStatusChange",
                "OrderChangeTrigger": {
                    "TimeOfOrderChange": "2026-01-11T00:09:50Z",
                    "ChangeReason": "Order created",
                },
                "Summary": {
                    "MarketplaceId": ES_ID,
                    "OrderStatus": "Unshipped",
                    "PurchaseDate": "2026-01-11T00:09:50Z",
                    "DestinationPostalCode": "28001",
                    "FulfillmentType": "MFN",
                    "OrderType": "StandardOrder",
                    "OrderItems": [],
                },
            }
        },
        "NotificationMetadata": {
            "ApplicationId": "app",
            "SubscriptionId": "sub-1",
            "PublishTime": "2026-01-11T00:09:53Z",
            "NotificationId": "n-1",
        },
    }
    document.update(changes)
    return json.dumps(document)


def test_parse_valid_document():
    """A document of OrderChangeNotification.json's shape becomes a typed OrderChange."""
    change = parse_order_change(_document())
    assert (change.amazon_order_id, change.order_status, change.notification_id) == (
        "903-8868176-2219830",
        "Unshipped",
        "n-1",
    )
    assert change.publish_time.tzinfo is not None


@pytest.mark.parametrize(
    "body",
    [
        "",
        "not json",
        "[1, 2]",
        _document(NotificationType="ANY_OFFER_CHANGED"),
        _document(NotificationMetadata={"NotificationId": "x"}),
        _document(Payload={"OrderChangeNotification": {"AmazonOrderId": "../etc"}}),
        _document(EventTime="yesterday"),
        _document(
            Payload={
                "OrderChangeNotification": {
                    **json.loads(_document())["Payload"]["OrderChangeNotification"],
                    "OrderChangeType": "AddressForged",
                }
            }
        ),
        _document(
            Payload={
                "OrderChangeNotification": {
                    **json.loads(_document())["Payload"]["OrderChangeNotification"],
                    "OrderChangeType": "BuyerRequestedChange",
                    "Summary": {
                        **json.loads(_document())["Payload"]["OrderChangeNotification"]["Summary"],
                        "OrderItems": [{"IsBuyerRequestedCancel": "yes"}],
                    },
                }
            }
        ),
    ],
)
def test_parse_malformed_raises(body):
    """Anything but a complete ORDER_CHANGE document is a MalformedNotificationError."""
    with pytest.raises(MalformedNotificationError):
        parse_order_change(body)


def test_plain_notification_type_in_const():
    """The type is the plain string (the library's enum would print its class name on 3.11+)."""
    assert const.NOTIFICATION_TYPE_ORDER_CHANGE == "ORDER_CHANGE"
