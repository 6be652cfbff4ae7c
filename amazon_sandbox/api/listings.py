"""Listings Items API 2021-08-01: getListingsItem, putListingsItem, patchListingsItem,
searchListingsItems."""

import base64
import json
from urllib.parse import unquote

from .. import SELLER_ID, creation_ops
from ..catalog import first_value, validate
from ..listing_ops import INCLUDED_DATA, find_listing, item_view, structural_errors, submit_patches
from ..responses import ApiError, bad_request, json_response

SKU_PATH = r"/listings/2021-08-01/items/(?P<sellerId>[^/]+)/(?P<sku>[^/]+)"
SEARCH_PATH = r"/listings/2021-08-01/items/(?P<sellerId>[^/]+)"
PATCH_INCLUDED = ("identifiers", "issues")


def _sku(request) -> str:
    return unquote(request.params["sku"])


def _marketplaces(request, max_items=None) -> list:
    """The required ``marketplaceIds`` query parameter."""
    marketplace_ids = request.csv("marketplaceIds")
    if not marketplace_ids:
        raise bad_request("Missing required parameter 'marketplaceIds'.")
    if max_items and len(marketplace_ids) > max_items:
        raise bad_request(f"'marketplaceIds' accepts at most {max_items} value(s).")
    return marketplace_ids


def _included(request, allowed, default) -> list:
    included = request.csv("includedData") or list(default)
    unknown = [value for value in included if value not in allowed]
    if unknown:
        raise bad_request(f"Invalid 'includedData' value(s): {', '.join(unknown)}.")
    return included


def _not_found(sku, marketplace_ids):
    return ApiError(
        404, "NOT_FOUND", f"SKU '{sku}' not found in marketplace {','.join(marketplace_ids)}"
    )


def get_listings_item(request):
    """``GET .../items/{sellerId}/{sku}``: 404 for an unknown SKU or another seller."""
    marketplace_ids = _marketplaces(request)
    included = _included(request, INCLUDED_DATA, ["summaries"])
    sku = _sku(request)
    if request.params["sellerId"] != SELLER_ID:
        raise _not_found(sku, marketplace_ids)
    with request.state.lock:
        listing = find_listing(request.state, sku, marketplace_ids)
        if listing is None:
            raise _not_found(sku, marketplace_ids)
        return json_response(item_view(listing, included))


def parse_patch_request(body) -> tuple[str, list]:
    """Check ``ListingsItemPatchRequest``; unparseable documents are a 400 (ErrorList)."""
    if not isinstance(body, dict):
        raise bad_request(
            "Request has missing or invalid parameters and cannot be parsed.",
            "The body must be a JSON object.",
        )
    problems = []
    product_type = body.get("productType")
    if not isinstance(product_type, str) or not product_type:
        problems.append("'productType' is required and must be a non-empty string.")
    problems += structural_errors(body.get("patches"))
    if problems:
        raise bad_request(
            "Request has missing or invalid parameters and cannot be parsed.", " ".join(problems)
        )
    return product_type, body["patches"]


def patch_listings_item(request):
    """``PATCH .../items/{sellerId}/{sku}``: partial update of an existing listing.

    Value problems answer 200 with status INVALID and issues, as the model's
    ``ListingsItemSubmissionResponse`` does; an unknown SKU answers 404 (the sandbox never
    creates listings through PATCH).
    """
    marketplace_ids = _marketplaces(request)
    included = _included(request, PATCH_INCLUDED, ["issues"])
    mode = request.first("mode")
    if mode not in (None, "VALIDATION_PREVIEW"):
        raise bad_request(f"Invalid 'mode' value: {mode}.")
    _product_type, patches = parse_patch_request(request.json())
    sku = _sku(request)
    if request.params["sellerId"] != SELLER_ID:
        raise _not_found(sku, marketplace_ids)
    result = submit_patches(
        request.state, sku, marketplace_ids[0], patches, validate_only=mode == "VALIDATION_PREVIEW"
    )
    if not result["found"]:
        raise _not_found(sku, marketplace_ids)
    response = {
        "sku": sku,
        "status": result["status"],
        "submissionId": request.state.new_id("submission").replace("-", "")[:32],
        "issues": result["issues"],
    }
    if "identifiers" in included:
        with request.state.lock:
            asin = find_listing(request.state, sku, marketplace_ids[:1])["asin"]
        response["identifiers"] = [{"marketplaceId": marketplace_ids[0], "asin": asin}]
    return json_response(response)


def parse_put_request(body) -> tuple[str, str, dict]:
    """Check ``ListingsItemPutRequest``; an unparseable document is a 400 (ErrorList)."""
    if not isinstance(body, dict):
        raise bad_request(
            "Request has missing or invalid parameters and cannot be parsed.",
            "The body must be a JSON object.",
        )
    problems = []
    product_type = body.get("productType")
    if not isinstance(product_type, str) or not product_type:
        problems.append("'productType' is required and must be a non-empty string.")
    requirements = body.get("requirements", "LISTING")
    if requirements not in ("LISTING", "LISTING_PRODUCT_ONLY", "LISTING_OFFER_ONLY"):
        problems.append(
            "'requirements' must be LISTING, LISTING_PRODUCT_ONLY or LISTING_OFFER_ONLY."
        )
    attributes = body.get("attributes")
    if not isinstance(attributes, dict):
        problems.append("'attributes' is required and must be an object.")
    if problems:
        raise bad_request(
            "Request has missing or invalid parameters and cannot be parsed.", " ".join(problems)
        )
    return product_type, requirements, attributes


def put_listings_item(request):
    """``PUT .../items/{sellerId}/{sku}``: create or fully replace a listing.

    The body is validated against the product type's schema (required attributes, enums,
    lengths; an offer-only ASIN must exist in the catalog). Problems answer 200 with status
    INVALID and issues; ``mode=VALIDATION_PREVIEW`` answers VALID or INVALID and stores nothing;
    otherwise the listing is stored (ACCEPTED) and published later (see ``creation_ops``).
    """
    marketplace_ids = _marketplaces(request, max_items=1)
    included = _included(request, PATCH_INCLUDED, ["issues"])
    mode = request.first("mode")
    if mode not in (None, "VALIDATION_PREVIEW"):
        raise bad_request(f"Invalid 'mode' value: {mode}.")
    if "identifiers" in included and mode != "VALIDATION_PREVIEW":
        raise bad_request("'identifiers' can only be requested when 'mode' is VALIDATION_PREVIEW.")
    product_type, requirements, attributes = parse_put_request(request.json())
    sku = _sku(request)
    if request.params["sellerId"] != SELLER_ID:
        raise ApiError(403, "Unauthorized", "Access to requested resource is denied.")
    marketplace_id = marketplace_ids[0]
    with request.state.lock:
        issues = validate(request.state.catalog, product_type, requirements, attributes)
        errors = [issue for issue in issues if issue["severity"] == "ERROR"]
        for issue in issues:
            issue["marketplaceIds"] = [marketplace_id]
        if errors:
            status = "INVALID"
        elif mode == "VALIDATION_PREVIEW":
            status = "VALID"
        else:
            creation_ops.store(
                request.state, sku, marketplace_id, product_type, requirements, attributes
            )
            status = "ACCEPTED"
        asin = (find_listing(request.state, sku, [marketplace_id]) or {}).get(
            "asin"
        ) or first_value(attributes, "merchant_suggested_asin")
    response = {
        "sku": sku,
        "status": status,
        "submissionId": request.state.new_id("submission").replace("-", "")[:32],
        "issues": issues if "issues" in included else [],
    }
    if "identifiers" in included and asin and status == "VALID":
        response["identifiers"] = [{"marketplaceId": marketplace_id, "asin": asin}]
    return json_response(response)


def _page_token(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"o": offset}).encode()).decode()


def _page_offset(token) -> int:
    if not token:
        return 0
    try:
        return int(json.loads(base64.urlsafe_b64decode(token.encode()))["o"])
    except (ValueError, KeyError, TypeError):
        raise bad_request("Invalid 'pageToken'.") from None


def _search_filter(request, marketplace_ids):
    """Predicate for identifiers/identifiersType/withStatus/withoutStatus."""
    identifiers = request.csv("identifiers")
    identifiers_type = request.first("identifiersType")
    if identifiers and not identifiers_type:
        raise bad_request("'identifiersType' is required when 'identifiers' is provided.")
    if identifiers_type and not identifiers:
        raise bad_request("'identifiers' is required when 'identifiersType' is provided.")
    if len(identifiers) > 20:
        raise bad_request("'identifiers' accepts at most 20 values.")
    with_status = set(request.csv("withStatus"))
    without_status = set(request.csv("withoutStatus"))
    field = {"SKU": "sku", "ASIN": "asin"}.get(identifiers_type)

    def keep(listing):
        if listing["marketplaceId"] not in marketplace_ids:
            return False
        if identifiers and (field is None or listing[field] not in identifiers):
            return False
        if with_status and not with_status & set(listing["status"]):
            return False
        return not (without_status & set(listing["status"]))

    return keep


def search_listings_items(request):
    """``GET .../items/{sellerId}``: filtered, sorted, paginated ``ItemSearchResults``."""
    marketplace_ids = _marketplaces(request)
    included = _included(request, INCLUDED_DATA, ["summaries"])
    try:
        page_size = int(request.first("pageSize", 10))
    except ValueError:
        raise bad_request("'pageSize' must be an integer.") from None
    if not 1 <= page_size <= 20:
        raise bad_request("'pageSize' must be between 1 and 20.")
    sort_by = request.first("sortBy", "lastUpdatedDate")
    sort_order = request.first("sortOrder", "DESC")
    if sort_by not in ("sku", "createdDate", "lastUpdatedDate") or sort_order not in (
        "ASC",
        "DESC",
    ):
        raise bad_request("Invalid 'sortBy' or 'sortOrder'.")
    keep = _search_filter(request, marketplace_ids)
    offset = _page_offset(request.first("pageToken"))
    if request.params["sellerId"] != SELLER_ID:
        return json_response({"numberOfResults": 0, "items": []})
    with request.state.lock:
        matches = [listing for listing in request.state.listings.values() if keep(listing)]
        matches.sort(key=lambda item: (item[sort_by], item["sku"]), reverse=sort_order == "DESC")
        page = [item_view(listing, included) for listing in matches[offset : offset + page_size]]
    result = {"numberOfResults": len(matches), "items": page}
    pagination = {}
    if offset + page_size < len(matches):
        pagination["nextToken"] = _page_token(offset + page_size)
    if offset > 0:
        pagination["previousToken"] = _page_token(max(0, offset - page_size))
    if pagination:
        result["pagination"] = pagination
    return json_response(result)


ROUTES = [
    ("GET", SKU_PATH, "getListingsItem", get_listings_item, "sp"),
    ("PUT", SKU_PATH, "putListingsItem", put_listings_item, "sp"),
    ("PATCH", SKU_PATH, "patchListingsItem", patch_listings_item, "sp"),
    ("GET", SEARCH_PATH, "searchListingsItems", search_listings_items, "sp"),
]
