"""Login with Amazon token endpoint: refresh_token grant (seller calls) and client_credentials
with scope ``sellingpartnerapi::notifications`` (grantless Notifications calls)."""

from urllib.parse import parse_qs

from .. import LWA_CLIENT_ID, LWA_CLIENT_SECRET, REFRESH_TOKEN
from ..responses import json_response


def _oauth_error(status, error, description):
    return json_response({"error": error, "error_description": description}, status)


def token(request):
    """``POST /auth/o2/token``: form-encoded grant_type, client_id, client_secret, refresh_token."""
    form = {k: v[0] for k, v in parse_qs(request.raw_body.decode("utf-8", "replace")).items()}
    grant_type = form.get("grant_type")
    if grant_type == "client_credentials":
        return _grantless(request, form)
    if grant_type != "refresh_token":
        return _oauth_error(
            400,
            "unsupported_grant_type",
            "The authorization grant type is not supported by the " "authorization server",
        )
    if form.get("client_id") != LWA_CLIENT_ID or form.get("client_secret") != LWA_CLIENT_SECRET:
        return _oauth_error(401, "invalid_client", "Client authentication failed")
    if form.get("refresh_token") != REFRESH_TOKEN or request.state.config.get(
        "authorization_revoked"
    ):
        return _oauth_error(
            400, "invalid_grant", "The request has an invalid grant parameter : refresh_token"
        )
    access_token, expires_in = request.state.issue_access_token()
    return json_response(
        {
            "access_token": access_token,
            "refresh_token": REFRESH_TOKEN,
            "token_type": "bearer",
            "expires_in": expires_in,
        }
    )


def _grantless(request, form):
    """client_credentials grant: a grantless token for the notifications scope."""
    if form.get("client_id") != LWA_CLIENT_ID or form.get("client_secret") != LWA_CLIENT_SECRET:
        return _oauth_error(401, "invalid_client", "Client authentication failed")
    if form.get("scope") != "sellingpartnerapi::notifications":
        return _oauth_error(400, "invalid_scope", "The requested scope is invalid or unknown")
    access_token, expires_in = request.state.issue_grantless_token()
    return json_response(
        {"access_token": access_token, "token_type": "bearer", "expires_in": expires_in}
    )


ROUTES = [("POST", r"/auth/o2/token", "lwaToken", token, "lwa")]
