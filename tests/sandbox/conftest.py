"""Fixtures of the sandbox tests: one sandbox subprocess per session, reset before each test,
and real ``python-amazon-sp-api`` clients pointed at it."""

import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from amazon_sandbox import (  # noqa: E402
    LWA_CLIENT_ID,
    LWA_CLIENT_SECRET,
    REFRESH_TOKEN,
    SELLER_ID,
)
from amazon_sandbox.control import SandboxControl  # noqa: E402

ES = "A1RKKUPIHCS9HS"
CREDENTIALS = {
    "lwa_app_id": LWA_CLIENT_ID,
    "lwa_client_secret": LWA_CLIENT_SECRET,
    "refresh_token": REFRESH_TOKEN,
}


@pytest.fixture
def control(sandbox_url):
    """Control client on a freshly reset sandbox, rate limits on (the default)."""
    client = SandboxControl(sandbox_url)
    client.reset()
    return client


@pytest.fixture
def make_client(sandbox_url, control):
    """Factory of real sp_api clients aimed at the sandbox: ``make_client(Orders, **kw)``."""
    from sp_api.auth import AccessTokenClient, access_token_client

    access_token_client.cache.clear()
    host = sandbox_url.split("://", 1)[1]

    class SandboxTokenClient(AccessTokenClient):
        scheme = "http://"

    SandboxTokenClient.host = host
    marketplace = SimpleNamespace(endpoint=sandbox_url, marketplace_id=ES, region="eu")
    clients = []

    def factory(api_class, credentials=None, **kwargs):
        client = api_class(
            marketplace=marketplace,
            credentials=credentials or CREDENTIALS,
            auth_token_client_class=SandboxTokenClient,
            **kwargs,
        )
        clients.append(client)
        return client

    yield factory
    for client in clients:
        client.close()
    access_token_client.cache.clear()


@pytest.fixture
def seller_id():
    return SELLER_ID
