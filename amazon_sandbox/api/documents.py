"""Pre-signed document URLs (the S3 side of feeds and reports), served by the sandbox itself.

Amazon hands out short-lived S3 URLs; here they are ``/_sandbox/documents/upload/<id>`` (PUT the
feed content) and ``/_sandbox/documents/download/<id>`` (GET a feed or report document).
"""

import gzip

from ..responses import Response, json_response
from ..timeutil import iso, now


def create_document(state, kind: str, content_type: str, content=None, compress=False) -> dict:
    """Register a document; ``compress`` stores gzip bytes and flags compressionAlgorithm."""
    doc_id = state.new_id("document")
    if content is not None and compress:
        content = gzip.compress(content)
    document = {
        "documentId": doc_id,
        "kind": kind,
        "contentType": content_type,
        "compressionAlgorithm": "GZIP" if compress else None,
        "createdTime": iso(now()),
        "content": content,
    }
    with state.lock:
        state.documents[doc_id] = document
    return document


def upload_url(request, doc_id: str) -> str:
    return f"{request.base_url}/_sandbox/documents/upload/{doc_id}"


def download_url(request, doc_id: str) -> str:
    return f"{request.base_url}/_sandbox/documents/download/{doc_id}"


def _s3_error(status, code, message) -> Response:
    body = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code>'
        f"<Message>{message}</Message></Error>"
    ).encode()
    return Response(status, body, "application/xml")


def upload_document(request):
    """PUT the bytes of a feed document created by ``createFeedDocument``."""
    doc_id = request.params["documentId"]
    with request.state.lock:
        document = request.state.documents.get(doc_id)
        if document is None or document["kind"] != "feed_input":
            return _s3_error(404, "NoSuchUpload", "The specified upload does not exist.")
        document["content"] = request.raw_body
        document["uploadedContentType"] = request.headers.get("Content-Type")
    return Response(200, b"", "application/xml", {"ETag": f'"{doc_id[-12:]}"'})


def download_document(request):
    """GET a document's bytes (gzip bytes when it was stored compressed)."""
    doc_id = request.params["documentId"]
    with request.state.lock:
        document = request.state.documents.get(doc_id)
        content = None if document is None else document["content"]
    if content is None:
        return _s3_error(404, "NoSuchKey", "The specified key does not exist.")
    content_type = (
        "application/octet-stream" if document["compressionAlgorithm"] else document["contentType"]
    )
    return Response(200, content, content_type)


def list_documents(request):
    """Control helper: metadata of every document."""
    with request.state.lock:
        return json_response(
            [
                {k: v for k, v in doc.items() if k != "content"}
                for doc in request.state.documents.values()
            ]
        )


ROUTES = [
    (
        "PUT",
        r"/_sandbox/documents/upload/(?P<documentId>[^/]+)",
        "uploadFeedDocument",
        upload_document,
        "doc",
    ),
    (
        "GET",
        r"/_sandbox/documents/download/(?P<documentId>[^/]+)",
        "downloadDocument",
        download_document,
        "doc",
    ),
    ("GET", r"/_sandbox/documents", "sandboxDocuments", list_documents, "control"),
]
