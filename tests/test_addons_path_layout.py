"""The addon installs and runs its tests from the addons path alone (no pip install, no PYTHONPATH).

Odoo imports the tests of every installed addon when ``--test-enable`` is on, so an import the
integrator's Odoo cannot resolve (the repository's ``amazon_sandbox`` package) would fail the whole
registry. This runs ``odoo-bin`` as an integrator does: the repository only on ``--addons-path``,
``PYTHONPATH`` unset, from a directory outside the repository.
"""

import os
import re
import subprocess
import sys

import pytest

from tests.e2e.harness import OCA_DIR, ODOO_DIR, ODOO_VERSION, REPO

ONE_TEST = "/stockagile_amazon_connector:TestAmazonAccount.test_connection_succeeds_on_sandbox"


def _free_port():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
def test_registry_loads_and_tests_run_from_addons_path_only(sandbox_url, tmp_path):
    """odoo-bin --test-enable -i stock,<addon> loads the registry and runs a sandbox test."""
    database = f"stockagile_layout_{ODOO_VERSION.replace('.', '_')}_{os.getpid()}"
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    env["STOCKAGILE_SANDBOX_URL"] = sandbox_url
    addons = f"{ODOO_DIR}/odoo/addons,{ODOO_DIR}/addons,{OCA_DIR},{REPO}"
    log_path = tmp_path / "odoo.log"
    command = [
        sys.executable,
        str(ODOO_DIR / "odoo-bin"),
        f"--addons-path={addons}",
        "-d",
        database,
        "-i",
        "stock,stockagile_amazon_connector",
        "--test-enable",
        f"--test-tags={ONE_TEST}",
        "--stop-after-init",
        f"--http-port={_free_port()}",
        "--max-cron-threads=0",
        "--log-level=test",
    ]
    try:
        with log_path.open("w") as log:
            completed = subprocess.run(
                command,
                cwd=tmp_path,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                timeout=1200,
                check=False,
            )
    finally:
        subprocess.run(["dropdb", "--if-exists", database], check=False, capture_output=True)
    text = log_path.read_text(errors="replace")
    tail = text[-4000:]
    assert "Failed to load registry" not in text, tail
    assert "No module named 'amazon_sandbox'" not in text, tail
    summary = re.findall(r"(\d+) failed, (\d+) error\(s\) of (\d+) tests", text)
    assert summary, f"Odoo ran no test:\n{tail}"
    assert summary[-1] == ("0", "0", "1"), f"the sandbox test did not pass: {summary}\n{tail}"
    assert completed.returncode == 0, tail
