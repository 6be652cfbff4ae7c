"""Pure builders of the JSON documents we send to Amazon.

No I/O here: every function returns plain dicts/lists shaped after the official models
(listingsItems_2021-08-01 ``PatchOperation``, listings-feed-schema-v2, ordersV0
``ConfirmShipmentRequest``), so they are unit-tested against the schemas and reused by both the
synchronous Listings Items API and the JSON_LISTINGS_FEED paths.
"""

from datetime import timezone
from decimal import Decimal

from .const import LISTINGS_FEED_VERSION, MAX_MESSAGES_PER_LISTINGS_FEED

#: Normalised carrier name -> Amazon ``carrierCode``. The v0 model does not enumerate the codes
#: (it points to Amazon's CarrierCode announcement); these are the codes of that list for the
#: carriers common in our marketplaces. Anything else is sent as ``Other`` + ``carrierName``.
CARRIER_CODES = {
    "amazon shipping": "Amazon Shipping",
    "brt": "BRT",
    "bartolini": "BRT",
    "chronopost": "Chronopost",
    "colissimo": "Colissimo",
    "correos": "Correos",
    "correos express": "Correos Express",
    "ctt": "CTT",
    "deutsche post": "Deutsche Post",
    "dhl": "DHL",
    "dhl express": "DHL",
    "dhl ecommerce": "DHL eCommerce",
    "dpd": "DPD",
    "evri": "Evri",
    "hermes": "Hermes",
    "fedex": "FedEx",
    "gls": "GLS",
    "la poste": "La Poste",
    "mrw": "MRW",
    "nacex": "NACEX",
    "parcelforce": "Parcelforce",
    "poste italiane": "Poste Italiane",
    "royal mail": "Royal Mail",
    "sda": "SDA",
    "seur": "SEUR",
    "tnt": "TNT",
    "ups": "UPS",
    "usps": "USPS",
    "yodel": "Yodel",
}

#: Fallback carrier code: Amazon then requires ``carrierName``.
OTHER_CARRIER = "Other"


def _replace(path, value):
    """One JSON Patch ``replace`` operation on a listing attribute."""
    return {"op": "replace", "path": path, "value": value}


def _amount(value):
    """Turn a price given as Decimal/float/int/str into a JSON number.

    Going through ``Decimal(str(...))`` keeps 12.9 as 12.9 instead of 12.900000000000000355.
    """
    amount = Decimal(str(value))
    if amount < 0:
        raise ValueError(f"A price cannot be negative: {value}")
    return int(amount) if amount == amount.to_integral_value() else float(amount)


def fulfillment_availability_patch(quantity):
    """Patch operation setting the merchant-fulfilled (DEFAULT channel) quantity.

    :param quantity: units available for sale (negative values are sent as 0).
    :return: one ``PatchOperation`` dict.
    :raise ValueError: quantity is not an integer.
    """
    if isinstance(quantity, bool) or int(quantity) != quantity:
        raise ValueError(f"Quantity must be an integer, got {quantity!r}")
    return _replace(
        "/attributes/fulfillment_availability",
        [{"fulfillment_channel_code": "DEFAULT", "quantity": max(0, int(quantity))}],
    )


def purchasable_offer_patch(marketplace_id, currency, price):
    """Patch operation setting the listing's price (``our_price``, tax included).

    :param marketplace_id: Amazon marketplace id the price applies to.
    :param currency: ISO 4217 code of the marketplace currency.
    :param price: price including tax.
    :return: one ``PatchOperation`` dict.
    :raise ValueError: negative price.
    """
    return _replace(
        "/attributes/purchasable_offer",
        [
            {
                "marketplace_id": marketplace_id,
                "currency": currency,
                "our_price": [{"schedule": [{"value_with_tax": _amount(price)}]}],
            }
        ],
    )


def listings_feed_document(seller_id, messages, issue_locale="en_US"):
    """JSON_LISTINGS_FEED document (listings-feed-schema-v2).

    :param seller_id: selling partner id put in the header.
    :param messages: message dicts (see :func:`partial_update_message`), 1 to 25,000.
    :param issue_locale: locale of the issues in the processing report.
    :return: the feed document as a dict (serialise it as UTF-8 JSON).
    :raise ValueError: no message, too many messages or duplicate message ids.
    """
    messages = list(messages)
    if not messages:
        raise ValueError("A listings feed needs at least one message")
    if len(messages) > MAX_MESSAGES_PER_LISTINGS_FEED:
        raise ValueError(
            f"A listings feed holds at most {MAX_MESSAGES_PER_LISTINGS_FEED} messages, "
            f"got {len(messages)}: split it"
        )
    ids = [message["messageId"] for message in messages]
    if len(set(ids)) != len(ids):
        raise ValueError("messageId values must be unique within a listings feed")
    return {
        "header": {
            "sellerId": seller_id,
            "version": LISTINGS_FEED_VERSION,
            "issueLocale": issue_locale,
        },
        "messages": messages,
    }


def partial_update_message(message_id, sku, product_type, patches):
    """PARTIAL_UPDATE feed message built from ``replace`` patch operations.

    The same patch operations serve :meth:`.client.SpApiService.patch_listing`; a feed
    PARTIAL_UPDATE is Amazon's equivalent of ``replace`` ops, expressed as attributes.

    :param message_id: message number, unique within the feed (1..2147483647).
    :param sku: seller SKU.
    :param product_type: Amazon product type of the listing.
    :param patches: ``replace`` operations on ``/attributes/<name>``.
    :return: one message dict.
    :raise ValueError: no patch, or a patch that is not a ``replace`` of a top-level attribute.
    """
    if not patches:
        raise ValueError("A PARTIAL_UPDATE message needs at least one patch")
    attributes = {}
    for patch in patches:
        parts = patch.get("path", "").split("/")
        if patch.get("op") != "replace" or len(parts) != 3 or parts[1] != "attributes":
            raise ValueError(f"Only replace of /attributes/<name> fits PARTIAL_UPDATE: {patch}")
        attributes[parts[2]] = patch["value"]
    return {
        "messageId": int(message_id),
        "sku": sku,
        "operationType": "PARTIAL_UPDATE",
        "productType": product_type,
        "attributes": attributes,
    }


def patch_message(message_id, sku, product_type, patches):
    """PATCH feed message carrying JSON Patch operations as they are.

    :param message_id: message number, unique within the feed.
    :param sku: seller SKU.
    :param product_type: Amazon product type of the listing.
    :param patches: ``PatchOperation`` dicts.
    :return: one message dict.
    :raise ValueError: no patch.
    """
    if not patches:
        raise ValueError("A PATCH message needs at least one patch")
    return {
        "messageId": int(message_id),
        "sku": sku,
        "operationType": "PATCH",
        "productType": product_type,
        "patches": list(patches),
    }


def carrier_code_for(name):
    """Amazon carrier code for a carrier name, plus the ``carrierName`` to send with it.

    :param name: carrier name as known in Odoo (any case, e.g. ``"Correos Express"``).
    :return: ``(carrier_code, carrier_name)``; ``carrier_name`` is None for a known code and the
        original name with ``Other``.
    """
    clean = " ".join((name or "").split())
    code = CARRIER_CODES.get(clean.lower())
    if code:
        return code, None
    return OTHER_CARRIER, clean or OTHER_CARRIER


def _iso_datetime(value):
    """ISO 8601 UTC string for a datetime (naive = UTC, as Odoo stores them) or a string."""
    if isinstance(value, str):
        return value
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def confirm_shipment_body(
    marketplace_id,
    package_reference_id,
    carrier_code,
    carrier_name,
    shipping_method,
    tracking_number,
    ship_date,
    items,
    ship_from_supply_source_id=None,
):
    """ordersV0 ``ConfirmShipmentRequest`` for one package.

    :param marketplace_id: marketplace of the order.
    :param package_reference_id: positive integer unique per order (Amazon accepts only
        positive numbers here), e.g. the picking id or the package number.
    :param carrier_code: Amazon carrier code (see :func:`carrier_code_for`).
    :param carrier_name: carrier name, required by Amazon when ``carrier_code`` is ``Other``.
    :param shipping_method: ship method label, or None.
    :param tracking_number: carrier tracking number.
    :param ship_date: datetime (naive means UTC) or ISO 8601 string.
    :param items: iterable of ``(order_item_id, quantity)`` pairs or of
        ``{"orderItemId", "quantity"}`` dicts.
    :param ship_from_supply_source_id: Amazon supply source id, or None.
    :return: the request body dict.
    :raise ValueError: missing carrier name for ``Other``, non-numeric package reference, no
        item or a non-positive quantity.
    """
    if carrier_code == OTHER_CARRIER and not carrier_name:
        raise ValueError("carrierName is required when carrierCode is 'Other'")
    reference = str(package_reference_id).strip()
    if not reference.isdigit() or int(reference) <= 0:
        raise ValueError(
            f"packageReferenceId must be a positive number, got {package_reference_id!r}"
        )
    order_items = [_shipment_item(item) for item in items]
    if not order_items:
        raise ValueError("A shipment confirmation needs at least one order item")
    package = {
        "packageReferenceId": reference,
        "carrierCode": carrier_code,
        "trackingNumber": tracking_number,
        "shipDate": _iso_datetime(ship_date),
        "orderItems": order_items,
    }
    optional = {
        "carrierName": carrier_name,
        "shippingMethod": shipping_method,
        "shipFromSupplySourceId": ship_from_supply_source_id,
    }
    package.update({key: value for key, value in optional.items() if value})
    return {"marketplaceId": marketplace_id, "packageDetail": package}


def _shipment_item(item):
    """Normalise one shipped item to ``{"orderItemId", "quantity"}``."""
    if isinstance(item, dict):
        order_item_id, quantity = item["orderItemId"], item["quantity"]
    else:
        order_item_id, quantity = item
    if int(quantity) <= 0:
        raise ValueError(f"Shipped quantity of order item {order_item_id} must be positive")
    return {"orderItemId": str(order_item_id), "quantity": int(quantity)}


def utc_iso(value):
    """Public helper: ISO 8601 UTC string for a datetime (naive = UTC) or a string as is.

    :param value: datetime or str.
    :return: str
    """
    return _iso_datetime(value)


__all__ = [
    "CARRIER_CODES",
    "OTHER_CARRIER",
    "carrier_code_for",
    "confirm_shipment_body",
    "fulfillment_availability_patch",
    "listings_feed_document",
    "partial_update_message",
    "patch_message",
    "purchasable_offer_patch",
    "utc_iso",
]
