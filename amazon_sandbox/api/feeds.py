"""Feeds API 2021-06-30 and the processing of ``JSON_LISTINGS_FEED`` documents."""

import json

from .. import SELLER_ID, jobs, vat_invoices
from ..listing_ops import (
    attributes_to_patches,
    find_listing,
    item_view,
    structural_errors,
    submit_patches,
)
from ..responses import bad_request, json_response, not_found
from ..seed import MARKETPLACES
from .documents import create_document, download_url, upload_url

FEED_PATH = r"/feeds/2021-06-30/feeds"
OPERATION_TYPES = ("UPDATE", "PARTIAL_UPDATE", "PATCH", "DELETE")
# Per the feed schema's oneOf: which fields each operation requires and forbids.
OPERATION_RULES = {
    "UPDATE": ({"productType", "attributes"}, {"patches"}),
    "PARTIAL_UPDATE": ({"productType", "attributes"}, {"requirements", "patches"}),
    "PATCH": ({"productType", "patches"}, {"requirements", "attributes"}),
    "DELETE": (set(), {"requirements", "attributes", "productType", "patches"}),
}


def create_feed_document(request):
    """``POST /feeds/2021-06-30/documents`` -> 201 with the upload URL."""
    body = request.json()
    content_type = body.get("contentType") if isinstance(body, dict) else None
    if not isinstance(content_type, str) or not content_type:
        raise bad_request("Invalid input", "'contentType' is required.")
    document = create_document(request.state, "feed_input", content_type)
    return json_response(
        {
            "feedDocumentId": document["documentId"],
            "url": upload_url(request, document["documentId"]),
        },
        201,
    )


def create_feed(request):
    """``POST /feeds/2021-06-30/feeds`` -> 202 ``{"feedId"}``; processing happens later."""
    body = request.json()
    if not isinstance(body, dict):
        raise bad_request("Invalid input", "The body must be a JSON object.")
    feed_type, doc_id = body.get("feedType"), body.get("inputFeedDocumentId")
    marketplace_ids = body.get("marketplaceIds")
    if not isinstance(feed_type, str) or not feed_type:
        raise bad_request("Invalid input", "'feedType' is required.")
    if not isinstance(marketplace_ids, list) or not marketplace_ids:
        raise bad_request("Invalid input", "'marketplaceIds' must be a non-empty array.")
    unknown = [m for m in marketplace_ids if m not in MARKETPLACES]
    if unknown:
        raise bad_request("Invalid input", f"Unknown marketplace id(s): {', '.join(unknown)}.")
    options = body.get("feedOptions")
    if options is not None and (
        not isinstance(options, dict) or any(not isinstance(v, str) for v in options.values())
    ):
        raise bad_request("Invalid input", "'feedOptions' must map names to strings.")
    if feed_type == vat_invoices.FEED_TYPE:
        problems = vat_invoices.option_errors(options)
        if len(marketplace_ids) != 1:
            problems.append("An invoice is uploaded to one marketplace.")
        if problems:
            raise bad_request("InvalidInput", " ".join(problems))
    state = request.state
    with state.lock:
        document = state.documents.get(doc_id) if isinstance(doc_id, str) else None
        if document is None or document["kind"] != "feed_input":
            raise bad_request("Invalid input", f"Unknown inputFeedDocumentId {doc_id!r}.")
        if document["content"] is None:
            raise bad_request(
                "Invalid input", "The feed document has not been uploaded to its URL."
            )
        if feed_type == vat_invoices.FEED_TYPE and not document["contentType"].startswith(
            vat_invoices.PDF_CONTENT_TYPE
        ):
            raise bad_request(
                "InvalidInput",
                f"An invoice feed document must be created with contentType "
                f"{vat_invoices.PDF_CONTENT_TYPE}.",
            )
        feed = jobs.new_job(state.config["feed_processing_seconds"])
        feed.update(
            {
                "feedId": state.new_id("feed"),
                "feedType": feed_type,
                "marketplaceIds": list(marketplace_ids),
                "_input": doc_id,
                "_options": body.get("feedOptions") or {},
            }
        )
        state.feeds[feed["feedId"]] = feed
    return json_response({"feedId": feed["feedId"]}, 202)


def get_feed(request):
    """``GET /feeds/2021-06-30/feeds/{feedId}``."""
    with request.state.lock:
        feed = request.state.feeds.get(request.params["feedId"])
        if feed is None:
            raise not_found(f"Feed {request.params['feedId']} not found.")
        ordered = (
            "feedId",
            "feedType",
            "marketplaceIds",
            "createdTime",
            "processingStatus",
            "processingStartTime",
            "processingEndTime",
            "resultFeedDocumentId",
        )
        public = jobs.public(feed)
        return json_response({k: public[k] for k in ordered if k in public})


def get_feed_document(request):
    """``GET /feeds/2021-06-30/documents/{feedDocumentId}``: download URL (+ GZIP flag)."""
    doc_id = request.params["feedDocumentId"]
    with request.state.lock:
        document = request.state.documents.get(doc_id)
        if document is None or document["kind"] not in ("feed_input", "feed_result"):
            raise not_found(f"Feed document {doc_id} not found.")
    result = {"feedDocumentId": doc_id, "url": download_url(request, doc_id)}
    if document["compressionAlgorithm"]:
        result["compressionAlgorithm"] = document["compressionAlgorithm"]
    return json_response(result)


# ---------------------------------------------------------------------------- processing
def advance(state):
    """Called before every request: finish feeds whose processing time has elapsed."""
    jobs.advance(state, state.feeds, _finish_feed)


def _finish_feed(state, feed):
    """Process the input document and attach the (gzip) processing report."""
    content = state.documents[feed["_input"]]["content"] or b""
    if feed["feedType"] == "JSON_LISTINGS_FEED":
        status, report = process_listings_feed(state, feed, content)
    elif feed["feedType"] == vat_invoices.FEED_TYPE:
        status, report = "DONE", {"header": _header(feed), **process_upload(state, feed, content)}
    else:
        status, report = (
            "FATAL",
            _fatal_report(feed, f"Feed type {feed['feedType']} is not simulated by the sandbox."),
        )
    document = create_document(
        state,
        "feed_result",
        "application/json",
        json.dumps(report, indent=2).encode("utf-8"),
        compress=True,
    )
    feed["processingStatus"] = status
    feed["resultFeedDocumentId"] = document["documentId"]
    feed["_report"] = report


def process_upload(state, feed, content):
    """An ``UPLOAD_VAT_INVOICE`` feed: one invoice PDF (see :mod:`..vat_invoices`)."""
    return vat_invoices.process_upload(state, feed, content)


def _header(feed, seller_id=SELLER_ID):
    return {"sellerId": seller_id, "version": "2.0", "feedId": feed["feedId"]}


def _fatal_report(feed, message):
    """A report for a feed that could not be processed at all."""
    return {
        "header": _header(feed),
        "issues": [{"code": "100001", "severity": "ERROR", "message": message}],
        "summary": {
            "errors": 1,
            "warnings": 0,
            "messagesProcessed": 0,
            "messagesAccepted": 0,
            "messagesInvalid": 0,
        },
    }


def _parse_feed_document(content: bytes):
    """(document, None) or (None, reason) for the feed-level checks of the schema."""
    try:
        document = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return None, f"The feed is not valid JSON: {exc}."
    if not isinstance(document, dict):
        return None, "The feed must be a JSON object with 'header' and 'messages'."
    header, messages = document.get("header"), document.get("messages")
    if (
        not isinstance(header, dict)
        or header.get("version") != "2.0"
        or not isinstance(header.get("sellerId"), str)
    ):
        return None, "The feed header requires 'sellerId' and 'version' \"2.0\"."
    if header["sellerId"] != SELLER_ID:
        return None, f"The sellerId {header['sellerId']!r} does not match the submitting seller."
    if not isinstance(messages, list) or not 1 <= len(messages) <= 25000:
        return None, "'messages' must be an array of 1 to 25000 messages."
    return document, None


def message_errors(message) -> list:
    """Schema problems of one message (required fields, the oneOf operation rules, patches)."""
    if not isinstance(message, dict):
        return ["The message must be an object."]
    errors = []
    message_id = message.get("messageId")
    if not isinstance(message_id, int) or isinstance(message_id, bool) or message_id < 1:
        errors.append("'messageId' must be a positive integer.")
    if not isinstance(message.get("sku"), str) or not message.get("sku"):
        errors.append("'sku' is required.")
    operation = message.get("operationType")
    if operation not in OPERATION_TYPES:
        return [*errors, f"'operationType' must be one of {', '.join(OPERATION_TYPES)}."]
    required, forbidden = OPERATION_RULES[operation]
    errors += [
        f"'{name}' is required for {operation}." for name in sorted(required) if name not in message
    ]
    errors += [
        f"'{name}' is not applicable to {operation}."
        for name in sorted(forbidden)
        if name in message
    ]
    if (
        "attributes" in required
        and "attributes" in message
        and (not isinstance(message["attributes"], dict) or not message["attributes"])
    ):
        errors.append("'attributes' must be a non-empty object.")
    if operation == "PATCH" and "patches" in message:
        errors += structural_errors(message["patches"])
    return errors


def _message_issue(message, code, text, severity="ERROR", attribute=None):
    issue = {
        "messageId": message.get("messageId") if isinstance(message, dict) else None,
        "sku": message.get("sku") if isinstance(message, dict) else None,
        "code": code,
        "severity": severity,
        "message": text,
    }
    if attribute:
        issue["attributeName"] = attribute
    return {k: v for k, v in issue.items() if v is not None}


def _process_message(state, message, marketplace_id) -> list:
    """Apply one valid message; returns its issues (empty = accepted)."""
    sku, operation = message["sku"], message["operationType"]
    with state.lock:
        if find_listing(state, sku, [marketplace_id]) is None:
            return [
                _message_issue(
                    message,
                    "NOT_FOUND",
                    f"The listing for SKU '{sku}' does not exist in marketplace "
                    f"{marketplace_id}; the sandbox only updates existing "
                    "listings.",
                )
            ]
        if operation == "DELETE":
            del state.listings[sku]
            return []
    patches = (
        message["patches"] if operation == "PATCH" else attributes_to_patches(message["attributes"])
    )
    result = submit_patches(state, sku, marketplace_id, patches)
    return [
        _message_issue(
            message,
            issue["code"],
            issue["message"],
            attribute=(issue.get("attributeNames") or [None])[0],
        )
        for issue in result["issues"]
    ]


def process_listings_feed(state, feed, content: bytes):
    """Run a ``JSON_LISTINGS_FEED`` and build its processing report (schema v2)."""
    document, fatal = _parse_feed_document(content)
    if fatal:
        return "FATAL", _fatal_report(feed, fatal)
    marketplace_id = feed["marketplaceIds"][0]
    issues, accepted, invalid, seen, accepted_skus = [], 0, 0, set(), []
    for message in document["messages"]:
        problems = message_errors(message)
        if not problems and message["messageId"] in seen:
            problems = [f"Duplicate messageId {message['messageId']}."]
        if problems:
            issues += [_message_issue(message, "4000001", text) for text in problems]
            invalid += 1
            continue
        seen.add(message["messageId"])
        message_issues = _process_message(state, message, marketplace_id)
        issues += message_issues
        if any(issue["severity"] == "ERROR" for issue in message_issues):
            invalid += 1
        else:
            accepted += 1
            accepted_skus.append(message["sku"])
    report = {
        "header": _header(feed),
        "issues": issues,
        "summary": {
            "errors": sum(1 for i in issues if i["severity"] == "ERROR"),
            "warnings": sum(1 for i in issues if i["severity"] == "WARNING"),
            "messagesProcessed": len(document["messages"]),
            "messagesAccepted": accepted,
            "messagesInvalid": invalid,
        },
    }
    _add_items(state, report, document["header"].get("report"), accepted_skus, marketplace_id)
    return "DONE", report


def _add_items(state, report, report_options, skus, marketplace_id):
    """Honour ``header.report.includedData``: echo the accepted listings items."""
    if not isinstance(report_options, dict) or not report_options.get("includedData"):
        return
    report["header"]["report"] = report_options
    with state.lock:
        items = [
            item_view(state.listings[sku], report_options["includedData"])
            for sku in dict.fromkeys(skus)
            if sku in state.listings and state.listings[sku]["marketplaceId"] == marketplace_id
        ]
    report["items"] = items
    report["summary"]["itemSummary"] = {"items": len(items), "errors": 0, "warnings": 0}


ROUTES = [
    ("POST", r"/feeds/2021-06-30/documents", "createFeedDocument", create_feed_document, "sp"),
    (
        "GET",
        r"/feeds/2021-06-30/documents/(?P<feedDocumentId>[^/]+)",
        "getFeedDocument",
        get_feed_document,
        "sp",
    ),
    ("POST", FEED_PATH, "createFeed", create_feed, "sp"),
    ("GET", FEED_PATH + r"/(?P<feedId>[^/]+)", "getFeed", get_feed, "sp"),
]
