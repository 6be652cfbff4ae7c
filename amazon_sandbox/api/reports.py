"""Reports API 2021-06-30 for the two returns reports (other report types are rejected)."""

from datetime import timedelta

from .. import jobs, vat_invoices
from ..responses import bad_request, json_response, not_found
from ..returns_report import FLAT, REPORT_TYPES, render_flat, render_xml
from ..seed import MARKETPLACES
from ..timeutil import iso, now, parse_iso
from .documents import create_document, download_url

MAX_RANGE = timedelta(days=60)
DEFAULT_RANGE = timedelta(days=30)


def _date(body, name):
    if body.get(name) is None:
        return None
    try:
        return parse_iso(body[name])
    except (ValueError, TypeError):
        raise bad_request("Invalid input", f"'{name}' must be an ISO 8601 date-time.") from None


def create_report(request):
    """``POST /reports/2021-06-30/reports`` -> 202 ``{"reportId"}``."""
    body = request.json()
    if not isinstance(body, dict):
        raise bad_request("Invalid input", "The body must be a JSON object.")
    report_type, marketplace_ids = body.get("reportType"), body.get("marketplaceIds")
    if report_type not in (*REPORT_TYPES, vat_invoices.REPORT_TYPE):
        raise bad_request(
            "Invalid input",
            f"Report type {report_type!r} is not supported; the "
            f"sandbox simulates {', '.join((*REPORT_TYPES, vat_invoices.REPORT_TYPE))}.",
        )
    if (
        not isinstance(marketplace_ids, list)
        or not marketplace_ids
        or any(m not in MARKETPLACES for m in marketplace_ids)
    ):
        raise bad_request("Invalid input", "'marketplaceIds' must list known marketplace ids.")
    end = _date(body, "dataEndTime") or now()
    start = _date(body, "dataStartTime") or end - DEFAULT_RANGE
    if start > now():
        raise bad_request("Invalid input", "'dataStartTime' must not be in the future.")
    if start > end:
        raise bad_request("Invalid input", "'dataStartTime' must be before 'dataEndTime'.")
    if end - start > MAX_RANGE:
        raise bad_request("Invalid input", "The date range must not exceed 60 days.")
    state = request.state
    with state.lock:
        report = jobs.new_job(state.config["report_processing_seconds"])
        report.update(
            {
                "reportId": state.new_id("report"),
                "reportType": report_type,
                "dataStartTime": iso(start),
                "dataEndTime": iso(end),
                "marketplaceIds": list(marketplace_ids),
                "_options": body.get("reportOptions") or {},
            }
        )
        state.reports[report["reportId"]] = report
    return json_response({"reportId": report["reportId"]}, 202)


def get_report(request):
    """``GET /reports/2021-06-30/reports/{reportId}``."""
    with request.state.lock:
        report = request.state.reports.get(request.params["reportId"])
        if report is None:
            raise not_found(f"Report {request.params['reportId']} not found.")
        ordered = (
            "marketplaceIds",
            "reportId",
            "reportType",
            "dataStartTime",
            "dataEndTime",
            "createdTime",
            "processingStatus",
            "processingStartTime",
            "processingEndTime",
            "reportDocumentId",
        )
        public = jobs.public(report)
        return json_response({k: public[k] for k in ordered if k in public})


def get_report_document(request):
    """``GET /reports/2021-06-30/documents/{reportDocumentId}``: URL + ``GZIP``."""
    doc_id = request.params["reportDocumentId"]
    with request.state.lock:
        document = request.state.documents.get(doc_id)
        if document is None or document["kind"] != "report":
            raise not_found(f"Report document {doc_id} not found.")
    return json_response(
        {
            "reportDocumentId": doc_id,
            "url": download_url(request, doc_id),
            "compressionAlgorithm": "GZIP",
        }
    )


def advance(state):
    """Called before every request: finish reports whose processing time has elapsed."""
    jobs.advance(state, state.reports, _finish_report)


def _finish_report(state, report):
    """Select returns by request date and marketplace; no data -> CANCELLED (as documented)."""
    start, end = report["dataStartTime"], report["dataEndTime"]
    if report["reportType"] == vat_invoices.REPORT_TYPE:
        _finish_vat_invoice_report(state, report, start, end)
        return
    rows = [
        row
        for row in state.returns
        if row.get("marketplace_id") in report["marketplaceIds"]
        and start <= iso(parse_iso(row["return_request_date"])) <= end
    ]
    if not rows and state.config.get("cancel_empty_reports", True):
        report["processingStatus"] = "CANCELLED"
        return
    rows.sort(key=lambda row: row["return_request_date"])
    if report["reportType"] == FLAT:
        content, content_type = render_flat(rows), "text/tab-separated-values; charset=UTF-8"
    else:
        content, content_type = render_xml(rows), "text/xml; charset=UTF-8"
    document = create_document(state, "report", content_type, content, compress=True)
    report["processingStatus"] = "DONE"
    report["reportDocumentId"] = document["documentId"]


def _finish_vat_invoice_report(state, report, start, end):
    """The VAT Invoice Data Report: shipments and refunds with their invoice status."""
    pending_only = str(report["_options"].get("pendingInvoices", "")).lower() == "true"
    with state.lock:
        rows = vat_invoices.report_rows(
            state, report["marketplaceIds"], start, end, pending_only=pending_only
        )
    if not rows and state.config.get("cancel_empty_reports", True):
        report["processingStatus"] = "CANCELLED"
        return
    document = create_document(
        state,
        "report",
        "text/tab-separated-values; charset=UTF-8",
        vat_invoices.render(rows),
        compress=True,
    )
    report["processingStatus"] = "DONE"
    report["reportDocumentId"] = document["documentId"]


ROUTES = [
    ("POST", r"/reports/2021-06-30/reports", "createReport", create_report, "sp"),
    ("GET", r"/reports/2021-06-30/reports/(?P<reportId>[^/]+)", "getReport", get_report, "sp"),
    (
        "GET",
        r"/reports/2021-06-30/documents/(?P<reportDocumentId>[^/]+)",
        "getReportDocument",
        get_report_document,
        "sp",
    ),
]
