"""Integration: the product-creation calls of SpApiService against the local Amazon sandbox."""

import pytest

from stockagile_amazon_connector.services import (
    AuthError,
    RateLimiter,
    SpApiService,
    ThrottledError,
    TransientError,
)
from stockagile_amazon_connector.services.const import CREATION_INCLUDED_DATA
from stockagile_amazon_connector.services.models import ProductTypeDefinition

from .conftest import make_config
from .test_sandbox import ctl, fault, requests_of

ES_ID = "A1RKKUPIHCS9HS"


def _offer(asin, quantity=3):
    return {
        "merchant_suggested_asin": [{"value": asin, "marketplace_id": ES_ID}],
        "condition_type": [{"value": "new_new", "marketplace_id": ES_ID}],
        "fulfillment_availability": [{"fulfillment_channel_code": "DEFAULT", "quantity": quantity}],
        "purchasable_offer": [
            {
                "marketplace_id": ES_ID,
                "currency": "EUR",
                "our_price": [{"schedule": [{"value_with_tax": 11.0}]}],
            }
        ],
    }


def test_catalog_search_uses_2022_04_01_and_maps_items(service, sandbox_url):
    """searchCatalogItems goes to the 2022-04-01 path and returns title, brand, image, type."""
    items = service.search_catalog_items(["8437000000035"], "EAN", ES_ID)
    assert sorted(i.asin for i in items) == ["B0CATTEE01", "B0CATTEE02"]
    tee = next(i for i in items if i.asin == "B0CATTEE02")
    assert (tee.title, tee.brand, tee.product_type) == (
        "Camiseta blanca de algodón orgánico, L",
        "Verde Moda",
        "SHIRT",
    )
    assert tee.image_url.startswith("https://")
    [request] = requests_of(sandbox_url, "searchCatalogItems")
    assert request["path"] == "/catalog/2022-04-01/items"
    assert request["query"]["identifiersType"] == "EAN"
    with pytest.raises(ValueError):
        service.search_catalog_items([str(i) for i in range(21)], "EAN", ES_ID)


def test_product_type_definition_and_schema(service):
    """Keywords find the type; the definition's schema link is followed and parsed."""
    [found] = service.search_product_types("cable", ES_ID)
    assert found.name == "ELECTRONIC_CABLE"
    definition = service.get_product_type_definition("ELECTRONIC_CABLE", ES_ID)
    assert definition.schema_checksum
    schema = service.get_product_type_schema(definition)
    assert "connector_type" in schema["required"]


def test_product_types_found_in_the_marketplace_language(service, sandbox_url):
    """Spanish words find Amazon.es's product types, named in Spanish (its ``locale``)."""
    [chair] = service.search_product_types("silla oficina", ES_ID)
    assert (chair.name, chair.display_name) == ("OFFICE_CHAIR", "Silla de oficina")
    request = requests_of(sandbox_url, "searchDefinitionsProductTypes")[-1]
    assert request["query"]["searchLocale"] == "es_ES"
    assert request["query"]["locale"] == "es_ES"
    assert service.search_product_types("silla", "A1PA6795UKMFR9") == (), "not German words"


def test_schema_link_must_be_https_or_own_endpoint(service):
    """A definition whose schema link is plain HTTP elsewhere is not followed."""
    definition = ProductTypeDefinition(
        "SHIRT", "Shirt", "v", "LISTING", "http://attacker.invalid/schema.json", "x"
    )
    with pytest.raises(TransientError) as info:
        service.get_product_type_schema(definition)
    assert info.value.code == "untrusted_document_url"


def test_put_listing_preview_then_submit_then_asin(service, sandbox):
    """Preview is VALID and stores nothing; the real put is ACCEPTED and later has the ASIN."""
    preview = service.put_listing(
        "SA-NEW-1",
        ES_ID,
        "DRINKING_CUP",
        _offer("B0CATMUG02"),
        "LISTING_OFFER_ONLY",
        mode="VALIDATION_PREVIEW",
    )
    assert preview.status == "VALID" and not preview.errors
    assert sandbox.listing("SA-NEW-1") is None
    sandbox.config(listing_creation_seconds=3600)
    submitted = service.put_listing(
        "SA-NEW-1", ES_ID, "DRINKING_CUP", _offer("B0CATMUG02"), "LISTING_OFFER_ONLY"
    )
    assert submitted.status == "ACCEPTED" and submitted.submission_id
    assert service.get_listing("SA-NEW-1", ES_ID, CREATION_INCLUDED_DATA).asin is None
    sandbox.publish("SA-NEW-1")
    listing = service.get_listing("SA-NEW-1", ES_ID, CREATION_INCLUDED_DATA)
    assert listing.asin == "B0CATMUG02" and "BUYABLE" in listing.status


def test_put_listing_invalid_is_returned_with_issues(service, sandbox):
    """An offer for an ASIN Amazon does not know comes back INVALID with an ERROR issue."""
    result = service.put_listing(
        "SA-NEW-2", ES_ID, "DRINKING_CUP", _offer("B0NOTHERE1"), "LISTING_OFFER_ONLY"
    )
    assert result.status == "INVALID"
    assert result.errors[0]["attributeNames"] == ["merchant_suggested_asin"]
    assert sandbox.listing("SA-NEW-2") is None


def test_put_listing_403_names_the_product_listing_role(sandbox, sandbox_url):
    """A 403 on putListingsItem says the application needs the Product Listing role."""
    svc = SpApiService(make_config(sandbox_url, seller_id="AOTHERSELLER"), RateLimiter())
    with pytest.raises(AuthError) as info:
        svc.put_listing("SA-X", ES_ID, "DRINKING_CUP", _offer("B0CATMUG02"), "LISTING_OFFER_ONLY")
    assert "Product Listing role" in info.value.message


def test_catalog_throttle_is_typed(service, sandbox_url):
    """A 429 on searchCatalogItems is a ThrottledError with a retry delay."""
    fault(sandbox_url, "searchCatalogItems", "throttle")
    with pytest.raises(ThrottledError) as info:
        service.search_catalog_items(["8437000000028"], "EAN", ES_ID)
    assert info.value.retry_after > 0
    assert ctl(sandbox_url, "GET", "faults") == []
