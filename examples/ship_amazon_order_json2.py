#!/usr/bin/env python3
"""Ship an imported Amazon order over Odoo 19's JSON-2 API, as a warehouse app or label tool does.

Uses only the standard library (``urllib``). JSON-2 (``POST /json/2/<model>/<method>``) is the API
Odoo 19 recommends over XML-RPC: it authenticates with an API key (``Authorization: bearer``) and
names the database in ``X-Odoo-Database``. For every open delivery of the order it stores the
carrier and tracking number, then marks it shipped; Odoo validates the delivery and confirms the
package on Amazon after the commit (exactly once).

    ODOO_API_KEY=<key> python3 examples/ship_amazon_order_json2.py --url http://localhost:8069 \\
        --db stockagile_19_demo --order 402-3715930-4861125 --carrier SEUR --tracking SEUR-0001

The key is the integration user's (Sales > Amazon > Developers > Create API key). Prints one JSON
line per delivery (the methods' answer) and exits 1 on an Odoo error: JSON-2 answers it with an
HTTP error status and a JSON body whose ``message`` says what to fix.
"""

import argparse
import json
import os
import sys
import urllib.error
import urllib.request


class Json2Error(Exception):
    """An HTTP error answer of JSON-2: ``status`` and Odoo's ``message``."""

    def __init__(self, status, message):
        super().__init__(f"HTTP {status}: {message}")
        self.status = status
        self.message = message


def json2(url, database, key, model, method, **params):
    """``POST /json/2/<model>/<method>`` with ``params`` (``ids``, ``context``, the method's
    arguments by name); return the decoded result or raise :class:`Json2Error`."""
    request = urllib.request.Request(
        f"{url}/json/2/{model}/{method}",
        data=json.dumps(params).encode(),
        headers={
            "Authorization": f"bearer {key}",
            "X-Odoo-Database": database,
            "Content-Type": "application/json; charset=utf-8",
        },
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:
        body = error.read().decode(errors="replace")
        try:
            message = json.loads(body).get("message") or body
        except ValueError:
            message = body
        raise Json2Error(error.code, message) from None


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://localhost:8069")
    parser.add_argument("--db", required=True)
    parser.add_argument("--order", required=True, help="Amazon order id, e.g. 402-3715930-4861125")
    parser.add_argument("--carrier", required=True, help="carrier name, e.g. SEUR, DHL, Correos")
    parser.add_argument("--tracking", required=True, help="the carrier's tracking number")
    parser.add_argument("--method", default=False, help="shipping method, e.g. Express")
    parser.add_argument(
        "--ship-date", default=False, help="YYYY-MM-DD HH:MM:SS (UTC); now if empty"
    )
    args = parser.parse_args(argv)
    key = os.environ.get("ODOO_API_KEY")
    if not key:
        sys.exit("Set ODOO_API_KEY to the integration user's API key.")

    def call(model, method, **params):
        return json2(args.url, args.db, key, model, method, **params)

    try:
        # The open deliveries of the order (a partial delivery leaves a backorder: ship it later).
        picking_ids = call(
            "stock.picking",
            "search",
            domain=[
                ["amazon_order_ref", "=", args.order],
                ["picking_type_code", "=", "outgoing"],
                ["state", "not in", ["done", "cancel"]],
            ],
            order="id",
        )
        if not picking_ids:
            sys.exit(f"No open delivery for Amazon order {args.order}: imported and confirmed?")
        for picking_id in picking_ids:
            call(
                "stock.picking",
                "amazon_update_shipping",
                ids=[picking_id],
                carrier=args.carrier,
                tracking_ref=args.tracking,
                shipping_method=args.method,
                ship_date=args.ship_date,
            )
            result = call("stock.picking", "amazon_mark_shipped", ids=[picking_id])
            print(json.dumps(result, sort_keys=True))
    except Json2Error as error:
        sys.exit(f"Odoo refused: {error}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
