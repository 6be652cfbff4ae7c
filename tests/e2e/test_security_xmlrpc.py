"""Credentials of an Amazon account over XML-RPC, as a non-manager would try to get them."""

import xmlrpc.client

import pytest

from .harness import GROUPS_FIELD, OdooClient


@pytest.fixture
def amazon_user(odoo, odoo_server):
    """An internal user in the Amazon User group (not manager), with a password."""
    login = "amazon.clerk.e2e"
    existing = odoo.call("res.users", "search", [("login", "=", login)])
    group = odoo.ref("stockagile_amazon_connector.group_amazon_user")
    values = {
        "name": "Amazon Clerk",
        "login": login,
        "password": "clerk-pass-1",
        GROUPS_FIELD: [(6, 0, [odoo.ref("base.group_user"), group])],
    }
    if existing:
        odoo.call("res.users", "write", existing, values)
    else:
        odoo.call("res.users", "create", values)
    return OdooClient(odoo_server.url, odoo_server.database, login, "clerk-pass-1")


def test_user_cannot_read_secrets(amazon_user, amazon_account):
    """An Amazon user reads the account but gets an access error on each secret field."""
    account = amazon_user.call("amazon.account", "read", [amazon_account], ["name"])
    assert account[0]["name"] == "Amazon ES (e2e)"
    for field in ("lwa_client_secret", "refresh_token", "sp_api_endpoint"):
        with pytest.raises(xmlrpc.client.Fault, match="AccessError|not allowed|access"):
            amazon_user.call("amazon.account", "read", [amazon_account], [field])
    everything = amazon_user.call("amazon.account", "read", [amazon_account])
    assert "refresh_token" not in everything[0] and "lwa_client_secret" not in everything[0]


def test_user_cannot_redirect_endpoint(amazon_user, amazon_account, odoo, sandbox_url):
    """An Amazon user cannot point the account's credentials at another host."""
    with pytest.raises(xmlrpc.client.Fault):
        amazon_user.call(
            "amazon.account", "write", [amazon_account], {"sp_api_endpoint": "http://evil.example"}
        )
    endpoint = odoo.call("amazon.account", "read", [amazon_account], ["sp_api_endpoint"])
    assert endpoint[0]["sp_api_endpoint"] == sandbox_url
