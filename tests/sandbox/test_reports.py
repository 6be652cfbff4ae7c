"""Reports API 2021-06-30: the returns reports, gzip documents, date-range rules."""

import gzip
from datetime import datetime, timedelta, timezone

import pytest
from helpers import http
from sp_api.api import Reports
from sp_api.base import SellingApiBadRequestException

ES = "A1RKKUPIHCS9HS"
FLAT = "GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE"
XML = "GET_XML_RETURNS_DATA_BY_RETURN_DATE"


def _days_ago(days):
    return datetime.now(timezone.utc) - timedelta(days=days)


def _run(client, report_type, start, end=None):
    kwargs = {"reportType": report_type, "marketplaceIds": [ES], "dataStartTime": start}
    if end:
        kwargs["dataEndTime"] = end
    report_id = client.create_report(**kwargs).payload["reportId"]
    return client.get_report(report_id).payload


def test_flat_returns_report_round_trip(make_client):
    """createReport -> getReport DONE -> getReportDocument GZIP -> tab-separated rows."""
    client = make_client(Reports)
    report = _run(client, FLAT, _days_ago(7))
    assert report["processingStatus"] == "DONE" and report["reportType"] == FLAT
    document = client.get_report_document(
        report["reportDocumentId"], download=True, character_code="utf-8"
    )
    assert document.payload["compressionAlgorithm"] == "GZIP"
    lines = document.payload["document"].rstrip("\n").split("\n")
    header = lines[0].split("\t")
    assert header[:4] == ["Order ID", "Order date", "Return request date", "Return request status"]
    row = dict(zip(header, lines[1].split("\t"), strict=True))
    assert row["Order ID"] == "402-9918273-1100456"
    assert row["Merchant SKU"] == "SA-CABLE-USBC" and row["Return quantity"] == "1"


def test_report_document_bytes_are_gzip(make_client):
    """The document URL serves gzip bytes."""
    client = make_client(Reports)
    report = _run(client, FLAT, _days_ago(7))
    url = client.get_report_document(report["reportDocumentId"]).payload["url"]
    status, _headers, raw = http("GET", url)
    assert status == 200 and gzip.decompress(raw).startswith(b"Order ID\t")


def test_xml_returns_report(make_client):
    """The XML flavour carries the same return."""
    client = make_client(Reports)
    report = _run(client, XML, _days_ago(7))
    text = client.get_report_document(
        report["reportDocumentId"], download=True, character_code="utf-8"
    ).payload["document"]
    assert "<order_id>402-9918273-1100456</order_id>" in text
    assert "<merchant_sku>SA-CABLE-USBC</merchant_sku>" in text


def test_returns_filtered_by_date_and_added_rows(make_client, control):
    """Only returns requested inside the range are reported; control rows are included."""
    control.add_returns(
        [
            {
                "order_id": "403-8126479-1203347",
                "merchant_sku": "SA-TEE-BLK-M",
                "return_request_date": _days_ago(1).isoformat(),
                "return_quantity": 1,
                "return_reason": "CR-UNWANTED_ITEM",
            }
        ]
    )
    client = make_client(Reports)
    report = _run(client, FLAT, _days_ago(1.5))
    text = client.get_report_document(
        report["reportDocumentId"], download=True, character_code="utf-8"
    ).payload["document"]
    assert "403-8126479-1203347" in text and "402-9918273-1100456" not in text


def test_empty_range_is_cancelled(make_client):
    """A range without returns ends CANCELLED without a document (Amazon's no-data rule)."""
    client = make_client(Reports)
    report = _run(client, FLAT, _days_ago(50), _days_ago(40))
    assert report["processingStatus"] == "CANCELLED" and "reportDocumentId" not in report


def test_range_over_60_days_is_400(make_client):
    """A date range longer than 60 days is rejected."""
    with pytest.raises(SellingApiBadRequestException):
        _run(make_client(Reports), FLAT, _days_ago(70), _days_ago(1))


def test_unsupported_report_type_is_400(make_client):
    """Report types the sandbox does not simulate are rejected."""
    with pytest.raises(SellingApiBadRequestException):
        _run(make_client(Reports), "GET_MERCHANT_LISTINGS_ALL_DATA", _days_ago(1))


def test_report_processing_delay(make_client, control):
    """With report_processing_seconds the report is not DONE on the first poll."""
    control.config(report_processing_seconds=30)
    client = make_client(Reports)
    report = _run(client, FLAT, _days_ago(7))
    assert report["processingStatus"] == "IN_QUEUE"
