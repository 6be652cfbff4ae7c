"""Payload builders, validated against copies of the official schemas (tests/services/data)."""

import json
from datetime import datetime

import jsonschema
import pytest

from stockagile_amazon_connector.services import payloads
from stockagile_amazon_connector.services.const import MAX_MESSAGES_PER_LISTINGS_FEED

from .conftest import DATA


def _schema(name):
    return json.loads((DATA / name).read_text())


FEED_VALIDATOR = jsonschema.Draft7Validator(_schema("listings-feed-schema-v2.json"))
PATCH_VALIDATOR = jsonschema.Draft4Validator(_schema("listings-item-patch-request.json"))
SHIPMENT_VALIDATOR = jsonschema.Draft4Validator(_schema("confirm-shipment-request.json"))


def test_quantity_patch_shape():
    """The stock patch replaces fulfillment_availability on the DEFAULT channel."""
    patch = payloads.fulfillment_availability_patch(7)
    assert patch == {
        "op": "replace",
        "path": "/attributes/fulfillment_availability",
        "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 7}],
    }
    PATCH_VALIDATOR.validate({"productType": "SHIRT", "patches": [patch]})


def test_quantity_patch_clamps_negative_and_rejects_fractions():
    """Negative stock is published as 0; a fractional quantity is a programming error."""
    assert payloads.fulfillment_availability_patch(-3)["value"][0]["quantity"] == 0
    with pytest.raises(ValueError):
        payloads.fulfillment_availability_patch(1.5)


def test_price_patch_shape():
    """The price patch sets our_price value_with_tax for the marketplace and currency."""
    patch = payloads.purchasable_offer_patch("A1RKKUPIHCS9HS", "EUR", 12.9)
    assert patch["path"] == "/attributes/purchasable_offer"
    offer = patch["value"][0]
    assert offer["marketplace_id"] == "A1RKKUPIHCS9HS"
    assert offer["currency"] == "EUR"
    assert offer["our_price"] == [{"schedule": [{"value_with_tax": 12.9}]}]
    PATCH_VALIDATOR.validate({"productType": "SHIRT", "patches": [patch]})


def test_feed_document_validates_against_listings_feed_schema():
    """A feed of PARTIAL_UPDATE and PATCH messages is a valid JSON_LISTINGS_FEED."""
    patches = [
        payloads.fulfillment_availability_patch(3),
        payloads.purchasable_offer_patch("A1RKKUPIHCS9HS", "EUR", "19.90"),
    ]
    document = payloads.listings_feed_document(
        "A2SANDBOXSELLER",
        [
            payloads.partial_update_message(1, "SA-MUG-001", "DRINKING_CUP", patches),
            payloads.patch_message(2, "SA-TEE-BLK-M", "SHIRT", patches[:1]),
        ],
    )
    FEED_VALIDATOR.validate(document)
    assert document["header"] == {
        "sellerId": "A2SANDBOXSELLER",
        "version": "2.0",
        "issueLocale": "en_US",
    }
    attributes = document["messages"][0]["attributes"]
    assert attributes["fulfillment_availability"][0]["quantity"] == 3
    assert attributes["purchasable_offer"][0]["our_price"][0]["schedule"][0] == {
        "value_with_tax": 19.9
    }


def test_feed_document_limits():
    """Empty feeds, oversized feeds and duplicate message ids are refused before Amazon."""
    message = payloads.partial_update_message(
        1, "S", "PRODUCT", [payloads.fulfillment_availability_patch(1)]
    )
    with pytest.raises(ValueError):
        payloads.listings_feed_document("S", [])
    with pytest.raises(ValueError):
        payloads.listings_feed_document("S", [message, dict(message)])
    too_many = [dict(message, messageId=i + 1) for i in range(MAX_MESSAGES_PER_LISTINGS_FEED + 1)]
    with pytest.raises(ValueError, match="25000"):
        payloads.listings_feed_document("S", too_many)


def test_partial_update_rejects_non_replace_patch():
    """PARTIAL_UPDATE only expresses replace ops on top-level attributes."""
    with pytest.raises(ValueError):
        payloads.partial_update_message(
            1, "S", "P", [{"op": "delete", "path": "/attributes/x", "value": []}]
        )


def test_confirm_shipment_body_validates():
    """The confirmShipment body matches the ordersV0 ConfirmShipmentRequest schema."""
    code, name = payloads.carrier_code_for("correos express")
    body = payloads.confirm_shipment_body(
        "A1RKKUPIHCS9HS",
        42,
        code,
        name,
        "Express",
        "PK123456789ES",
        datetime(2026, 3, 1, 10, 30),
        [("79039765272157", 2), {"orderItemId": "11111111111111", "quantity": 1}],
    )
    SHIPMENT_VALIDATOR.validate(body)
    package = body["packageDetail"]
    assert package["carrierCode"] == "Correos Express"
    assert "carrierName" not in package
    assert package["shipDate"] == "2026-03-01T10:30:00Z"
    assert package["orderItems"][0] == {"orderItemId": "79039765272157", "quantity": 2}


def test_unknown_carrier_falls_back_to_other_with_name():
    """An unknown carrier is sent as Other + carrierName, as Amazon requires."""
    assert payloads.carrier_code_for("  Transportes  Pepe ") == ("Other", "Transportes Pepe")
    assert payloads.carrier_code_for("UPS") == ("UPS", None)
    with pytest.raises(ValueError):
        payloads.confirm_shipment_body("M", "1", "Other", None, None, "T", "2026-01-01", [("1", 1)])
    with pytest.raises(ValueError):
        payloads.confirm_shipment_body("M", "1", "UPS", None, None, "T", "2026-01-01", [("1", 0)])
    with pytest.raises(ValueError, match="positive number"):
        payloads.confirm_shipment_body("M", "WH/OUT/1", "UPS", None, None, "T", "2026", [("1", 1)])
