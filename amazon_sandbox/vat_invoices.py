"""VAT invoices: ``UPLOAD_VAT_INVOICE`` feeds and the VAT Invoice Data Report (VIDR).

Amazon's contract ("Option 3: upload invoices through the SP-API" and the invoicing feed type
values): the feed document is the invoice PDF (``application/pdf``), ``feedOptions`` carries
its metadata as ``metadata:<Key>`` strings, one marketplace, one document per feed. Keys:

* ``OrderId`` or ``ShippingId`` (at least one; Amazon prefers the shipment);
* ``InvoiceNumber``; ``DocumentType`` ``Invoice`` (default) or ``CreditNote``;
* ``TotalAmount`` and ``TotalVATAmount``: the document's totals, VAT included, with a dot and
  at most two decimals; they must match Amazon's order to the cent;
* ``TransactionId``: the refund a credit note belongs to (the VIDR's refund rows).

Values may only hold letters, digits, spaces and ``, / \\ - _ ; : # .``. Malformed options are
refused by ``createFeed`` (400); what needs the order (unknown, cancelled, not shipped, totals)
fails at processing and is reported in the VIDR's ``invoice-status``/``-description`` columns.
"""

import re
from decimal import Decimal

from .timeutil import iso, now, parse_iso

FEED_TYPE = "UPLOAD_VAT_INVOICE"
REPORT_TYPE = "GET_FLAT_FILE_VAT_INVOICE_DATA_REPORT"
PDF_CONTENT_TYPE = "application/pdf"
#: Largest invoice PDF Amazon takes.
MAX_PDF_BYTES = 10 * 1024 * 1024
KEYS = (
    "OrderId",
    "ShippingId",
    "InvoiceNumber",
    "DocumentType",
    "TotalAmount",
    "TotalVATAmount",
    "TransactionId",
)
DOCUMENT_TYPES = ("Invoice", "CreditNote")
_VALUE = re.compile(r"[A-Za-z0-9 ,/\\\-_;:#.]+")
_AMOUNT = re.compile(r"\d{1,9}(\.\d{1,2})?")
#: invoice-status values of the report.
PENDING, UPLOADED, FAILED = "Pending", "Uploaded", "Failed"
COLUMNS = (
    "marketplace-id",
    "order-id",
    "order-item-id",
    "shipping-id",
    "transaction-id",
    "transaction-type",
    "invoice-number",
    "invoice-status",
    "invoice-status-description",
    "is-amazon-invoiced",
    "order-date",
    "shipment-date",
    "buyer-vat-number",
    "sku",
    "quantity-purchased",
    "currency",
    "item-vat-incl-amount",
    "item-vat-amount",
    "is-business-order",
)


def option_errors(options) -> list:
    """Problems of an ``UPLOAD_VAT_INVOICE`` feed's ``feedOptions`` (createFeed refuses them)."""
    if not isinstance(options, dict) or not options:
        return ["feedOptions with the invoice metadata are required for UPLOAD_VAT_INVOICE."]
    errors, values = [], {}
    for key, value in options.items():
        name = key[len("metadata:") :] if key.startswith("metadata:") else None
        if name not in KEYS:
            errors.append(f"Unknown feed option {key!r}.")
            continue
        if not isinstance(value, str) or not _VALUE.fullmatch(value.strip()):
            errors.append(f"{key} holds characters Amazon does not accept.")
            continue
        values[name] = value.strip()
    if not values.get("OrderId") and not values.get("ShippingId"):
        errors.append("metadata:OrderId or metadata:ShippingId is required.")
    for name in ("InvoiceNumber", "TotalAmount", "TotalVATAmount"):
        if not values.get(name):
            errors.append(f"metadata:{name} is required.")
    if values.get("DocumentType", "Invoice") not in DOCUMENT_TYPES:
        errors.append("metadata:DocumentType must be Invoice or CreditNote.")
    for name in ("TotalAmount", "TotalVATAmount"):
        if values.get(name) and not _AMOUNT.fullmatch(values[name]):
            errors.append(f"metadata:{name} must be an amount like 123.45.")
    return errors


def _metadata(options) -> dict:
    return {key[len("metadata:") :]: value.strip() for key, value in options.items()}


def _shipping_id(order, package) -> str:
    """Amazon's id of one shipment of the order (a package confirmed shipped)."""
    return f"{order['orderId']}-{package['packageReferenceId']}"


def _order_amounts(order):
    """(grand total, VAT total, currency) of the order as Amazon holds it."""
    proceeds = order.get("proceeds") or {}
    grand = proceeds.get("grandTotal") or {}
    vat = sum(
        Decimal(part["subtotal"]["amount"])
        for part in proceeds.get("breakdowns") or ()
        if part.get("type") == "TAX"
    )
    return Decimal(grand.get("amount") or "0"), vat, grand.get("currencyCode") or ""


def _find_order(state, meta):
    """The order the upload names (by OrderId, else by ShippingId), and its shipping id."""
    if meta.get("OrderId"):
        order = state.orders.get(meta["OrderId"])
        return order, meta.get("ShippingId") or ""
    for order in state.orders.values():
        for package in order.get("packages") or ():
            if _shipping_id(order, package) == meta.get("ShippingId"):
                return order, meta["ShippingId"]
    return None, ""


def _refusal(state, feed, meta, content):
    """Why Amazon fails this upload, or None when it takes it."""
    if not content.startswith(b"%PDF-"):
        return "The document is not a PDF."
    if len(content) > MAX_PDF_BYTES:
        return f"The PDF is larger than {MAX_PDF_BYTES // (1024 * 1024)} MB."
    order, _shipping = _find_order(state, meta)
    if order is None:
        return "No order matches the OrderId or ShippingId."
    if order["salesChannel"]["marketplaceId"] not in feed["marketplaceIds"]:
        return "The order belongs to another marketplace."
    status = order["fulfillment"]["fulfillmentStatus"]
    if status == "CANCELLED":
        return "The order is cancelled."
    document_type = meta.get("DocumentType", "Invoice")
    if document_type == "Invoice" and not order.get("packages"):
        return "The order has not shipped: upload the invoice after the shipment."
    for upload in state.vat_invoices:
        if (
            upload["orderId"] == order["orderId"]
            and upload["invoiceNumber"] == meta["InvoiceNumber"]
            and upload["status"] == UPLOADED
        ):
            return f"Invoice number {meta['InvoiceNumber']} was already uploaded for this order."
    total, vat, _currency = _order_amounts(order)
    amount, vat_amount = Decimal(meta["TotalAmount"]), Decimal(meta["TotalVATAmount"])
    if document_type == "Invoice":
        if amount != total:
            return f"TotalAmount {amount} does not match the order total {total}."
        if vat_amount != vat:
            return f"TotalVATAmount {vat_amount} does not match the order VAT {vat}."
    elif amount > total or vat_amount > vat:
        return "The credit note exceeds the order's totals."
    return None


def process_upload(state, feed, content: bytes):
    """Take one uploaded document: record it (Uploaded or Failed) for the report."""
    meta = _metadata(feed["_options"])
    with state.lock:
        reason = _refusal(state, feed, meta, content)
        order, shipping_id = _find_order(state, meta)
        upload = {
            "feedId": feed["feedId"],
            "marketplaceId": feed["marketplaceIds"][0],
            "orderId": order["orderId"] if order else meta.get("OrderId", ""),
            "shippingId": shipping_id,
            "invoiceNumber": meta["InvoiceNumber"],
            "documentType": meta.get("DocumentType", "Invoice"),
            "totalAmount": meta["TotalAmount"],
            "totalVatAmount": meta["TotalVATAmount"],
            "transactionId": meta.get("TransactionId", ""),
            "size": len(content),
            "status": FAILED if reason else UPLOADED,
            "description": reason or "",
            "time": iso(now()),
        }
        state.vat_invoices.append(upload)
    summary = {"messagesProcessed": 1, "messagesAccepted": 0 if reason else 1}
    return {"status": upload["status"], "description": upload["description"], **summary}


def _latest(state, order_id, document_type, transaction_id=""):
    """The last upload of the order's document of this type (and refund), if any."""
    found = None
    for upload in state.vat_invoices:
        if upload["orderId"] != order_id or upload["documentType"] != document_type:
            continue
        if transaction_id and upload["transactionId"] not in ("", transaction_id):
            continue
        found = upload
    return found


def _status_columns(upload):
    if upload is None:
        return {"invoice-number": "", "invoice-status": PENDING, "invoice-status-description": ""}
    return {
        "invoice-number": upload["invoiceNumber"],
        "invoice-status": upload["status"],
        "invoice-status-description": upload["description"],
    }


def report_rows(state, marketplace_ids, start, end, pending_only=False):
    """Shipment rows (one per shipped item) and refund rows (one per return) in the window."""
    rows = []
    for order in state.orders.values():
        marketplace = order["salesChannel"]["marketplaceId"]
        if marketplace not in marketplace_ids:
            continue
        business = "true" if "BUSINESS" in (order.get("programs") or ()) else "false"
        upload = _status_columns(_latest(state, order["orderId"], "Invoice"))
        currency = _order_amounts(order)[2]
        items = {item["orderItemId"]: item for item in order["orderItems"]}
        for package in order.get("packages") or ():
            if not start <= iso(parse_iso(package["shipTime"])) <= end:
                continue
            for packaged in package.get("packageItems") or ():
                item = items.get(packaged["orderItemId"]) or {}
                proceeds = item.get("proceeds") or {}
                vat = sum(
                    Decimal(part["subtotal"]["amount"])
                    for part in proceeds.get("breakdowns") or ()
                    if part.get("type") == "TAX"
                )
                rows.append(
                    {
                        "marketplace-id": marketplace,
                        "order-id": order["orderId"],
                        "order-item-id": packaged["orderItemId"],
                        "shipping-id": _shipping_id(order, package),
                        "transaction-id": _shipping_id(order, package),
                        "transaction-type": "Shipment",
                        **upload,
                        "is-amazon-invoiced": "false",
                        "order-date": order["createdTime"],
                        "shipment-date": package["shipTime"],
                        "buyer-vat-number": "",
                        "sku": (item.get("product") or {}).get("sellerSku", ""),
                        "quantity-purchased": str(packaged["quantity"]),
                        "currency": currency,
                        "item-vat-incl-amount": (proceeds.get("proceedsTotal") or {}).get(
                            "amount", ""
                        ),
                        "item-vat-amount": str(vat),
                        "is-business-order": business,
                    }
                )
    for row in state.returns:
        if row.get("marketplace_id") not in marketplace_ids:
            continue
        if not start <= iso(parse_iso(row["return_request_date"])) <= end:
            continue
        transaction_id = f"R-{row['amazon_rma_id']}"
        upload = _latest(state, row["order_id"], "CreditNote", transaction_id)
        rows.append(
            {
                "marketplace-id": row["marketplace_id"],
                "order-id": row["order_id"],
                "transaction-id": transaction_id,
                "transaction-type": "Refund",
                **_status_columns(upload),
                "is-amazon-invoiced": "false",
                "order-date": row.get("order_date", ""),
                "shipment-date": row["return_request_date"],
                "sku": row.get("merchant_sku", ""),
                "quantity-purchased": str(row.get("return_quantity", "")),
                "currency": row.get("currency_code", "EUR"),
                "item-vat-incl-amount": str(row.get("order_amount", "")),
            }
        )
    if pending_only:
        rows = [row for row in rows if row["invoice-status"] != UPLOADED]
    return rows


def render(rows) -> bytes:
    """The tab-separated flat file (header line, then one line per row)."""
    lines = ["\t".join(COLUMNS)]
    lines += ["\t".join(str(row.get(column, "")) for column in COLUMNS) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")
