"""Catalog Items 2022-04-01, Product Type Definitions 2020-09-01 and putListingsItem through the
real sp_api client."""

import base64
import hashlib
import json
import urllib.request

import pytest
from sp_api.api import CatalogItems
from sp_api.api.listings_items.listings_items_2021_08_01 import ListingsItemsV20210801
from sp_api.api.product_type_definitions.product_type_definitions import ProductTypeDefinitions
from sp_api.base import SellingApiBadRequestException, SellingApiNotFoundException

ES = "A1RKKUPIHCS9HS"
DE = "A1PA6795UKMFR9"


def _catalog(make_client):
    return make_client(CatalogItems, version="2022-04-01")


def _mug_attributes(**overrides):
    """A complete LISTING body for a DRINKING_CUP."""

    def text(value):
        return [{"value": value, "language_tag": "es_ES", "marketplace_id": ES}]

    attributes = {
        "item_name": text("Taza nueva 400 ml"),
        "brand": text("Stockagile"),
        "product_description": text("Una taza de gres."),
        "externally_assigned_product_identifier": [
            {"type": "ean", "value": "8437000009991", "marketplace_id": ES}
        ],
        "condition_type": [{"value": "new_new", "marketplace_id": ES}],
        "material": text("Gres"),
        "color": text("Azul"),
        "fulfillment_availability": [{"fulfillment_channel_code": "DEFAULT", "quantity": 7}],
        "purchasable_offer": [
            {
                "marketplace_id": ES,
                "currency": "EUR",
                "our_price": [{"schedule": [{"value_with_tax": 14.5}]}],
            }
        ],
    }
    attributes.update(overrides)
    return {k: v for k, v in attributes.items() if v is not None}


def test_search_catalog_by_ean_one_and_several(make_client):
    """One EAN matching one ASIN gives one item; the duplicate EAN gives two ASINs."""
    client = _catalog(make_client)
    one = client.search_catalog_items(
        identifiers="8437000000028",
        identifiersType="EAN",
        marketplaceIds=ES,
        includedData="summaries,images,productTypes",
    ).payload
    assert [i["asin"] for i in one["items"]] == ["B0CATMUG02"]
    assert one["items"][0]["summaries"][0]["brand"] == "Cerámicas Sol"
    assert one["items"][0]["productTypes"][0]["productType"] == "DRINKING_CUP"
    assert one["items"][0]["images"][0]["images"][0]["link"].startswith("https://")
    several = client.search_catalog_items(
        identifiers="8437000000035,0000000000000", identifiersType="EAN", marketplaceIds=ES
    ).payload
    assert sorted(i["asin"] for i in several["items"]) == ["B0CATTEE01", "B0CATTEE02"]
    assert several["numberOfResults"] == 2


def test_search_catalog_refuses_more_than_20_identifiers(make_client):
    """The model's maxItems 20 on identifiers is enforced."""
    ids = ",".join(f"84370000{i:05d}" for i in range(21))
    with pytest.raises(SellingApiBadRequestException):
        _catalog(make_client).search_catalog_items(
            identifiers=ids, identifiersType="EAN", marketplaceIds=ES
        )


def test_product_type_search_and_schema_checksum(make_client, control):
    """Keywords find DRINKING_CUP; its definition links a schema whose MD5 is the checksum."""
    client = make_client(ProductTypeDefinitions)
    found = client.search_definitions_product_types(keywords="mug", marketplaceIds=ES).payload
    assert [p["name"] for p in found["productTypes"]] == ["DRINKING_CUP"]
    definition = client.get_definitions_product_type(
        "DRINKING_CUP", marketplaceIds=ES, requirements="LISTING"
    ).payload
    link = definition["schema"]["link"]["resource"]
    with urllib.request.urlopen(link, timeout=10) as response:
        content = response.read()
    assert (
        base64.b64encode(hashlib.md5(content).digest()).decode()
        == (definition["schema"]["checksum"])
    )
    schema = json.loads(content)
    assert {"$defs", "properties", "required"} <= set(schema)
    assert {"material", "brand", "item_name"} <= set(schema["required"])
    with pytest.raises(SellingApiNotFoundException):
        client.get_definitions_product_type("NO_SUCH_TYPE", marketplaceIds=ES)


def test_preview_reports_missing_attributes_and_stores_nothing(make_client, control, seller_id):
    """VALIDATION_PREVIEW of an incomplete body is INVALID with issues; no listing is stored."""
    client = make_client(ListingsItemsV20210801)
    body = {
        "productType": "DRINKING_CUP",
        "requirements": "LISTING",
        "attributes": _mug_attributes(material=None),
    }
    result = client.put_listings_item(
        seller_id, "SA-NEW-MUG", marketplaceIds=ES, mode="VALIDATION_PREVIEW", body=body
    ).payload
    assert result["status"] == "INVALID"
    assert [i["attributeNames"] for i in result["issues"] if i["severity"] == "ERROR"] == [
        ["material"]
    ]
    assert control.listing("SA-NEW-MUG") is None
    body["attributes"] = _mug_attributes()
    result = client.put_listings_item(
        seller_id, "SA-NEW-MUG", marketplaceIds=ES, mode="VALIDATION_PREVIEW", body=body
    ).payload
    assert result["status"] == "VALID"
    assert control.listing("SA-NEW-MUG") is None


def test_put_creates_listing_then_asin_and_buyable(make_client, control, seller_id):
    """A real put is ACCEPTED, has no ASIN until processed, then gets one and is BUYABLE."""
    control.config(listing_creation_seconds=3600)
    client = make_client(ListingsItemsV20210801)
    body = {
        "productType": "DRINKING_CUP",
        "requirements": "LISTING",
        "attributes": _mug_attributes(),
    }
    result = client.put_listings_item(seller_id, "SA-NEW-MUG", marketplaceIds=ES, body=body).payload
    assert result["status"] == "ACCEPTED"
    item = client.get_listings_item(
        seller_id, "SA-NEW-MUG", marketplaceIds=ES, includedData="summaries,issues"
    ).payload
    assert "asin" not in item["summaries"][0] and item["summaries"][0]["status"] == []
    control.publish("SA-NEW-MUG")
    item = client.get_listings_item(
        seller_id, "SA-NEW-MUG", marketplaceIds=ES, includedData="summaries"
    ).payload
    assert item["summaries"][0]["asin"].startswith("B0")
    assert "BUYABLE" in item["summaries"][0]["status"]
    assert control.listing("SA-NEW-MUG")["quantity"] == 7


def test_offer_only_needs_an_existing_asin(make_client, control, seller_id):
    """Offer-only with an unknown ASIN is INVALID; with a catalog ASIN it gets that ASIN."""
    control.config(listing_creation_seconds=0)
    client = make_client(ListingsItemsV20210801)

    def body(asin):
        return {
            "productType": "DRINKING_CUP",
            "requirements": "LISTING_OFFER_ONLY",
            "attributes": {
                "merchant_suggested_asin": [{"value": asin, "marketplace_id": ES}],
                "condition_type": [{"value": "new_new", "marketplace_id": ES}],
                "fulfillment_availability": [
                    {"fulfillment_channel_code": "DEFAULT", "quantity": 2}
                ],
            },
        }

    bad = client.put_listings_item(
        seller_id, "SA-OFFER", marketplaceIds=ES, body=body("B0NOPE0000")
    )
    assert bad.payload["status"] == "INVALID"
    assert control.listing("SA-OFFER") is None
    good = client.put_listings_item(
        seller_id, "SA-OFFER", marketplaceIds=ES, body=body("B0CATMUG02")
    )
    assert good.payload["status"] == "ACCEPTED"
    item = client.get_listings_item(seller_id, "SA-OFFER", marketplaceIds=ES).payload
    assert item["summaries"][0]["asin"] == "B0CATMUG02"


def test_same_sku_in_two_marketplaces_has_two_listings(make_client, control, seller_id):
    """A SKU created in ES and DE has its own listing, ASIN state and price per marketplace."""
    control.config(listing_creation_seconds=3600)
    client = make_client(ListingsItemsV20210801)
    for marketplace, price in ((ES, 14.5), (DE, 15.9)):
        attributes = _mug_attributes()
        attributes["purchasable_offer"][0].update(marketplace_id=marketplace)
        attributes["purchasable_offer"][0]["our_price"][0]["schedule"][0]["value_with_tax"] = price
        body = {"productType": "DRINKING_CUP", "requirements": "LISTING", "attributes": attributes}
        result = client.put_listings_item(
            seller_id, "SA-MULTI", marketplaceIds=marketplace, body=body
        ).payload
        assert result["status"] == "ACCEPTED"
    control.publish("SA-MULTI@" + DE)
    es = client.get_listings_item(seller_id, "SA-MULTI", marketplaceIds=ES).payload
    de = client.get_listings_item(seller_id, "SA-MULTI", marketplaceIds=DE).payload
    assert "asin" not in es["summaries"][0]
    assert de["summaries"][0]["asin"] and de["summaries"][0]["marketplaceId"] == DE
    assert control.listing("SA-MULTI")["price"] == 14.5
    assert control.listing("SA-MULTI@" + DE)["price"] == 15.9


def test_identifiers_only_with_validation_preview(make_client, control, seller_id):
    """includedData=identifiers is for previews only (model note); the preview names the ASIN."""
    client = make_client(ListingsItemsV20210801)
    body = {
        "productType": "DRINKING_CUP",
        "requirements": "LISTING_OFFER_ONLY",
        "attributes": {
            "merchant_suggested_asin": [{"value": "B0CATMUG02", "marketplace_id": ES}],
            "condition_type": [{"value": "new_new", "marketplace_id": ES}],
            "fulfillment_availability": [{"fulfillment_channel_code": "DEFAULT", "quantity": 1}],
        },
    }
    with pytest.raises(SellingApiBadRequestException):
        client.put_listings_item(
            seller_id, "SA-ID", marketplaceIds=ES, includedData="identifiers,issues", body=body
        )
    preview = client.put_listings_item(
        seller_id,
        "SA-ID",
        marketplaceIds=ES,
        includedData="identifiers,issues",
        mode="VALIDATION_PREVIEW",
        body=body,
    ).payload
    assert preview["identifiers"] == [{"marketplaceId": ES, "asin": "B0CATMUG02"}]
    assert control.listing("SA-ID") is None
