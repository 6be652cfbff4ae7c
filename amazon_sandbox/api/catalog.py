"""Catalog Items API 2022-04-01: searchCatalogItems by identifiers (keywords are not simulated)."""

from ..catalog import search_identifiers
from ..responses import bad_request, json_response

IDENTIFIER_TYPES = ("ASIN", "EAN", "GTIN", "ISBN", "JAN", "MINSAN", "SKU", "UPC")
INCLUDED_DATA = (
    "attributes",
    "classifications",
    "dimensions",
    "identifiers",
    "images",
    "productTypes",
    "relationships",
    "salesRanks",
    "summaries",
    "vendorDetails",
)


def _view(item: dict, marketplace_id: str, included: list) -> dict:
    """The ``Item`` with the requested datasets of one marketplace."""
    view = {"asin": item["asin"]}
    for key in included:
        rows = [row for row in item.get(key) or () if row.get("marketplaceId") == marketplace_id]
        if key in item:
            view[key] = rows
    return view


def search_catalog_items(request):
    """``GET /catalog/2022-04-01/items``: identifiers search (max 20), one marketplace."""
    marketplace_ids = request.csv("marketplaceIds")
    if len(marketplace_ids) != 1:
        raise bad_request("'marketplaceIds' is required and accepts exactly one value.")
    identifiers = request.csv("identifiers")
    identifiers_type = request.first("identifiersType")
    if request.csv("keywords"):
        if identifiers:
            raise bad_request("'identifiers' and 'keywords' cannot be used together.")
        raise bad_request("The sandbox only simulates searches by 'identifiers'.")
    if not identifiers:
        raise bad_request("Either 'identifiers' or 'keywords' is required.")
    if len(identifiers) > 20:
        raise bad_request("'identifiers' accepts at most 20 values.")
    if identifiers_type not in IDENTIFIER_TYPES:
        raise bad_request(
            "'identifiersType' is required with 'identifiers' and must be one of "
            + ", ".join(IDENTIFIER_TYPES)
            + "."
        )
    included = request.csv("includedData") or ["summaries"]
    unknown = [value for value in included if value not in INCLUDED_DATA]
    if unknown:
        raise bad_request(f"Invalid 'includedData' value(s): {', '.join(unknown)}.")
    with request.state.lock:
        items = search_identifiers(request.state.catalog, identifiers_type, identifiers)
        views = [_view(item, marketplace_ids[0], included) for item in items]
    return json_response({"numberOfResults": len(views), "items": views})


ROUTES = [
    ("GET", r"/catalog/2022-04-01/items", "searchCatalogItems", search_catalog_items, "sp"),
]
