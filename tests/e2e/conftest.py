"""Fixtures of the end-to-end tests: a real Odoo 18 server with the connector, driven over
XML-RPC, its cron threads running, talking to the local Amazon sandbox.

``make test`` passes ``STOCKAGILE_TEST_DB`` (the database its Odoo tests just installed the
connector in, with demo data) and ``STOCKAGILE_SANDBOX_URL``. Run alone, the fixtures create the
database ``stockagile_e2e`` once (a few minutes) and start their own sandbox.
"""

import os
import subprocess
import sys
import time
import xmlrpc.client
from pathlib import Path

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
from amazon_sandbox.process import start_sandbox  # noqa: E402

CACHE = Path(
    os.environ.get("STOCKAGILE_CACHE_DIR")
    or Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    / "stockagile-amazon-connector"
)
ODOO_DIR = CACHE / "odoo-18.0"


def free_port():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def odoo_command(database, *args):
    addons = f"{ODOO_DIR}/odoo/addons,{ODOO_DIR}/addons,{REPO}"
    return [
        sys.executable,
        str(ODOO_DIR / "odoo-bin"),
        f"--addons-path={addons}",
        "-d",
        database,
        *args,
    ]


def database_exists(database):
    result = subprocess.run(
        ["psql", "-d", "postgres", "-tAc", f"select 1 from pg_database where datname='{database}'"],
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout.strip() == "1"


class OdooClient:
    """XML-RPC as an integrator uses it: ``common.authenticate`` then ``object.execute_kw``."""

    def __init__(self, url, database, login="admin", password="admin"):
        self.url, self.database, self.password = url, database, password
        common = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common")
        self.uid = common.authenticate(database, login, password, {})
        assert self.uid, f"cannot log in as {login}"
        self.models = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/object", allow_none=True)

    def call(self, model, method, *args, **kwargs):
        return self.models.execute_kw(
            self.database, self.uid, self.password, model, method, list(args), kwargs
        )

    def ref(self, xml_id):
        module, name = xml_id.split(".")
        data = self.call(
            "ir.model.data",
            "search_read",
            [("module", "=", module), ("name", "=", name)],
            fields=["res_id"],
        )
        return data[0]["res_id"]


@pytest.fixture(scope="session")
def sandbox_url():
    url = os.environ.get("STOCKAGILE_SANDBOX_URL")
    if url:
        yield url.rstrip("/")
        return
    handle = start_sandbox()
    yield handle.url
    handle.stop()


@pytest.fixture(scope="session")
def odoo_database():
    database = os.environ.get("STOCKAGILE_TEST_DB", "stockagile_e2e")
    if not database_exists(database):
        subprocess.run(
            odoo_command(
                database,
                "-i",
                "stockagile_amazon_connector",
                "--stop-after-init",
                "--log-level=warn",
            ),
            check=True,
        )
    return database


@pytest.fixture(scope="session")
def odoo_server(odoo_database, sandbox_url, tmp_path_factory):
    """A running Odoo server (HTTP + two cron threads) on the test database."""
    port = free_port()
    log = tmp_path_factory.mktemp("odoo") / "odoo.log"
    env = {**os.environ, "STOCKAGILE_SANDBOX_URL": sandbox_url}
    env.pop("SP_API_DEFAULT_MARKETPLACE", None)
    with open(log, "w") as log_file:
        process = subprocess.Popen(
            odoo_command(
                odoo_database,
                f"--http-port={port}",
                "--max-cron-threads=2",
                f"--db-filter=^{odoo_database}$",
                "--log-level=info",
            ),
            stdout=log_file,
            stderr=subprocess.STDOUT,
            env=env,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common").version()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"Odoo did not start; see {log}") from None
            time.sleep(0.5)
    yield {"url": url, "database": odoo_database, "process": process, "log": log}
    process.terminate()
    process.wait(timeout=30)


@pytest.fixture
def sandbox(sandbox_url):
    control = SandboxControl(sandbox_url)
    control.reset()
    return control


@pytest.fixture
def odoo(odoo_server):
    return OdooClient(odoo_server["url"], odoo_server["database"])


@pytest.fixture
def amazon_account(odoo, sandbox, sandbox_url):
    """The only active Amazon account of the database, on the sandbox; archived afterwards."""
    for account_id in odoo.call("amazon.account", "search", []):
        odoo.call("amazon.account", "write", [account_id], {"active": False})
    account_id = odoo.call(
        "amazon.account",
        "create",
        {
            "name": "Amazon ES (e2e)",
            "seller_id": SELLER_ID,
            "region": "eu",
            "marketplace_ids": [
                (6, 0, [odoo.ref("stockagile_amazon_connector.amazon_marketplace_es")])
            ],
            "warehouse_id": odoo.call("stock.warehouse", "search", [], limit=1)[0],
            "lwa_client_id": LWA_CLIENT_ID,
            "lwa_client_secret": LWA_CLIENT_SECRET,
            "refresh_token": REFRESH_TOKEN,
            "sp_api_endpoint": sandbox_url,
            "lwa_token_endpoint": f"{sandbox_url}/auth/o2/token",
            "request_timeout": 5.0,
        },
    )
    yield account_id
    odoo.call("amazon.account", "write", [account_id], {"active": False})


def wait_for(predicate, timeout=30.0, interval=0.1):
    """Poll ``predicate`` until it returns a truthy value; return it (or the last falsy one)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)
