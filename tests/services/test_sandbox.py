"""Integration: SpApiService against the local Amazon sandbox (amazon_sandbox)."""

import json
import socket
import time
import urllib.request
from datetime import datetime, timedelta, timezone

import pytest

from stockagile_amazon_connector.services import (
    AuthError,
    InvalidRequestError,
    NotFoundError,
    RateLimiter,
    SpApiService,
    ThrottledError,
    TransientError,
    payloads,
)
from stockagile_amazon_connector.services.const import REPORT_TYPE_RETURNS

from .conftest import CLIENT_SECRET, REFRESH_TOKEN, make_config

ES_ID = "A1RKKUPIHCS9HS"


def ctl(url, method, path, body=None):
    """Raw call to the sandbox control API (JSON in, JSON out)."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        f"{url}/_sandbox/{path}",
        data=data,
        method=method,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        content = response.read()
    return json.loads(content) if content else None


def requests_of(url, operation):
    """Requests the sandbox received for one operation."""
    return ctl(url, "GET", f"requests?operation={operation}")


def fault(url, operation, kind, **extra):
    """Arm one fault on the sandbox."""
    ctl(url, "POST", "faults", {"operation": operation, "kind": kind, "count": 1, **extra})


def _order(order_id, minutes_ago, status="UNSHIPPED"):
    """Minimal official 2026-01-01 Order."""
    stamp = (datetime.now(timezone.utc) - timedelta(minutes=minutes_ago)).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
    return {
        "orderId": order_id,
        "createdTime": stamp,
        "lastUpdatedTime": stamp,
        "salesChannel": {"channelName": "AMAZON", "marketplaceId": ES_ID},
        "fulfillment": {"fulfillmentStatus": status, "fulfilledBy": "MERCHANT"},
        "orderItems": [
            {
                "orderItemId": f"{order_id[-5:]}00001",
                "quantityOrdered": 1,
                "product": {
                    "sellerSku": "SA-MUG-001",
                    "price": {"unitPrice": {"amount": "12.90", "currencyCode": "EUR"}},
                },
            }
        ],
    }


def _secret_free(error):
    for secret in (CLIENT_SECRET, REFRESH_TOKEN):
        assert secret not in str(error)
        assert secret not in repr(error.details)


def test_lwa_success_and_participations(service, sandbox_url):
    """Valid credentials reach the seller's four EU marketplaces through one LWA token."""
    participations = service.get_marketplace_participations()
    assert {p.marketplace_id for p in participations} >= {
        "A1RKKUPIHCS9HS",
        "A1PA6795UKMFR9",
        "A13V1IB3VIYZZH",
        "APJ6JRA9NG5V4",
    }
    assert all(p.is_participating for p in participations)
    assert len(requests_of(sandbox_url, "getMarketplaceParticipations")) == 1


def test_wrong_secret_is_auth_error(sandbox, sandbox_url):
    """A wrong client secret gives AuthError(invalid_client), without any secret in it."""
    svc = SpApiService(make_config(sandbox_url, lwa_client_secret="not-the-secret"))
    with pytest.raises(AuthError) as info:
        svc.get_marketplace_participations()
    assert info.value.code == "invalid_client"
    assert "not-the-secret" not in str(info.value)
    _secret_free(info.value)
    assert requests_of(sandbox_url, "getMarketplaceParticipations") == []


def test_wrong_refresh_token_is_auth_error(sandbox, sandbox_url):
    """A wrong refresh token gives AuthError(invalid_grant) telling to re-authorise."""
    svc = SpApiService(make_config(sandbox_url, refresh_token="Atzr|revoked-token"))
    with pytest.raises(AuthError, match="refresh token") as info:
        svc.get_marketplace_participations()
    assert info.value.code == "invalid_grant"
    assert "Atzr|revoked-token" not in str(info.value)


def test_unreachable_endpoint_is_transient_fast():
    """A closed port fails with TransientError well within the timeout."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    svc = SpApiService(make_config(f"http://127.0.0.1:{port}", timeout=2.0))
    started = time.monotonic()
    with pytest.raises(TransientError):
        svc.get_marketplace_participations()
    assert time.monotonic() - started < 2.0


def test_get_listing_reads_sandbox_state(service, sandbox_url):
    """The seeded mug is read with its product type, stock and price."""
    listing = service.get_listing("SA-MUG-001", ES_ID)
    assert listing.sku == "SA-MUG-001"
    assert listing.product_type == "DRINKING_CUP"
    assert listing.quantity == 0
    assert (listing.price, listing.currency) == (12.9, "EUR")
    assert listing.status and listing.asin and listing.item_name
    assert requests_of(sandbox_url, "getListingsItem")[-1]["query"]["includedData"]


def test_get_listing_refuses_bad_input_before_amazon(service, sandbox_url):
    """An empty SKU or a marketplace the account does not sell on never reaches Amazon."""
    with pytest.raises(InvalidRequestError):
        service.get_listing("  ", ES_ID)
    with pytest.raises(InvalidRequestError):
        service.get_listing("SA-MUG-001", "ATVPDKIKX0DER")
    assert not requests_of(sandbox_url, "getListingsItem")


def test_patch_listing_updates_sandbox(service, sandbox_url):
    """Quantity and price patches land in the sandbox listing."""
    submission = service.patch_listing(
        "SA-TEE-BLK-M",
        ES_ID,
        "SHIRT",
        [
            payloads.fulfillment_availability_patch(7),
            payloads.purchasable_offer_patch(ES_ID, "EUR", "21.50"),
        ],
    )
    assert submission.status == "ACCEPTED"
    assert submission.submission_id
    held = ctl(sandbox_url, "GET", "listings/SA-TEE-BLK-M")
    assert held["quantity"] == 7
    assert float(held["price"]) == 21.5


def test_unknown_sku_is_not_found(service):
    """Reading a SKU the seller does not have raises NotFoundError."""
    with pytest.raises(NotFoundError):
        service.get_listing("NO-SUCH-SKU", ES_ID)


def test_feed_round_trip(service, sandbox_url):
    """A JSON_LISTINGS_FEED is uploaded, processed, reported, and changes the sandbox stock."""
    document = payloads.listings_feed_document(
        "A2SANDBOXSELLER",
        [
            payloads.partial_update_message(
                1, "SA-MUG-001", "DRINKING_CUP", [payloads.fulfillment_availability_patch(11)]
            ),
            payloads.partial_update_message(
                2, "SA-BOTTLE-750", "WATER_BOTTLE", [payloads.fulfillment_availability_patch(3)]
            ),
        ],
    )
    feed_id = service.submit_listings_feed(ES_ID, document)
    deadline = time.monotonic() + 20
    status = service.get_feed(feed_id)
    while not status.done and time.monotonic() < deadline:
        time.sleep(0.2)  # the test waits; the service never does
        status = service.get_feed(feed_id)
    assert status.processing_status == "DONE"
    report = service.get_feed_result(status.result_document_id)
    assert report["summary"]["messagesAccepted"] == 2
    assert ctl(sandbox_url, "GET", "listings/SA-MUG-001")["quantity"] == 11
    assert ctl(sandbox_url, "GET", "listings/SA-BOTTLE-750")["quantity"] == 3


def _one_message_feed():
    return payloads.listings_feed_document(
        "A2SANDBOXSELLER",
        [
            payloads.partial_update_message(
                1, "SA-MUG-001", "DRINKING_CUP", [payloads.fulfillment_availability_patch(7)]
            )
        ],
    )


def test_feed_document_waits_for_create_feed_pace(service, sandbox_url):
    """While createFeed must wait, no document is created nor uploaded."""
    service.limiter.penalize("createFeed", 30)
    with pytest.raises(ThrottledError) as caught:
        service.upload_listings_feed_document(ES_ID, _one_message_feed())
    assert caught.value.retry_after == pytest.approx(30, abs=1)
    assert not requests_of(sandbox_url, "createFeedDocument")


def test_throttled_create_feed_is_retried_with_its_document(service, sandbox_url):
    """An uploaded document survives a throttled createFeed: the retry reuses it."""
    ctl(sandbox_url, "POST", "config", {"rate_plans": {"createFeed": [50, 15]}})
    fault(sandbox_url, "createFeed", "throttle")
    document_id = service.upload_listings_feed_document(ES_ID, _one_message_feed())
    with pytest.raises(ThrottledError) as caught:
        service.create_listings_feed(ES_ID, document_id)
    assert caught.value.retry_after == pytest.approx(0.02)
    while service.limiter.wait("createFeed") > 0:  # the job runner's retry delay
        time.sleep(0.01)
    feed_id = service.create_listings_feed(ES_ID, document_id)
    assert feed_id
    assert len(requests_of(sandbox_url, "createFeedDocument")) == 1
    created = [r for r in requests_of(sandbox_url, "createFeed") if r["status"] == 202]
    assert [r["body"]["inputFeedDocumentId"] for r in created] == [document_id]


def test_orders_search_with_pagination(service, sandbox_url):
    """Orders posted to the sandbox come back exactly once across pages."""
    ids = [f"402-0000000-000000{i}" for i in range(5)]
    ctl(sandbox_url, "POST", "orders", [_order(oid, 30 - i) for i, oid in enumerate(ids)])
    since = datetime.now(timezone.utc) - timedelta(hours=2)
    found, token = [], None
    for _ in range(10):
        page = service.search_orders([ES_ID], since, pagination_token=token, max_results=2)
        found += [order["orderId"] for order in page.orders]
        token = page.next_token
        if not token:
            break
    assert set(ids) <= set(found)
    assert len(found) == len(set(found))
    sent = requests_of(sandbox_url, "searchOrders")
    assert "BUYER" in json.dumps(sent[0]["query"])
    assert service.get_order(ids[0])["orderId"] == ids[0]


def test_get_order_contract(service, sandbox_url):
    """getOrder returns the order with the datasets asked; a bad or unknown id is typed."""
    order = service.get_order("402-3715930-4861125")
    assert order["orderId"] == "402-3715930-4861125"
    assert order["fulfillment"]["fulfillmentStatus"]
    assert order["buyer"] is not None and order["proceeds"] is not None
    assert order["orderItems"][0]["product"]["sellerSku"] == "SA-MUG-001"
    core = service.get_order("402-3715930-4861125", included_data=())
    assert "fulfillment" not in core
    with pytest.raises(NotFoundError):
        service.get_order("999-0000000-0000000")
    sent = len(requests_of(sandbox_url, "getOrder"))
    for bad in ("../../sellers/v1/marketplaceParticipations", "402-3715930", None, 402):
        with pytest.raises(InvalidRequestError):
            service.get_order(bad)
    with pytest.raises(InvalidRequestError):
        service.get_order("402-3715930-4861125", included_data=("EVERYTHING",))
    assert len(requests_of(sandbox_url, "getOrder")) == sent, "bad input reached Amazon"


def test_confirm_shipment_recorded(service, sandbox_url):
    """A shipment confirmation is accepted and recorded with its tracking number."""
    order = _order("402-1234567-7654321", 5)
    ctl(sandbox_url, "POST", "orders", [order])
    code, name = payloads.carrier_code_for("SEUR")
    body = payloads.confirm_shipment_body(
        ES_ID,
        1,
        code,
        name,
        "Standard",
        "SEUR123",
        datetime.now(timezone.utc),
        [(order["orderItems"][0]["orderItemId"], 1)],
    )
    assert service.confirm_shipment(order["orderId"], body) is None
    shipments = ctl(sandbox_url, "GET", "shipments")
    assert [s["orderId"] for s in shipments] == [order["orderId"]]
    assert shipments[0]["packageDetail"]["trackingNumber"] == "SEUR123"


def test_returns_report_document(service, sandbox_url):
    """A returns report is created, processed and its document read as text."""
    end = datetime.now(timezone.utc).replace(tzinfo=None)
    report_id = service.create_report(REPORT_TYPE_RETURNS, [ES_ID], end - timedelta(days=30), end)
    deadline = time.monotonic() + 20
    status = service.get_report(report_id)
    while not status.done and time.monotonic() < deadline:
        time.sleep(0.2)
        status = service.get_report(report_id)
    assert status.processing_status == "DONE"
    text = service.get_report_document(status.document_id)
    assert isinstance(text, str) and text.strip()


def test_returns_report_window_limited(service, sandbox_url):
    """More than 60 days per returns report is refused before calling Amazon."""
    end = datetime(2026, 3, 1)
    with pytest.raises(InvalidRequestError):
        service.create_report(REPORT_TYPE_RETURNS, [ES_ID], end - timedelta(days=61), end)
    assert requests_of(sandbox_url, "createReport") == []


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("throttle", ThrottledError),
        ("throttle_empty", ThrottledError),
        ("error500", TransientError),
        ("error503", TransientError),
        ("html500", TransientError),
        ("malformed", TransientError),
        ("expired_token", TransientError),
    ],
)
def test_fault_kinds_mapped(service, sandbox_url, kind, expected):
    """Each sandbox fault on getListingsItem maps to the right error; the next call works."""
    fault(sandbox_url, "getListingsItem", kind)
    with pytest.raises(expected) as info:
        service.get_listing("SA-MUG-001", ES_ID)
    _secret_free(info.value)
    if expected is ThrottledError:
        assert info.value.retry_after > 0
        service.limiter = RateLimiter()  # forget our local penalty to prove Amazon recovered
    assert service.get_listing("SA-MUG-001", ES_ID).sku == "SA-MUG-001"


def test_throttle_header_read(service, sandbox_url):
    """The throttle's x-amzn-RateLimit-Limit sets retry_after = 1/rate."""
    fault(sandbox_url, "getListingsItem", "throttle")
    with pytest.raises(ThrottledError) as info:
        service.get_listing("SA-MUG-001", ES_ID)
    rate = service.last_rate_limit["getListingsItem"]
    assert info.value.retry_after == pytest.approx(1 / rate)


def test_expired_token_refreshes(service, sandbox_url):
    """After an expired-token 403 the next call obtains a new access token."""
    service.get_listing("SA-MUG-001", ES_ID)
    tokens_before = len(requests_of(sandbox_url, "lwaToken"))
    fault(sandbox_url, "getListingsItem", "expired_token")
    with pytest.raises(TransientError):
        service.get_listing("SA-MUG-001", ES_ID)
    service.get_listing("SA-MUG-001", ES_ID)
    assert len(requests_of(sandbox_url, "lwaToken")) == tokens_before + 1


def test_slow_answer_times_out(sandbox, sandbox_url):
    """A slow answer beyond the configured timeout is a TransientError, raised on time."""
    svc = SpApiService(make_config(sandbox_url, timeout=0.5))
    fault(sandbox_url, "getListingsItem", "slow", delay=3)
    started = time.monotonic()
    with pytest.raises(TransientError, match="did not answer"):
        svc.get_listing("SA-MUG-001", ES_ID)
    assert time.monotonic() - started < 2.5


def test_default_marketplace_env_does_not_redirect(service, sandbox_url, monkeypatch):
    """SP_API_DEFAULT_MARKETPLACE=US changes neither endpoint nor marketplace of requests."""
    monkeypatch.setenv("SP_API_DEFAULT_MARKETPLACE", "US")
    assert service.get_listing("SA-MUG-001", ES_ID).product_type == "DRINKING_CUP"
    service.get_marketplace_participations()
    logged = requests_of(sandbox_url, "getListingsItem")
    assert len(logged) == 1
    assert "ATVPDKIKX0DER" not in json.dumps(logged)
    assert len(requests_of(sandbox_url, "getMarketplaceParticipations")) == 1
