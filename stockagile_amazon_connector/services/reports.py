"""Reading Amazon's returns reports: flat file (tab-separated) or XML, into plain row dicts.

Pure Python like the rest of the service layer. Real files vary between marketplaces and over
time (``Merchant RMA ID`` / ``Seller RMA ID``, ``A-to-Z Claim`` / ``A-to-z claim``, a BOM, CRLF
line ends), so headers are matched case-insensitively and normalised to snake_case keys; the
few columns the connector relies on also accept their known variants.
"""

import csv
import io
import re
from datetime import datetime, timezone

from lxml import etree

from .errors import TransientError, UnsafeDocumentError

#: Known variants of the columns the connector reads -> the key used in rows.
ALIASES = {
    "amazon_rma": "amazon_rma_id",
    "rma_id": "amazon_rma_id",
    "merchant_rma_id": "seller_rma_id",
    "seller_sku": "merchant_sku",
    "sku": "merchant_sku",
    "quantity": "return_quantity",
    "returned_quantity": "return_quantity",
    "amazon_order_id": "order_id",
    "return_date": "return_request_date",
    "reason": "return_reason",
    "status": "return_request_status",
}
#: Amazon's XML reports never declare a DTD or entities: any declaration is refused unread.
_DTD_MARKERS = re.compile(r"<!\s*(DOCTYPE|ENTITY|ELEMENT|ATTLIST)", re.IGNORECASE)
_XML_DECLARATION = re.compile(r"^<\?xml[^>]*\?>")

#: Date formats seen in returns reports besides ISO 8601.
DATE_FORMATS = ("%d-%b-%Y", "%d/%m/%Y", "%m/%d/%Y", "%Y/%m/%d", "%d.%m.%Y")


def column_key(header):
    """``"Amazon RMA ID"`` -> ``"amazon_rma_id"`` (case, spaces, punctuation and BOM ignored)."""
    key = re.sub(r"[^0-9a-z]+", "_", (header or "").replace("\ufeff", "").strip().lower())
    key = key.strip("_")
    return ALIASES.get(key, key)


def parse_returns_report(text):
    """Rows of a returns report document, each a dict of snake_case keys to stripped strings.

    :param text: the decoded document (:meth:`~.client.SpApiService.get_report_document`).
    :return: list of dicts, in the document's order; empty for an empty document.
    :raise TransientError: the document is neither a tab-separated file nor returns XML.
    :raise UnsafeDocumentError: XML with a DOCTYPE or entity declarations (refused unread).
    """
    content = (text or "").lstrip("\ufeff").strip()
    if not content:
        return []
    if content.startswith("<"):
        return _parse_xml(content)
    reader = csv.reader(io.StringIO(content, newline=""), delimiter="\t", quoting=csv.QUOTE_NONE)
    header = next(reader, None)
    keys = [column_key(name) for name in header or ()]
    if "order_id" not in keys:
        raise TransientError(
            "The returns report has no Order ID column; it is not a returns report.",
            code="malformed_document",
        )
    rows = []
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            continue
        row = {key: "" for key in keys}
        for key, cell in zip(keys, cells, strict=False):
            if key:
                row[key] = cell.strip()
        rows.append(row)
    return rows


def _parse_xml(content):
    """``<root><return_details>`` elements, their sub-elements flattened into one row.

    The document comes from the network: it is parsed by lxml with entity resolution, DTD
    loading and network access off, and a document declaring a DOCTYPE or entities (the
    "billion laughs" expansion, external entities reading local files) is refused before parsing.
    """
    if _DTD_MARKERS.search(content):
        raise UnsafeDocumentError(
            "The returns report was refused: it is XML with a DOCTYPE or entity declarations, "
            "which Amazon's reports never have (entity expansion or external entities); "
            "nothing of it was read.",
            code="unsafe_xml",
        )
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        # The text is already decoded: drop the declaration (lxml refuses str with an encoding).
        root = etree.fromstring(_XML_DECLARATION.sub("", content, count=1), parser)
    except (etree.XMLSyntaxError, ValueError) as error:
        raise TransientError(
            f"The returns report is not valid XML ({error}); retry later.",
            code="malformed_document",
        ) from None
    if root.getroottree().docinfo.doctype:
        raise UnsafeDocumentError(
            "The returns report was refused: it is XML with a DOCTYPE; nothing of it was read.",
            code="unsafe_xml",
        )
    rows = []
    for details in root.iter("return_details"):
        row = {}
        for element in details.iter(etree.Element):
            if element is not details and not len(element):
                row[column_key(element.tag)] = (element.text or "").strip()
        rows.append(row)
    return rows


def parse_report_date(value):
    """Naive UTC datetime of a report date (ISO 8601 or a day), None when unreadable."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        stamp = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        stamp = None
        day = value.split()[0]
        for date_format in DATE_FORMATS:
            try:
                stamp = datetime.strptime(day, date_format)
                break
            except ValueError:
                continue
        if stamp is None:
            return None
    if stamp.tzinfo:
        stamp = stamp.astimezone(timezone.utc).replace(tzinfo=None)
    return stamp.replace(microsecond=0)


def parse_quantity(value):
    """Positive integer quantity of a report cell, None when it is not one."""
    try:
        quantity = float(str(value).strip().replace(",", "."))
    except ValueError:
        return None
    if quantity <= 0 or quantity != int(quantity):
        return None
    return int(quantity)
