"""Listings Items API 2021-08-01 through the real sp_api client."""

import pytest
from sp_api.api.listings_items.listings_items_2021_08_01 import ListingsItemsV20210801
from sp_api.base import SellingApiBadRequestException, SellingApiNotFoundException

ES = "A1RKKUPIHCS9HS"
ALL_DATA = ["summaries", "attributes", "issues", "offers", "fulfillmentAvailability"]


def _quantity_patch(quantity):
    return {
        "productType": "DRINKING_CUP",
        "patches": [
            {
                "op": "replace",
                "path": "/attributes/fulfillment_availability",
                "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": quantity}],
            }
        ],
    }


def test_get_listing_with_all_included_data(make_client, seller_id):
    """getListingsItem returns summaries, attributes, offers and availability of a seed SKU."""
    item = (
        make_client(ListingsItemsV20210801)
        .get_listings_item(seller_id, "SA-MUG-001", includedData=ALL_DATA)
        .payload
    )
    assert item["sku"] == "SA-MUG-001"
    assert item["summaries"][0]["productType"] == "DRINKING_CUP"
    assert item["summaries"][0]["marketplaceId"] == ES
    assert item["offers"][0]["price"] == {"currencyCode": "EUR", "amount": "12.90"}
    assert item["fulfillmentAvailability"] == [{"fulfillmentChannelCode": "DEFAULT", "quantity": 0}]
    assert (
        item["attributes"]["purchasable_offer"][0]["our_price"][0]["schedule"][0]["value_with_tax"]
        == 12.9
    )
    assert item["issues"] == []


def test_get_listing_default_is_summaries_only(make_client, seller_id):
    """Without includedData only summaries come back (the model's default)."""
    item = make_client(ListingsItemsV20210801).get_listings_item(seller_id, "SA-TEE-BLK-M").payload
    assert set(item) == {"sku", "summaries"}


def test_get_unknown_sku_is_404(make_client, seller_id):
    """An unknown SKU is a 404 with an errors body."""
    with pytest.raises(SellingApiNotFoundException) as info:
        make_client(ListingsItemsV20210801).get_listings_item(seller_id, "NOPE-1")
    assert "NOPE-1" in info.value.message


def test_get_with_other_seller_is_404(make_client):
    """A listing of another seller id is not found."""
    with pytest.raises(SellingApiNotFoundException):
        make_client(ListingsItemsV20210801).get_listings_item("AOTHERSELLER", "SA-MUG-001")


def test_patch_quantity_and_price(make_client, control, seller_id):
    """patchListingsItem applies fulfillment_availability and purchasable_offer."""
    body = _quantity_patch(7)
    body["patches"].append(
        {
            "op": "replace",
            "path": "/attributes/purchasable_offer",
            "value": [
                {
                    "marketplace_id": ES,
                    "currency": "EUR",
                    "our_price": [{"schedule": [{"value_with_tax": 13.5}]}],
                }
            ],
        }
    )
    response = (
        make_client(ListingsItemsV20210801)
        .patch_listings_item(seller_id, "SA-MUG-001", body=body)
        .payload
    )
    assert response["status"] == "ACCEPTED" and response["issues"] == []
    assert response["sku"] == "SA-MUG-001" and response["submissionId"]
    listing = control.listing("SA-MUG-001")
    assert listing["quantity"] == 7 and listing["price"] == 13.5
    assert listing["status"] == ["BUYABLE", "DISCOVERABLE"]


def test_patch_unknown_sku_is_404_and_not_created(make_client, control, seller_id):
    """Patching a SKU without a listing is a 404 and creates nothing."""
    with pytest.raises(SellingApiNotFoundException):
        make_client(ListingsItemsV20210801).patch_listings_item(
            seller_id, "SA-NOT-LISTED", body=_quantity_patch(1)
        )
    assert control.listing("SA-NOT-LISTED") is None


@pytest.mark.parametrize(
    "body",
    [
        {"patches": _quantity_patch(1)["patches"]},
        {"productType": "DRINKING_CUP"},
        {
            "productType": "DRINKING_CUP",
            "patches": [{"op": "upsert", "path": "/attributes/x", "value": [{}]}],
        },
        {
            "productType": "DRINKING_CUP",
            "patches": [
                {
                    "op": "replace",
                    "path": "/attributes/fulfillment_availability",
                    "value": {"quantity": 1},
                }
            ],
        },
    ],
)
def test_patch_malformed_is_400(make_client, seller_id, body):
    """A patch document that does not follow ListingsItemPatchRequest is a 400."""
    with pytest.raises(SellingApiBadRequestException):
        make_client(ListingsItemsV20210801).patch_listings_item(seller_id, "SA-MUG-001", body=body)


@pytest.mark.parametrize("quantity", [-1, "5", 2.5])
def test_patch_bad_quantity_is_invalid(make_client, control, seller_id, quantity):
    """Bad values give status INVALID with issues and leave the listing untouched."""
    response = (
        make_client(ListingsItemsV20210801)
        .patch_listings_item(seller_id, "SA-MUG-001", body=_quantity_patch(quantity))
        .payload
    )
    assert response["status"] == "INVALID"
    assert response["issues"][0]["severity"] == "ERROR"
    assert response["issues"][0]["attributeNames"] == ["fulfillment_availability"]
    assert control.listing("SA-MUG-001")["quantity"] == 0


def test_patch_validation_preview_does_not_apply(make_client, control, seller_id):
    """mode=VALIDATION_PREVIEW answers VALID without changing the listing."""
    response = (
        make_client(ListingsItemsV20210801)
        .patch_listings_item(
            seller_id, "SA-MUG-001", body=_quantity_patch(3), mode="VALIDATION_PREVIEW"
        )
        .payload
    )
    assert response["status"] == "VALID"
    assert control.listing("SA-MUG-001")["quantity"] == 0


def test_search_pagination(make_client, control, seller_id):
    """searchListingsItems pages through all listings with nextToken."""
    control.reset(generate_listings=25)
    client = make_client(ListingsItemsV20210801)
    seen, token = [], None
    while True:
        kwargs = {"pageSize": 20, "sortBy": "sku", "sortOrder": "ASC"}
        if token:
            kwargs["pageToken"] = token
        page = client.search_listings_items(seller_id, **kwargs)
        assert page.payload["numberOfResults"] == 30
        seen += [item["sku"] for item in page.payload["items"]]
        token = page.next_token
        if not token:
            break
    assert len(seen) == 30 and seen == sorted(seen)


def test_search_by_sku_identifiers(make_client, seller_id):
    """identifiers + identifiersType=SKU filters to the given SKUs."""
    page = (
        make_client(ListingsItemsV20210801)
        .search_listings_items(
            seller_id,
            identifiers="SA-MUG-001,SA-BOTTLE-750",
            identifiersType="SKU",
            includedData="summaries,fulfillmentAvailability",
        )
        .payload
    )
    assert sorted(i["sku"] for i in page["items"]) == ["SA-BOTTLE-750", "SA-MUG-001"]
    assert "fulfillmentAvailability" in page["items"][0]


def test_search_identifiers_without_type_is_400(make_client, seller_id):
    """identifiers without identifiersType is rejected."""
    with pytest.raises(SellingApiBadRequestException):
        make_client(ListingsItemsV20210801).search_listings_items(
            seller_id, identifiers="SA-MUG-001"
        )
