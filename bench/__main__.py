"""``make bench``: the connector's figures on a real Odoo 18 server and the local Amazon sandbox.

Scenarios (each reports wall time, API calls by operation and 429 responses; SQL queries where
Odoo-side work is measured in-process):

1. ``sync_all``: "Sync all" of BENCH_PRODUCTS (10,000) products by JSON_LISTINGS_FEED, in
   ``odoo-bin shell`` so that Odoo-side time and SQL queries are counted.
2. ``stock_push_latency``: 200 receipts over 50 synced SKUs on a running server with its job
   runner; latency from the commit (the XML-RPC call's return) to the sandbox holding the new
   quantity: p50, p95, max.
3. ``burst``: 1,000 moves over 10 SKUs; API calls per move; final quantities.
4. ``order_import``: the floor first, in ``odoo-bin shell``: the ERP's plain create + confirm
   (with reservation) of BENCH_FLOOR_ORDERS (as many) of the same orders, queries and seconds
   per order; then BENCH_ORDERS (1,000) Amazon orders of 2-3 lines imported by a prefork server
   (2 workers, job runner ``root:2``, as in production): the poll and every job it enqueues
   (pages, one job per order) run to the last order: wall time, orders/s, SQL queries per order
   (the jobs' requests in the server's log) against the floor, jobs run again and concurrency
   errors, API calls, 429 responses; fails if any order is missing after 30 minutes.
5. ``notifications`` (bench/notifications.py): order created on Amazon → sales order committed
   through ORDER_CHANGE notifications on the local SQS: p50, p95, max.
6. ``pan_eu``: a Pan-EU "Sync all", the account on ES, FR, DE, IT and NL with
   BENCH_PAN_EU_SKUS (2,000) SKUs, in ``odoo-bin shell`` (bench/pan_eu_in_shell.py): Odoo-side
   time and SQL queries of the button and its feed jobs, then of the reports; feeds per
   marketplace, reports read, offers synced, and whether Amazon holds Odoo's quantity of every
   offer; fails unless 5 feeds and 5 reports brought every marketplace to Odoo's quantities.
   Runs first, and the account sells on ES alone again afterwards.

Prints a table for people, writes ``var/bench/stock_push_latency.png``, and prints a JSON object
as its last line for machines.
"""

import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from amazon_sandbox import seed
from amazon_sandbox.control import SandboxControl
from bench import notifications
from tests.e2e.accounting import configure_spanish_sales
from tests.e2e.harness import (
    ODOO_VERSION,
    REPO,
    OdooServer,
    create_sandbox_account,
    odoo_command,
    product_with_sku,
    receive,
    wait_for,
    wait_for_jobs,
)

OUT = REPO / "var" / "bench"
DATABASE = os.environ.get(
    "BENCH_DB", "stockagile_bench" if ODOO_VERSION == "18.0" else "stockagile_19_bench"
)
PRODUCTS = int(os.environ.get("BENCH_PRODUCTS", "10000"))
LATENCY_RECEIPTS = int(os.environ.get("BENCH_RECEIPTS", "200"))
LATENCY_SKUS = 50
BURST_MOVES = int(os.environ.get("BENCH_BURST_MOVES", "1000"))
BURST_SKUS = 10
DELIVERIES = int(os.environ.get("BENCH_DELIVERIES", "500"))
SHIP_SKUS = 20
#: Comma-separated subset of pan_eu,sync_all,stock_push_latency,burst,shipping,notifications,
#: order_import to run.
SCENARIOS = set(
    os.environ.get(
        "BENCH_SCENARIOS",
        "pan_eu,sync_all,stock_push_latency,burst,shipping,notifications,order_import",
    ).split(",")
)
PAN_EU_SKUS = int(os.environ.get("BENCH_PAN_EU_SKUS", "2000"))
PAN_EU_MARKETPLACES = {
    "ES": "A1RKKUPIHCS9HS",
    "FR": "A13V1IB3VIYZZH",
    "DE": "A1PA6795UKMFR9",
    "IT": "APJ6JRA9NG5V4",
    "NL": "A1805IZSGTT6HS",
}
ORDERS = int(os.environ.get("BENCH_ORDERS", "1000"))
#: Orders the floor (plain ORM create + confirm of the same orders) is measured on.
FLOOR_ORDERS = int(os.environ.get("BENCH_FLOOR_ORDERS", str(ORDERS)))


def sku(number):
    return f"SA-GEN-{number:05d}"


def api_calls(sandbox):
    """Requests Amazon received since the log was cleared, by operation, and the 429s."""
    log = sandbox.requests()
    return dict(Counter(r["operation"] for r in log)), sum(1 for r in log if r["status"] == 429)


def fresh_database():
    subprocess.run(["dropdb", "--if-exists", DATABASE], check=True)
    subprocess.run(
        odoo_command(
            DATABASE,
            "-i",
            "stockagile_amazon_connector",
            "--without-demo=all",
            "--stop-after-init",
            "--log-level=warn",
        ),
        check=True,
    )


def run_sync_all(account_id, sandbox):
    """Scenario 1, in ``odoo-bin shell`` (its SQL counter sees the Odoo-side work)."""
    sandbox.clear_requests()
    start = time.perf_counter()
    script = (REPO / "bench" / "sync_all_in_shell.py").read_text()
    result = subprocess.run(
        odoo_command(DATABASE, "--no-http", "--log-level=warn", subcommand="shell"),
        input=script,
        capture_output=True,
        text=True,
        env={**os.environ, "BENCH_PRODUCTS": str(PRODUCTS), "BENCH_ACCOUNT_ID": str(account_id)},
        check=False,
    )
    line = next((x for x in result.stdout.splitlines() if x.startswith("BENCH_RESULT=")), None)
    if not line:
        sys.stderr.write(result.stdout[-3000:] + result.stderr[-3000:])
        raise RuntimeError("the sync-all scenario printed no result")
    figures = json.loads(line.split("=", 1)[1])
    figures["wall_s"] = round(time.perf_counter() - start, 1)
    figures["api_calls"], figures["throttled_429"] = api_calls(sandbox)
    return figures


def run_pan_eu(account_id, sandbox):
    """Scenario 6, in ``odoo-bin shell``; raises unless every marketplace converged by feed."""
    for number in range(1, PAN_EU_SKUS + 1):  # Amazon offers each SKU in each marketplace
        for api_ref in PAN_EU_MARKETPLACES.values():
            sandbox.put_listing(f"SA-PEU-{number:05d}", marketplaceId=api_ref, quantity=99)
    sandbox.clear_requests()
    start = time.perf_counter()
    figures = json.loads(
        run_in_shell(
            "pan_eu_in_shell.py",
            "BENCH_PAN_EU",
            {"BENCH_PAN_EU_SKUS": str(PAN_EU_SKUS), "BENCH_ACCOUNT_ID": str(account_id)},
        )
    )
    figures["wall_s"] = round(time.perf_counter() - start, 1)
    figures["api_calls"], figures["throttled_429"] = api_calls(sandbox)
    figures["reports_read"] = sum(
        1 for r in sandbox.requests("getFeedDocument") if r["status"] == 200
    )
    wanted = figures.pop("wanted")
    held = {
        (listing["sku"], listing["marketplaceId"]): listing.get("quantity")
        for listing in sandbox.listings()
        if listing["sku"].startswith("SA-PEU-")
    }
    figures["offers_at_odoo_quantity"] = sum(
        1
        for sku_, quantity in wanted.items()
        for api_ref in PAN_EU_MARKETPLACES.values()
        if held.get((sku_, api_ref)) == quantity
    )
    markets = len(PAN_EU_MARKETPLACES)
    if (
        figures["feeds"] != markets
        or figures["feeds_done"] != markets
        or figures["reports_read"] != markets
        or figures["offers_at_odoo_quantity"] != markets * PAN_EU_SKUS
    ):
        raise RuntimeError(f"the Pan-EU sync all did not converge by 5 feeds: {figures}")
    return figures


def run_in_shell(script, marker, env):
    """Run ``bench/<script>`` in ``odoo-bin shell``; return the text after its ``marker=`` line."""
    result = subprocess.run(
        odoo_command(DATABASE, "--no-http", "--log-level=warn", subcommand="shell"),
        input=(REPO / "bench" / script).read_text(),
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        check=False,
    )
    line = next((x for x in result.stdout.splitlines() if x.startswith(marker + "=")), None)
    if not line:
        sys.stderr.write(result.stdout[-3000:] + result.stderr[-3000:])
        raise RuntimeError(f"bench/{script} printed no result")
    return line.split("=", 1)[1]


#: The werkzeug line of one job run by the job runner: its uuid, then Odoo's SQL query count
#: (queue_job 18.0 passes the database in the URL, 19.0 does not).
RUNJOB_LINE = re.compile(
    r"/queue_job/runjob\?(?:db=\S+&)?job_uuid=([0-9a-f-]+) HTTP/1.1\" \d+ - (\d+) "
)


#: What PostgreSQL says when two transactions met on one row (queue_job retries these jobs).
CONCURRENCY_ERRORS = ("could not serialize access", "deadlock detected", "lock not available")


def job_runs(log_path, uuids):
    """(runs, SQL queries) of these jobs, from the server's request log (reruns included)."""
    runs = queries = 0
    for line in Path(log_path).read_text(errors="replace").splitlines():
        match = RUNJOB_LINE.search(line)
        if match and match.group(1) in uuids:
            runs += 1
            queries += int(match.group(2))
    return runs, queries


def run_order_import(account_id, sandbox):
    """Scenario 4: the ERP's floor in a shell, then the import on a server with 2 workers."""
    shell_env = {
        "BENCH_ORDERS": str(ORDERS),
        "BENCH_FLOOR_ORDERS": str(FLOOR_ORDERS),
        "BENCH_ACCOUNT_ID": str(account_id),
        "STOCKAGILE_SANDBOX_URL": sandbox.url,
    }
    prepared = int(run_in_shell("orders_in_shell.py", "BENCH_PREPARED", shell_env))
    floor = json.loads(run_in_shell("floor_in_shell.py", "BENCH_FLOOR", shell_env))
    sandbox.clear_requests()
    log_path = OUT / "odoo-import.log"
    # Prefork, as in production: two workers run the jobs the runner sends them (root:2).
    server = OdooServer(DATABASE, log_path, sandbox.url, workers=2, channels="root:2")
    try:
        odoo = server.client()
        start = time.perf_counter()
        odoo.call("amazon.account", "action_sync_orders", [account_id])

        def imported():
            return odoo.call(
                "sale.order",
                "search_count",
                [("amazon_account_id", "=", account_id), ("amazon_order_ref", "=like", "409-%")],
            )

        wait_for(lambda: imported() >= prepared, 1800, 0.5)
        wall = time.perf_counter() - start
        created = imported()
        wait_for_jobs(odoo, account_id, timeout=300)
        jobs = odoo.call(
            "queue.job",
            "search_read",
            [
                ("channel", "=", f"root.amazon.account_{account_id}"),
                ("method_name", "in", ["_amazon_job_poll_orders", "_amazon_job_import_order"]),
            ],
            fields=["uuid", "method_name", "state"],
        )
        confirmed = odoo.call(
            "sale.order",
            "search_count",
            [
                ("amazon_account_id", "=", account_id),
                ("amazon_order_ref", "=like", "409-%"),
                ("state", "=", "sale"),
            ],
        )
    finally:
        server.stop()
    log = log_path.read_text(errors="replace")
    runs, queries = job_runs(log_path, {job["uuid"] for job in jobs})
    calls, throttled = api_calls(sandbox)
    figures = {
        "orders": prepared,
        "created": created,
        "confirmed": confirmed,
        "failed_jobs": sum(1 for job in jobs if job["state"] == "failed"),
        "jobs": dict(Counter(job["state"] for job in jobs)),
        # a job run again: met a concurrent update (queue_job postpones it), throttled...
        "job_reruns": runs - len(jobs) if runs else None,
        "concurrency_errors": sum(log.count(error) for error in CONCURRENCY_ERRORS),
        "import_s": round(wall, 1),
        "orders_per_s": round(created / wall, 1) if wall else None,
        "sql_queries": queries,
        # None when the log had no job line to count (never a made-up 0)
        "sql_queries_per_order": round(queries / max(1, created), 1) if runs else None,
        "floor": floor,
        "queries_vs_floor": (
            round(queries / max(1, created) / floor["floor_queries_per_order"], 2) if runs else None
        ),
        "api_calls": calls,
        "throttled_429": throttled,
    }
    if created < prepared:
        raise RuntimeError(
            f"the order import did not finish: {created} of {prepared} orders imported ({figures})"
        )
    return figures


def amazon_quantity(sandbox, number):
    return sandbox.listing(sku(number))["quantity"]


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def run_latency(odoo, sandbox, product_ids):
    """Scenario 2: commit → Amazon latency of single receipts, one after the other."""
    sandbox.clear_requests()
    expected = {n: amazon_quantity(sandbox, n) for n in range(1, LATENCY_SKUS + 1)}
    latencies = []
    start = time.perf_counter()
    for index in range(LATENCY_RECEIPTS):
        number = index % LATENCY_SKUS + 1
        receive(odoo, product_ids[number])
        committed = time.perf_counter()
        expected[number] += 1
        landed = wait_for(lambda n=number: amazon_quantity(sandbox, n) == expected[n], 120, 0.01)
        if not landed:
            raise RuntimeError(f"{sku(number)} never reached {expected[number]} on Amazon")
        latencies.append(time.perf_counter() - committed)
    calls, throttled = api_calls(sandbox)
    return {
        "receipts": LATENCY_RECEIPTS,
        "skus": LATENCY_SKUS,
        "p50_s": round(statistics.median(latencies), 3),
        "p95_s": round(percentile(latencies, 0.95), 3),
        "max_s": round(max(latencies), 3),
        "wall_s": round(time.perf_counter() - start, 1),
        "api_calls": calls,
        "throttled_429": throttled,
    }, latencies


def run_burst(odoo, sandbox, product_ids):
    """Scenario 3: many moves at once; coalescing keeps API calls far below one per move."""
    sandbox.clear_requests()
    numbers = list(range(1, BURST_SKUS + 1))
    expected = {n: amazon_quantity(sandbox, n) for n in numbers}
    start = time.perf_counter()
    for _ in range(BURST_MOVES // BURST_SKUS):
        receive(odoo, [product_ids[n] for n in numbers])
        for n in numbers:
            expected[n] += 1
    moves_done = time.perf_counter()
    converged = wait_for(
        lambda: all(amazon_quantity(sandbox, n) == expected[n] for n in numbers), 300, 0.05
    )
    calls, throttled = api_calls(sandbox)
    patches = calls.get("patchListingsItem", 0)
    return {
        "moves": BURST_MOVES,
        "skus": BURST_SKUS,
        "moves_s": round(moves_done - start, 1),
        "converged": bool(converged),
        "converge_after_last_move_s": round(time.perf_counter() - moves_done, 2),
        "patch_calls": patches,
        "calls_per_move": round(patches / BURST_MOVES, 3),
        "api_calls": calls,
        "throttled_429": throttled,
    }


def import_generated_orders(odoo, sandbox, account_id, count, skus, prefix):
    """Put ``count`` generated orders on the sandbox; *Sync orders* over XML-RPC, then wait."""
    orders = seed.generated_orders(count, skus, prefix=prefix)
    for start in range(0, count, 250):
        sandbox.add_orders(orders[start : start + 250])
    yesterday = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(time.time() - 86400))
    odoo.call("amazon.account", "write", [account_id], {"orders_last_sync": yesterday})
    odoo.call("amazon.account", "action_sync_orders", [account_id])  # the jobs import them

    def imported():
        return odoo.call(
            "sale.order", "search_count", [("amazon_order_ref", "=like", prefix + "-%")]
        )

    wait_for(lambda: imported() >= count, 1800, 2.0)
    done = imported()
    if done < count:
        raise RuntimeError(f"only {done} of {count} orders were imported within 30 minutes")
    return done


def run_shipping(odoo, sandbox, account_id):
    """Scenario 5: an integrator ships DELIVERIES Amazon orders over XML-RPC, one by one."""
    skus = [sku(n) for n in range(1, SHIP_SKUS + 1)]
    product_ids = [product_with_sku(odoo, code) for code in skus]
    configure_spanish_sales(odoo, skus)  # what an integrator configures for Amazon's orders
    receive(odoo, product_ids, quantity=DELIVERIES * 3)
    sandbox.reset(seed="empty", generate_listings=max(PRODUCTS, LATENCY_SKUS))
    imported = import_generated_orders(odoo, sandbox, account_id, DELIVERIES, skus, "411")
    pickings = odoo.call(
        "stock.picking",
        "search",
        [
            ("amazon_order_ref", "=like", "411-%"),
            ("picking_type_code", "=", "outgoing"),
            ("state", "not in", ["done", "cancel"]),
        ],
    )
    sandbox.clear_requests()
    start = time.perf_counter()
    for picking_id in pickings:
        odoo.call(
            "stock.picking", "amazon_update_shipping", [picking_id], "SEUR", f"SEUR{picking_id}"
        )
        odoo.call("stock.picking", "amazon_mark_shipped", [picking_id])
    api_done = time.perf_counter()
    wait_for(lambda: len(sandbox.shipments()) >= len(pickings), 1800, 1.0)
    confirmed = time.perf_counter()
    shipments = sandbox.shipments()
    calls, throttled = api_calls(sandbox)
    return {
        "orders_imported": imported,
        "deliveries": len(pickings),
        "xmlrpc_calls_per_delivery": 2,
        "xmlrpc_s": round(api_done - start, 1),
        "xmlrpc_s_per_delivery": round((api_done - start) / max(1, len(pickings)), 3),
        "all_confirmed_after_s": round(confirmed - start, 1),
        "confirmations": len(shipments),
        "duplicates": sum(1 for shipment in shipments if shipment.get("duplicate")),
        "confirm_shipment_calls": calls.get("confirmShipment", 0),
        "api_calls": calls,
        "throttled_429": throttled,
    }


def chart(latencies, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(7, 4))
    axis.hist([1000 * x for x in latencies], bins=40, color="#2a7ab0")
    axis.set_xlabel("commit → Amazon holds the quantity (ms)")
    axis.set_ylabel("receipts")
    axis.set_title(f"Stock push latency, {len(latencies)} receipts over {LATENCY_SKUS} SKUs")
    for share, style in ((0.5, "--"), (0.95, ":")):
        axis.axvline(
            1000 * percentile(latencies, share),
            color="black",
            linestyle=style,
            label=f"p{int(share * 100)}",
        )
    axis.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=110)


def machine():
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(memory, 1),
        "python": platform.python_version(),
    }


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    sandbox = SandboxControl(os.environ["STOCKAGILE_SANDBOX_URL"])
    sandbox.reset(generate_listings=max(PRODUCTS, LATENCY_SKUS))
    print(f"Creating database {DATABASE} (no demo data)…", flush=True)
    fresh_database()
    results = {"machine": machine()}
    # The shell scenarios run their jobs themselves: no job runner may take them meanwhile.
    quiet = OdooServer(DATABASE, OUT / "odoo-setup.log", sandbox.url, job_runner=False)
    try:
        account_id = create_sandbox_account(quiet.client(), sandbox.url)
        if "pan_eu" in SCENARIOS:
            print(f"Pan-EU sync all: 5 marketplaces x {PAN_EU_SKUS} SKUs…", flush=True)
            results["pan_eu"] = run_pan_eu(account_id, sandbox)
        if "sync_all" in SCENARIOS:
            print(f"Sync all of {PRODUCTS} products by feed…", flush=True)
            results["sync_all"] = run_sync_all(account_id, sandbox)
    finally:
        quiet.stop()
    if SCENARIOS & {"stock_push_latency", "burst", "shipping", "notifications"}:
        run_on_server(results, account_id, sandbox)
    # Its own server (prefork, 2 workers): the floor runs in a shell first, alone.
    if "order_import" in SCENARIOS:
        print(f"Import of {ORDERS} Amazon orders…", flush=True)
        results["order_import"] = run_order_import(account_id, sandbox)
    print_table(results)
    (OUT / "bench.json").write_text(json.dumps(results, indent=2))
    print(json.dumps(results, separators=(",", ":")))


def run_on_server(results, account_id, sandbox):
    """The scenarios of a running server with its job runner (2 to 5)."""
    server = OdooServer(DATABASE, OUT / "odoo.log", sandbox.url)
    try:
        odoo = server.client()
        if "sync_all" not in SCENARIOS:
            odoo.call(
                "product.product",
                "create",
                [
                    {"name": f"Bench {n}", "default_code": sku(n), "is_storable": True}
                    for n in range(1, LATENCY_SKUS + 1)
                ],
            )
            ids = odoo.call("product.product", "search", [("default_code", "=like", "SA-GEN-%")])
            odoo.call("product.product", "write", ids, {"amazon_sync": True})
        ids = odoo.call(
            "product.product",
            "search_read",
            [("default_code", "in", [sku(n) for n in range(1, LATENCY_SKUS + 1)])],
            fields=["default_code"],
        )
        product_ids = {int(p["default_code"][-5:]): p["id"] for p in ids}
        if "stock_push_latency" in SCENARIOS:
            print(f"Stock push latency over {LATENCY_RECEIPTS} receipts…", flush=True)
            latency, latencies = run_latency(odoo, sandbox, product_ids)
            results["stock_push_latency"] = latency
            chart(latencies, OUT / "stock_push_latency.png")
        if "burst" in SCENARIOS:
            print(f"Burst of {BURST_MOVES} moves over {BURST_SKUS} SKUs…", flush=True)
            results["burst"] = run_burst(odoo, sandbox, product_ids)
        if "shipping" in SCENARIOS:
            print(f"Shipping {DELIVERIES} deliveries over XML-RPC…", flush=True)
            results["shipping"] = run_shipping(odoo, sandbox, account_id)
        if "notifications" in SCENARIOS:
            print("Order notifications through SQS (bench/notifications.py)…", flush=True)
            results["notifications"] = notifications.run(odoo, sandbox, account_id)
    finally:
        server.stop()


def print_table(results):
    rows = []
    pan_eu = results.get("pan_eu", {})
    if pan_eu:
        rows += [
            ("Pan-EU: SKUs x marketplaces", f"{pan_eu['skus']} x {pan_eu['marketplaces']}"),
            ("Pan-EU: feeds sent, reports read", f"{pan_eu['feeds']}, {pan_eu['reports_read']}"),
            ("Pan-EU: Odoo time of the button and feeds (s)", pan_eu["sync_all_s"]),
            ("Pan-EU: their SQL queries", pan_eu["sync_all_queries"]),
            ("Pan-EU: reports applied in (s)", pan_eu["apply_reports_s"]),
            ("Pan-EU: reports SQL queries", pan_eu["apply_reports_queries"]),
            ("Pan-EU: offers at Odoo's quantity", pan_eu["offers_at_odoo_quantity"]),
            ("Pan-EU: 429 responses", pan_eu["throttled_429"]),
        ]
    sync_all = results.get("sync_all", {})
    if sync_all:
        rows += [
            ("Sync all: products", sync_all["products"]),
            ("Sync all: feeds sent", sync_all["feeds"]),
            ("Sync all: Odoo time (s)", sync_all["sync_all_s"]),
            ("Sync all: SQL queries", sync_all["sync_all_queries"]),
            ("Sync all: report applied in (s)", sync_all["apply_report_s"]),
            ("Sync all: report SQL queries", sync_all["apply_report_queries"]),
            ("Sync all: 429 responses", sync_all["throttled_429"]),
        ]
    latency = results.get("stock_push_latency", {})
    if latency:
        rows += [
            ("Stock push latency p50 (s)", latency["p50_s"]),
            ("Stock push latency p95 (s)", latency["p95_s"]),
            ("Stock push latency max (s)", latency["max_s"]),
            ("Latency run: 429 responses", latency["throttled_429"]),
        ]
    burst = results.get("burst", {})
    if burst:
        rows += [
            ("Burst: moves", burst["moves"]),
            ("Burst: patchListingsItem calls", burst["patch_calls"]),
            ("Burst: calls per move", burst["calls_per_move"]),
            ("Burst: converged", burst["converged"]),
            ("Burst: 429 responses", burst["throttled_429"]),
        ]
    shipping = results.get("shipping", {})
    if shipping:
        rows += [
            ("Shipping: deliveries shipped over XML-RPC", shipping["deliveries"]),
            ("Shipping: XML-RPC time per delivery (s)", shipping["xmlrpc_s_per_delivery"]),
            ("Shipping: all confirmed on Amazon after (s)", shipping["all_confirmed_after_s"]),
            ("Shipping: confirmShipment calls", shipping["confirm_shipment_calls"]),
            ("Shipping: duplicate confirmations", shipping["duplicates"]),
            ("Shipping: 429 responses", shipping["throttled_429"]),
        ]
    if "notifications" in results:
        rows += notifications.rows(results["notifications"])
    orders = results.get("order_import", {})
    if orders:
        rows += [
            ("Order import: orders created", f"{orders['created']} of {orders['orders']}"),
            ("Order import: wall time (s)", orders["import_s"]),
            ("Order import: orders per second", orders["orders_per_s"]),
            ("Order import: SQL queries per order", orders["sql_queries_per_order"]),
            (
                "Floor (plain create + confirm): queries, s per order",
                f"{orders['floor']['floor_queries_per_order']}, "
                f"{orders['floor']['floor_s_per_order']}",
            ),
            ("Order import: queries against the floor", f"{orders['queries_vs_floor']}x"),
            ("Order import: failed jobs", orders["failed_jobs"]),
            (
                "Order import: jobs run again, concurrency errors",
                f"{orders['job_reruns']}, {orders['concurrency_errors']}",
            ),
            ("Order import: API calls", orders["api_calls"]),
            ("Order import: 429 responses", orders["throttled_429"]),
        ]
    width = max(len(name) for name, _ in rows)
    print()
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    print()


if __name__ == "__main__":
    main()
