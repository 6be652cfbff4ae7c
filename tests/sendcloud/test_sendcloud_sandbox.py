"""The Sendcloud sandbox speaks what OCA's delivery_sendcloud_oca reads: Basic auth, parcels with
labels and tracking numbers, cancellation, refusals, rate limits and signed status webhooks."""

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from sendcloud_sandbox import DEFAULT_PUBLIC_KEY, DEFAULT_SECRET_KEY
from sendcloud_sandbox.process import SendcloudControl
from sendcloud_sandbox.state import SendcloudState, TokenBucket

AUTH = (DEFAULT_PUBLIC_KEY, DEFAULT_SECRET_KEY)
PARCEL = {
    "name": "María García",
    "address": "Calle Mayor",
    "house_number": "5",
    "city": "Madrid",
    "postal_code": "28013",
    "country": "ES",
    "weight": 0.5,
    "request_label": True,
    "shipment": {"id": 8003},
    "external_reference": "WH/OUT/00001,0",
}


@pytest.fixture
def control(sendcloud_url):
    """Control client on a freshly reset Sendcloud sandbox."""
    client = SendcloudControl(sendcloud_url)
    client.reset()
    return client


@pytest.fixture
def api(sendcloud_url, control):
    """``api(method, path, **kw)``: an authenticated call to the panel API v2."""

    def call(method, path, **kwargs):
        kwargs.setdefault("auth", AUTH)
        return requests.request(method, f"{sendcloud_url}/api/v2{path}", timeout=10, **kwargs)

    return call


def test_basic_auth_is_required(api):
    """Wrong keys get Sendcloud's 401; the right ones list the integration."""
    refused = api("GET", "/integrations", auth=(DEFAULT_PUBLIC_KEY, "wrong"))
    assert refused.status_code == 401
    assert refused.json()["error"]["message"] == "Invalid username/password."
    [integration] = api("GET", "/integrations").json()
    assert integration["system"] == "odoo"


def test_parcels_with_labels_tracking_and_cancel(api, control):
    """Two parcels in one call: multi-collo, each with a PDF label and a tracking number."""
    second = dict(PARCEL, external_reference="WH/OUT/00001,7", shipment={"id": 8001})
    answer = api("POST", "/parcels", json={"parcels": [PARCEL, second]}).json()
    assert answer["failed_parcels"] == []
    first, other = answer["parcels"]
    assert (first["carrier"]["code"], other["carrier"]["code"]) == ("seur", "correos")
    assert first["tracking_number"] and first["tracking_number"] != other["tracking_number"]
    assert (first["collo_count"], other["collo_nr"]) == (2, 1)
    assert first["status"]["id"] == 1000
    label = api("GET", first["label"]["label_printer"].split("/api/v2", 1)[1])
    assert label.headers["Content-Type"] == "application/pdf"
    assert label.content.startswith(b"%PDF") and first["tracking_number"].encode() in label.content
    cancelled = api("POST", f"/parcels/{first['id']}/cancel").json()
    assert cancelled["status"] == "cancelled"
    assert api("GET", f"/parcels/{first['id']}").json()["parcel"]["status"]["id"] == 2000
    assert api("POST", "/parcels/999/cancel").status_code == 404
    assert [r["operation"] for r in control.requests()][:2] == ["createParcels", "getLabel"]


def test_refusals_create_nothing(api, control):
    """Missing address or weight, or a carrier's refusal: failed_parcels, nothing created."""
    broken = dict(PARCEL, address="", weight=0)
    answer = api("POST", "/parcels", json={"parcels": [broken]}).json()
    assert answer["parcels"] == []
    assert set(answer["failed_parcels"][0]["errors"]) == {"address", "weight"}
    control.fault("createParcels", message="Postal code not served by SEUR")
    answer = api("POST", "/parcels", json={"parcels": [PARCEL]}).json()
    assert "Postal code not served by SEUR" in json.dumps(answer["failed_parcels"])
    assert control.parcels() == []
    assert api("POST", "/parcels", json={"parcels": [PARCEL]}).json()["parcels"]


def test_refusal_names_its_field(api, control):
    """A refusal armed on a field comes back under that field, as Sendcloud's validation does."""
    control.fault("createParcels", message="Postal code not served by SEUR", field="postal_code")
    answer = api("POST", "/parcels", json={"parcels": [PARCEL]}).json()
    assert answer["failed_parcels"][0]["errors"] == {
        "postal_code": ["Postal code not served by SEUR"]
    }
    assert control.parcels() == []


def test_external_reference_is_unique_and_searchable(api, control):
    """A second active parcel with the same external_reference is refused; GET /parcels finds
    it by reference and order number; a cancelled parcel frees its reference."""
    order = dict(PARCEL, order_number="S00042")
    [created] = api("POST", "/parcels", json={"parcels": [order]}).json()["parcels"]
    again = api("POST", "/parcels", json={"parcels": [order]}).json()
    assert again["parcels"] == [] and "external_reference" in again["failed_parcels"][0]["errors"]
    found = api("GET", "/parcels", params={"external_reference": PARCEL["external_reference"]})
    assert [p["id"] for p in found.json()["parcels"]] == [created["id"]]
    by_order = api("GET", "/parcels", params={"order_number": "S00042"}).json()["parcels"]
    assert [p["id"] for p in by_order] == [created["id"]]
    assert api("GET", "/parcels", params={"order_number": "S1"}).json()["parcels"] == []
    api("POST", f"/parcels/{created['id']}/cancel")
    [other] = api("POST", "/parcels", json={"parcels": [order]}).json()["parcels"]
    assert other["id"] != created["id"] and len(control.parcels()) == 2


def test_timeout_does_the_work_without_answering(api, control):
    """A timeout fault: the parcel is created but the client gets no answer."""
    control.fault("createParcels", kind="timeout", seconds=0)
    with pytest.raises(requests.ConnectionError):
        api("POST", "/parcels", json={"parcels": [PARCEL]})
    [parcel] = control.parcels()
    assert parcel["external_reference"] == PARCEL["external_reference"]
    assert [r["status"] for r in control.requests("createParcels")] == [0]
    control.fault("getLabel", kind="timeout", seconds=0)
    path = parcel["label"]["label_printer"].split("/api/v2", 1)[1]
    with pytest.raises(requests.ConnectionError):
        api("GET", path)
    assert api("GET", path).content.startswith(b"%PDF"), "only the armed call is lost"


def test_rate_limits(api, control):
    """Bursts over 15 requests a second and writes over 100 a minute get Sendcloud's 429."""
    clock = [0.0]
    state = SendcloudState()
    state.burst = TokenBucket(15, 15.0, clock=lambda: clock[0])
    state.writes = TokenBucket(100, 100 / 60.0, clock=lambda: clock[0])
    assert [state.allow("GET") for _ in range(16)].count(True) == 15
    clock[0] += 1.0
    assert state.allow("GET"), "the burst refills at 15 a second"
    state.burst = TokenBucket(1000, 0, clock=lambda: clock[0])  # only the minute limit now
    writes = [state.allow("POST") for _ in range(101)]
    assert writes.count(True) == 100 and writes[-1] is False
    assert state.allow("GET"), "reads are not writes"
    clock[0] += 60
    assert state.allow("POST"), "the write limit refills within a minute"
    control.fault("getParcelStatuses", kind="throttle")
    assert api("GET", "/parcels/statuses").status_code == 429
    assert api("GET", "/parcels/statuses").status_code == 200


def test_signed_status_webhook(api, control):
    """The webhook is signed with HMAC-SHA256 of the raw body; a forged one is not."""
    received = []

    class Shop(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.headers["Sendcloud-Signature"], body))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    shop = ThreadingHTTPServer(("127.0.0.1", 0), Shop)
    threading.Thread(target=shop.serve_forever, daemon=True).start()
    try:
        control.config(deferred_tracking=True)
        [parcel] = api("POST", "/parcels", json={"parcels": [PARCEL]}).json()["parcels"]
        assert not parcel["tracking_number"], "deferred: the tracking number comes later"
        url = f"http://127.0.0.1:{shop.server_address[1]}/hook"
        answer = control.webhook(parcel["id"], url, tracking_number="SEUR123")
        assert answer["status"] == 200
        control.webhook(parcel["id"], url, status_id=91, forge=True)
    finally:
        shop.shutdown()
    (signature, body), (forged, forged_body) = received
    assert signature == hmac.new(DEFAULT_SECRET_KEY.encode(), body, hashlib.sha256).hexdigest()
    payload = json.loads(body)
    assert json.dumps(payload).encode() == body, "what OCA re-serialises to check the signature"
    assert payload["action"] == "parcel_status_changed"
    assert payload["parcel"]["tracking_number"] == "SEUR123"
    expected = hmac.new(DEFAULT_SECRET_KEY.encode(), forged_body, hashlib.sha256).hexdigest()
    assert forged != expected
