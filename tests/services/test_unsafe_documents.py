"""Documents from Amazon's answers are untrusted input: refused with a clear error, never half-read.

Against the sandbox with the real python-amazon-sp-api traffic: its document faults serve an XML
entity bomb, a GZIP bomb, a document URL on another host and a redirect to another host.
"""

import time
from datetime import datetime, timedelta, timezone

import pytest

from stockagile_amazon_connector.services import (
    AccountConfig,
    InvalidRequestError,
    RateLimiter,
    SpApiService,
    TransientError,
    UnsafeDocumentError,
    payloads,
)
from stockagile_amazon_connector.services.client import bounded_gunzip
from stockagile_amazon_connector.services.config import MAX_DOCUMENT_BYTES
from stockagile_amazon_connector.services.const import REPORT_TYPE_RETURNS
from stockagile_amazon_connector.services.reports import parse_returns_report

from .conftest import ES, make_config

ES_ID = ES.api_ref
FOREIGN = "https://attacker.example.com/report.gz"
METADATA = "http://169.254.169.254/latest/meta-data/iam/"


@pytest.fixture()
def service(sandbox, sandbox_url):
    """A service on a freshly reset sandbox, with the default document limits."""
    return SpApiService(make_config(sandbox_url), RateLimiter())


def _done_returns_report(service):
    """Id of the document of a DONE returns report of the last 30 days (seeded returns)."""
    end = datetime.now(timezone.utc).replace(tzinfo=None)
    report_id = service.create_report(REPORT_TYPE_RETURNS, [ES_ID], end - timedelta(days=30), end)
    deadline = time.monotonic() + 30
    status = service.get_report(report_id)
    while not status.done and time.monotonic() < deadline:
        time.sleep(0.2)
        status = service.get_report(report_id)
    assert status.processing_status == "DONE", status
    return status.document_id


def test_xml_entity_bomb_report_refused(service, sandbox):
    """A returns report with a "billion laughs" DOCTYPE is refused before any expansion."""
    document_id = _done_returns_report(service)
    sandbox.add_fault("downloadDocument", "xml_bomb")
    text = service.get_report_document(document_id)
    with pytest.raises(UnsafeDocumentError) as info:
        parse_returns_report(text)
    assert info.value.code == "unsafe_xml"
    assert "DOCTYPE or entity declarations" in info.value.message
    assert isinstance(info.value, InvalidRequestError), "not retryable as a transient error"


@pytest.mark.parametrize(
    "xml",
    [
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        "<root><return_details><order_id>&x;</order_id></return_details></root>",
        '<!DOCTYPE root SYSTEM "http://127.0.0.1:1/evil.dtd"><root/>',
        "<root><return_details><order_id>&undefined;</order_id></return_details></root>",
    ],
    ids=["external-entity", "external-dtd", "undeclared-entity"],
)
def test_xml_external_entities_never_resolved(xml):
    """External entities and DTDs are refused; an undeclared entity is malformed XML."""
    with pytest.raises((UnsafeDocumentError, TransientError)) as info:
        parse_returns_report(xml)
    assert "root:" not in info.value.message  # /etc/passwd never read
    if "DOCTYPE" in xml:
        assert info.value.code == "unsafe_xml"


def test_plain_xml_report_still_read():
    """A real XML returns report (declaration with an encoding, no DTD) is still parsed."""
    xml = (
        '<?xml version="1.0" encoding="ISO-8859-1"?>\n<root><!-- c --><return_details>'
        "<order_id>402-1</order_id><item_details><merchant_sku>SA-MUG-001</merchant_sku>"
        "<return_quantity>1</return_quantity></item_details></return_details></root>"
    )
    (row,) = parse_returns_report(xml)
    assert row == {"order_id": "402-1", "merchant_sku": "SA-MUG-001", "return_quantity": "1"}


def test_gzip_bomb_refused_at_the_default_limit(service, sandbox):
    """A GZIP document expanding past 200 MiB is refused with a typed error, not expanded."""
    document_id = _done_returns_report(service)
    sandbox.add_fault("downloadDocument", "gzip_bomb", size=MAX_DOCUMENT_BYTES + 1024 * 1024)
    with pytest.raises(UnsafeDocumentError) as info:
        service.get_report_document(document_id)
    assert info.value.code == "document_too_large"
    assert "decompressed size is over the limit of 209,715,200 bytes" in info.value.message


def test_document_limit_is_configurable(sandbox, sandbox_url):
    """The account's max_document_bytes bounds downloads and decompression."""
    service = SpApiService(make_config(sandbox_url, max_document_bytes=4096), RateLimiter())
    document_id = _done_returns_report(service)
    sandbox.add_fault("downloadDocument", "gzip_bomb", size=5000)
    with pytest.raises(UnsafeDocumentError, match="over the limit of 4,096 bytes"):
        service.get_report_document(document_id)
    assert service.get_report_document(document_id).startswith("Order ID")  # small: read


@pytest.mark.parametrize("url", [FOREIGN, METADATA, "file:///etc/passwd"])
def test_document_url_on_another_host_refused(service, sandbox, url):
    """A report document URL outside the account's document hosts is never fetched."""
    document_id = _done_returns_report(service)
    sandbox.add_fault("getReportDocument", "document_url", url=url)
    with pytest.raises(UnsafeDocumentError) as info:
        service.get_report_document(document_id)
    assert info.value.code == "unsafe_document_url"
    assert "is not one Amazon's answers use" in info.value.message
    assert "X-Amz-Signature" not in info.value.message
    assert not sandbox.requests("downloadDocument"), "nothing downloaded"


def test_feed_upload_url_on_another_host_refused(service, sandbox):
    """The feed document is not uploaded to a foreign URL and no feed is created."""
    sandbox.add_fault("createFeedDocument", "document_url", url=FOREIGN)
    document = payloads.listings_feed_document(
        "A2SANDBOXSELLER",
        [
            payloads.partial_update_message(
                1, "SA-MUG-001", "DRINKING_CUP", [payloads.fulfillment_availability_patch(3)]
            )
        ],
    )
    with pytest.raises(UnsafeDocumentError, match="attacker.example.com"):
        service.submit_listings_feed(ES_ID, document)
    assert not sandbox.requests("createFeed")


def test_redirect_to_another_host_refused(service, sandbox):
    """A document download redirected to another host is refused without following it."""
    document_id = _done_returns_report(service)
    sandbox.add_fault("downloadDocument", "redirect", url=FOREIGN)
    with pytest.raises(UnsafeDocumentError) as info:
        service.get_report_document(document_id)
    assert info.value.code == "unsafe_redirect"
    assert "redirected to https://attacker.example.com/report.gz" in info.value.message


def test_redirect_to_a_loopback_alias_refused(service, sandbox, sandbox_url):
    """Even another name of the same machine (localhost for 127.0.0.1) is another host."""
    document_id = _done_returns_report(service)
    alias = sandbox_url.replace("127.0.0.1", "localhost") + "/_sandbox/documents/download/x"
    sandbox.add_fault("downloadDocument", "redirect", url=alias)
    with pytest.raises(UnsafeDocumentError, match="redirected to"):
        service.get_report_document(document_id)


def test_same_host_redirect_followed(service, sandbox, sandbox_url):
    """A redirect to the same document host is followed (S3 may answer one)."""
    document_id = _done_returns_report(service)
    target = f"{sandbox_url}/_sandbox/documents/download/{document_id}"
    sandbox.add_fault("downloadDocument", "redirect", url=target)
    assert service.get_report_document(document_id).startswith("Order ID")
    assert len(sandbox.requests("downloadDocument")) == 2


def test_amazon_document_hosts_by_default():
    """Without an endpoint override only HTTPS on Amazon's S3 document domains is accepted."""
    config = AccountConfig(
        seller_id="A1",
        lwa_client_id="id",
        lwa_client_secret="secret",
        refresh_token="token",
        region="eu",
        marketplaces=(ES,),
    )
    s3 = "https://tortuga-prod-eu.s3-eu-west-1.amazonaws.com/%2FNinetyDays/amzn1.tortuga.3.x"
    assert config.document_url_allowed(s3) == (True, "")
    for url in (
        "http://tortuga-prod-eu.s3-eu-west-1.amazonaws.com/x",
        "https://amazonaws.com.attacker.example/x",
        "https://attacker.example/tortuga-prod-eu.s3-eu-west-1.amazonaws.com",
        "http://127.0.0.1:8899/_sandbox/documents/download/x",
    ):
        assert config.document_url_allowed(url)[0] is False, url


def test_sandbox_document_hosts_follow_the_endpoint(sandbox_url):
    """An overridden endpoint allows its own host; plain HTTP only for loopback."""
    assert make_config(sandbox_url).document_url_allowed(f"{sandbox_url}/d")[0]
    remote = make_config("http://sandbox.example.com")
    assert remote.document_url_allowed("http://sandbox.example.com/d") == (
        False,
        "it uses http, not HTTPS",
    )
    assert remote.document_url_allowed("https://sandbox.example.com/d")[0]
    listed = make_config(sandbox_url, document_hosts=("docs.example.com",))
    assert not listed.document_url_allowed(f"{sandbox_url}/d")[0]
    assert listed.document_url_allowed("https://docs.example.com/d")[0]


def test_bounded_gunzip_reads_members_and_refuses_garbage():
    """Concatenated GZIP members are read; corrupt data is a transient malformed document."""
    import gzip
    import os

    assert bounded_gunzip(gzip.compress(b"a" * 10) + gzip.compress(b"b"), 100) == b"a" * 10 + b"b"
    with pytest.raises(TransientError, match="not valid GZIP"):
        bounded_gunzip(gzip.compress(os.urandom(5000))[:-30], 10_000)
