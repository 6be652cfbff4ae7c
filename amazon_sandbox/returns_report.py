"""The two returns reports: flat file (tab-separated) and XML, both by return request date.

Column headers follow the Seller Central "Returns report" download; header spellings vary a
little across marketplaces in real files, so consumers should match them case-insensitively.
"""

from xml.sax.saxutils import escape

from .seed import ES

# (row key used by the control API, flat-file column header)
COLUMNS = [
    ("order_id", "Order ID"),
    ("order_date", "Order date"),
    ("return_request_date", "Return request date"),
    ("return_request_status", "Return request status"),
    ("amazon_rma_id", "Amazon RMA ID"),
    ("seller_rma_id", "Seller RMA ID"),
    ("label_type", "Label type"),
    ("label_cost", "Label cost"),
    ("currency_code", "Currency code"),
    ("return_carrier", "Return carrier"),
    ("tracking_id", "Tracking ID"),
    ("label_to_be_paid_by", "Label to be paid by"),
    ("a_to_z_claim", "A-to-z claim"),
    ("is_prime", "Is prime"),
    ("asin", "ASIN"),
    ("merchant_sku", "Merchant SKU"),
    ("item_name", "Item Name"),
    ("return_quantity", "Return quantity"),
    ("return_reason", "Return reason"),
    ("in_policy", "In policy"),
    ("return_type", "Return type"),
    ("resolution", "Resolution"),
    ("invoice_number", "Invoice number"),
    ("return_delivery_date", "Return delivery date"),
    ("order_amount", "Order Amount"),
    ("order_quantity", "Order quantity"),
    ("safet_action_reason", "SafeT action reason"),
    ("safet_claim_id", "SafeT claim id"),
    ("safet_claim_state", "SafeT claim state"),
    ("safet_claim_creation_time", "SafeT claim creation time"),
    ("safet_claim_reimbursement_amount", "SafeT claim reimbursement amount"),
    ("refunded_amount", "Refunded Amount"),
]
HEADER_TO_KEY = {header: key for key, header in COLUMNS}
FLAT = "GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE"
XML = "GET_XML_RETURNS_DATA_BY_RETURN_DATE"
REPORT_TYPES = (FLAT, XML)


def normalize_row(row: dict) -> dict:
    """Accept snake_case keys or the column headers; fill the rest with empty strings."""
    normalized = {key: "" for key, _header in COLUMNS}
    normalized["marketplace_id"] = ES
    for name, value in row.items():
        key = HEADER_TO_KEY.get(name, name)
        normalized[key] = "" if value is None else value
    if not normalized["order_id"] or not normalized["return_request_date"]:
        raise ValueError("a return needs at least order_id and return_request_date")
    return normalized


def _cell(value) -> str:
    return str(value).replace("\t", " ").replace("\r", " ").replace("\n", " ")


def render_flat(rows: list) -> bytes:
    """Tab-separated, header line first, UTF-8, LF line ends."""
    lines = ["\t".join(header for _key, header in COLUMNS)]
    lines += ["\t".join(_cell(row.get(key, "")) for key, _header in COLUMNS) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _tag(name, value) -> str:
    return f"<{name}>{escape(str(value))}</{name}>"


def render_xml(rows: list) -> bytes:
    """``<root><return_details>`` per return, with label and item sub-elements."""
    parts = ['<?xml version="1.0" encoding="UTF-8"?>', "<root>"]
    for row in rows:
        parts.append("<return_details>")
        for key in (
            "order_id",
            "order_date",
            "amazon_rma_id",
            "seller_rma_id",
            "return_request_date",
            "return_request_status",
            "a_to_z_claim",
            "is_prime",
            "currency_code",
            "order_amount",
            "order_quantity",
        ):
            parts.append(_tag(key, row.get(key, "")))
        parts.append(
            "<label_details>"
            + "".join(
                _tag(key, row.get(key, ""))
                for key in (
                    "label_type",
                    "label_cost",
                    "return_carrier",
                    "tracking_id",
                    "label_to_be_paid_by",
                )
            )
            + "</label_details>"
        )
        parts.append(
            "<item_details>"
            + "".join(
                _tag(key, row.get(key, ""))
                for key in (
                    "item_name",
                    "asin",
                    "merchant_sku",
                    "return_quantity",
                    "return_reason",
                    "in_policy",
                    "return_type",
                    "resolution",
                    "invoice_number",
                    "return_delivery_date",
                    "refunded_amount",
                )
            )
            + "</item_details>"
        )
        parts.append("</return_details>")
    parts.append("</root>")
    return "\n".join(parts).encode("utf-8")
