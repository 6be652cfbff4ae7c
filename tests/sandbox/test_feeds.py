"""Feeds API 2021-06-30 and JSON_LISTINGS_FEED processing, through the real sp_api client."""

import io
import json
import time

import pytest
from helpers import access_token, http
from sp_api.api.feeds.feeds_2021_06_30 import FeedsV20210630
from sp_api.base import SellingApiBadRequestException, SellingApiNotFoundException

ES = "A1RKKUPIHCS9HS"


def _feed(seller_id, messages):
    return {
        "header": {"sellerId": seller_id, "version": "2.0", "issueLocale": "en_US"},
        "messages": messages,
    }


def _stock_message(message_id, sku, quantity):
    return {
        "messageId": message_id,
        "sku": sku,
        "operationType": "PATCH",
        "productType": "PRODUCT",
        "patches": [
            {
                "op": "replace",
                "path": "/attributes/fulfillment_availability",
                "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": quantity}],
            }
        ],
    }


def _submit(client, document):
    """createFeedDocument + upload + createFeed; returns the feedId."""
    content = io.BytesIO(json.dumps(document).encode("utf-8"))
    doc = client.create_feed_document(content, "application/json; charset=UTF-8")
    feed = client.create_feed(
        "JSON_LISTINGS_FEED", doc.payload["feedDocumentId"], marketplaceIds=[ES]
    )
    return feed.payload["feedId"]


def test_feed_round_trip_with_one_error(make_client, control, seller_id):
    """A feed updates existing listings and reports the unknown SKU as an ERROR issue."""
    client = make_client(FeedsV20210630)
    feed_id = _submit(
        client,
        _feed(
            seller_id,
            [
                _stock_message(1, "SA-MUG-001", 11),
                {
                    "messageId": 2,
                    "sku": "SA-TEE-BLK-M",
                    "operationType": "PARTIAL_UPDATE",
                    "productType": "SHIRT",
                    "attributes": {
                        "purchasable_offer": [
                            {
                                "marketplace_id": ES,
                                "currency": "EUR",
                                "our_price": [{"schedule": [{"value_with_tax": 21.5}]}],
                            }
                        ]
                    },
                },
                _stock_message(3, "SA-DOES-NOT-EXIST", 4),
            ],
        ),
    )
    feed = client.get_feed(feed_id).payload
    assert feed["processingStatus"] == "DONE" and feed["feedType"] == "JSON_LISTINGS_FEED"
    report = json.loads(client.get_feed_result_document(feed["resultFeedDocumentId"]))
    assert report["header"] == {"sellerId": seller_id, "version": "2.0", "feedId": feed_id}
    assert report["summary"] == {
        "errors": 1,
        "warnings": 0,
        "messagesProcessed": 3,
        "messagesAccepted": 2,
        "messagesInvalid": 1,
    }
    assert report["issues"][0]["messageId"] == 3
    assert report["issues"][0]["severity"] == "ERROR"
    assert control.listing("SA-MUG-001")["quantity"] == 11
    assert control.listing("SA-TEE-BLK-M")["price"] == 21.5
    assert control.listing("SA-DOES-NOT-EXIST") is None


def test_feed_document_is_gzip(make_client, seller_id, sandbox_url):
    """getFeedDocument flags the processing report as GZIP and serves gzip bytes."""
    client = make_client(FeedsV20210630)
    feed_id = _submit(client, _feed(seller_id, [_stock_message(1, "SA-MUG-001", 1)]))
    result_id = client.get_feed(feed_id).payload["resultFeedDocumentId"]
    document = client.get_feed_document(result_id)
    assert json.loads(document)["summary"]["messagesAccepted"] == 1
    meta = client._request(
        f"/feeds/2021-06-30/documents/{result_id}", params={}, add_marketplace=False
    ).payload
    assert meta["compressionAlgorithm"] == "GZIP"
    status, _headers, raw = http("GET", meta["url"])
    assert status == 200 and raw[:2] == b"\x1f\x8b"


def test_feed_invalid_message_and_bad_value(make_client, control, seller_id):
    """Schema violations and bad values are per-message errors; valid messages still apply."""
    client = make_client(FeedsV20210630)
    feed_id = _submit(
        client,
        _feed(
            seller_id,
            [
                {"messageId": 1, "sku": "SA-MUG-001", "operationType": "PATCH"},
                _stock_message(2, "SA-BOTTLE-750", -3),
                _stock_message(3, "SA-CABLE-USBC", 9),
            ],
        ),
    )
    report = json.loads(
        client.get_feed_result_document(client.get_feed(feed_id).payload["resultFeedDocumentId"])
    )
    assert report["summary"]["messagesInvalid"] == 2
    assert {i["messageId"] for i in report["issues"]} == {1, 2}
    assert control.listing("SA-CABLE-USBC")["quantity"] == 9
    assert control.listing("SA-BOTTLE-750")["quantity"] == 0


def test_feed_wrong_seller_is_fatal(make_client, seller_id):
    """A header with another sellerId makes the whole feed FATAL with a report."""
    client = make_client(FeedsV20210630)
    feed_id = _submit(client, _feed("AOTHER", [_stock_message(1, "SA-MUG-001", 1)]))
    feed = client.get_feed(feed_id).payload
    assert feed["processingStatus"] == "FATAL"
    report = json.loads(client.get_feed_result_document(feed["resultFeedDocumentId"]))
    assert report["summary"]["messagesProcessed"] == 0


def test_feed_processing_delay(make_client, control, seller_id):
    """With feed_processing_seconds the feed goes IN_QUEUE/IN_PROGRESS before DONE."""
    control.config(feed_processing_seconds=0.6)
    client = make_client(FeedsV20210630)
    feed_id = _submit(client, _feed(seller_id, [_stock_message(1, "SA-MUG-001", 2)]))
    first = client.get_feed(feed_id).payload
    assert first["processingStatus"] in ("IN_QUEUE", "IN_PROGRESS")
    assert "resultFeedDocumentId" not in first
    assert control.listing("SA-MUG-001")["quantity"] == 0
    time.sleep(0.7)
    assert client.get_feed(feed_id).payload["processingStatus"] == "DONE"
    assert control.listing("SA-MUG-001")["quantity"] == 2


def test_finish_jobs_ends_a_slow_feed_at_once(make_client, control, seller_id):
    """A feed held by a long feed_processing_seconds is DONE and applied once finish_jobs runs."""
    control.config(feed_processing_seconds=3600)
    client = make_client(FeedsV20210630)
    feed_id = _submit(client, _feed(seller_id, [_stock_message(1, "SA-MUG-001", 3)]))
    assert client.get_feed(feed_id).payload["processingStatus"] == "IN_QUEUE"
    assert control.listing("SA-MUG-001")["quantity"] == 0
    assert control.finish_jobs() == {"finishing": 1}
    assert client.get_feed(feed_id).payload["processingStatus"] == "DONE"
    assert control.listing("SA-MUG-001")["quantity"] == 3
    assert control.finish_jobs() == {"finishing": 0}, "a finished feed stays as it is"


def test_create_feed_requires_uploaded_document(sandbox_url, control):
    """createFeed refuses a document id that was never uploaded."""
    headers = {"x-amz-access-token": access_token(sandbox_url)}
    status, _h, raw = http(
        "POST",
        f"{sandbox_url}/feeds/2021-06-30/documents",
        {"contentType": "application/json"},
        headers,
    )
    assert status == 201
    doc_id = json.loads(raw)["feedDocumentId"]
    status, _h, raw = http(
        "POST",
        f"{sandbox_url}/feeds/2021-06-30/feeds",
        {"feedType": "JSON_LISTINGS_FEED", "marketplaceIds": [ES], "inputFeedDocumentId": doc_id},
        headers,
    )
    assert status == 400 and json.loads(raw)["errors"]


def test_get_unknown_feed_is_404(make_client):
    """getFeed on an unknown id is a 404."""
    with pytest.raises(SellingApiNotFoundException):
        make_client(FeedsV20210630).get_feed("123")


def test_create_feed_without_type_is_400(make_client):
    """createFeed without feedType is a 400."""
    with pytest.raises(SellingApiBadRequestException):
        make_client(FeedsV20210630).create_feed(None, "doc")


def test_document_transfers_are_logged(make_client, control, seller_id):
    """Uploads and downloads appear in the request log as uploadFeedDocument/downloadDocument."""
    client = make_client(FeedsV20210630)
    feed_id = _submit(client, _feed(seller_id, [_stock_message(1, "SA-MUG-001", 1)]))
    client.get_feed_result_document(client.get_feed(feed_id).payload["resultFeedDocumentId"])
    operations = [e["operation"] for e in control.requests()]
    assert operations == [
        "lwaToken",
        "createFeedDocument",
        "uploadFeedDocument",
        "createFeed",
        "getFeed",
        "getFeedDocument",
        "downloadDocument",
    ]
    upload = control.requests(operation="uploadFeedDocument")[0]
    assert upload["body"]["bytes"] > 0
