"""Listings created with ``putListingsItem``: stored at once, published after a while.

Amazon accepts a new listing (status ACCEPTED), then processes it in the background: the listing
has no ASIN and no status for a while, then gets an ASIN (the suggested one for an offer-only
listing, a new one for a new product) and BUYABLE/DISCOVERABLE. Here the processing takes
``config["listing_creation_seconds"]`` (default 1 s) and is finished by the first request that
arrives after it, or at once by ``POST /_sandbox/listings/<sku>/publish``.
"""

import time
import zlib

from .catalog import catalog_item, first_value
from .listing_ops import listing_key, refresh_status
from .seed import make_listing
from .timeutil import iso, now


def _quantity(attributes):
    for row in attributes.get("fulfillment_availability") or ():
        if isinstance(row, dict) and row.get("fulfillment_channel_code") == "DEFAULT":
            quantity = row.get("quantity")
            if isinstance(quantity, int) and not isinstance(quantity, bool):
                return quantity
    return 0


def _price(attributes):
    for row in attributes.get("purchasable_offer") or ():
        try:
            return float(row["our_price"][0]["schedule"][0]["value_with_tax"])
        except (KeyError, IndexError, TypeError, ValueError):
            continue
    return None


def store(state, sku, marketplace_id, product_type, requirements, attributes) -> dict:
    """Create or fully replace the listing; it waits for processing (no ASIN, no status)."""
    with state.lock:
        key = listing_key(state, sku, marketplace_id)
        previous = state.listings.get(key)
        listing = make_listing(
            sku,
            product_type,
            _quantity(attributes),
            _price(attributes),
            marketplace_id=marketplace_id,
            item_name=first_value(attributes, "item_name"),
        )
        if previous is not None:
            listing["createdDate"] = previous["createdDate"]
            listing["asin"] = previous.get("asin")
        else:
            listing["asin"] = None
        condition = first_value(attributes, "condition_type")
        if condition:
            listing["conditionType"] = condition
        listing["attributes"] = {
            k: v
            for k, v in attributes.items()
            if k not in ("fulfillment_availability", "purchasable_offer")
        }
        listing["requirements"] = requirements
        listing["status"] = []
        listing["lastUpdatedDate"] = iso(now())
        delay = float(state.config.get("listing_creation_seconds") or 0)
        listing["publishAt"] = time.time() + delay
        state.listings[key] = listing
        state.publishing.add(key)
        return listing


def publish(state, listing):
    """Finish processing: give the listing its ASIN and its status."""
    attributes = listing["attributes"]
    asin = listing.get("asin") or first_value(attributes, "merchant_suggested_asin")
    if not asin:
        asin = "B0" + format(zlib.crc32(listing["sku"].encode()) ^ 0x5A5A, "08X")
        identifier = (attributes.get("externally_assigned_product_identifier") or [{}])[0]
        state.catalog[asin] = catalog_item(
            asin,
            str(identifier.get("value") or ""),
            listing["productType"],
            listing["itemName"],
            first_value(attributes, "brand") or "",
        )
    listing["asin"] = asin
    listing.pop("publishAt", None)
    refresh_status(listing)
    listing["lastUpdatedDate"] = iso(now())


def advance(state):
    """Publish every created listing whose processing time is over (only those are looked at:
    this runs before every request, and the bench seeds 10,000 listings)."""
    if not state.publishing:
        return
    current = time.time()
    with state.lock:
        for key in list(state.publishing):
            listing = state.listings.get(key)
            if listing is None or listing.get("publishAt") is None:
                state.publishing.discard(key)
            elif listing["publishAt"] <= current:
                publish(state, listing)
                state.publishing.discard(key)
