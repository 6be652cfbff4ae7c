"""Run moto's server, the local Amazon SQS, as a subprocess (tests that need no shell helper).

``scripts/setup.sh`` installs moto in a virtualenv of its own (moto wants a newer cryptography
than Odoo pins); ``scripts/sandbox.sh start_sqs`` starts it for ``make test``/``make run`` and
exports ``STOCKAGILE_SQS_URL``. :func:`sqs_url` reuses that server, else starts one.
"""

import atexit
import os
import socket
import time
from pathlib import Path

from .process import SandboxProcess, start_service

#: Credentials of the local queues (moto checks none; they only have to be there).
ACCESS_KEY_ID = "AKIDSTOCKAGILE"
SECRET_ACCESS_KEY = "moto-secret"
REGION = "eu-west-1"


def moto_python() -> str:
    """The moto virtualenv's Python (``STOCKAGILE_MOTO_PYTHON`` or setup.sh's cache path)."""
    explicit = os.environ.get("STOCKAGILE_MOTO_PYTHON")
    if explicit:
        return explicit
    cache = os.environ.get("STOCKAGILE_CACHE_DIR") or str(
        Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
        / "stockagile-amazon-connector"
    )
    return str(Path(cache) / "moto-venv" / "bin" / "python")


def start_sqs(timeout: float = 30.0) -> SandboxProcess:
    """Start ``moto.server`` on a free loopback port and wait until it answers."""
    python = moto_python()
    if not Path(python).exists():
        raise RuntimeError(f"moto is not installed ({python} missing): run scripts/setup.sh.")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return start_service(
        [python, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        "/moto-api/",
        url=f"http://127.0.0.1:{port}",
        timeout=timeout,
    )


_STARTED = []


def sqs_url() -> str:
    """``STOCKAGILE_SQS_URL``, else the URL of a moto server started once for this process."""
    url = os.environ.get("STOCKAGILE_SQS_URL")
    if url:
        return url.rstrip("/")
    if not _STARTED:
        _STARTED.append(start_sqs())
        atexit.register(_STARTED[0].stop)
    return _STARTED[0].url


def create_queue(prefix="orders"):
    """A fresh queue on the local SQS: ``(boto3 client, queue URL)`` (boto3: the Odoo venv's)."""
    import boto3

    url = sqs_url()
    client = boto3.client(
        "sqs",
        endpoint_url=url,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY_ID,
        aws_secret_access_key=SECRET_ACCESS_KEY,
    )
    name = f"{prefix}-{os.getpid()}-{time.monotonic_ns() % 10**9}"
    return client, client.create_queue(QueueName=name)["QueueUrl"]


def account_values(queue_url):
    """The ``amazon.account`` values that make an account read ``queue_url`` on the local SQS."""
    return {
        "sqs_enabled": True,
        "sqs_queue_url": queue_url,
        "sqs_region": REGION,
        "sqs_access_key_id": ACCESS_KEY_ID,
        "sqs_secret_access_key": SECRET_ACCESS_KEY,
        "sqs_endpoint_url": sqs_url(),
    }
