"""VAT invoices on Amazon: upload a PDF with ``UPLOAD_VAT_INVOICE``, read the VIDR.

In Amazon's EU marketplaces a seller who issues its own invoices makes each one available to
the buyer through Amazon ("Option 3" of Amazon's invoicing guide): the PDF is the feed
document (``application/pdf``), its metadata travels in the feed's ``feedOptions``
(``metadata:OrderId``, ``metadata:InvoiceNumber``, ...), one document per feed, one
marketplace. Amazon reports the outcome in the VAT Invoice Data Report
(``GET_FLAT_FILE_VAT_INVOICE_DATA_REPORT``: one row per shipment and refund with its
``invoice-status``), not in the feed's processing report.

:class:`InvoiceOperations` is mixed into :class:`~.client.SpApiService` (it uses its plumbing);
the rest is pure functions (options, report parsing) tested without the network.
"""

import csv
import io
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import httpx
from sp_api.api.feeds.feeds_2021_06_30 import FeedsV20210630
from sp_api.api.reports.reports import Reports

from ._library import FeedEndpoints
from .errors import InvalidRequestError, TransientError
from .payloads import utc_iso

FEED_TYPE_VAT_INVOICE = "UPLOAD_VAT_INVOICE"
REPORT_TYPE_VAT_INVOICE_DATA = "GET_FLAT_FILE_VAT_INVOICE_DATA_REPORT"
PDF_CONTENT_TYPE = "application/pdf"
#: Largest invoice PDF Amazon takes (bytes).
MAX_PDF_BYTES = 10 * 1024 * 1024
#: ``metadata:DocumentType`` values.
INVOICE, CREDIT_NOTE = "Invoice", "CreditNote"
#: Characters Amazon accepts in option values (it trims surrounding spaces).
_OPTION_VALUE = re.compile(r"[A-Za-z0-9 ,/\\\-_;:#.]+")
#: ``invoice-status`` values of the VIDR.
STATUS_PENDING, STATUS_UPLOADED, STATUS_FAILED = "Pending", "Uploaded", "Failed"


@dataclass(frozen=True)
class VatInvoice:
    """One document to upload: its metadata as Amazon names it.

    :param order_id: Amazon order id (``OrderId``).
    :param invoice_number: the document's number (``InvoiceNumber``).
    :param total_amount: total VAT included (``TotalAmount``), a Decimal or str.
    :param total_vat_amount: VAT total (``TotalVATAmount``).
    :param document_type: :data:`INVOICE` or :data:`CREDIT_NOTE`.
    :param shipping_id: Amazon's shipment id (``ShippingId``), preferred by Amazon when known.
    :param transaction_id: the refund of a credit note (``TransactionId``), when known.
    """

    order_id: str
    invoice_number: str
    total_amount: object
    total_vat_amount: object
    document_type: str = INVOICE
    shipping_id: str = ""
    transaction_id: str = ""


@dataclass(frozen=True)
class VatInvoiceRow:
    """One row of the VAT Invoice Data Report (a shipment or a refund)."""

    marketplace_id: str
    order_id: str
    shipping_id: str
    transaction_id: str
    transaction_type: str
    invoice_number: str
    invoice_status: str
    invoice_status_description: str


def _amount(value, name):
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise InvalidRequestError(
            f"{name} {value!r} is not an amount.", code="invalid_amount"
        ) from None
    if amount < 0:
        raise InvalidRequestError(f"{name} must not be negative.", code="invalid_amount")
    return str(amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def vat_invoice_options(invoice):
    """The ``feedOptions`` of ``invoice`` as Amazon wants them.

    :param invoice: :class:`VatInvoice`.
    :return: dict of ``metadata:<Key>`` -> str.
    :raise InvalidRequestError: a value Amazon would refuse (missing, bad characters, amount).
    """
    if invoice.document_type not in (INVOICE, CREDIT_NOTE):
        raise InvalidRequestError(
            f"DocumentType must be {INVOICE} or {CREDIT_NOTE}.", code="invalid_document_type"
        )
    if not (invoice.order_id or invoice.shipping_id):
        raise InvalidRequestError("An order id or shipping id is required.", code="no_order")
    options = {
        "metadata:OrderId": invoice.order_id,
        "metadata:ShippingId": invoice.shipping_id,
        "metadata:InvoiceNumber": invoice.invoice_number,
        "metadata:DocumentType": invoice.document_type,
        "metadata:TotalAmount": _amount(invoice.total_amount, "TotalAmount"),
        "metadata:TotalVATAmount": _amount(invoice.total_vat_amount, "TotalVATAmount"),
        "metadata:TransactionId": invoice.transaction_id,
    }
    options = {key: (value or "").strip() for key, value in options.items()}
    options = {key: value for key, value in options.items() if value}
    if not options.get("metadata:InvoiceNumber"):
        raise InvalidRequestError("The document has no number.", code="no_invoice_number")
    for key, value in options.items():
        if not _OPTION_VALUE.fullmatch(value):
            raise InvalidRequestError(
                f"{key[len('metadata:') :]} {value!r} holds characters Amazon does not accept "
                "(letters, digits, spaces and , / \\ - _ ; : # . only).",
                code="invalid_characters",
            )
    return options


def parse_vat_invoice_report(text):
    """Rows of a flat-file VAT Invoice Data Report (tab-separated, header line first).

    :param text: the report document, decoded.
    :return: tuple of :class:`VatInvoiceRow` (headers matched case-insensitively).
    """
    reader = csv.DictReader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE)
    rows = []
    for raw in reader:
        row = {(key or "").strip().lower(): (value or "").strip() for key, value in raw.items()}
        if not row.get("order-id"):
            continue
        rows.append(
            VatInvoiceRow(
                marketplace_id=row.get("marketplace-id", ""),
                order_id=row["order-id"],
                shipping_id=row.get("shipping-id", ""),
                transaction_id=row.get("transaction-id", ""),
                transaction_type=row.get("transaction-type", ""),
                invoice_number=row.get("invoice-number", ""),
                invoice_status=row.get("invoice-status", ""),
                invoice_status_description=row.get("invoice-status-description", ""),
            )
        )
    return tuple(rows)


class _InvoiceFeeds(FeedEndpoints, FeedsV20210630):
    """Feeds client sending the official createFeedDocument/createFeed bodies."""


class InvoiceOperations:
    """The invoicing calls of :class:`~.client.SpApiService` (mixed into it)."""

    def upload_vat_invoice(self, marketplace_id, pdf, invoice):
        """Upload one invoice or credit note PDF: createFeedDocument, PUT, createFeed.

        Paced at createFeed's usage plan and at Amazon's one invoice every three seconds
        (the operation ``uploadVatInvoice`` of the limiter): a :class:`ThrottledError` says
        when to come back, before anything is sent.

        :param marketplace_id: the order's marketplace.
        :param pdf: the document's bytes.
        :param invoice: :class:`VatInvoice`.
        :return: Amazon's feed id (str).
        :raise InvalidRequestError: not a PDF, too large, bad metadata, or Amazon refused.
        :raise AuthError, ThrottledError, TransientError: see :mod:`.errors`.
        """
        options = vat_invoice_options(invoice)
        if not pdf.startswith(b"%PDF-"):
            raise InvalidRequestError("The document is not a PDF.", code="not_pdf")
        if len(pdf) > MAX_PDF_BYTES:
            raise InvalidRequestError(
                f"The PDF is {len(pdf) / 1048576:.1f} MB; Amazon takes at most "
                f"{MAX_PDF_BYTES // 1048576} MB.",
                code="pdf_too_large",
            )
        self._marketplace_ids(marketplace_id)
        self._reserve("uploadVatInvoice")
        info = self._call(
            "createFeedDocument",
            _InvoiceFeeds,
            "create_feed_document_only",
            PDF_CONTENT_TYPE,
            marketplace_id=marketplace_id,
        )
        self._put_document(info.get("url"), pdf, PDF_CONTENT_TYPE)
        body = self._call(
            "createFeed",
            _InvoiceFeeds,
            "create_feed_with_options",
            FEED_TYPE_VAT_INVOICE,
            info.get("feedDocumentId"),
            [marketplace_id],
            options,
            marketplace_id=marketplace_id,
        )
        return str(body.get("feedId"))

    def _put_document(self, url, content, content_type):
        """PUT a feed document's bytes to Amazon's pre-signed URL."""
        if not url:
            raise TransientError(
                "Amazon returned no upload URL for the feed document.", code="malformed_response"
            )
        self._check_document_url(url, "createFeedDocument")
        try:
            response = httpx.put(
                url,
                content=content,
                headers={"Content-Type": content_type},
                timeout=self.config.timeout,
                follow_redirects=False,
            )
        except httpx.HTTPError as exc:
            raise TransientError(
                f"Uploading the document failed ({type(exc).__name__}); submit again.",
                code="upload_failed",
            ) from None
        if not 200 <= response.status_code < 300:
            raise TransientError(
                f"Uploading the document failed with HTTP {response.status_code}; submit again.",
                code="upload_failed",
                details={"status": response.status_code},
            )

    def create_vat_invoice_report(self, marketplace_ids, start, end, pending_only=False):
        """Ask for the VAT Invoice Data Report over ``[start, end]``.

        :param pending_only: Amazon's ``pendingInvoices`` option (only what awaits a document).
        :return: Amazon's report id (str).
        :raise InvalidRequestError, AuthError, ThrottledError, TransientError: see above.
        """
        ids = self._marketplace_ids(marketplace_ids)
        body = self._call(
            "createReport",
            Reports,
            "create_report",
            marketplace_id=ids[0],
            reportType=REPORT_TYPE_VAT_INVOICE_DATA,
            marketplaceIds=ids,
            dataStartTime=utc_iso(start),
            dataEndTime=utc_iso(end),
            reportOptions={"pendingInvoices": "true" if pending_only else "false"},
        )
        return str(body.get("reportId"))
