"""Run the sandbox as a subprocess, and a small client of its control API (tests, demos)."""

import json
import sys
import urllib.error
import urllib.request

from amazon_sandbox.process import SandboxProcess, start_service


class SendcloudControl:
    """Client of ``/_sandbox``: ``reset()``, ``parcels()``, ``requests()``, ``webhook()``..."""

    def __init__(self, url):
        self.url = url.rstrip("/")

    def _call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"{self.url}/_sandbox{path}",
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            raise RuntimeError(f"{method} {path}: {error.code} {error.read()!r}") from None

    def reset(self):
        return self._call("POST", "/reset", {})

    def state(self):
        return self._call("GET", "/state")

    def parcels(self):
        return self._call("GET", "/parcels")

    def requests(self, operation=None):
        log = self._call("GET", "/requests")
        return [r for r in log if operation in (None, r["operation"])]

    def clear_requests(self):
        return self._call("DELETE", "/requests")

    def fault(self, operation, kind="refuse", count=1, message=None, **extra):
        """Arm a fault; ``extra``: ``field`` (a refusal's field), ``seconds`` (a timeout's)."""
        return self._call(
            "POST",
            "/faults",
            {"operation": operation, "kind": kind, "count": count, "message": message, **extra},
        )

    def config(self, **values):
        return self._call("POST", "/config", values)

    def webhook(self, parcel_id, url, status_id=1000, tracking_number=None, forge=False):
        body = {"parcel_id": parcel_id, "url": url, "status_id": status_id, "forge": forge}
        if tracking_number is not None:
            body["tracking_number"] = tracking_number
        return self._call("POST", "/webhook", body)


class SendcloudSandboxProcess(SandboxProcess):
    """Handle on a running Sendcloud sandbox: ``.url``, ``.control``, ``.stop()`` (the Amazon
    sandbox's handle, with this sandbox's control client)."""

    @property
    def control(self):
        return SendcloudControl(self.url)


def start_sendcloud_sandbox(port=0, host="127.0.0.1", timeout=20.0):
    """Launch ``python -m sendcloud_sandbox`` and wait until it answers."""
    return start_service(
        [sys.executable, "-m", "sendcloud_sandbox", "--host", host, "--port", str(port)],
        "/_sandbox/state",
        url_key="SENDCLOUD_URL",
        timeout=timeout,
        handle_class=SendcloudSandboxProcess,
    )
