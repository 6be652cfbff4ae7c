"""Run and drive a real Odoo server (18.0 or 19.0) with the connector: used by the end-to-end tests
and by ``make bench``.

Nothing here is a test double: the server is ``odoo-bin`` from the per-user cache that
``scripts/setup.sh`` filled, on a real PostgreSQL database; clients speak XML-RPC.
"""

import os
import socket
import subprocess
import sys
import time
import xmlrpc.client
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

CACHE = Path(
    os.environ.get("STOCKAGILE_CACHE_DIR")
    or Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    / "stockagile-amazon-connector"
)
#: The Odoo series under test (scripts/common.sh exports it; 18.0 by default).
ODOO_VERSION = os.environ.get("ODOO_VERSION") or "18.0"
ODOO_DIR = CACHE / f"odoo-{ODOO_VERSION}"
#: OCA addons (queue_job) that scripts/setup.sh installs --no-deps.
OCA_DIR = CACHE / f"oca-{ODOO_VERSION}" / "odoo" / "addons"
#: Server-wide modules besides queue_job: 19.0 serves XML-RPC and JSON-2 from its ``rpc`` module.
SERVER_WIDE = ["base", "web"] + (["rpc"] if ODOO_VERSION >= "19" else [])
#: Odoo 19 installs without demo data unless asked (scripts/common.sh: ODOO_DEMO_ARGS).
DEMO_ARGS = ["--with-demo"] if ODOO_VERSION >= "19" else []
#: ``res.users`` groups field over RPC (``groups_id`` until 18.0; see odoo_compat.GROUPS_FIELD).
GROUPS_FIELD = "group_ids" if ODOO_VERSION >= "19" else "groups_id"


def free_port():
    """A TCP port nobody listens on, on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def odoo_command(database, *args, subcommand=None):
    """``odoo-bin [subcommand] --addons-path=… -d database args…`` with this interpreter."""
    addons = f"{ODOO_DIR}/odoo/addons,{ODOO_DIR}/addons,{OCA_DIR},{REPO}"
    return [
        sys.executable,
        str(ODOO_DIR / "odoo-bin"),
        *([subcommand] if subcommand else []),
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


def ensure_database(database, *extra_args):
    """Create ``database`` with the connector installed, unless it exists."""
    if not database_exists(database):
        subprocess.run(
            odoo_command(
                database,
                "-i",
                "stockagile_amazon_connector",
                "--stop-after-init",
                "--log-level=warn",
                *DEMO_ARGS,
                *extra_args,
            ),
            check=True,
        )
    return database


class OdooServer:
    """``odoo-bin`` serving HTTP with cron threads and the job runner, started and stopped by
    the caller.

    :param job_runner: load ``queue_job`` server-wide, which starts its job runner (one per
        cluster: a second server on the same database is started without).
    :param workers: 0 for the threaded server; N for prefork mode (N HTTP workers, the crons
        and the job runner in processes of their own), as in production.
    :param limit_time_real: seconds a prefork worker may spend on one request or cron run
        before the server kills it.
    """

    def __init__(
        self,
        database,
        log_path,
        sandbox_url=None,
        cron_threads=2,
        job_runner=True,
        workers=0,
        channels="root:2",
        limit_time_real=300,
    ):
        self.database = database
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = Path(log_path)
        env = {**os.environ}
        env.pop("SP_API_DEFAULT_MARKETPLACE", None)
        env["ODOO_QUEUE_JOB_CHANNELS"] = channels
        if sandbox_url:
            env["STOCKAGILE_SANDBOX_URL"] = sandbox_url
        extra = [f"--workers={workers}"]
        if workers:
            extra += [f"--limit-time-real={limit_time_real}", f"--gevent-port={free_port()}"]
        with open(self.log_path, "w") as log_file:
            self.process = subprocess.Popen(
                odoo_command(
                    database,
                    f"--http-port={self.port}",
                    f"--max-cron-threads={cron_threads}",
                    f"--db-filter=^{database}$",
                    "--load=" + ",".join(SERVER_WIDE + (["queue_job"] if job_runner else [])),
                    "--log-level=info",
                    # 19 warns on every XML-RPC call that it goes away in 20: the tests use it.
                    *(
                        ["--log-handler=odoo.addons.rpc.controllers.xmlrpc:ERROR"]
                        if ODOO_VERSION >= "19"
                        else []
                    ),
                    *extra,
                ),
                stdout=log_file,
                stderr=subprocess.STDOUT,
                env=env,
            )
        self._wait_until_up()

    def _wait_until_up(self, timeout=120):
        deadline = time.monotonic() + timeout
        while True:
            try:
                xmlrpc.client.ServerProxy(f"{self.url}/xmlrpc/2/common").version()
                return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"Odoo did not start; see {self.log_path}") from None
                time.sleep(0.5)

    def client(self, login="admin", password="admin"):
        return OdooClient(self.url, self.database, login, password)

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def run_with_key(argv, key, timeout=300):
    """Run ``argv`` (an example script, a page's generated example) as an integrator does: the
    API key in ``ODOO_API_KEY``, or no such variable when ``key`` is None. Never raises on a
    non-zero exit: the caller asserts on the :class:`subprocess.CompletedProcess`."""
    env = {name: value for name, value in os.environ.items() if name != "ODOO_API_KEY"}
    if key is not None:
        env["ODOO_API_KEY"] = key
    return subprocess.run(
        argv, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def wait_for(predicate, timeout=30.0, interval=0.05):
    """Poll ``predicate`` until it returns a truthy value; return it (or the last falsy one)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


def wait_for_jobs(odoo, account_id, timeout=120.0):
    """Wait until the account's jobs due now have run (the job runner, not the test, runs them).

    :return: True when none is pending, enqueued or started any more.
    """

    def idle():
        return not odoo.call(
            "queue.job",
            "search_count",
            [
                ("channel", "=", f"root.amazon.account_{account_id}"),
                ("state", "in", ["pending", "enqueued", "started"]),
                "|",
                ("eta", "=", False),
                ("eta", "<=", time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())),
            ],
        )

    return wait_for(idle, timeout=timeout, interval=0.3)


def retire_account(odoo, account_id, timeout=30.0):
    """Archive an account as a seller does, and let nothing of it reach the next test's Amazon.

    Archiving withdraws its offers (quantity 0 on Amazon); those withdrawals due now run before
    this returns, and what is left of its jobs (postponed by a throttle) is cancelled.
    """
    odoo.call("amazon.account", "write", [account_id], {"active": False})
    wait_for_jobs(odoo, account_id, timeout=timeout)
    left = odoo.call(
        "queue.job",
        "search",
        [
            ("channel", "=", f"root.amazon.account_{account_id}"),
            ("state", "in", ["pending", "enqueued"]),
        ],
    )
    if left:
        odoo.call("queue.job", "button_cancelled", left)


def product_with_sku(odoo, sku, **values):
    """Id of the storable product with internal reference ``sku`` (created when missing)."""
    found = odoo.call("product.product", "search", [("default_code", "=", sku)], limit=1)
    if found:
        return found[0]
    return odoo.call(
        "product.product",
        "create",
        {"name": f"E2E {sku}", "default_code": sku, "is_storable": True, **values},
    )


def receive(odoo, product_ids, quantity=1):
    """Validate one receipt (a move of ``quantity`` per product) as a warehouse user does.

    Two XML-RPC calls; when the second returns, the transaction is committed.
    """
    if isinstance(product_ids, int):
        product_ids = [product_ids]
    warehouse = odoo.call(
        "stock.warehouse", "search_read", [], fields=["lot_stock_id", "in_type_id"], limit=1
    )[0]
    supplier = odoo.ref("stock.stock_location_suppliers")
    stock = warehouse["lot_stock_id"][0]
    moves = [
        {
            # stock.move has no name from 19.0 on (see odoo_compat.stock_move_values).
            **({"name": "receipt"} if ODOO_VERSION < "19" else {}),
            "product_id": product_id,
            "product_uom_qty": quantity,
            "quantity": quantity,
            "picked": True,
            "location_id": supplier,
            "location_dest_id": stock,
        }
        for product_id in product_ids
    ]
    picking_id = odoo.call(
        "stock.picking",
        "create",
        {
            "picking_type_id": warehouse["in_type_id"][0],
            "location_id": supplier,
            "location_dest_id": stock,
            "move_ids": [(0, 0, move) for move in moves],
        },
    )
    assert odoo.call("stock.picking", "button_validate", [picking_id]) is True
    return picking_id


def create_sandbox_account(odoo, sandbox_url, name="Amazon ES (sandbox)", **values):
    """Archive every Amazon account and create the only active one, on the sandbox.

    Its order and returns crons are off unless ``values`` say otherwise: a test or a benchmark
    imports orders when it means to, and a fresh server's first cron runs stay short.
    """
    from amazon_sandbox import (
        LWA_CLIENT_ID,
        LWA_CLIENT_SECRET,
        REFRESH_TOKEN,
        SELLER_ID,
    )

    for account_id in odoo.call("amazon.account", "search", []):
        retire_account(odoo, account_id)
    # Products earlier tests (or the demo) ticked would be listed in the new account at once:
    # each test ticks its own.
    ticked = odoo.call("product.product", "search", [("amazon_sync", "=", True)])
    if ticked:
        odoo.call("product.product", "write", ticked, {"amazon_sync": False})
    return odoo.call(
        "amazon.account",
        "create",
        {
            "name": name,
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
            "sync_orders": False,
            "sync_returns": False,
            **values,
        },
    )
