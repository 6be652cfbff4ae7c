"""Run the sandbox as a subprocess (what tests and demos do)."""

import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


class SandboxProcess:
    """Handle on a running sandbox: ``.url``, ``.port``, ``.control``, ``.stop()``."""

    def __init__(self, process: subprocess.Popen, url: str):
        self.process = process
        self.url = url
        self.port = int(url.rsplit(":", 1)[1])

    @property
    def control(self):
        from .control import SandboxControl

        return SandboxControl(self.url)

    def stop(self, timeout: float = 5.0):
        """Terminate the subprocess (kill it if it does not exit in ``timeout``)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout)
        if self.process.stdout:
            self.process.stdout.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def _drain(stream):
    """Keep reading stdout so the child never blocks on a full pipe."""
    for _line in iter(stream.readline, ""):
        pass


def _wait_ready(url: str, process: subprocess.Popen, timeout: float):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"sandbox exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(url + "/_sandbox/state", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            time.sleep(0.05)
    raise RuntimeError("sandbox did not answer /_sandbox/state in time")


def start_sandbox(
    port: int = 0,
    env=None,
    *,
    host: str = "127.0.0.1",
    seed: str = "default",
    generate_listings: int = 0,
    timeout: float = 20.0,
    verbose: bool = False,
) -> SandboxProcess:
    """Launch ``python -m amazon_sandbox`` and wait until it answers.

    ``env`` adds/overrides environment variables; stderr is discarded unless ``verbose``.
    """
    child_env = dict(os.environ)
    child_env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(REPO_ROOT), child_env.get("PYTHONPATH")) if p
    )
    child_env["PYTHONUNBUFFERED"] = "1"
    child_env.update(env or {})
    command = [
        sys.executable,
        "-m",
        "amazon_sandbox",
        "--host",
        host,
        "--port",
        str(port),
        "--seed",
        seed,
        "--generate-listings",
        str(generate_listings),
    ]
    process = subprocess.Popen(
        command,
        cwd=str(REPO_ROOT),
        env=child_env,
        text=True,
        stdout=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        stderr=None if verbose else subprocess.DEVNULL,
    )
    first_line = process.stdout.readline().strip()
    if not first_line.startswith("SANDBOX_URL="):
        process.kill()
        raise RuntimeError(f"unexpected sandbox output: {first_line!r}")
    threading.Thread(target=_drain, args=(process.stdout,), daemon=True).start()
    handle = SandboxProcess(process, first_line.split("=", 1)[1])
    try:
        _wait_ready(handle.url, process, timeout)
    except Exception:
        handle.stop()
        raise
    return handle
