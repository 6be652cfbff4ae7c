"""AccountConfig validation and secret hiding."""

import pytest

from stockagile_amazon_connector.services import InvalidRequestError, MarketplaceRef

from .conftest import CLIENT_SECRET, ES, REFRESH_TOKEN, make_config

US = MarketplaceRef("ATVPDKIKX0DER", "US", "na", "USD")


def test_marketplace_outside_region_refused():
    """A NA marketplace on an EU account is refused, naming the marketplace."""
    with pytest.raises(InvalidRequestError, match="US \\(ATVPDKIKX0DER\\)") as info:
        make_config(marketplaces=(ES, US))
    assert info.value.code == "marketplace_region_mismatch"


def test_unknown_region_refused():
    """Only na/eu/fe exist."""
    with pytest.raises(InvalidRequestError):
        make_config(region="moon", marketplaces=())


def test_repr_hides_secrets():
    """Neither the client secret nor the refresh token appear in repr()."""
    text = repr(make_config())
    assert CLIENT_SECRET not in text
    assert REFRESH_TOKEN not in text
    assert "A2SANDBOXSELLER" in text


def test_official_endpoints_by_default():
    """Without overrides the regional SP-API endpoint and the LWA endpoint are used."""
    config = make_config(sp_api_endpoint=None, lwa_token_endpoint=None)
    assert config.endpoint == "https://sellingpartnerapi-eu.amazon.com"
    assert config.token_endpoint == "https://api.amazon.com/auth/o2/token"
    assert make_config(region="fe", marketplaces=()).aws_region == "us-west-2"


def test_marketplace_lookup():
    """marketplace() finds configured ones and refuses others."""
    config = make_config()
    assert config.marketplace("A1RKKUPIHCS9HS") is ES
    with pytest.raises(InvalidRequestError):
        config.marketplace("ATVPDKIKX0DER")


def test_config_is_frozen():
    """Configs are immutable (safe to share between threads)."""
    with pytest.raises(AttributeError):
        make_config().timeout = 1
