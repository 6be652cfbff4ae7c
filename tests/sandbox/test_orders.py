"""Orders API 2026-01-01 and v0 confirmShipment through the real sp_api client."""

from datetime import datetime, timedelta, timezone

import pytest
from sp_api.api.orders.orders_2026_01_01 import OrdersV20260101
from sp_api.api.orders.orders_v0 import OrdersV0
from sp_api.base import SellingApiBadRequestException, SellingApiNotFoundException

ES = "A1RKKUPIHCS9HS"
FBM_SINGLE, FBM_MULTI, BUSINESS = (
    "402-3715930-4861125",
    "403-8126479-1203347",
    "404-5520178-9930241",
)
FBA, CANCELLED, PENDING, UNKNOWN_SKU = (
    "405-1187342-6652918",
    "406-7749201-3381570",
    "407-2290614-5174436",
    "408-6605123-7791044",
)
SHIPPED_FBM = "402-9918273-1100456"
ALL = "BUYER,RECIPIENT,PROCEEDS,PROMOTION,CANCELLATION,FULFILLMENT,PACKAGES,TAX"


def _since(days=30):
    return (datetime.now(timezone.utc) - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _package(items, reference="1", **overrides):
    detail = {
        "packageReferenceId": reference,
        "carrierCode": "Correos",
        "carrierName": "Correos",
        "shippingMethod": "Paq Estándar",
        "trackingNumber": "PQ4B7C2D10000999",
        "shipDate": _since(0),
        "orderItems": [{"orderItemId": i, "quantity": q} for i, q in items],
    }
    detail.update(overrides)
    return detail


def test_search_all_seeded_orders(make_client):
    """searchOrders with createdAfter returns every seeded order, oldest first."""
    response = make_client(OrdersV20260101).search_orders(
        createdAfter=_since(), marketplaceIds=[ES]
    )
    ids = [o["orderId"] for o in response.payload["orders"]]
    assert set(ids) == {
        FBM_SINGLE,
        FBM_MULTI,
        BUSINESS,
        FBA,
        CANCELLED,
        PENDING,
        UNKNOWN_SKU,
        SHIPPED_FBM,
    }
    assert "createdBefore" in response.payload
    assert response.headers["x-amzn-RateLimit-Limit"] == "0.0056"


def test_search_filters(make_client):
    """fulfillmentStatuses and fulfilledBy narrow the result."""
    client = make_client(OrdersV20260101)
    unshipped = client.search_orders(
        createdAfter=_since(),
        fulfillmentStatuses=["UNSHIPPED"],
        fulfilledBy=["MERCHANT"],
        includedData="FULFILLMENT",
    )
    ids = {o["orderId"] for o in unshipped.payload["orders"]}
    assert ids == {FBM_SINGLE, FBM_MULTI, BUSINESS, UNKNOWN_SKU}
    assert all(
        o["fulfillment"]["fulfillmentStatus"] == "UNSHIPPED" for o in unshipped.payload["orders"]
    )
    fba = client.search_orders(createdAfter=_since(), fulfilledBy="AMAZON")
    assert [o["orderId"] for o in fba.payload["orders"]] == [FBA]


def test_search_pagination(make_client):
    """maxResultsPerPage + paginationToken walk the whole result set."""
    client = make_client(OrdersV20260101)
    seen, token = [], None
    while True:
        kwargs = {"paginationToken": token} if token else {"createdAfter": _since()}
        page = client.search_orders(maxResultsPerPage=3, **kwargs)
        assert len(page.payload["orders"]) <= 3
        seen += [o["orderId"] for o in page.payload["orders"]]
        token = page.next_token
        if not token:
            break
    assert len(seen) == 8 == len(set(seen))


def test_search_last_updated_window(make_client, control):
    """lastUpdatedAfter finds orders changed through the control API (minus the last 2 min)."""
    ten_minutes_ago = datetime.now(timezone.utc) - timedelta(minutes=10)
    control.patch_order(FBM_SINGLE, {"lastUpdatedTime": ten_minutes_ago.isoformat()})
    recent = (datetime.now(timezone.utc) - timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    page = make_client(OrdersV20260101).search_orders(lastUpdatedAfter=recent)
    assert [o["orderId"] for o in page.payload["orders"]] == [FBM_SINGLE]


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"createdAfter": _since(), "lastUpdatedAfter": _since()},
        {"createdAfter": "yesterday"},
        {"createdAfter": _since(), "maxResultsPerPage": 101},
        {"createdAfter": _since(), "fulfillmentStatuses": "SENT"},
        {"createdAfter": _since(), "createdBefore": "NOW"},
    ],
)
def test_search_invalid_params_are_400(make_client, kwargs):
    """The model's parameter rules are enforced with 400 InvalidInput."""
    # "NOW" is resolved when the test runs, not when it is collected minutes earlier.
    kwargs = {key: _since(0) if value == "NOW" else value for key, value in kwargs.items()}
    with pytest.raises(SellingApiBadRequestException):
        make_client(OrdersV20260101).search_orders(**kwargs)


def test_get_order_core_and_datasets(make_client):
    """getOrder returns core fields by default and datasets on request."""
    client = make_client(OrdersV20260101)
    core = client.get_order(FBM_MULTI).payload["order"]
    assert "buyer" not in core and "proceeds" not in core
    assert core["salesChannel"]["marketplaceId"] == ES
    full = client.get_order(FBM_MULTI, includedData=ALL).payload["order"]
    assert full["buyer"]["buyerName"] and full["recipient"]["deliveryAddress"]["postalCode"]
    first = full["orderItems"][0]
    assert first["product"]["sellerSku"] == "SA-TEE-BLK-M" and first["quantityOrdered"] == 2
    assert first["product"]["price"]["unitPrice"] == {"amount": "19.90", "currencyCode": "EUR"}
    assert first["promotion"]["breakdowns"][0]["promotionId"]
    types = {b["type"] for b in first["proceeds"]["breakdowns"]}
    assert {"ITEM", "SHIPPING", "DISCOUNT", "TAX"} <= types
    assert full["proceeds"]["grandTotal"] == {"amount": "51.78", "currencyCode": "EUR"}


def test_seeded_order_characters(make_client):
    """Business, FBA, cancelled, pending and unknown-SKU orders look the part."""
    client = make_client(OrdersV20260101)

    def order(order_id):
        return client.get_order(order_id, includedData=ALL).payload["order"]

    business = order(BUSINESS)
    assert business["buyer"]["buyerCompanyName"] and "AMAZON_BUSINESS" in business["programs"]
    assert business["tax"]["taxRegistrations"][0]["taxRegistrationType"] == "VAT"
    assert order(FBA)["fulfillment"]["fulfilledBy"] == "AMAZON"
    assert order(CANCELLED)["fulfillment"]["fulfillmentStatus"] == "CANCELLED"
    assert order(PENDING)["fulfillment"]["fulfillmentStatus"] == "PENDING"
    assert order(UNKNOWN_SKU)["orderItems"][0]["product"]["sellerSku"] == "SA-UNKNOWN-999"


def test_get_unknown_order_is_404(make_client):
    """getOrder on an unknown id is a 404."""
    with pytest.raises(SellingApiNotFoundException):
        make_client(OrdersV20260101).get_order("999-0000000-0000000")


def test_confirm_shipment_success_and_duplicate(make_client, control):
    """confirmShipment ships the order (204); resending the package is flagged duplicate."""
    client = make_client(OrdersV0)
    package = _package([("06538226431891", 1)])
    response = client.confirm_shipment(FBM_SINGLE, marketplaceId=ES, packageDetail=package)
    assert response.payload == {"status_code": 204}
    order = control.order(FBM_SINGLE)
    assert order["fulfillment"]["fulfillmentStatus"] == "SHIPPED"
    assert order["packages"][0]["trackingNumber"] == "PQ4B7C2D10000999"
    client.confirm_shipment(FBM_SINGLE, marketplaceId=ES, packageDetail=package)
    shipments = control.shipments()
    assert [s["duplicate"] for s in shipments] == [False, True]
    assert shipments[0]["packageDetail"]["packageReferenceId"] == "1"


def test_confirm_shipment_partial(make_client, control):
    """Shipping one line of a multi-line order makes it PARTIALLY_SHIPPED."""
    make_client(OrdersV0).confirm_shipment(
        FBM_MULTI, marketplaceId=ES, packageDetail=_package([("19283746501929", 1)])
    )
    assert control.order(FBM_MULTI)["fulfillment"]["fulfillmentStatus"] == "PARTIALLY_SHIPPED"


@pytest.mark.parametrize(
    ("order_id", "body"),
    [
        (FBM_SINGLE, {"packageDetail": _package([("06538226431891", 1)])}),
        (FBM_SINGLE, {"marketplaceId": ES, "packageDetail": _package([("06538226431891", 2)])}),
        (FBM_SINGLE, {"marketplaceId": ES, "packageDetail": _package([("111", 1)])}),
        (
            FBM_SINGLE,
            {
                "marketplaceId": ES,
                "packageDetail": _package([("06538226431891", 1)], shipDate="02/21/2022"),
            },
        ),
        (
            FBM_SINGLE,
            {
                "marketplaceId": ES,
                "packageDetail": _package([("06538226431891", 1)], reference="PKG-A"),
            },
        ),
        (CANCELLED, {"marketplaceId": ES, "packageDetail": _package([("88123400192837", 1)])}),
        (FBA, {"marketplaceId": ES, "packageDetail": _package([("77120934856102", 1)])}),
    ],
)
def test_confirm_shipment_invalid_is_400(make_client, control, order_id, body):
    """Missing fields, unknown items, excess quantities and unshippable orders are 400."""
    with pytest.raises(SellingApiBadRequestException):
        make_client(OrdersV0).confirm_shipment(order_id, **body)
    assert control.shipments() == []


def test_confirm_shipment_unknown_order_is_404(make_client):
    """confirmShipment for an unknown order is a 404."""
    with pytest.raises(SellingApiNotFoundException):
        make_client(OrdersV0).confirm_shipment(
            "999-0000000-0000000", marketplaceId=ES, packageDetail=_package([("1", 1)])
        )


def test_control_orders_upsert_and_cancel(make_client, control):
    """Orders added and cancelled through the control API are visible to searchOrders."""
    order = control.order(FBM_SINGLE)
    order["orderId"] = "402-0000001-0000001"
    control.add_orders([order])
    control.patch_order("402-0000001-0000001", {"fulfillment": {"fulfillmentStatus": "CANCELLED"}})
    page = make_client(OrdersV20260101).search_orders(
        createdAfter=_since(), fulfillmentStatuses="CANCELLED"
    )
    assert {o["orderId"] for o in page.payload["orders"]} == {CANCELLED, "402-0000001-0000001"}
