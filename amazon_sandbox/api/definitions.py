"""Product Type Definitions API 2020-09-01: search by keywords, definitions with a schema link.

The schema document is served by the sandbox itself under ``/_sandbox/schemas/...`` (Amazon
serves it from S3); its checksum is the Base64 MD5 of exactly the bytes served.
"""

from urllib.parse import unquote

from ..catalog import (
    PRODUCT_TYPES,
    checksum,
    display_name,
    schema,
    schema_bytes,
    search_product_types,
)
from ..responses import ApiError, Response, bad_request, json_response
from ..seed import MARKETPLACES

VERSION = "U1234567890123456789"
REQUIREMENTS = ("LISTING", "LISTING_PRODUCT_ONLY", "LISTING_OFFER_ONLY")


def _marketplace(request) -> list:
    marketplace_ids = request.csv("marketplaceIds")
    if not marketplace_ids:
        raise bad_request("Missing required parameter 'marketplaceIds'.")
    return marketplace_ids


def _locale(request, marketplace_ids, name="locale") -> str:
    """The request's ``locale`` (or ``searchLocale``); ``DEFAULT`` or none: the primary language
    of the (first) marketplace, as on Amazon."""
    value = request.first(name)
    if value and value != "DEFAULT":
        return value
    return (MARKETPLACES.get(marketplace_ids[0]) or {}).get("defaultLanguageCode", "")


def search_definitions_product_types(request):
    """``GET /definitions/2020-09-01/productTypes``: ``keywords`` or ``itemName``, read in
    ``searchLocale``; display names in ``locale``."""
    marketplace_ids = _marketplace(request)
    keywords = request.csv("keywords")
    item_name = request.first("itemName")
    if keywords and item_name:
        raise bad_request("'keywords' and 'itemName' cannot be used together.")
    words = keywords or (item_name or "").split()
    search_locale = _locale(request, marketplace_ids, "searchLocale")
    locale = _locale(request, marketplace_ids)
    names = search_product_types(words, search_locale) if words else list(PRODUCT_TYPES)
    return json_response(
        {
            "productTypes": [
                {
                    "name": name,
                    "displayName": display_name(name, locale),
                    "marketplaceIds": marketplace_ids,
                }
                for name in names
            ],
            "productTypeVersion": VERSION,
        }
    )


def get_definitions_product_type(request):
    """``GET /definitions/2020-09-01/productTypes/{productType}``."""
    marketplace_ids = _marketplace(request)
    if len(marketplace_ids) > 1:
        raise bad_request("'marketplaceIds' is limited to one marketplace.")
    product_type = unquote(request.params["productType"])
    if product_type not in PRODUCT_TYPES:
        raise ApiError(404, "NOT_FOUND", f"Product type '{product_type}' was not found.")
    requirements = request.first("requirements", "LISTING")
    if requirements not in REQUIREMENTS:
        raise bad_request(f"Invalid 'requirements' value: {requirements}.")
    enforced = request.first("requirementsEnforced", "ENFORCED")
    content = schema_bytes(product_type, requirements)
    document = schema(product_type, requirements)
    link = f"{request.base_url}/_sandbox/schemas/{product_type}/{requirements}.json"
    meta = "https://schemas.amazon.com/selling-partners/definitions/product-types/meta-schema/v1"
    groups = {
        "offer": {
            "title": "Offer",
            "description": "Label to indicate offer-related attributes",
            "propertyNames": [
                n
                for n in ("condition_type", "purchasable_offer", "fulfillment_availability")
                if n in document["properties"]
            ],
        },
        "product_identity": {
            "title": "Product Identity",
            "description": "Information to uniquely identify your product",
            "propertyNames": [
                n
                for n in (
                    "item_name",
                    "brand",
                    "externally_assigned_product_identifier",
                    "merchant_suggested_asin",
                )
                if n in document["properties"]
            ],
        },
    }
    return json_response(
        {
            "metaSchema": {"link": {"resource": meta, "verb": "GET"}, "checksum": ""},
            "schema": {"link": {"resource": link, "verb": "GET"}, "checksum": checksum(content)},
            "requirements": requirements,
            "requirementsEnforced": enforced,
            "propertyGroups": groups,
            "locale": request.first("locale", "DEFAULT"),
            "marketplaceIds": marketplace_ids,
            "productType": product_type,
            "displayName": display_name(product_type, _locale(request, marketplace_ids)),
            "productTypeVersion": {"version": VERSION, "latest": True, "releaseCandidate": False},
        }
    )


def download_schema(request):
    """The schema document a definition links to (Amazon: a pre-signed S3 URL)."""
    product_type = request.params["productType"]
    requirements = request.params["requirements"]
    if product_type not in PRODUCT_TYPES or requirements not in REQUIREMENTS:
        return Response(404, b"<Error><Code>NoSuchKey</Code></Error>", "application/xml")
    return Response(200, schema_bytes(product_type, requirements), "application/json")


ROUTES = [
    (
        "GET",
        r"/definitions/2020-09-01/productTypes",
        "searchDefinitionsProductTypes",
        search_definitions_product_types,
        "sp",
    ),
    (
        "GET",
        r"/definitions/2020-09-01/productTypes/(?P<productType>[^/]+)",
        "getDefinitionsProductType",
        get_definitions_product_type,
        "sp",
    ),
    (
        "GET",
        r"/_sandbox/schemas/(?P<productType>[A-Z_]+)/(?P<requirements>[A-Z_]+)\.json",
        "downloadSchema",
        download_schema,
        "doc",
    ),
]
