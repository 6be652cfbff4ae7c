"""Error mapping and request shaping of SpApiService, with httpx's MockTransport (no network)."""

import gzip
import json

import httpx
import pytest
from sp_api.auth import access_token_client as token_module
from sp_api.base._transport_httpx import HttpxTransport

from stockagile_amazon_connector.services import (
    AuthError,
    InvalidRequestError,
    NotFoundError,
    RateLimiter,
    SpApiService,
    ThrottledError,
    TransientError,
    _library,
    payloads,
)
from stockagile_amazon_connector.services import client as client_module

from .conftest import CLIENT_SECRET, REFRESH_TOKEN, make_config

TOKEN = "Atza|mock-access-token"


class FakeAmazon:
    """Routes requests to canned answers and records what was sent."""

    def __init__(self):
        self.requests = []
        self.lwa = lambda request: httpx.Response(
            200, json={"access_token": TOKEN, "token_type": "bearer", "expires_in": 3600}
        )
        self.api = lambda request: httpx.Response(200, json={})

    def __call__(self, request):
        self.requests.append(request)
        if request.url.path == "/auth/o2/token":
            return self.lwa(request)
        return self.api(request)

    def sent(self, path_part):
        return [r for r in self.requests if path_part in r.url.path]


@pytest.fixture()
def amazon(monkeypatch):
    """Every httpx client built by the service layer goes to a FakeAmazon."""
    fake = FakeAmazon()
    token_module.cache.clear()

    def client():
        return httpx.Client(transport=httpx.MockTransport(fake))

    monkeypatch.setattr(
        _library, "HttpxTransport", lambda **kwargs: HttpxTransport(client=client())
    )
    monkeypatch.setattr(
        _library.RecordingTransport,
        "__init__",
        lambda self, **kwargs: HttpxTransport.__init__(self, client=client()),
    )
    monkeypatch.setattr(client_module, "_document_http_client", lambda timeout: client())
    for verb in ("get", "put"):
        monkeypatch.setattr(
            httpx, verb, lambda url, _verb=verb, **kw: client().request(_verb.upper(), url, **kw)
        )
    yield fake
    token_module.cache.clear()


@pytest.fixture()
def svc():
    return SpApiService(make_config(), RateLimiter())


def _secret_free(error):
    text = f"{error} {error.details!r} {error.code}"
    for secret in (CLIENT_SECRET, REFRESH_TOKEN, TOKEN):
        assert secret not in text


def test_lwa_invalid_client_is_auth_error_without_secret(amazon, svc):
    """LWA 401 invalid_client -> AuthError naming what to check, never the secret."""
    amazon.lwa = lambda r: httpx.Response(
        401, json={"error": "invalid_client", "error_description": f"bad {CLIENT_SECRET}"}
    )
    with pytest.raises(AuthError) as info:
        svc.get_marketplace_participations()
    assert info.value.code == "invalid_client"
    assert "client id and secret" in str(info.value)
    _secret_free(info.value)
    assert not amazon.sent("/sellers/")


def test_lwa_html_answer_is_transient(amazon, svc):
    """A non-JSON LWA answer (proxy error page) is transient, not a crash."""
    amazon.lwa = lambda r: httpx.Response(502, text="<html>Bad gateway</html>")
    with pytest.raises(TransientError):
        svc.get_marketplace_participations()


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (429, b"", ThrottledError),
        (500, b"<html><body>Internal error</body></html>", TransientError),
        (503, b'{"errors":[{"code":"ServiceUnavailable","message":"down"}]}', TransientError),
        (200, b"{not json", TransientError),
        (200, b"", TransientError),
        (404, b'{"errors":[{"code":"NotFound","message":"no such sku"}]}', NotFoundError),
        (403, b'{"errors":[{"code":"Unauthorized","message":"Access denied"}]}', AuthError),
        (400, b'{"errors":[{"code":"InvalidInput","message":"bad sku"}]}', InvalidRequestError),
        (422, b"", InvalidRequestError),
    ],
)
def test_http_status_mapping(amazon, svc, status, body, expected):
    """Each status (including those the library swallows silently) maps to one error class."""
    amazon.api = lambda r: httpx.Response(status, content=body)
    with pytest.raises(expected) as info:
        svc.get_listing("SA-MUG-001", "A1RKKUPIHCS9HS")
    assert info.value.details.get("status") == status
    _secret_free(info.value)


def test_throttle_uses_rate_header_and_penalizes(amazon, svc):
    """A 429 sets retry_after = 1/rate from the header and blocks the next call locally."""
    amazon.api = lambda r: httpx.Response(
        429,
        headers={"x-amzn-RateLimit-Limit": "0.5"},
        json={"errors": [{"code": "QuotaExceeded", "message": "You exceeded your quota"}]},
    )
    with pytest.raises(ThrottledError) as info:
        svc.get_listing("SA-MUG-001", "A1RKKUPIHCS9HS")
    assert info.value.retry_after == pytest.approx(2.0)
    assert info.value.code == "QuotaExceeded"
    assert svc.last_rate_limit["getListingsItem"] == 0.5
    calls = len(amazon.sent("/listings/"))
    with pytest.raises(ThrottledError) as again:
        svc.get_listing("SA-MUG-001", "A1RKKUPIHCS9HS")
    assert again.value.code == "client_rate_limit"
    assert len(amazon.sent("/listings/")) == calls


def test_expired_token_evicts_cache(amazon, svc):
    """403 'expired' -> TransientError and the next call asks LWA for a new token."""
    amazon.api = lambda r: httpx.Response(
        403,
        json={
            "errors": [
                {"code": "Unauthorized", "message": "The access token you provided has expired."}
            ]
        },
    )
    with pytest.raises(TransientError):
        svc.get_listing("SA-MUG-001", "A1RKKUPIHCS9HS")
    amazon.api = lambda r: httpx.Response(200, json={"sku": "SA-MUG-001"})
    svc.get_listing("SA-MUG-001", "A1RKKUPIHCS9HS")
    assert len(amazon.sent("/auth/o2/token")) == 2


def test_wrong_secret_not_masked_by_cached_token(amazon, svc):
    """A token cached for the right secret is not reused by a config with another secret."""
    amazon.api = lambda r: httpx.Response(200, json={"sku": "X"})
    svc.get_listing("X", "A1RKKUPIHCS9HS")
    amazon.lwa = lambda r: httpx.Response(401, json={"error": "invalid_client"})
    wrong = SpApiService(make_config(lwa_client_secret="wrong-secret"), RateLimiter())
    with pytest.raises(AuthError):
        wrong.get_listing("X", "A1RKKUPIHCS9HS")


def test_connection_error_is_transient(amazon, svc):
    """Network failures become TransientError."""

    def refuse(request):
        raise httpx.ConnectError("refused", request=request)

    amazon.api = refuse
    with pytest.raises(TransientError, match="Cannot reach"):
        svc.get_listing("X", "A1RKKUPIHCS9HS")


def test_limiter_refusal_sends_nothing(amazon):
    """When the limiter says wait, no request reaches Amazon (not even LWA)."""
    limiter = RateLimiter()
    limiter.penalize("getListingsItem", 30)
    with pytest.raises(ThrottledError) as info:
        SpApiService(make_config(), limiter).get_listing("X", "A1RKKUPIHCS9HS")
    assert info.value.retry_after == pytest.approx(30, abs=0.5)
    assert amazon.requests == []


def test_listing_parsed(amazon, svc):
    """get_listing reads status, product type, DEFAULT quantity, B2C price and issues."""
    amazon.api = lambda r: httpx.Response(
        200,
        json={
            "sku": "SA-MUG-001",
            "summaries": [
                {
                    "marketplaceId": "A1RKKUPIHCS9HS",
                    "productType": "DRINKING_CUP",
                    "status": ["BUYABLE", "DISCOVERABLE"],
                }
            ],
            "fulfillmentAvailability": [{"fulfillmentChannelCode": "DEFAULT", "quantity": 4}],
            "offers": [
                {
                    "marketplaceId": "A1RKKUPIHCS9HS",
                    "offerType": "B2C",
                    "price": {"amount": "12.90", "currencyCode": "EUR"},
                }
            ],
            "issues": [{"code": "1", "message": "m", "severity": "WARNING", "categories": []}],
        },
    )
    listing = svc.get_listing("SA-MUG-001", "A1RKKUPIHCS9HS")
    assert listing.status == ("BUYABLE", "DISCOVERABLE")
    assert (listing.product_type, listing.quantity) == ("DRINKING_CUP", 4)
    assert (listing.price, listing.currency) == (12.9, "EUR")
    assert len(listing.issues) == 1
    sent = amazon.sent("/listings/")[0]
    assert sent.url.params["marketplaceIds"] == "A1RKKUPIHCS9HS"
    assert sent.headers["x-amz-access-token"] == TOKEN


def test_invalid_submission_raises_with_issues(amazon, svc):
    """patchListingsItem INVALID -> InvalidRequestError carrying Amazon's issue messages."""
    amazon.api = lambda r: httpx.Response(
        200,
        json={
            "sku": "S",
            "status": "INVALID",
            "submissionId": "sub-1",
            "issues": [
                {
                    "code": "90220",
                    "message": "'quantity' is required",
                    "severity": "ERROR",
                    "categories": [],
                }
            ],
        },
    )
    with pytest.raises(InvalidRequestError, match="'quantity' is required") as info:
        svc.patch_listing(
            "S", "A1RKKUPIHCS9HS", "SHIRT", [payloads.fulfillment_availability_patch(1)]
        )
    assert info.value.details["submission_id"] == "sub-1"
    body = json.loads(amazon.sent("/listings/")[0].content)
    assert body["productType"] == "SHIRT"


def test_feed_submission_requests(amazon, svc):
    """createFeedDocument sends only contentType; the upload is UTF-8 bytes; createFeed follows."""

    def api(request):
        if request.url.path.endswith("/documents"):
            return httpx.Response(
                201, json={"feedDocumentId": "doc-1", "url": "https://sandbox.invalid/upload/doc-1"}
            )
        if request.url.path.startswith("/upload/"):
            return httpx.Response(200)
        return httpx.Response(202, json={"feedId": "feed-1"})

    amazon.api = api
    document = payloads.listings_feed_document(
        "A2SANDBOXSELLER",
        [
            payloads.partial_update_message(
                1, "CAFÉ-1", "PRODUCT", [payloads.fulfillment_availability_patch(2)]
            )
        ],
    )
    assert svc.submit_listings_feed("A1RKKUPIHCS9HS", document) == "feed-1"
    create_doc, upload, create_feed = amazon.requests[1:]
    assert json.loads(create_doc.content) == {"contentType": "application/json; charset=UTF-8"}
    assert json.loads(upload.content.decode("utf-8")) == document
    assert "CAFÉ-1".encode() in upload.content
    assert json.loads(create_feed.content) == {
        "feedType": "JSON_LISTINGS_FEED",
        "inputFeedDocumentId": "doc-1",
        "marketplaceIds": ["A1RKKUPIHCS9HS"],
    }


def test_gzip_feed_result(amazon, svc):
    """A GZIP processing report is decompressed and parsed."""
    report = {"header": {"feedId": "1"}, "summary": {"messagesAccepted": 1}}

    def api(request):
        if request.url.path.startswith("/download/"):
            return httpx.Response(200, content=gzip.compress(json.dumps(report).encode()))
        return httpx.Response(
            200,
            json={
                "feedDocumentId": "d",
                "compressionAlgorithm": "GZIP",
                "url": "https://sandbox.invalid/download/d",
            },
        )

    amazon.api = api
    assert svc.get_feed_result("d") == report


def test_default_marketplace_env_ignored(amazon, svc, monkeypatch):
    """SP_API_DEFAULT_MARKETPLACE cannot redirect requests to another endpoint."""
    monkeypatch.setenv("SP_API_DEFAULT_MARKETPLACE", "US")
    amazon.api = lambda r: httpx.Response(200, json={"payload": []})
    svc.get_marketplace_participations()
    assert amazon.requests[-1].url.host == "sandbox.invalid"
