"""Small raw-HTTP helpers for the sandbox tests (the sp_api client is used everywhere else)."""

import json
import urllib.error
import urllib.parse
import urllib.request


def http(method, url, body=None, headers=None, form=None):
    """(status, headers, raw bytes) of one request; never raises on HTTP errors."""
    data = None
    headers = dict(headers or {})
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded;charset=UTF-8"
    elif body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        headers.setdefault("Content-Type", "application/json")
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def token(sandbox_url, **overrides):
    """Ask the sandbox LWA endpoint for an access token with the sandbox credentials."""
    from amazon_sandbox import LWA_CLIENT_ID, LWA_CLIENT_SECRET, REFRESH_TOKEN

    form = {
        "grant_type": "refresh_token",
        "client_id": LWA_CLIENT_ID,
        "client_secret": LWA_CLIENT_SECRET,
        "refresh_token": REFRESH_TOKEN,
    }
    form.update(overrides)
    return http("POST", f"{sandbox_url}/auth/o2/token", form=form)


def access_token(sandbox_url):
    status, _headers, raw = token(sandbox_url)
    assert status == 200
    return json.loads(raw)["access_token"]
