"""VAT invoices: UPLOAD_VAT_INVOICE feeds and the VAT Invoice Data Report, on the sandbox."""

from datetime import datetime, timedelta, timezone

import pytest

from stockagile_amazon_connector.services import InvalidRequestError
from stockagile_amazon_connector.services.invoices import (
    CREDIT_NOTE,
    VatInvoice,
    parse_vat_invoice_report,
    vat_invoice_options,
)

SHIPPED = "402-9918273-1100456"  # seeded: shipped, 9.99 EUR, VAT 21 % included
ES = "A1RKKUPIHCS9HS"
PDF = b"%PDF-1.4\n% test invoice\n%%EOF\n"


def _invoice(**values):
    return VatInvoice(
        **{
            "order_id": SHIPPED,
            "invoice_number": "INV/2026/00001",
            "total_amount": "9.99",
            "total_vat_amount": "1.73",
            **values,
        }
    )


def _report(service, sandbox):
    now = datetime.now(timezone.utc)
    report_id = service.create_vat_invoice_report([ES], now - timedelta(days=20), now)
    status = service.get_report(report_id)
    assert status.processing_status == "DONE"
    return parse_vat_invoice_report(service.get_report_document(status.document_id))


def test_options_as_amazon_names_them():
    """The metadata keys, two-decimal amounts, and nothing empty."""
    assert vat_invoice_options(_invoice(total_amount=9.9)) == {
        "metadata:OrderId": SHIPPED,
        "metadata:InvoiceNumber": "INV/2026/00001",
        "metadata:DocumentType": "Invoice",
        "metadata:TotalAmount": "9.90",
        "metadata:TotalVATAmount": "1.73",
    }


@pytest.mark.parametrize(
    ("values", "code"),
    [
        ({"invoice_number": ""}, "no_invoice_number"),
        ({"invoice_number": "FAC «1»"}, "invalid_characters"),
        ({"total_amount": "abc"}, "invalid_amount"),
        ({"document_type": "Receipt"}, "invalid_document_type"),
    ],
)
def test_bad_options_refused_before_sending(values, code):
    """Metadata Amazon would refuse is an InvalidRequestError, nothing is built."""
    with pytest.raises(InvalidRequestError) as caught:
        vat_invoice_options(_invoice(**values))
    assert caught.value.code == code


def test_upload_then_report_says_uploaded(service, sandbox):
    """One feed with the PDF and its options; the VIDR reports the invoice uploaded."""
    feed_id = service.upload_vat_invoice(ES, PDF, _invoice())
    state = sandbox.state()
    feed = state["feeds"][feed_id]
    assert feed["feedType"] == "UPLOAD_VAT_INVOICE"
    document = state["documents"][feed["_input"]]
    assert document["contentType"] == "application/pdf"
    assert document["size"] == len(PDF)
    (upload,) = state["vatInvoices"]
    assert upload["status"] == "Uploaded", upload
    rows = [row for row in _report(service, sandbox) if row.order_id == SHIPPED]
    shipment = next(row for row in rows if row.transaction_type == "Shipment")
    assert (shipment.invoice_status, shipment.invoice_number) == ("Uploaded", "INV/2026/00001")
    refund = next(row for row in rows if row.transaction_type == "Refund")
    assert refund.invoice_status == "Pending"
    assert refund.transaction_id


def test_totals_differing_fail_in_the_report(service, sandbox):
    """Totals that differ from the order's by a cent: the VIDR says Failed, with the reason."""
    service.upload_vat_invoice(ES, PDF, _invoice(total_amount="10.00"))
    shipment = next(
        row
        for row in _report(service, sandbox)
        if row.order_id == SHIPPED and row.transaction_type == "Shipment"
    )
    assert shipment.invoice_status == "Failed"
    assert "does not match the order total" in shipment.invoice_status_description


def test_credit_note_with_transaction(service, sandbox):
    """A credit note names its refund's transaction and is reported on the refund row."""
    refund = next(
        row
        for row in _report(service, sandbox)
        if row.order_id == SHIPPED and row.transaction_type == "Refund"
    )
    service.limiter.penalize("uploadVatInvoice", 0)
    service.upload_vat_invoice(
        ES,
        PDF,
        _invoice(
            invoice_number="RINV/2026/00001",
            document_type=CREDIT_NOTE,
            transaction_id=refund.transaction_id,
        ),
    )
    again = next(
        row
        for row in _report(service, sandbox)
        if row.order_id == SHIPPED and row.transaction_type == "Refund"
    )
    assert (again.invoice_status, again.invoice_number) == ("Uploaded", "RINV/2026/00001")


def test_not_a_pdf_is_never_sent(service, sandbox):
    """Bytes that are not a PDF are refused before any request."""
    sandbox.clear_requests()
    with pytest.raises(InvalidRequestError):
        service.upload_vat_invoice(ES, b"<html>", _invoice())
    assert not sandbox.requests("createFeedDocument")
