"""Reading returns reports: flat-file and XML rows, header variants, encodings, dates."""

import gzip

import httpx
import pytest

from amazon_sandbox.returns_report import render_flat, render_xml
from amazon_sandbox.seed import default_returns
from stockagile_amazon_connector.services import TransientError
from stockagile_amazon_connector.services.reports import (
    column_key,
    parse_quantity,
    parse_report_date,
    parse_returns_report,
)

from .test_client_mapping import amazon, svc  # noqa: F401 - fixtures


def test_flat_file_rows_keyed_by_snake_case_headers():
    """The sandbox's flat file gives one row per returned item with snake_case keys."""
    (row,) = parse_returns_report(render_flat(default_returns()).decode())
    assert row["order_id"] == "402-9918273-1100456"
    assert row["amazon_rma_id"] == "DQkRv5LJRRMA"
    assert row["merchant_sku"] == "SA-CABLE-USBC"
    assert row["return_quantity"] == "1"
    assert row["return_reason"] == "CR-DEFECTIVE"


def test_xml_rows_match_flat_rows():
    """The XML flavour reads into the same keys as the flat file."""
    flat = parse_returns_report(render_flat(default_returns()).decode())[0]
    xml = parse_returns_report(render_xml(default_returns()).decode())[0]
    for key in ("order_id", "amazon_rma_id", "merchant_sku", "return_quantity", "return_reason"):
        assert xml[key] == flat[key]


def test_header_variants_bom_and_crlf():
    """Headers are matched case-insensitively, with a BOM, CRLF and marketplace variants."""
    text = (
        "\ufeffORDER ID\tMerchant RMA ID\tAmazon RMA Id\tSeller SKU\tQuantity\tReturn Reason\r\n"
        "403-1\tS-9\tRMA1\tSKU-1\t2\tCR-DAMAGED\r\n"
        "\t\t\t\t\t\r\n"
    )
    (row,) = parse_returns_report(text)
    assert row == {
        "order_id": "403-1",
        "seller_rma_id": "S-9",
        "amazon_rma_id": "RMA1",
        "merchant_sku": "SKU-1",
        "return_quantity": "2",
        "return_reason": "CR-DAMAGED",
    }
    assert column_key("A-to-Z Claim") == column_key("A-to-z claim") == "a_to_z_claim"


def test_empty_and_foreign_documents():
    """An empty document has no rows; a document without Order ID column is refused."""
    assert parse_returns_report("") == []
    assert parse_returns_report("Order ID\tAmazon RMA ID\n") == []
    with pytest.raises(TransientError):
        parse_returns_report("sku\tprice\nA\t1\n")


def test_dates_and_quantities():
    """ISO dates become naive UTC; odd quantities are refused."""
    assert str(parse_report_date("2025-11-20T10:15:00+01:00")) == "2025-11-20 09:15:00"
    assert str(parse_report_date("2025-11-20T10:15:00Z")) == "2025-11-20 10:15:00"
    assert str(parse_report_date("20-Nov-2025")) == "2025-11-20 00:00:00"
    assert parse_report_date("soon") is None
    assert parse_quantity("2") == 2
    assert parse_quantity("1.0") == 1
    assert parse_quantity("0") is None
    assert parse_quantity("1.5") is None
    assert parse_quantity("x") is None


def test_latin1_gzip_report_document(amazon, svc):  # noqa: F811
    """A GZIP report in ISO-8859-1 without charset is decompressed and decoded."""
    text = "Order ID\tItem Name\n403-1\tTaza cerámica\n"

    def api(request):
        if request.url.path.startswith("/download/"):
            return httpx.Response(200, content=gzip.compress(text.encode("iso-8859-1")))
        return httpx.Response(
            200,
            json={
                "reportDocumentId": "d",
                "compressionAlgorithm": "GZIP",
                "url": "https://sandbox.invalid/download/d",
            },
        )

    amazon.api = api
    (row,) = parse_returns_report(svc.get_report_document("d"))
    assert row["item_name"] == "Taza cerámica"
