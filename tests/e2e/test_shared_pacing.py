"""Pacing of SP-API calls is shared by every Odoo process of a database and survives restarts.

Amazon meters each operation per selling partner: two Odoo processes (two workers, or two
servers) on one database must together spend at most one burst of an operation, and a process
started later must see what the others spent. Each process here is a real ``odoo-bin shell`` on
the test database, building its limiter the way ``amazon.account._get_sp_api_service()`` does.
"""

import json
import os
import subprocess
import uuid

import pytest

from .harness import odoo_command

pytestmark = pytest.mark.slow

#: One token per ~3 minutes after a burst of 20: what the processes get is the burst, less the
#: token the account's limiter keeps back for calls that reach Amazon out of order.
OPERATION = "searchOrders"
BURST = 20 - 1

#: Run by ``odoo-bin shell`` (``env`` is given): build the account's limiter as the connector does,
#: wait for the go file, reserve, print the waits.
SCRIPT = """
import json, os, pathlib, time

seller, operation = os.environ["PACING_SELLER"], os.environ["PACING_OPERATION"]
calls, go = int(os.environ["PACING_CALLS"]), os.environ["PACING_GO"]
account = env["amazon.account"].new({"seller_id": seller, "region": "eu"})
limiter = account._get_sp_api_service().limiter
print("PACING-READY", flush=True)
deadline = time.monotonic() + 300
while go and not pathlib.Path(go).exists() and time.monotonic() < deadline:
    time.sleep(0.01)
print("PACING-WAITS " + json.dumps([limiter.reserve(operation) for _ in range(calls)]), flush=True)
"""


def start_process(database, seller, calls, log_path, go=""):
    """An Odoo process that reserves ``calls`` tokens of the seller once ``go`` exists."""
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            odoo_command(database, "--no-http", "--log-level=warn", subcommand="shell"),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
            env={
                **os.environ,
                "PACING_SELLER": seller,
                "PACING_OPERATION": OPERATION,
                "PACING_CALLS": str(calls),
                "PACING_GO": str(go),
            },
        )
    process.stdin.write(SCRIPT)
    process.stdin.close()
    return process


def read_line(process, prefix):
    """The first stdout line of ``process`` starting with ``prefix`` (without it).

    The script ends on its own (its wait for the go file is bounded), so this never blocks forever.
    """
    for line in process.stdout:
        if line.startswith(prefix):
            return line[len(prefix) :].strip()
    process.wait(timeout=120)
    raise AssertionError(f"the Odoo process ended (rc={process.returncode}) without {prefix}")


def waits_of(process):
    """The waits the process's limiter answered, in order (0.0: the call may go)."""
    waits = json.loads(read_line(process, "PACING-WAITS "))
    process.wait(timeout=120)
    return waits


def delete_buckets(database, seller):
    """Drop the test seller's rows (its id is ours: plain letters and digits)."""
    sql = f"DELETE FROM amazon_rate_bucket WHERE key = '{seller}:eu'"
    subprocess.run(
        ["psql", "-d", database, "-qc", sql],
        check=True,
        capture_output=True,
    )


@pytest.fixture
def seller(odoo_database):
    """A seller id of this test only; its buckets are deleted afterwards."""
    seller = f"A2E2E{uuid.uuid4().hex[:10].upper()}"
    yield seller
    delete_buckets(odoo_database, seller)


def test_two_processes_share_one_burst_and_a_restart_remembers(odoo_database, seller, tmp_path):
    """Two processes racing spend exactly one burst together; a third started later must wait."""
    go = tmp_path / "go"
    processes = [
        start_process(odoo_database, seller, BURST, tmp_path / f"odoo-{index}.log", go)
        for index in range(2)
    ]
    try:
        for process in processes:
            read_line(process, "PACING-READY")
        go.touch()
        first, second = (waits_of(process) for process in processes)
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
    assert first.count(0.0) + second.count(0.0) == BURST, (first, second)
    assert all(wait > 60 for wait in first + second if wait), "a refusal says how long to wait"

    restarted = start_process(odoo_database, seller, 1, tmp_path / "odoo-restarted.log")
    [wait] = waits_of(restarted)
    assert wait > 60, "a process started after the burst was spent must wait, not call Amazon"
