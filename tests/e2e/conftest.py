"""Fixtures of the end-to-end tests: a real Odoo server (18.0 or 19.0) with the connector,
driven over XML-RPC, its cron threads running, talking to the local Amazon sandbox.

``make test`` passes ``STOCKAGILE_TEST_DB`` (a database of their own with the addons and demo
data installed, beside the one of the Odoo tests, which run meanwhile) and
``STOCKAGILE_SANDBOX_URL``. Run alone, the fixtures create the database ``stockagile_e2e`` once
(a few minutes) and start their own sandbox.
"""

import os
import subprocess

import pytest

from amazon_sandbox.control import SandboxControl

from .harness import (
    ODOO_VERSION,
    OdooServer,
    create_sandbox_account,
    ensure_database,
    retire_account,
)

# JSON-2 exists from Odoo 19 on: its tests are collected only there (not skipped on 18.0, where
# they do not apply).
collect_ignore = [] if ODOO_VERSION >= "19" else ["test_json2.py"]
# The Sendcloud glue needs OCA's delivery_sendcloud_oca, which has no 19.0 release: its end-to-end
# tests are collected only where the glue installs.
if ODOO_VERSION >= "19":
    collect_ignore.append("test_sendcloud_xmlrpc.py")


@pytest.fixture(scope="session")
def odoo_database():
    """The test database, with the connector installed."""
    default = "stockagile_e2e" if ODOO_VERSION == "18.0" else "stockagile_19_e2e"
    return ensure_database(os.environ.get("STOCKAGILE_TEST_DB", default))


@pytest.fixture(scope="module")
def odoo_server(odoo_database, sandbox_url, tmp_path_factory):
    """A running Odoo server (HTTP + two cron threads) on the test database, per test module
    so that modules which stop, kill or double servers start from a known state."""
    server = OdooServer(odoo_database, tmp_path_factory.mktemp("odoo") / "odoo.log", sandbox_url)
    yield server
    server.stop()


@pytest.fixture
def sandbox(sandbox_url, odoo_database):
    """The sandbox reset, and the connector's pacing state with it: Amazon's buckets are full
    again, so ours are too (they live in the database and outlive servers and test modules)."""
    control = SandboxControl(sandbox_url)
    control.reset()
    subprocess.run(
        ["psql", "-d", odoo_database, "-qc", "DELETE FROM amazon_rate_bucket"],
        check=True,
        capture_output=True,
    )
    return control


@pytest.fixture
def odoo(odoo_server):
    return odoo_server.client()


@pytest.fixture
def amazon_account(odoo, sandbox, sandbox_url):
    """The only active Amazon account of the database, on the sandbox; archived afterwards."""
    account_id = create_sandbox_account(odoo, sandbox_url, "Amazon ES (e2e)")
    yield account_id
    try:
        retire_account(odoo, account_id)
    except OSError:
        pass  # a crash test killed this server; the next module starts another
