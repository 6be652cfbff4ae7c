"""Sales > Configuration > Amazon > Developers: the shipping API, documented for this database.

Integrators look for the shipping endpoints in the ERP itself. This page explains the two public
methods of ``stock.picking`` with this server's URL and database in every example, makes the API
key of a dedicated integration user (never a person's password), and lets a manager try the calls
on a delivery of a *sandbox* account, showing the exact request and the answer.
"""

import ipaddress
import json
import xmlrpc.client
from urllib.parse import urlsplit

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError

from .. import odoo_compat
from ..models.stock_picking import SYNC_STATES

#: Odoo 19 adds the JSON-2 API (``/json/2/<model>/<method>``, API key as bearer token).
HAS_JSON2 = odoo_compat.HAS_JSON2

#: The examples read the key from this environment variable: it never appears in a page.
API_KEY_VAR = "ODOO_API_KEY"
#: Where the key goes in a generated XML-RPC body (replaced by ``$ODOO_API_KEY``).
KEY_MARKER = "@@API-KEY@@"

PYTHON_EXAMPLE = '''#!/usr/bin/env python3
"""Ship an Amazon order of the Odoo database {db} (XML-RPC, standard library only).

    {key_var}=<API key> python3 ship_amazon_order.py [AMAZON_ORDER_ID [CARRIER [TRACKING]]]
"""

import json
import os
import sys
import xmlrpc.client

URL = {url!r}
DB = {db!r}
LOGIN = {login!r}
API_KEY = os.environ[{key_var!r}]  # an API key, never a password: keep it out of the code

order_ref = sys.argv[1] if len(sys.argv) > 1 else {order!r}
carrier = sys.argv[2] if len(sys.argv) > 2 else "SEUR"
tracking_ref = sys.argv[3] if len(sys.argv) > 3 else "SEUR-0001"

uid = xmlrpc.client.ServerProxy(f"{{URL}}/xmlrpc/2/common").authenticate(DB, LOGIN, API_KEY, {{}})
if not uid:
    sys.exit("Login refused: check DB, LOGIN and the API key (expired or revoked?).")
models = xmlrpc.client.ServerProxy(f"{{URL}}/xmlrpc/2/object")


def call(model, method, *args, **kwargs):
    return models.execute_kw(DB, uid, API_KEY, model, method, list(args), kwargs)


try:
    # The open deliveries of the order (a partial delivery leaves a backorder: ship it later).
    picking_ids = call(
        "stock.picking",
        "search",
        [
            ("amazon_order_ref", "=", order_ref),
            ("picking_type_code", "=", "outgoing"),
            ("state", "not in", ["done", "cancel"]),
        ],
        order="id",
    )
    if not picking_ids:
        sys.exit(f"No open delivery for Amazon order {{order_ref}}.")
    for picking_id in picking_ids:
        call(
            "stock.picking",
            "amazon_update_shipping",
            [picking_id],
            carrier,
            tracking_ref,
            shipping_method="Standard",
            ship_date=False,  # False: the validation date; else "YYYY-MM-DD HH:MM:SS" (UTC)
        )
        result = call("stock.picking", "amazon_mark_shipped", [picking_id])
        print(json.dumps(result, sort_keys=True))
except xmlrpc.client.Fault as fault:
    sys.exit(f"Odoo refused: {{fault.faultString}}")
'''


def _is_loopback_address(host):
    """True for a loopback IP address (127.0.0.0/8, ::1); False for a name or another IP."""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_sandbox_endpoint(url):
    """Whether an account's SP-API endpoint is a sandbox, where *Try it* may ship for real.

    Only two kinds count: a server on this machine (loopback: the connector's local sandbox)
    and Amazon's own SP-API sandbox hosts (``sandbox.sellingpartnerapi-*.amazon.com``, canned
    data). Anything else may reach Amazon for real (a live account behind a proxy or a
    forwarder included), so it is treated as live. Empty means Amazon's live endpoint.

    :param url: the account's ``sp_api_endpoint``.
    :return: bool
    """
    if not url:
        return False
    host = (urlsplit(url if "//" in url else f"//{url}").hostname or "").lower().rstrip(".")
    if not host:
        return False
    if host == "localhost" or _is_loopback_address(host):
        return True
    labels = host.split(".")
    return (
        len(labels) == 4
        and labels[0] == "sandbox"
        and labels[1].startswith("sellingpartnerapi-")
        and labels[2:] == ["amazon", "com"]
    )


def _shell_heredoc(text):
    """Escape ``text`` for an unquoted shell here-document (``$``, backquote and backslash)."""
    return text.replace("\\", "\\\\").replace("$", "\\$").replace("`", "\\`")


class AmazonDeveloperGuide(models.TransientModel):
    """The Developers page: documentation, examples, the integration user's API key, Try it."""

    _name = "amazon.developer.guide"
    _description = "Amazon Developers Page"

    account_id = fields.Many2one(
        "amazon.account",
        string="Amazon account",
        default=lambda self: self._default_account(),
        help="The examples and the integration user are for this account's company.",
    )
    company_id = fields.Many2one("res.company", compute="_compute_integration")
    base_url = fields.Char(string="Server URL", compute="_compute_integration")
    database = fields.Char(compute="_compute_integration")
    integration_user_id = fields.Many2one(
        "res.users", string="Integration user", compute="_compute_integration"
    )
    integration_login = fields.Char(string="Login", compute="_compute_integration")
    api_key_count = fields.Integer(string="API keys", compute="_compute_integration")
    example_order_ref = fields.Char(compute="_compute_integration")
    guide_html = fields.Html(string="Guide", compute="_compute_examples", sanitize=False)
    example_python = fields.Text(string="Python", compute="_compute_examples")
    example_curl = fields.Text(string="curl", compute="_compute_examples")
    example_json2 = fields.Text(string="JSON-2", compute="_compute_examples")
    show_json2 = fields.Boolean(compute="_compute_examples")

    # Try it
    is_sandbox = fields.Boolean(
        string="Sandbox account",
        compute="_compute_is_sandbox",
        help="Try it only runs on accounts whose SP-API endpoint is a sandbox, never on a live "
        "Amazon account.",
    )
    try_picking_ids = fields.Many2many("stock.picking", compute="_compute_is_sandbox")
    try_picking_id = fields.Many2one(
        "stock.picking",
        string="Delivery",
        domain="[('id', 'in', try_picking_ids)]",
        help="An open delivery of an Amazon order of the sandbox account.",
    )
    try_carrier = fields.Char(string="Carrier", default="SEUR")
    try_tracking_ref = fields.Char(string="Tracking number", default="TRY-0001")
    try_shipping_method = fields.Char(string="Shipping method", default="Standard")
    try_request = fields.Text(string="Request", readonly=True)
    try_result = fields.Text(string="Result", readonly=True)

    @api.model
    def action_open_page(self):
        """Open the Developers page as a page: a saved record, titled, with nothing to save.

        The menu runs this (a server action) rather than opening the form on a new record, which
        the web client shows as an unsaved new record («New», save and discard icons).

        :return: the window action of a new page record
        """
        page = self.create({})
        return {
            "type": "ir.actions.act_window",
            "name": _("Developers"),
            "res_model": self._name,
            "res_id": page.id,
            "view_mode": "form",
            "views": [
                (
                    self.env.ref("stockagile_amazon_connector.amazon_developer_guide_view_form").id,
                    "form",
                )
            ],
            "target": "current",
        }

    def _compute_display_name(self):
        """The breadcrumb reads «Developers», not the model's name and an id."""
        for page in self:
            page.display_name = _("Developers")

    @api.model
    def _default_account(self):
        return self.env["amazon.account"].search(
            [("company_id", "=", self.env.company.id)], order="id", limit=1
        )

    @api.depends("account_id")
    def _compute_integration(self):
        users = self.env["res.users"]
        base_url = self.get_base_url()
        for guide in self:
            company = guide.account_id.company_id or self.env.company
            user = users._amazon_integration_user(company)
            guide.company_id = company
            guide.base_url = base_url
            guide.database = self.env.cr.dbname
            guide.integration_user_id = user
            guide.integration_login = user.login or users._amazon_integration_login(company)
            guide.api_key_count = (
                self.env["res.users.apikeys"].sudo().search_count([("user_id", "=", user.id)])
                if user
                else 0
            )
            picking = guide._example_picking()
            guide.example_order_ref = picking.amazon_order_ref or "402-3715930-4861125"

    @api.depends("account_id")
    def _compute_examples(self):
        for guide in self:
            guide.show_json2 = HAS_JSON2
            guide.example_python = guide._python_example()
            guide.example_curl = guide._curl_example()
            guide.example_json2 = guide._json2_example() if HAS_JSON2 else False
            guide.guide_html = guide._guide_html()

    @api.depends("account_id")
    def _compute_is_sandbox(self):
        for guide in self:
            guide.is_sandbox = guide._is_sandbox_account(guide.account_id)
            guide.try_picking_ids = (
                self.env["stock.picking"].search(
                    guide._open_amazon_deliveries_domain(guide.account_id), order="id desc"
                )
                if guide.is_sandbox
                else False
            )

    @api.onchange("account_id")
    def _onchange_account_id(self):
        if self.try_picking_id not in self.try_picking_ids:
            self.try_picking_id = False

    @api.model
    def _is_sandbox_account(self, account):
        """Whether ``account`` talks to a sandbox (see :func:`is_sandbox_endpoint`)."""
        return bool(account) and is_sandbox_endpoint(account.sudo().sp_api_endpoint)

    def _example_picking(self):
        """The delivery the examples ship: the account's latest open Amazon delivery."""
        self.ensure_one()
        return self.env["stock.picking"].search(
            self._open_amazon_deliveries_domain(self.account_id), order="id desc", limit=1
        )

    @api.model
    def _open_amazon_deliveries_domain(self, account):
        """Open deliveries of the merchant-fulfilled orders of ``account`` (any when empty)."""
        domain = [
            ("picking_type_code", "=", "outgoing"),
            ("state", "not in", ["done", "cancel"]),
            ("sale_id.amazon_order_ref", "!=", False),
            ("sale_id.amazon_fulfillment_channel", "!=", "fba"),
        ]
        if account:
            domain.append(("sale_id.amazon_account_id", "=", account.id))
        return domain

    # ------------------------------------------------------------------
    # Examples
    # ------------------------------------------------------------------

    def _python_example(self):
        """A complete script shipping an order, with this server, database and login."""
        self.ensure_one()
        return PYTHON_EXAMPLE.format(
            url=self.base_url,
            db=self.database,
            login=self.integration_login,
            key_var=API_KEY_VAR,
            order=self.example_order_ref,
        )

    def _xmlrpc_body(self, method, params):
        """The XML-RPC request body of ``method(*params)``, the key as ``$ODOO_API_KEY``."""
        body = xmlrpc.client.dumps(tuple(params), methodname=method)
        return _shell_heredoc(body).replace(KEY_MARKER, f"${API_KEY_VAR}")

    def _curl_example(self):
        """The same calls as raw XML-RPC requests with curl, ready to paste in a shell."""
        self.ensure_one()
        uid = self.integration_user_id.id or 0
        picking_id = self._example_picking().id or 0
        db, url = self.database, self.base_url
        steps = [
            (
                _("1. Log in: the <int> of the answer is the user id of the next calls."),
                "common",
                "authenticate",
                (db, self.integration_login, KEY_MARKER, {}),
            ),
            (
                _("2. Find the open deliveries of an Amazon order: their ids."),
                "object",
                "execute_kw",
                (
                    db,
                    uid,
                    KEY_MARKER,
                    "stock.picking",
                    "search",
                    [
                        [
                            ["amazon_order_ref", "=", self.example_order_ref],
                            ["picking_type_code", "=", "outgoing"],
                            ["state", "not in", ["done", "cancel"]],
                        ]
                    ],
                    {},
                ),
            ),
            (
                _("3. Store the carrier and tracking number of delivery %(id)s.", id=picking_id),
                "object",
                "execute_kw",
                (
                    db,
                    uid,
                    KEY_MARKER,
                    "stock.picking",
                    "amazon_update_shipping",
                    [[picking_id], "SEUR", "SEUR-0001"],
                    {"shipping_method": "Standard"},
                ),
            ),
            (
                _("4. Mark it shipped: Odoo validates it and confirms it on Amazon."),
                "object",
                "execute_kw",
                (
                    db,
                    uid,
                    KEY_MARKER,
                    "stock.picking",
                    "amazon_mark_shipped",
                    [[picking_id]],
                    {},
                ),
            ),
        ]
        lines = [
            _(
                "# The integration user's API key (export %(var)s=...), never a password:",
                var=API_KEY_VAR,
            ),
            f': "${{{API_KEY_VAR}:?{API_KEY_VAR} is not set}}"',
            "",
        ]
        for title, endpoint, method, params in steps:
            lines += [
                f"# {title}",
                "curl -s -H 'Content-Type: text/xml' --data-binary @- "
                f"{url}/xmlrpc/2/{endpoint} <<EOF",
                self._xmlrpc_body(method, params).strip(),
                "EOF",
                "",
            ]
        return "\n".join(lines)

    def _json2_example(self):
        """Odoo 19's JSON-2 calls: the API key as bearer token, the database as a header."""
        self.ensure_one()
        url, db = self.base_url, self.database
        picking_id = self._example_picking().id or 0
        headers = (
            f'  -H "Authorization: bearer ${API_KEY_VAR}" -H "X-Odoo-Database: {db}" \\\n'
            "  -H 'Content-Type: application/json'"
        )
        calls = [
            (
                "search",
                {
                    "domain": [
                        ["amazon_order_ref", "=", self.example_order_ref],
                        ["picking_type_code", "=", "outgoing"],
                        ["state", "not in", ["done", "cancel"]],
                    ]
                },
            ),
            (
                "amazon_update_shipping",
                {
                    "ids": ["PICKING_ID"],
                    "carrier": "SEUR",
                    "tracking_ref": "SEUR-0001",
                    "shipping_method": "Standard",
                },
            ),
            ("amazon_mark_shipped", {"ids": ["PICKING_ID"]}),
        ]
        lines = [
            _(
                "# The integration user's API key (export %(var)s=...), never a password:",
                var=API_KEY_VAR,
            ),
            f': "${{{API_KEY_VAR}:?{API_KEY_VAR} is not set}}"',
            _("# The delivery's id, found by the first call:"),
            f"PICKING_ID=${{PICKING_ID:-{picking_id}}}",
            "",
        ]
        for method, body in calls:
            payload = json.dumps(body).replace('"PICKING_ID"', "'\"$PICKING_ID\"'")
            lines += [
                f"curl -s -X POST {url}/json/2/stock.picking/{method} \\",
                headers + " \\",
                f"  -d '{payload}'",
                "",
            ]
        return "\n".join(lines)

    def _guide_html(self):
        """The reference: authentication, finding a delivery, both methods, result, errors."""
        self.ensure_one()

        def table(head, rows):
            html = Markup("<table class='table table-sm table-bordered'><thead><tr>")
            html += Markup("").join(Markup("<th>%s</th>") % cell for cell in head)
            html += Markup("</tr></thead><tbody>")
            for row in rows:
                html += Markup("<tr>%s</tr>") % Markup("").join(
                    Markup("<td>%s</td>") % cell for cell in row
                )
            return html + Markup("</tbody></table>")

        def code(text):
            return Markup("<code>%s</code>") % text

        state_help = {
            "none": _("The delivery is not done yet."),
            "awaiting_data": _(
                "Done, but the carrier or tracking number is missing: send them with "
                "amazon_update_shipping."
            ),
            "pending": _(
                "Queued: the confirmation leaves after the commit, in the background, and is "
                "retried on throttling and outages. Read the delivery again later."
            ),
            "confirmed": _("Amazon holds this package as it is now."),
            "error": _(
                "Amazon refused it; amazon_error says why. Fix the data with "
                "amazon_update_shipping (a correction is sent) or call "
                "action_amazon_retry_shipment."
            ),
        }
        labels = dict(
            self.env["stock.picking"]._fields["amazon_sync_state"]._description_selection(self.env)
        )
        parts = [
            Markup("<h3>%s</h3>") % _("Connection"),
            table(
                [_("What"), _("Value")],
                [
                    (_("Server URL"), code(self.base_url)),
                    (_("Database"), code(self.database)),
                    (_("Login"), code(self.integration_login)),
                    (
                        _("Password"),
                        _(
                            "An API key of the integration user (button Create API key), in "
                            "place of the password: it is shown once, keep it in your tool's "
                            "secrets. Revoke API keys, on this page, stops them all at once."
                        ),
                    ),
                    (
                        _("XML-RPC"),
                        Markup("%s<br/>%s")
                        % (
                            code(
                                f"{self.base_url}/xmlrpc/2/common: "
                                "authenticate(db, login, key, {})"
                            ),
                            code(
                                f"{self.base_url}/xmlrpc/2/object: execute_kw(db, uid, key, "
                                "model, method, args, kwargs)"
                            ),
                        ),
                    ),
                ],
            ),
            Markup("<p>%s</p>")
            % _(
                "The integration user has the rights of an Amazon user and an inventory user in "
                "one company: it reads and ships that company's deliveries, and nothing of "
                "Amazon's credentials."
            ),
            Markup("<h3>%s</h3>") % _("Find a delivery by Amazon order id"),
            Markup("<p>%s</p><pre>%s</pre><p>%s</p>")
            % (
                _("Search stock.picking with the order id as Amazon shows it:"),
                'search([("amazon_order_ref", "=", "'
                + self.example_order_ref
                + '"), ("picking_type_code", "=", "outgoing"), '
                '("state", "not in", ["done", "cancel"])])',
                _(
                    "It returns the ids of the open deliveries of the order, usually one; a "
                    "partial delivery leaves a backorder, shipped later the same way."
                ),
            ),
            Markup("<h3>%s</h3>")
            % code(
                "amazon_update_shipping(carrier, tracking_ref, shipping_method=False, "
                "ship_date=False)"
            ),
            table(
                [_("Argument"), _("Meaning")],
                [
                    (
                        code("carrier"),
                        _(
                            "Carrier name, e.g. SEUR, DHL, Correos: matched by name to a shipping "
                            "method of the ERP, else sent to Amazon as the carrier name (mapped to "
                            "Amazon's carrier codes, else 'Other')."
                        ),
                    ),
                    (code("tracking_ref"), _("The carrier's tracking number.")),
                    (code("shipping_method"), _("Optional ship method label, e.g. Express.")),
                    (
                        code("ship_date"),
                        _(
                            "Optional: YYYY-MM-DD, 'YYYY-MM-DD HH:MM:SS' or ISO 8601 (UTC when no "
                            "offset); the validation date when False."
                        ),
                    ),
                ],
            ),
            Markup("<p>%s</p>")
            % _(
                "Stores the shipping data on the delivery. On a done delivery the confirmation, "
                "or its correction, goes to Amazon; before, Amazon is told when it is validated."
            ),
            Markup("<h3>%s</h3>") % code("amazon_mark_shipped()"),
            Markup("<p>%s</p>")
            % _(
                "Validates the delivery with its reserved (or set) quantities; the rest goes to a "
                "backorder, as the ERP does. Once done, the confirmation is sent to Amazon in the "
                "background, exactly once. Called again on a done delivery, it validates nothing "
                "more."
            ),
            Markup("<h3>%s</h3>") % _("The result"),
            Markup("<p>%s</p>") % _("Both methods return a dict (a struct in XML-RPC):"),
            table(
                [_("Key"), _("Meaning")],
                [
                    (code("picking_id"), _("The delivery's id.")),
                    (code("name"), _("The delivery's reference, e.g. WH/OUT/00012.")),
                    (code("state"), _("The delivery's state in the ERP: assigned, done, ...")),
                    (code("amazon_order_ref"), _("The Amazon order id.")),
                    (code("amazon_sync_state"), _("Where the Amazon confirmation is (below).")),
                    (code("amazon_error"), _("Amazon's refusal message, else empty.")),
                    (code("carrier"), _("The carrier Amazon is told.")),
                    (code("tracking_ref"), _("The tracking number.")),
                    (code("backorder_ids"), _("Ids of the backorders this call created.")),
                    (code("message"), _("What happened, in a sentence for people.")),
                ],
            ),
            table(
                [code("amazon_sync_state"), _("Label"), _("Meaning")],
                [(code(key), labels[key], state_help[key]) for key, _label in SYNC_STATES],
            ),
            Markup("<h3>%s</h3>") % _("Errors"),
            Markup("<p>%s</p>")
            % _(
                "Bad input is an XML-RPC Fault whose faultString says what to fix; nothing is "
                "changed then. Call again once fixed."
            ),
            table(
                [_("Fault or result"), _("What to do")],
                [
                    (
                        _("authenticate returns False, or Access Denied"),
                        _(
                            "Wrong database, login or API key, or the key expired or was "
                            "revoked: create a new key on this page."
                        ),
                    ),
                    (
                        _("Delivery (stock.picking) id … does not exist or was deleted."),
                        _("Search the delivery again by Amazon order id."),
                    ),
                    (
                        _("… is not a delivery of an Amazon order shipped by the merchant"),
                        _(
                            "Only outgoing deliveries of merchant-fulfilled Amazon orders are "
                            "shipped through this API; Amazon ships FBA orders itself."
                        ),
                    ),
                    (
                        _("… is cancelled: it cannot be shipped."),
                        _("Search open deliveries only (state not done nor cancel)."),
                    ),
                    (
                        _("The tracking number is empty / The carrier is empty"),
                        _("Send both, as non-empty strings."),
                    ),
                    (
                        _("carrier must be a string, not …"),
                        _("Send strings; False for the optional arguments you leave out."),
                    ),
                    (
                        _("The ship date … is not a date"),
                        _("Use YYYY-MM-DD, 'YYYY-MM-DD HH:MM:SS' or ISO 8601, or False."),
                    ),
                    (
                        _("Nothing is reserved on …"),
                        _(
                            "The goods are not in stock: receive them, or set the quantities "
                            "to ship on the delivery, then call amazon_mark_shipped again."
                        ),
                    ),
                    (
                        _("… needs a decision in the ERP to be validated"),
                        _(
                            "Lots, serial numbers or quality checks: validate the delivery in "
                            "the ERP; Amazon is told once it has carrier and tracking number."
                        ),
                    ),
                    (
                        _("AccessError: You are not allowed to …"),
                        _(
                            "The delivery belongs to another company, or the user lacks rights: "
                            "use the key of that company's integration user."
                        ),
                    ),
                    (
                        Markup("%s = %s") % (code("amazon_sync_state"), code("error")),
                        state_help["error"],
                    ),
                    (
                        Markup("%s = %s") % (code("amazon_sync_state"), code("awaiting_data")),
                        state_help["awaiting_data"],
                    ),
                ],
            ),
        ]
        return Markup("").join(parts)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def _check_manager(self):
        if not self.env.user.has_group("stockagile_amazon_connector.group_amazon_manager"):
            raise AccessError(_("Only Amazon managers use the Developers page."))

    def action_create_api_key(self):
        """Create the integration user when missing, then open Odoo's API key wizard for it."""
        self.ensure_one()
        self._check_manager()
        company = self.account_id.company_id or self.env.company
        user = self.env["res.users"]._amazon_integration_user(company, create=True)
        return {
            "type": "ir.actions.act_window",
            "res_model": "res.users.apikeys.description",
            "name": _("New API key for %(login)s", login=user.login),
            "target": "new",
            "views": [(False, "form")],
            "context": {
                "default_amazon_user_id": user.id,
                "default_name": _("Amazon shipping integration"),
            },
        }

    def action_revoke_api_keys(self):
        """Delete every API key of the integration user: tools using them are refused at once."""
        self.ensure_one()
        self._check_manager()
        user = self.integration_user_id.sudo()
        if user.amazon_integration_company_id not in self.env.user.company_ids:
            raise AccessError(_("Only Amazon managers of its company revoke its keys."))
        keys = self.env["res.users.apikeys"].sudo().search([("user_id", "=", user.id)])
        keys._remove()
        # Odoo caches successful (uid, key) checks: forget them so the keys stop working now.
        self.env.registry.clear_cache()
        return True

    def action_try_update_shipping(self):
        """Try it: amazon_update_shipping with the test values on the sandbox delivery."""
        return self._try(
            "amazon_update_shipping",
            [self.try_carrier or "", self.try_tracking_ref or ""],
            {"shipping_method": self.try_shipping_method or False},
        )

    def action_try_mark_shipped(self):
        """Try it: amazon_mark_shipped on the sandbox delivery."""
        return self._try("amazon_mark_shipped", [], {})

    def _try(self, method, args, kwargs):
        """Call ``method`` on the chosen delivery as the API would, and keep request and answer.

        The call runs with the manager's rights in a savepoint: a refusal is shown as the Fault
        an integrator gets, and changes nothing.

        :raise UserError: no delivery chosen, or it is not of a sandbox account.
        """
        self.ensure_one()
        self._check_manager()
        picking = self.try_picking_id
        if not picking:
            raise UserError(_("Choose a delivery of the sandbox account to try the API on."))
        account = picking.sudo().sale_id.amazon_account_id
        if not self._is_sandbox_account(account):
            raise UserError(
                _(
                    "Try it only runs on a sandbox account: %(picking)s belongs to %(account)s, "
                    "whose SP-API endpoint is Amazon's live service.",
                    picking=picking.display_name,
                    account=account.display_name or "-",
                )
            )
        uid = self.integration_user_id.id or self.env.uid
        body = xmlrpc.client.dumps(
            (
                self.database,
                uid,
                "<API key>",
                "stock.picking",
                method,
                [[picking.id], *args],
                kwargs,
            ),
            methodname="execute_kw",
        )
        try:
            with self.env.cr.savepoint():
                result = getattr(picking, method)(*args, **kwargs)
            answer = json.dumps(result, indent=2, sort_keys=True, ensure_ascii=False)
        except (UserError, ValidationError, AccessError, MissingError) as error:
            answer = _("Fault: %(message)s", message=error.args[0])
        self.write(
            {
                "try_request": f"POST {self.base_url}/xmlrpc/2/object\n{body}",
                "try_result": answer,
            }
        )
        return True
