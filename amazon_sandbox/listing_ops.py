"""Listing patch semantics shared by ``patchListingsItem`` and ``JSON_LISTINGS_FEED``.

Two layers of checks, as Amazon has them: a malformed patch document (wrong op, bad path, value
not a list) cannot be parsed at all, while well-formed patches with values that break the
product type rules (negative quantity, price not a number...) produce listing ``issues``.
"""

from .timeutil import iso, now

PATCH_OPS = ("add", "replace", "merge", "delete")
INCLUDED_DATA = (
    "summaries",
    "attributes",
    "issues",
    "offers",
    "fulfillmentAvailability",
    "procurement",
    "relationships",
    "productTypes",
)
INVALID_ATTRIBUTE = "90000900"  # the code Amazon's model uses for invalid attribute values


def structural_errors(patches) -> list:
    """Reasons why a ``patches`` array does not follow ``PatchOperation``; empty when fine."""
    if not isinstance(patches, list) or not patches:
        return ["'patches' must be a non-empty array of patch operations."]
    errors = []
    for index, patch in enumerate(patches):
        where = f"patches[{index}]"
        if not isinstance(patch, dict):
            errors.append(f"{where} must be an object.")
            continue
        if patch.get("op") not in PATCH_OPS:
            errors.append(
                f"{where}.op must be one of {', '.join(PATCH_OPS)}; " f"got {patch.get('op')!r}."
            )
        path = patch.get("path")
        if (
            not isinstance(path, str)
            or not path.startswith("/attributes/")
            or "/" in path[len("/attributes/") :]
            or path == "/attributes/"
        ):
            errors.append(
                f"{where}.path must look like '/attributes/<attribute_name>'; " f"got {path!r}."
            )
        value = patch.get("value")
        if patch.get("op") != "delete" and not isinstance(value, list):
            errors.append(f"{where}.value must be an array.")
        elif isinstance(value, list) and not all(isinstance(v, dict) for v in value):
            errors.append(f"{where}.value items must be objects.")
    return errors


def attribute_name(patch) -> str:
    return patch["path"][len("/attributes/") :]


def _issue(attribute: str, message: str, code=INVALID_ATTRIBUTE, marketplace_id=None):
    """One ``Issue`` of the Listings Items model (severity ERROR)."""
    issue = {
        "code": code,
        "message": message,
        "severity": "ERROR",
        "attributeNames": [attribute],
        "categories": ["INVALID_ATTRIBUTE"],
    }
    if marketplace_id:
        issue["marketplaceIds"] = [marketplace_id]
    return issue


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _fulfillment_issues(entries, marketplace_id) -> list:
    issues = []
    for entry in entries:
        if not isinstance(entry.get("fulfillment_channel_code"), str):
            issues.append(
                _issue(
                    "fulfillment_availability",
                    "'fulfillment_availability.fulfillment_channel_code' is "
                    "required but not supplied.",
                    "90220",
                    marketplace_id,
                )
            )
            continue
        if entry["fulfillment_channel_code"] != "DEFAULT":
            continue
        quantity = entry.get("quantity")
        if not _is_int(quantity) or quantity < 0:
            issues.append(
                _issue(
                    "fulfillment_availability",
                    "The value of 'fulfillment_availability.quantity' must be a "
                    f"non-negative integer; got {quantity!r}.",
                    marketplace_id=marketplace_id,
                )
            )
    return issues


def _offer_issues(entries, listing) -> list:
    issues = []
    marketplace_id = listing["marketplaceId"]
    for entry in entries:
        if entry.get("marketplace_id") not in (None, marketplace_id):
            issues.append(
                _issue(
                    "purchasable_offer",
                    f"The listing is not available in marketplace "
                    f"{entry.get('marketplace_id')!r}.",
                    "90111",
                    marketplace_id,
                )
            )
        currency = entry.get("currency")
        if currency is not None and currency != listing["currency"]:
            issues.append(
                _issue(
                    "purchasable_offer",
                    f"'purchasable_offer.currency' must be {listing['currency']} "
                    f"in this marketplace; got {currency!r}.",
                    marketplace_id=marketplace_id,
                )
            )
        price = _schedule_price(entry)
        if price is _MISSING:
            if "our_price" in entry:
                issues.append(
                    _issue(
                        "purchasable_offer",
                        "The field 'schedule' for the attribute "
                        "'purchasable_offer.our_price' does not have enough "
                        "values. The required minimum is '1' value(s).",
                        "99022",
                        marketplace_id,
                    )
                )
        elif not _is_number(price) or price <= 0:
            issues.append(
                _issue(
                    "purchasable_offer",
                    "The value of 'purchasable_offer.our_price.schedule."
                    f"value_with_tax' must be a positive number; got {price!r}.",
                    marketplace_id=marketplace_id,
                )
            )
    return issues


_MISSING = object()


def _schedule_price(entry):
    """``our_price[0].schedule[0].value_with_tax`` (or ``value_with_tax`` absent: _MISSING)."""
    try:
        schedule = entry["our_price"][0]["schedule"][0]
    except (KeyError, IndexError, TypeError):
        return _MISSING
    if not isinstance(schedule, dict) or "value_with_tax" not in schedule:
        return _MISSING
    return schedule["value_with_tax"]


def value_issues(listing: dict, patches: list) -> list:
    """Product-type level validation of structurally valid patches."""
    issues = []
    for patch in patches:
        if patch["op"] == "delete":
            continue
        name = attribute_name(patch)
        if name == "fulfillment_availability":
            issues += _fulfillment_issues(patch["value"], listing["marketplaceId"])
        elif name == "purchasable_offer":
            issues += _offer_issues(patch["value"], listing)
    return issues


def apply_patches(listing: dict, patches: list):
    """Mutate ``listing`` with validated patches and stamp ``lastUpdatedDate``."""
    for patch in patches:
        name = attribute_name(patch)
        if name == "fulfillment_availability":
            _apply_fulfillment(listing, patch)
        elif name == "purchasable_offer":
            _apply_offer(listing, patch)
        elif patch["op"] == "delete":
            listing["attributes"].pop(name, None)
        else:
            listing["attributes"][name] = patch["value"]
    listing["lastUpdatedDate"] = iso(now())
    refresh_status(listing)


def _apply_fulfillment(listing, patch):
    if patch["op"] == "delete":
        listing["quantity"] = 0
        return
    for entry in patch["value"]:
        listing["fulfillmentChannelCode"] = entry["fulfillment_channel_code"]
        if "quantity" in entry:
            listing["quantity"] = entry["quantity"]


def _apply_offer(listing, patch):
    if patch["op"] == "delete":
        listing["price"] = None
        return
    for entry in patch["value"]:
        price = _schedule_price(entry)
        if price is not _MISSING:
            listing["price"] = float(price)


def refresh_status(listing: dict):
    """BUYABLE needs a price and stock (or Amazon fulfilment); DISCOVERABLE needs a price."""
    has_price = listing.get("price") is not None
    in_stock = listing.get("quantity", 0) > 0 or listing.get("fulfillmentChannelCode") != "DEFAULT"
    status = []
    if has_price and in_stock:
        status.append("BUYABLE")
    if has_price:
        status.append("DISCOVERABLE")
    listing["status"] = status


def submit_patches(
    state, sku: str, marketplace_id: str, patches: list, validate_only=False
) -> dict:
    """Validate and (unless preview) apply patches to an existing listing.

    Returns ``{"found": bool, "status": ACCEPTED|VALID|INVALID, "issues": [...]}``; the caller
    has already rejected structurally invalid patches.
    """
    with state.lock:
        listing = find_listing(state, sku, [marketplace_id])
        if listing is None:
            return {"found": False, "status": "INVALID", "issues": []}
        issues = value_issues(listing, patches)
        if issues:
            return {"found": True, "status": "INVALID", "issues": issues}
        if validate_only:
            return {"found": True, "status": "VALID", "issues": []}
        apply_patches(listing, patches)
        return {"found": True, "status": "ACCEPTED", "issues": []}


def attributes_to_patches(attributes: dict) -> list:
    """``PARTIAL_UPDATE`` is ``PATCH`` with one ``replace`` per attribute (feed schema note)."""
    return [
        {"op": "replace", "path": f"/attributes/{name}", "value": value}
        for name, value in attributes.items()
    ]


def listing_key(state, sku: str, marketplace_id: str) -> str:
    """Key of a SKU's listing in ``marketplace_id``.

    The seed has one marketplace per SKU, stored under the SKU. A SKU created with
    putListingsItem in a second marketplace is stored under ``<sku>@<marketplaceId>`` (its
    ``sku`` field stays the SKU), so each marketplace has its own listing, as on Amazon.
    """
    listing = state.listings.get(sku)
    if listing is None or listing["marketplaceId"] == marketplace_id:
        return sku
    return f"{sku}@{marketplace_id}"


def find_listing(state, sku: str, marketplace_ids: list):
    """The stored listing if it exists in one of the requested marketplaces."""
    for marketplace_id in marketplace_ids:
        listing = state.listings.get(listing_key(state, sku, marketplace_id))
        if listing is not None and listing["marketplaceId"] == marketplace_id:
            return listing
    return None


# ------------------------------------------------------------------------------ rendering
def _money(amount, currency):
    return {"currencyCode": currency, "amount": f"{amount:.2f}"}


def _attributes(listing) -> dict:
    marketplace = listing["marketplaceId"]
    attributes = {
        "item_name": [
            {"value": listing["itemName"], "language_tag": "es_ES", "marketplace_id": marketplace}
        ],
        "condition_type": [{"value": listing["conditionType"], "marketplace_id": marketplace}],
        "fulfillment_availability": [
            {
                "fulfillment_channel_code": listing["fulfillmentChannelCode"],
                "quantity": listing["quantity"],
            }
        ],
    }
    if listing.get("price") is not None:
        attributes["purchasable_offer"] = [
            {
                "marketplace_id": marketplace,
                "currency": listing["currency"],
                "audience": "ALL",
                "our_price": [{"schedule": [{"value_with_tax": listing["price"]}]}],
            }
        ]
    attributes.update(listing.get("attributes") or {})
    return attributes


def item_view(listing: dict, included: list) -> dict:
    """The official ``Item`` with the requested ``includedData`` sets."""
    marketplace = listing["marketplaceId"]
    item = {"sku": listing["sku"]}
    if "summaries" in included:
        summary = {
            "marketplaceId": marketplace,
            "asin": listing["asin"],
            "productType": listing["productType"],
            "conditionType": listing["conditionType"],
            "status": list(listing["status"]),
            "itemName": listing["itemName"],
            "createdDate": listing["createdDate"],
            "lastUpdatedDate": listing["lastUpdatedDate"],
        }
        if not listing["asin"]:
            del summary["asin"]  # a created listing Amazon has not processed yet
        item["summaries"] = [summary]
    if "attributes" in included:
        item["attributes"] = _attributes(listing)
    if "issues" in included:
        item["issues"] = list(listing.get("issues") or [])
    if "offers" in included:
        item["offers"] = (
            []
            if listing.get("price") is None
            else [
                {
                    "marketplaceId": marketplace,
                    "offerType": "B2C",
                    "price": _money(listing["price"], listing["currency"]),
                    "audience": {"value": "ALL", "displayName": "Sell on Amazon"},
                }
            ]
        )
    if "fulfillmentAvailability" in included:
        entry = {"fulfillmentChannelCode": listing["fulfillmentChannelCode"]}
        if listing["fulfillmentChannelCode"] == "DEFAULT":
            entry["quantity"] = listing["quantity"]
        item["fulfillmentAvailability"] = [entry]
    if "procurement" in included:
        item["procurement"] = []
    if "relationships" in included:
        item["relationships"] = [{"marketplaceId": marketplace, "relationships": []}]
    if "productTypes" in included:
        item["productTypes"] = [
            {"marketplaceId": marketplace, "productType": listing["productType"]}
        ]
    return item
