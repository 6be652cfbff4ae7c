"""Injected faults: the canned answers ``POST /_sandbox/faults`` queues (see CONTRACT.md).

SP-API and LWA faults replace the answer before the call is served. Document faults model a
hostile or broken document host: ``document_url`` rewrites the ``url`` of a
getReportDocument/getFeedDocument/createFeedDocument answer, ``redirect`` answers a document
download with a 302 to ``url``, ``gzip_bomb`` serves a tiny GZIP that expands to ``size`` bytes,
``xml_bomb`` serves a GZIP XML "billion laughs" (entity expansion) document.
"""

import functools
import gzip
import io
import json

from .ratelimit import rate_header
from .responses import Response, errors_response, json_response


def fault_response(kind: str, operation: str, fault=None, rate_plans=None) -> Response:
    """The canned answer of an injected fault (``lwaToken`` gets LWA-shaped bodies).

    :param rate_plans: the config's ``rate_plans``: a throttle announces the rate in force.
    """
    if kind in DOCUMENT_FAULTS:
        return _document_fault(kind, fault or {})
    if operation == "lwaToken":
        return _lwa_fault(kind)
    limit = {"x-amzn-RateLimit-Limit": rate_header(operation, rate_plans)}
    if kind == "throttle":
        resp = errors_response(
            429, "QuotaExceeded", "You exceeded your quota for the requested resource."
        )
        resp.headers.update(limit)
        return resp
    if kind == "throttle_empty":
        return Response(429, b"", "application/json", limit)
    if kind == "error500":
        return errors_response(
            500, "InternalFailure", "We encountered an internal error. Please try again."
        )
    if kind == "error503":
        return errors_response(
            503, "ServiceUnavailable", "Service temporarily unavailable. Please try again."
        )
    if kind == "html500":
        html = (
            b"<html><head><title>500 Internal Server Error</title></head><body>"
            b"<h1>Internal Server Error</h1></body></html>"
        )
        return Response(500, html, "text/html")
    if kind == "malformed":
        return Response(200, b'{"payload": {"truncated', "application/json")
    if kind == "expired_token":
        return errors_response(403, "Unauthorized", "The access token you provided has expired.")
    raise ValueError(kind)


def _lwa_fault(kind: str) -> Response:
    """LWA speaks OAuth2 error bodies, not SP-API ErrorLists."""
    table = {
        "throttle": (429, {"error": "slow_down", "error_description": "Rate exceeded"}),
        "error500": (500, {"error": "server_error", "error_description": "Internal server error"}),
        "error503": (
            503,
            {"error": "temporarily_unavailable", "error_description": "Service unavailable"},
        ),
        "expired_token": (
            400,
            {
                "error": "invalid_grant",
                "error_description": "The request has an invalid grant "
                "parameter : refresh_token",
            },
        ),
    }
    if kind in table:
        status, body = table[kind]
        return json_response(body, status)
    if kind == "throttle_empty":
        return Response(429, b"", "application/json")
    if kind == "html500":
        return Response(
            500, b"<html><body><h1>500 Internal Server Error</h1></body></html>", "text/html"
        )
    return Response(200, b'{"access_token": "Atza|trunc', "application/json")


FAULT_KINDS = (
    "throttle",
    "throttle_empty",
    "error500",
    "error503",
    "html500",
    "malformed",
    "slow",
    "expired_token",
    "document_url",
    "redirect",
    "gzip_bomb",
    "xml_bomb",
)
#: Faults answered after the real call (they alter its answer) or instead of a document.
DOCUMENT_FAULTS = ("redirect", "gzip_bomb", "xml_bomb")
ANSWER_FAULTS = ("document_url",)
#: Default expanded size of a ``gzip_bomb``: past the connector's default limit (200 MiB).
GZIP_BOMB_SIZE = 256 * 1024 * 1024

XML_BOMB = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + b"".join(
        f' <!ENTITY lol{n} "{("&lol%s;" % (n - 1 or "")) * 10}">\n'.encode() for n in range(1, 10)
    )
    + b"]>\n<root><return_details><order_id>&lol9;</order_id></return_details></root>\n"
)


def _document_fault(kind: str, fault: dict) -> Response:
    """A hostile document host: a redirect elsewhere, a GZIP bomb or an XML entity bomb."""
    if kind == "redirect":
        return Response(302, b"", "application/xml", {"Location": fault.get("url") or ""})
    if kind == "xml_bomb":
        return Response(200, gzip.compress(XML_BOMB), "application/octet-stream")
    return Response(
        200, gzip_bomb(int(fault.get("size") or GZIP_BOMB_SIZE)), "application/octet-stream"
    )


@functools.lru_cache(maxsize=4)
def gzip_bomb(size: int) -> bytes:
    """GZIP bytes of ``size`` zero bytes, built in steps (never ``size`` bytes in memory).

    Fast level, cached: compressing 256 MiB at level 9 takes seconds on a loaded machine, which
    would turn the fault into a download timeout instead of the oversized document it stands for.
    """
    buffer = io.BytesIO()
    step = b"\0" * (1024 * 1024)
    with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=1, mtime=0) as archive:
        remaining = size
        while remaining > 0:
            archive.write(step[: min(remaining, len(step))])
            remaining -= len(step)
    return buffer.getvalue()


def rewrite_document_url(response: Response, fault: dict) -> Response:
    """``document_url``: the real answer, with its ``url`` replaced by the fault's."""
    try:
        payload = json.loads(response.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return response
    if 200 <= response.status < 300 and isinstance(payload, dict) and "url" in payload:
        payload["url"] = fault.get("url") or ""
        return json_response(payload, response.status, response.headers)
    return response
