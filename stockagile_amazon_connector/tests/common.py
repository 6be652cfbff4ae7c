"""Shared fixtures of the connector's Odoo tests: the local Amazon sandbox and an account on it.

``make test`` starts one sandbox and passes its address in ``STOCKAGILE_SANDBOX_URL``; when the
variable is unset (a developer running one test file), the first test class starts its own.
Tests reset the sandbox before each test and assert on what it received and holds.
"""

import atexit
import os

from odoo.tests import TransactionCase

from amazon_sandbox import LWA_CLIENT_ID, LWA_CLIENT_SECRET, REFRESH_TOKEN, SELLER_ID
from amazon_sandbox.control import SandboxControl

_started_sandbox = None


def sandbox_url():
    """Return the URL of a running sandbox, starting one for this process when needed."""
    global _started_sandbox
    url = os.environ.get("STOCKAGILE_SANDBOX_URL")
    if url:
        return url.rstrip("/")
    if _started_sandbox is None:
        from amazon_sandbox.process import start_sandbox

        _started_sandbox = start_sandbox()
        atexit.register(_started_sandbox.stop)
    return _started_sandbox.url.rstrip("/")


class AmazonSandboxMixin:
    """Creates an Amazon account that talks to the sandbox, and resets the sandbox per test."""

    @classmethod
    def setUpAmazon(cls):
        cls.sandbox = SandboxControl(sandbox_url())
        cls.sandbox.reset()
        cls.marketplace_es = cls.env.ref("stockagile_amazon_connector.amazon_marketplace_es")
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.env.company.id)], limit=1
        )
        cls.account = cls.env["amazon.account"].create(cls._amazon_account_values())

    @classmethod
    def _amazon_account_values(cls, **overrides):
        """Values of an account on the sandbox with its default credentials."""
        url = sandbox_url()
        values = {
            "name": "Amazon ES (test sandbox)",
            "seller_id": SELLER_ID,
            "region": "eu",
            "marketplace_ids": [(6, 0, cls.marketplace_es.ids)],
            "warehouse_id": cls.warehouse.id,
            "lwa_client_id": LWA_CLIENT_ID,
            "lwa_client_secret": LWA_CLIENT_SECRET,
            "refresh_token": REFRESH_TOKEN,
            "sp_api_endpoint": url,
            "lwa_token_endpoint": f"{url}/auth/o2/token",
            "request_timeout": 5.0,
        }
        values.update(overrides)
        return values


class AmazonTestCase(AmazonSandboxMixin, TransactionCase):
    """TransactionCase with an account on a freshly reset sandbox."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setUpAmazon()

    def setUp(self):
        super().setUp()
        self.sandbox.reset()
