"""LWA token endpoint, access-token enforcement and the Sellers API."""

import json

import pytest
from helpers import access_token, http, token
from sp_api.api import Sellers
from sp_api.base import SellingApiForbiddenException


def test_token_success(sandbox_url, control):
    """A refresh_token grant with the sandbox credentials returns an Atza bearer token."""
    status, _headers, raw = token(sandbox_url)
    body = json.loads(raw)
    assert status == 200
    assert body["access_token"].startswith("Atza|")
    assert body["token_type"] == "bearer" and body["expires_in"] == 3600


def test_token_invalid_client(sandbox_url, control):
    """A wrong client secret is 401 invalid_client."""
    status, _headers, raw = token(sandbox_url, client_secret="nope")
    assert status == 401
    assert json.loads(raw) == {
        "error": "invalid_client",
        "error_description": "Client authentication failed",
    }


def test_token_invalid_grant(sandbox_url, control):
    """A wrong refresh token is 400 invalid_grant."""
    status, _headers, raw = token(sandbox_url, refresh_token="Atzr|wrong")
    assert status == 400
    assert json.loads(raw)["error"] == "invalid_grant"


def test_library_raises_on_bad_credentials(make_client):
    """The sp_api client surfaces the LWA refusal as AuthorizationError."""
    from sp_api.auth.exceptions import AuthorizationError

    client = make_client(
        Sellers,
        credentials={
            "lwa_app_id": "amzn1.application-oa2-client.x",
            "lwa_client_secret": "bad",
            "refresh_token": "Atzr|bad",
        },
    )
    with pytest.raises(AuthorizationError):
        client.get_marketplace_participation()


def test_missing_access_token_is_403(sandbox_url, control):
    """An SP-API call without an issued access token is 403 Unauthorized."""
    status, _headers, raw = http(
        "GET",
        f"{sandbox_url}/sellers/v1/marketplaceParticipations",
        headers={"x-amz-access-token": "Atza|forged"},
    )
    assert status == 403
    assert json.loads(raw)["errors"][0]["code"] == "Unauthorized"


def test_marketplace_participations(make_client):
    """getMarketplaceParticipations lists the five EU marketplaces with rate headers."""
    response = make_client(Sellers).get_marketplace_participation()
    ids = {p["marketplace"]["id"] for p in response.payload}
    assert ids == {
        "A1RKKUPIHCS9HS",
        "A1PA6795UKMFR9",
        "A13V1IB3VIYZZH",
        "APJ6JRA9NG5V4",
        "A1805IZSGTT6HS",
    }
    assert all(p["participation"]["isParticipating"] for p in response.payload)
    assert response.headers["x-amzn-RateLimit-Limit"] == "0.016"
    assert response.headers["x-amzn-RequestId"]


def test_request_log_masks_secrets(make_client, control):
    """The request log records LWA and SP-API calls without any secret."""
    make_client(Sellers).get_marketplace_participation()
    entries = control.requests()
    operations = [e["operation"] for e in entries]
    assert operations == ["lwaToken", "getMarketplaceParticipations"]
    lwa = entries[0]
    assert lwa["body"]["client_secret"] == "***" and lwa["body"]["refresh_token"] == "***"
    assert "sandbox-client-secret" not in json.dumps(entries)
    assert entries[1]["status"] == 200
    assert control.requests(operation="lwaToken") == [lwa]
    control.clear_requests()
    assert control.requests() == []


def test_expired_token_fault_maps_to_403(make_client, control):
    """The expired_token fault answers 403 with Amazon's expiry message."""
    client = make_client(Sellers)
    control.add_fault("getMarketplaceParticipations", "expired_token")
    with pytest.raises(SellingApiForbiddenException) as info:
        client.get_marketplace_participation()
    assert info.value.message == "The access token you provided has expired."
    assert client.get_marketplace_participation().payload


def test_access_token_survives_reset(sandbox_url, control):
    """Issued access tokens stay valid across resets (they belong to LWA, not the seller)."""
    value = access_token(sandbox_url)
    control.reset()
    status, _h, _raw = http(
        "GET",
        f"{sandbox_url}/sellers/v1/marketplaceParticipations",
        headers={"x-amz-access-token": value},
    )
    assert status == 200


def test_revoked_authorization(sandbox_url, control):
    """A revoked authorisation: LWA invalid_grant, a 403 for issued tokens, until given back."""
    issued = access_token(sandbox_url)
    control.revoke_authorization()
    status, _headers, raw = token(sandbox_url)
    assert status == 400
    assert json.loads(raw)["error"] == "invalid_grant"
    status, _headers, raw = http(
        "GET",
        f"{sandbox_url}/sellers/v1/marketplaceParticipations",
        headers={"x-amz-access-token": issued},
    )
    assert status == 403
    assert json.loads(raw)["errors"][0]["code"] == "Unauthorized"
    control.revoke_authorization(False)
    status, _headers, _raw = http(
        "GET",
        f"{sandbox_url}/sellers/v1/marketplaceParticipations",
        headers={"x-amz-access-token": issued},
    )
    assert status == 200
