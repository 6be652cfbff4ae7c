"""Shared fixtures of the Sendcloud glue's tests: the connector's Amazon fixtures plus OCA's
Sendcloud module pointed at the local Sendcloud sandbox (``sendcloud_sandbox``, at the
repository's top, imported lazily as the Amazon sandbox is).

``make test`` starts one sandbox and passes ``STOCKAGILE_SENDCLOUD_URL``; when unset, the first
test class starts its own.
"""

import atexit
import importlib
import os
import sys
from pathlib import Path

from odoo.addons.stockagile_amazon_connector.tests.common import run_amazon_jobs
from odoo.addons.stockagile_amazon_connector.tests.test_order_import import (
    SKUS,
    AmazonOrderCase,
)

from ..models.sendcloud_request import PANEL_URL_PARAM

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]
SEUR_METHOD = 8003
_started = None


def sendcloud_sandbox(name="sendcloud_sandbox"):
    """Import the Sendcloud sandbox package (or one of its modules)."""
    if str(REPOSITORY_ROOT) not in sys.path and (REPOSITORY_ROOT / "sendcloud_sandbox").is_dir():
        sys.path.append(str(REPOSITORY_ROOT))
    return importlib.import_module(name)


def sendcloud_url():
    """The URL of a running Sendcloud sandbox, starting one for this process when needed."""
    global _started
    url = os.environ.get("STOCKAGILE_SENDCLOUD_URL")
    if url:
        return url.rstrip("/")
    if _started is None:
        _started = sendcloud_sandbox().start_sendcloud_sandbox()
        atexit.register(_started.stop)
    return _started.url


class SendcloudMixin:
    """OCA's Sendcloud module on the sandbox: an integration, its statuses and methods, and
    the Amazon warehouse's Sendcloud method for Amazon (SEUR)."""

    @classmethod
    def setUpSendcloud(cls):
        url = sendcloud_url()
        process = sendcloud_sandbox("sendcloud_sandbox.process")
        cls.sendcloud = process.SendcloudControl(url)
        cls.sendcloud.reset()
        cls.env["ir.config_parameter"].sudo().set_param(PANEL_URL_PARAM, f"{url}/api/v2")
        keys = sendcloud_sandbox()
        cls.integration = cls.env["sendcloud.integration"].create(
            {
                "shop_name": "Stockagile sandbox",
                "public_key": keys.DEFAULT_PUBLIC_KEY,
                "secret_key": keys.DEFAULT_SECRET_KEY,
                "sendcloud_code": 4242,
                "company_id": cls.env.company.id,
            }
        )
        cls.env["sendcloud.parcel.status"].sendcloud_update_parcel_statuses(cls.integration)
        cls.env["delivery.carrier"]._sendcloud_create_update_shipping_methods(
            cls.integration.get_shipping_methods({"sender_address": "all"}), cls.env.company.id
        )
        cls.seur_method = cls.env["delivery.carrier"].search(
            [("delivery_type", "=", "sendcloud"), ("sendcloud_code", "=", SEUR_METHOD)], limit=1
        )


class SendcloudAmazonCase(SendcloudMixin, AmazonOrderCase):
    """Amazon orders imported from the Amazon sandbox, labelled on the Sendcloud sandbox."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setUpSendcloud()
        cls.account.warehouse_id.amazon_sendcloud_carrier_id = cls.seur_method
        for product in cls.products.values():
            product.weight = 0.4

    def setUp(self):
        super().setUp()
        self.sendcloud.reset()
        for sku in SKUS:
            self._set_inventory(self.products[sku], 100)
        self._sync()

    def _picking(self, ref):
        return self._order(ref).picking_ids.filtered(
            lambda p: p.picking_type_code == "outgoing" and p.state not in ("done", "cancel")
        )

    def _confirm(self):
        """Run the Amazon confirmation jobs as the job runner does after the commit."""
        return run_amazon_jobs(self.env)

    def _amazon_packages(self, order_ref):
        return [s["packageDetail"] for s in self.sandbox.shipments() if s["orderId"] == order_ref]
