"""README screenshots from the running demo (`make run`): the Amazon overview, a product form and,
with the Sendcloud glue installed, the Sendcloud label step.

Usage (Odoo of `make run` listening): ``$PY scripts/screenshots.py [http://localhost:8069]``
(database ``STOCKAGILE_DB``, default ``stockagile_demo``, as run.sh).
The Sendcloud shots need an imported Amazon order whose delivery can be labelled (stock, weight,
the warehouse's Sendcloud method) and is not labelled yet: ``STOCKAGILE_SHOT_ORDER`` (a
``sale.order`` id) chooses it, else the first such order. Between the order's shot and its
delivery's, the script labels it (*Label with Sendcloud*, the button's method) on the Sendcloud
sandbox.
Logs in as admin/admin (the demo user, in Spanish), drives Chromium headless through the
DevTools protocol (websocket-client, already needed by Odoo's tours) and writes PNGs into
``docs/screenshots/``.
"""

import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
import websocket

ODOO = (sys.argv[1] if len(sys.argv) > 1 else "http://localhost:8069").rstrip("/")
DB = os.environ.get("STOCKAGILE_DB", "stockagile_demo")
OUT = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
#: file name: (URL path, JavaScript run once the view is shown, e.g. to open a tab)
SHOTS = {
    "overview.png": ("/odoo/action-stockagile_amazon_connector.amazon_overview_action", ""),
    "product_form_es.png": (
        None,  # the demo mug's form, found below
        "document.querySelector(\".o_notebook a.nav-link[name='sales']\").click();"
        "setTimeout(() => document.querySelector(\"div[name='amazon_sync']\")"
        ".scrollIntoView({block: 'center'}), 500)",
    ),
    # The Sendcloud shots (found below; left out without the glue or a labellable order).
    "sendcloud_order.png": (None, ""),
    "sendcloud_delivery.png": (
        None,  # the tracking number on the "Additional info" tab; the label in the chatter's files
        "document.querySelector(\".o_notebook a.nav-link[name='extra']\").click();"
        "setTimeout(() => document.querySelector('.o-mail-Chatter-attachFiles').click(), 800)",
    ),
    "sendcloud_carriers.png": (
        "/odoo/action-stockagile_amazon_sendcloud.amazon_sendcloud_carrier_action",
        "",
    ),
}
#: file name: window size when not the default (the chatter beside the form needs a wide one)
WIDE = {"sendcloud_delivery.png": (1760, 1000)}
TIMEOUT = 60


def login():
    """A session of the demo admin (its cookie goes to the browser)."""
    session = requests.Session()
    answer = session.post(
        f"{ODOO}/web/session/authenticate",
        json={"params": {"db": DB, "login": "admin", "password": "admin"}},
        timeout=TIMEOUT,
    ).json()
    if answer.get("error"):
        raise SystemExit(f"Login failed: {answer['error']}")
    return session


def product_url(session):
    answer = session.post(
        f"{ODOO}/web/dataset/call_kw",
        json={
            "params": {
                "model": "product.template",
                "method": "search",
                "args": [[["default_code", "=", "SA-MUG-001"]]],
                "kwargs": {"limit": 1},
            }
        },
        timeout=TIMEOUT,
    ).json()
    ids = answer.get("result") or []
    if not ids:
        raise SystemExit("The demo product SA-MUG-001 was not found: is this make run's demo?")
    return f"/odoo/action-sale.product_template_action/{ids[0]}"


def call_kw(session, model, method, *args, **kwargs):
    answer = session.post(
        f"{ODOO}/web/dataset/call_kw",
        json={"params": {"model": model, "method": method, "args": list(args), "kwargs": kwargs}},
        timeout=TIMEOUT,
    ).json()
    if answer.get("error"):
        raise SystemExit(f"{model}.{method}: {answer['error']['data']['message']}")
    return answer["result"]


def sendcloud_installed(session):
    return call_kw(
        session,
        "ir.module.module",
        "search_count",
        [("name", "=", "stockagile_amazon_sendcloud"), ("state", "=", "installed")],
    )


def sendcloud_order(session):
    """(order id, its delivery's id) for the Sendcloud shots, or None without such an order."""
    chosen = os.environ.get("STOCKAGILE_SHOT_ORDER")
    if chosen:
        order_id = int(chosen)
    else:  # the first Amazon order with a delivery to label (the field is not searchable)
        orders = call_kw(
            session,
            "sale.order",
            "search_read",
            [("amazon_account_id", "!=", False), ("state", "=", "sale")],
            fields=["amazon_sendcloud_can_label"],
            order="id",
        )
        order_id = next((o["id"] for o in orders if o["amazon_sendcloud_can_label"]), None)
        if not order_id:
            return None
    pickings = call_kw(
        session,
        "stock.picking",
        "search",
        [("sale_id", "=", order_id), ("picking_type_code", "=", "outgoing")],
        limit=1,
        order="id",
    )
    return (order_id, pickings[0]) if pickings else None


def label(session, order_id, picking_id):
    """Label with Sendcloud, as the order's button (unless already labelled)."""
    [picking] = call_kw(
        session, "stock.picking", "read", [picking_id], ["amazon_sendcloud_labelled"]
    )
    if picking["amazon_sendcloud_labelled"]:
        return
    result = call_kw(session, "sale.order", "action_amazon_sendcloud_label", [order_id])
    params = (result or {}).get("params", {})
    if params.get("type") not in (None, "success"):
        raise SystemExit(f"Label with Sendcloud: {params.get('message')}")


class Browser:
    """Chromium headless driven over the DevTools protocol."""

    def __init__(self):
        binary = next(
            filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))),
            None,
        )
        if not binary:
            raise SystemExit("Chromium is not installed.")
        self.profile = tempfile.mkdtemp(prefix="stockagile-shots-")
        self.process = subprocess.Popen(
            [
                binary,
                "--headless=new",
                "--no-sandbox",
                "--remote-debugging-port=0",
                f"--user-data-dir={self.profile}",
                "--window-size=1440,900",
                "about:blank",
            ],
            stderr=subprocess.PIPE,
            text=True,
        )
        for line in self.process.stderr:
            if "DevTools listening on" in line:
                browser_ws = line.split("on ", 1)[1].strip()
                break
        port = browser_ws.split(":")[2].split("/")[0]
        page = next(
            target
            for target in requests.get(f"http://127.0.0.1:{port}/json", timeout=TIMEOUT).json()
            if target["type"] == "page"
        )
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=TIMEOUT)
        self.next_id = 0

    def call(self, method, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.next_id:
                return message.get("result", {})

    def wait_for(self, selector):
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            found = self.call(
                "Runtime.evaluate", expression=f"!!document.querySelector({selector!r})"
            )
            if found.get("result", {}).get("value"):
                return
            time.sleep(0.5)
        raise SystemExit(f"{selector} never appeared")

    def close(self):
        self.process.terminate()
        shutil.rmtree(self.profile, ignore_errors=True)


def main():
    session = login()
    SHOTS["product_form_es.png"] = (product_url(session), SHOTS["product_form_es.png"][1])
    glue = sendcloud_installed(session)
    sendcloud = glue and sendcloud_order(session)
    if sendcloud:
        order_id, picking_id = sendcloud
        SHOTS["sendcloud_order.png"] = (
            f"/odoo/action-stockagile_amazon_connector.amazon_sale_order_action/{order_id}",
            "",
        )
        SHOTS["sendcloud_delivery.png"] = (
            f"/odoo/action-stock.action_picking_tree_all/{picking_id}",
            SHOTS["sendcloud_delivery.png"][1],
        )
    else:
        print("No Sendcloud glue or no Amazon order to label: its shots are left out.")
        del SHOTS["sendcloud_order.png"], SHOTS["sendcloud_delivery.png"]
        if not glue:
            del SHOTS["sendcloud_carriers.png"]
    OUT.mkdir(parents=True, exist_ok=True)
    browser = Browser()
    try:
        browser.call("Network.enable")
        host = ODOO.split("//", 1)[1].split(":")[0].split("/")[0]
        browser.call(
            "Network.setCookie",
            name="session_id",
            value=session.cookies["session_id"],
            domain=host,
            path="/",
        )
        for name, (path, script) in SHOTS.items():
            if name == "sendcloud_delivery.png":
                label(session, *sendcloud)
            width, height = WIDE.get(name, (1440, 900))
            browser.call(
                "Emulation.setDeviceMetricsOverride",
                width=width,
                height=height,
                deviceScaleFactor=1,
                mobile=False,
            )
            browser.call("Page.navigate", url=f"{ODOO}{path}")
            browser.wait_for(
                ".o_kanban_record, .o_form_view .o_field_widget, .o_list_renderer .o_data_row"
            )
            if script:
                browser.call("Runtime.evaluate", expression=script)
            time.sleep(2)  # let the last images and fonts paint (a picture, not a test)
            shot = browser.call("Page.captureScreenshot", format="png")
            (OUT / name).write_bytes(base64.b64decode(shot["data"]))
            print(f"{OUT / name}")
    finally:
        browser.close()


if __name__ == "__main__":
    main()
