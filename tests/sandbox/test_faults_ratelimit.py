"""Fault injection and the official rate limits."""

import json
import time

import pytest
from helpers import access_token, http
from sp_api.api import Sellers
from sp_api.api.orders.orders_2026_01_01 import OrdersV20260101
from sp_api.base import (
    SellingApiRequestThrottledException,
    SellingApiServerException,
    SellingApiTemporarilyUnavailableException,
)

PARTICIPATIONS = "/sellers/v1/marketplaceParticipations"


def _get(sandbox_url, token):
    return http("GET", sandbox_url + PARTICIPATIONS, headers={"x-amz-access-token": token})


def test_rate_limit_429_with_header(sandbox_url, control):
    """The 16th getMarketplaceParticipations in a burst (burst 15) gets 429 QuotaExceeded."""
    token = access_token(sandbox_url)
    statuses = [_get(sandbox_url, token)[0] for _ in range(15)]
    assert statuses == [200] * 15
    status, headers, raw = _get(sandbox_url, token)
    assert status == 429
    assert headers["x-amzn-RateLimit-Limit"] == "0.016"
    assert json.loads(raw) == {
        "errors": [
            {
                "code": "QuotaExceeded",
                "message": "You exceeded your quota for the requested resource.",
                "details": "",
            }
        ]
    }


def test_rate_plans_give_a_faster_amazon(sandbox_url, control):
    """``rate_plans`` replaces an operation's plan: it throttles and announces that rate."""
    control.config(rate_plans={"getMarketplaceParticipations": [0.5, 2]})
    token = access_token(sandbox_url)
    first = [_get(sandbox_url, token) for _ in range(2)]
    assert [status for status, _headers, _raw in first] == [200, 200]
    assert first[0][1]["x-amzn-RateLimit-Limit"] == "0.5"
    status, headers, _raw = _get(sandbox_url, token)
    assert status == 429, "the burst of 2 is spent"
    assert headers["x-amzn-RateLimit-Limit"] == "0.5"
    control.add_fault("getMarketplaceParticipations", "throttle")
    status, headers, _raw = _get(sandbox_url, token)
    assert (status, headers["x-amzn-RateLimit-Limit"]) == (429, "0.5"), "a throttle fault too"


def test_rate_limit_through_library(make_client):
    """The library raises SellingApiRequestThrottledException once the burst is spent."""
    client = make_client(OrdersV20260101)
    for _ in range(30):
        client.get_order("402-3715930-4861125")
    with pytest.raises(SellingApiRequestThrottledException) as info:
        client.get_order("402-3715930-4861125")
    assert info.value.headers["x-amzn-RateLimit-Limit"] == "0.5"


def test_rate_limits_can_be_disabled(sandbox_url, control):
    """config rate_limits=false lets bulk traffic through."""
    control.config(rate_limits=False)
    token = access_token(sandbox_url)
    assert {_get(sandbox_url, token)[0] for _ in range(40)} == {200}


@pytest.mark.parametrize(
    ("kind", "exception"),
    [
        ("throttle", SellingApiRequestThrottledException),
        ("error500", SellingApiServerException),
        ("error503", SellingApiTemporarilyUnavailableException),
    ],
)
def test_fault_kinds_through_library(make_client, control, kind, exception):
    """JSON error faults surface as the matching sp_api exception, then service resumes."""
    client = make_client(Sellers)
    control.add_fault("getMarketplaceParticipations", kind)
    with pytest.raises(exception):
        client.get_marketplace_participation()
    assert client.get_marketplace_participation().payload
    assert control.faults() == []


def test_throttle_empty_and_html_and_malformed(sandbox_url, control):
    """Raw faults: 429 without body, HTML 500, and a 200 whose body is not JSON."""
    token = access_token(sandbox_url)
    control.add_fault("*", "throttle_empty")
    control.add_fault("getMarketplaceParticipations", "html500")
    control.add_fault("*", "malformed")
    status, headers, raw = _get(sandbox_url, token)
    assert status == 429 and raw == b"" and headers["x-amzn-RateLimit-Limit"]
    status, headers, raw = _get(sandbox_url, token)
    assert status == 500 and headers["Content-Type"].startswith("text/html")
    status, _headers, raw = _get(sandbox_url, token)
    assert status == 200
    with pytest.raises(ValueError):
        json.loads(raw)
    assert _get(sandbox_url, token)[0] == 200


def test_fault_count_and_clear(sandbox_url, control):
    """A fault fires count times; DELETE /_sandbox/faults removes pending ones."""
    token = access_token(sandbox_url)
    control.add_fault("getMarketplaceParticipations", "error503", count=2)
    assert [_get(sandbox_url, token)[0] for _ in range(3)] == [503, 503, 200]
    control.add_fault("*", "error500", count=5)
    control.clear_faults()
    assert _get(sandbox_url, token)[0] == 200


def test_slow_fault(sandbox_url, control):
    """slow sleeps then answers normally."""
    token = access_token(sandbox_url)
    control.add_fault("getMarketplaceParticipations", "slow", delay=0.3)
    started = time.monotonic()
    assert _get(sandbox_url, token)[0] == 200
    assert time.monotonic() - started >= 0.3


def test_lwa_fault(make_client, control):
    """Faults on lwaToken hit the token endpoint (the library cannot get a token)."""
    from sp_api.auth.exceptions import AuthorizationError

    control.add_fault("lwaToken", "error503")
    with pytest.raises(AuthorizationError):
        make_client(Sellers).get_marketplace_participation()
    assert control.requests(operation="lwaToken")[0]["status"] == 503


def test_faulted_calls_are_logged(sandbox_url, control):
    """The request log records faulted responses with their status."""
    token = access_token(sandbox_url)
    control.add_fault("*", "throttle")
    _get(sandbox_url, token)
    entry = control.requests(operation="getMarketplaceParticipations")[0]
    assert entry["status"] == 429 and entry["path"] == PARTICIPATIONS


def test_fault_after_lets_first_calls_through(sandbox_url, control):
    """``after`` skips that many matching calls before the fault fires (e.g. a second page)."""
    token = access_token(sandbox_url)
    control.add_fault("getMarketplaceParticipations", "throttle", after=1)
    assert [_get(sandbox_url, token)[0] for _ in range(3)] == [200, 429, 200]
    assert control.faults() == []


def _raw_get(url):
    """(status, headers, body) of a GET that does not follow redirects."""
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.request("GET", parts.path)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def test_document_faults(sandbox_url, control):
    """Document faults: a 302 elsewhere, a small GZIP expanding to ``size``, an entity bomb."""
    import gzip

    from amazon_sandbox.control import SandboxControlError

    with pytest.raises(SandboxControlError):
        control.add_fault("downloadDocument", "redirect")  # no url
    download = f"{sandbox_url}/_sandbox/documents/download/unknown"
    control.add_fault("downloadDocument", "redirect", url="https://elsewhere.example/x")
    status, headers, _raw = _raw_get(download)
    assert (status, headers["Location"]) == (302, "https://elsewhere.example/x")
    control.add_fault("downloadDocument", "gzip_bomb", size=5 * 1024 * 1024)
    status, _headers, raw = _raw_get(download)
    assert status == 200 and len(raw) < 100_000
    assert len(gzip.decompress(raw)) == 5 * 1024 * 1024
    control.add_fault("downloadDocument", "xml_bomb")
    status, _headers, raw = _raw_get(download)
    assert b"<!ENTITY lol9" in gzip.decompress(raw)
    assert _raw_get(download)[0] == 404, "faults are consumed"
