"""Real-time orders end to end: the sandbox publishes ORDER_CHANGE to moto's SQS, a real Odoo
server's consumer cron and job runner turn it into a confirmed (then cancelled) sale order.

Waits are on state with generous timeouts; nothing asserts on timing (latency is ``make bench``'s).
"""

import time
from types import SimpleNamespace

import pytest

from amazon_sandbox import seed
from amazon_sandbox.sqs_process import account_values, create_queue, sqs_url

from .accounting import configure_spanish_sales
from .harness import product_with_sku, wait_for, wait_for_jobs

SKUS = ("SA-MUG-001", "SA-TEE-BLK-M")


@pytest.fixture
def account(odoo, sandbox, amazon_account):
    """The account subscribed to ORDER_CHANGE on a fresh moto queue, on an empty sandbox."""
    sandbox.reset(seed="empty")
    sandbox.config(sqs_endpoint=sqs_url())
    for sku in SKUS:
        product_with_sku(odoo, sku)
    configure_spanish_sales(odoo, SKUS)
    client, queue_url = create_queue("e2e")
    odoo.call("amazon.account", "write", [amazon_account], account_values(queue_url))
    odoo.call("amazon.account", "action_amazon_subscribe", [amazon_account])
    yield SimpleNamespace(id=amazon_account, sqs=client, queue_url=queue_url)
    odoo.call("amazon.account", "write", [amazon_account], {"sqs_enabled": False})
    client.delete_queue(QueueUrl=queue_url)


def new_order(number):
    """One FBM order of the generator, with an id of its own on a reused database."""
    start = int(time.time()) % 90000 * 100 + number
    return seed.generated_orders(1, SKUS, start=start, prefix="172")[0]


def queue_drained(account):
    """No message left in the queue, visible or being handled (all consumed and deleted)."""
    attributes = account.sqs.get_queue_attributes(
        QueueUrl=account.queue_url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return not any(int(value) for value in attributes.values())


def sale_state(odoo, account_id, ref):
    rows = odoo.call(
        "sale.order",
        "search_read",
        [("amazon_account_id", "=", account_id), ("amazon_order_ref", "=", ref)],
        fields=["state"],
    )
    return [row["state"] for row in rows]


def reaches(odoo, account_id, ref, state):
    """Wait (generously) until the account's sales order of ``ref`` is in ``state``."""
    return wait_for(lambda: sale_state(odoo, account_id, ref) == [state], timeout=180, interval=0.5)


def notifications(odoo, account_id, ref=None):
    domain = [("account_id", "=", account_id)]
    if ref:
        domain.append(("amazon_order_ref", "=", ref))
    return odoo.call(
        "amazon.notification", "search_read", domain, fields=["state", "raw_body", "error"]
    )


def test_order_created_then_cancelled_through_sqs(odoo, sandbox, account):
    """Created, then cancelled on Amazon: a confirmed, then cancelled sale; duplicates and
    out-of-order deliveries change nothing."""
    order = new_order(1)
    ref = order["orderId"]
    sandbox.add_notification_fault("duplicate")
    sandbox.add_orders([order])
    assert reaches(odoo, account.id, ref, "sale")
    sandbox.add_notification_fault("out_of_order")
    sandbox.patch_order(ref, {"fulfillment": {"fulfillmentStatus": "CANCELLED"}})
    assert reaches(odoo, account.id, ref, "cancel")
    assert wait_for(lambda: queue_drained(account), timeout=180, interval=0.5)
    assert wait_for_jobs(odoo, account.id)
    assert not sandbox.requests("searchOrders"), "no poll: the notifications brought both"
    # The duplicate and the creation delivered again after the cancellation were stored once.
    assert wait_for(lambda: len(notifications(odoo, account.id, ref)) == 2, timeout=60)
    assert sale_state(odoo, account.id, ref) == ["cancel"], "the older change did not win"


def test_malformed_message_kept_and_sqs_down_falls_back_to_polling(odoo, sandbox, account):
    """A malformed message is a dead letter that stops nothing; a notification lost while SQS
    was down is imported by polling, and the next one arrives through SQS again."""
    sandbox.add_notification_fault("malformed")
    first = new_order(2)
    sandbox.add_orders([first])
    assert reaches(odoo, account.id, first["orderId"], "sale")
    dead = wait_for(
        lambda: [n for n in notifications(odoo, account.id) if n["state"] == "dead"], timeout=60
    )
    assert len(dead) == 1 and dead[0]["raw_body"] and "not JSON" in dead[0]["error"]

    sandbox.add_notification_fault("sqs_down")
    lost = new_order(3)
    sandbox.add_orders([lost])
    assert [n["status"] for n in sandbox.notifications()][-1] == "failed"
    odoo.call("amazon.account", "write", [account.id], {"orders_last_sync": "2020-01-01 00:00:00"})
    odoo.call("amazon.account", "action_sync_orders", [account.id])
    # Polling, the safety net, imports the order whose notification was lost.
    assert reaches(odoo, account.id, lost["orderId"], "sale")

    after = new_order(4)
    sandbox.add_orders([after])
    # The consumer goes on with the next notifications.
    assert reaches(odoo, account.id, after["orderId"], "sale")
