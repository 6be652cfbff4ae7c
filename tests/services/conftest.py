"""Fixtures of the service-layer tests (pure Python, no Odoo).

Importing ``stockagile_amazon_connector.services`` normally would execute the addon's
``__init__.py``, which imports Odoo. Instead, when the real addon package is not already loaded,
we register a bare *stub* parent module whose ``__path__`` is the addon directory: Python then
finds ``stockagile_amazon_connector/services/`` through that path and runs only the services
package. The stub lives in ``sys.modules`` for this pytest process only; a real ``import odoo``
run (the Odoo test suite) never sees it because it is a separate process.

Integration tests use the local Amazon sandbox: the ``sandbox_url`` fixture reuses
``STOCKAGILE_SANDBOX_URL`` when set, else starts one with ``amazon_sandbox.process.start_sandbox()``
for the session; ``sandbox`` resets it before each test.
"""

import sys
import types
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ADDON = REPO / "stockagile_amazon_connector"
DATA = Path(__file__).resolve().parent / "data"


def _register_addon_stub():
    """Make ``stockagile_amazon_connector.services`` importable without the addon __init__."""
    if "stockagile_amazon_connector" in sys.modules:
        return
    stub = types.ModuleType("stockagile_amazon_connector")
    stub.__path__ = [str(ADDON)]
    stub.__file__ = None
    stub.__doc__ = "Stub parent package (tests/services/conftest.py): addon __init__ not run."
    sys.modules["stockagile_amazon_connector"] = stub


_register_addon_stub()
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from stockagile_amazon_connector.services import (  # noqa: E402
    AccountConfig,
    MarketplaceRef,
    RateLimiter,
    SpApiService,
)

SELLER_ID = "A2SANDBOXSELLER"
CLIENT_ID = "amzn1.application-oa2-client.sandbox"
CLIENT_SECRET = "sandbox-client-secret"
REFRESH_TOKEN = "Atzr|sandbox-refresh-token"
ES = MarketplaceRef("A1RKKUPIHCS9HS", "ES", "eu", "EUR")
DE = MarketplaceRef("A1PA6795UKMFR9", "DE", "eu", "EUR")
FR = MarketplaceRef("A13V1IB3VIYZZH", "FR", "eu", "EUR")
IT = MarketplaceRef("APJ6JRA9NG5V4", "IT", "eu", "EUR")


def make_config(url="http://sandbox.invalid", **overrides):
    """Sandbox account config pointing both endpoints at ``url``."""
    values = {
        "seller_id": SELLER_ID,
        "lwa_client_id": CLIENT_ID,
        "lwa_client_secret": CLIENT_SECRET,
        "refresh_token": REFRESH_TOKEN,
        "region": "eu",
        "marketplaces": (ES, DE, FR, IT),
        "sp_api_endpoint": url,
        "lwa_token_endpoint": f"{url}/auth/o2/token",
        "timeout": 5.0,
    }
    values.update(overrides)
    return AccountConfig(**values)


@pytest.fixture()
def sandbox(sandbox_url):
    """Control client of the sandbox, reset to the default seed before the test."""
    from amazon_sandbox.control import SandboxControl

    control = SandboxControl(sandbox_url)
    control.reset()
    return control


@pytest.fixture()
def service(sandbox, sandbox_url):
    """SpApiService on the sandbox with its own limiter."""
    return SpApiService(make_config(sandbox_url), RateLimiter())
