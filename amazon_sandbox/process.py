"""Run the sandbox as a subprocess (what tests and demos do), and :func:`start_service`, the one
way both sandboxes and moto's SQS are started from Python."""

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


def child_env(env=None) -> dict:
    """This process's environment with the repository importable, unbuffered, plus ``env``."""
    merged = dict(os.environ)
    merged["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(REPO_ROOT), merged.get("PYTHONPATH")) if p
    )
    merged["PYTHONUNBUFFERED"] = "1"
    merged.update(env or {})
    return merged


def start_service(
    command,
    ready_path: str,
    *,
    url: str | None = None,
    url_key: str | None = None,
    env=None,
    timeout: float = 20.0,
    verbose: bool = False,
    handle_class=SandboxProcess,
):
    """Start ``command`` (a sandbox or moto's SQS) and wait until ``GET <url><ready_path>`` answers.

    Its URL is ``url``, or what the command prints first as ``<url_key>=<url>``. Returns a
    ``handle_class`` handle; stderr is discarded unless ``verbose``.
    """
    process = subprocess.Popen(
        command,
        cwd=str(REPO_ROOT),
        env=child_env(env),
        text=True,
        stdout=subprocess.PIPE if url_key else subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        stderr=None if verbose else subprocess.DEVNULL,
    )
    if url_key:
        first_line = process.stdout.readline().strip()
        if not first_line.startswith(f"{url_key}="):
            process.kill()
            process.wait()
            raise RuntimeError(f"unexpected output of {command[:3]}: {first_line!r}")
        threading.Thread(target=_drain, args=(process.stdout,), daemon=True).start()
        url = first_line.split("=", 1)[1]
    handle = handle_class(process, url)
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            handle.stop()
            raise RuntimeError(f"{command[:3]} exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(url + ready_path, timeout=2) as response:
                if response.status == 200:
                    return handle
        except (urllib.error.URLError, OSError):
            pass
        if time.monotonic() > deadline:
            handle.stop()
            raise RuntimeError(f"{url}{ready_path} did not answer in {timeout} s")
        time.sleep(0.05)


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
    return start_service(
        command,
        "/_sandbox/state",
        url_key="SANDBOX_URL",
        env=env,
        timeout=timeout,
        verbose=verbose,
    )
