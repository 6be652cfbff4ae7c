#!/usr/bin/env python3
"""Ship an imported Amazon order over Odoo's XML-RPC API, as a warehouse app or label tool does.

Uses only the standard library (``xmlrpc.client``). For every open delivery of the order it
stores the carrier and tracking number, then marks it shipped; Odoo validates the delivery and
confirms the package on Amazon after the commit (exactly once).

    ODOO_API_KEY=<key> python3 examples/ship_amazon_order.py --url http://localhost:8069 \\
        --db stockagile_demo --user <login> --order 402-3715930-4861125 --carrier SEUR \\
        --tracking SEUR-0001 --method Express

The key is read from ``ODOO_API_KEY``, as in the JSON-2 example and the Developers page's
examples, so that it never appears in a command line (``--password`` still works, e.g. the demo's
``admin``, the default without a key).

Prints one JSON line per delivery (the methods' answer) and exits 1 on an Odoo error
(``xmlrpc.client.Fault``: its message says what to fix).
"""

import argparse
import json
import os
import sys
import xmlrpc.client


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://localhost:8069")
    parser.add_argument("--db", required=True)
    parser.add_argument("--user", default="admin")
    parser.add_argument(
        "--password",
        default=os.environ.get("ODOO_API_KEY") or "admin",
        help="API key or password (default: $ODOO_API_KEY, else admin)",
    )
    parser.add_argument("--order", required=True, help="Amazon order id, e.g. 402-3715930-4861125")
    parser.add_argument("--carrier", required=True, help="carrier name, e.g. SEUR, DHL, Correos")
    parser.add_argument("--tracking", required=True, help="the carrier's tracking number")
    parser.add_argument("--method", default=False, help="shipping method, e.g. Express")
    parser.add_argument(
        "--ship-date", default=False, help="YYYY-MM-DD HH:MM:SS (UTC); now if empty"
    )
    args = parser.parse_args(argv)

    common = xmlrpc.client.ServerProxy(f"{args.url}/xmlrpc/2/common")
    uid = common.authenticate(args.db, args.user, args.password, {})
    if not uid:
        sys.exit("Login refused: check --db, --user and --password.")
    models = xmlrpc.client.ServerProxy(f"{args.url}/xmlrpc/2/object")

    def call(model, method, *params, **options):
        return models.execute_kw(args.db, uid, args.password, model, method, list(params), options)

    # The open deliveries of the order (a partial delivery leaves a backorder: ship it later).
    picking_ids = call(
        "stock.picking",
        "search",
        [
            ("amazon_order_ref", "=", args.order),
            ("picking_type_code", "=", "outgoing"),
            ("state", "not in", ["done", "cancel"]),
        ],
        order="id",
    )
    if not picking_ids:
        sys.exit(f"No open delivery for Amazon order {args.order}: imported and confirmed?")
    try:
        for picking_id in picking_ids:
            call(
                "stock.picking",
                "amazon_update_shipping",
                [picking_id],
                args.carrier,
                args.tracking,
                shipping_method=args.method,
                ship_date=args.ship_date,
            )
            result = call("stock.picking", "amazon_mark_shipped", [picking_id])
            print(json.dumps(result, sort_keys=True))
    except xmlrpc.client.Fault as fault:
        sys.exit(f"Odoo refused: {fault.faultString}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
