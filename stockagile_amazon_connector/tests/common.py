"""Shared fixtures of the connector's Odoo tests: the local Amazon sandbox and an account on it.

``make test`` starts one sandbox and passes its address in ``STOCKAGILE_SANDBOX_URL``; when the
variable is unset (a developer running one test file), the first test class starts its own.
Tests reset the sandbox before each test and assert on what it received and holds.

The sandbox (``amazon_sandbox``, at the repository's top) is imported lazily: Odoo imports every
installed addon's tests in test mode, so a module-level import would crash the registry of an
integrator who put only this repository on ``--addons-path``. ``sandbox_module()`` finds it either
installed (``pip install .``) or next to the addon's folder, and otherwise fails the test that
needs it with a message saying how to make it available.
"""

import atexit
import importlib
import os
import sys
import traceback
from collections import Counter
from pathlib import Path

from odoo import fields
from odoo.tests import TransactionCase

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import Job

from ..odoo_compat import stock_move_values

_started_sandbox = None
SANDBOX_PACKAGE = "amazon_sandbox"
# stockagile_amazon_connector/tests/common.py -> the repository's root, where amazon_sandbox/ lives.
REPOSITORY_ROOT = Path(__file__).resolve().parents[2]


class SandboxUnavailableError(RuntimeError):
    """The local Amazon sandbox is neither installed nor next to the addon."""


def sandbox_module(name=SANDBOX_PACKAGE):
    """Import the sandbox package (or one of its modules, e.g. ``amazon_sandbox.seed``).

    :param name: dotted module name inside the ``amazon_sandbox`` package
    :return: the imported module
    :raise SandboxUnavailableError: when neither layout provides the sandbox
    """
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name != SANDBOX_PACKAGE:
            raise
    if (REPOSITORY_ROOT / SANDBOX_PACKAGE / "__init__.py").is_file():
        # Addons-path layout: the repository root is not importable by itself.
        if str(REPOSITORY_ROOT) not in sys.path:
            sys.path.append(str(REPOSITORY_ROOT))
        return importlib.import_module(name)
    raise SandboxUnavailableError(
        "The connector's tests need the local Amazon sandbox (package 'amazon_sandbox'): run them "
        "from a checkout of the repository (it sits next to the addon's folder), install the "
        "repository with 'pip install .', or set STOCKAGILE_SANDBOX_URL to a running sandbox "
        "and make 'amazon_sandbox' importable."
    )


class _LazySandboxModule:
    """Stand-in for a sandbox module that imports it on first attribute access."""

    def __init__(self, name):
        self._name = name

    def __getattr__(self, attribute):
        if attribute.startswith("__"):
            # Introspection (test loaders, copy, mock) must not import the sandbox.
            raise AttributeError(attribute)
        return getattr(sandbox_module(self._name), attribute)


# What the test modules use: ``amazon_sandbox.LWA_CLIENT_SECRET``, ``seed.order_item(...)``.
amazon_sandbox = _LazySandboxModule(SANDBOX_PACKAGE)
seed = _LazySandboxModule(f"{SANDBOX_PACKAGE}.seed")


def sandbox_url():
    """Return the URL of a running sandbox, starting one for this process when needed."""
    global _started_sandbox
    url = os.environ.get("STOCKAGILE_SANDBOX_URL")
    if url:
        return url.rstrip("/")
    if _started_sandbox is None:
        process = sandbox_module(f"{SANDBOX_PACKAGE}.process")
        _started_sandbox = process.start_sandbox()
        atexit.register(_started_sandbox.stop)
    return _started_sandbox.url.rstrip("/")


class AmazonSandboxMixin:
    """Creates an Amazon account that talks to the sandbox, and resets the sandbox per test."""

    @classmethod
    def setUpAmazon(cls):
        cls.sandbox = sandbox_module(f"{SANDBOX_PACKAGE}.control").SandboxControl(sandbox_url())
        cls.reset_amazon()
        cls.marketplace_es = cls.env.ref("stockagile_amazon_connector.amazon_marketplace_es")
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.env.company.id)], limit=1
        )
        # Accounts of the demo data point at another sandbox: keep them out of the engine's way
        # (archiving them asks for the withdrawal of their offers: not this test's either).
        cls.env["amazon.account"].search([]).action_archive()
        # Products the demo ticks for sync would be listed in the test's account as soon as it
        # is created (with the SKUs the tests give their own products).
        cls.env["product.product"].search([("amazon_sync", "=", True)]).amazon_sync = False
        cls.env["amazon.offer.withdrawal"].sudo().search([]).unlink()
        # Jobs other runs left in a reused database are not this test's (rolled back after).
        cls.env["queue.job"].sudo().search([("channel", "=like", "root.amazon%")]).unlink()
        cls.account = cls.env["amazon.account"].create(cls._amazon_account_values())

    @classmethod
    def reset_amazon(cls):
        """A fresh sandbox and fresh rate limiters, as Amazon's own buckets after the reset."""
        cls.sandbox.reset()
        cls.reset_rate_limits()

    @classmethod
    def reset_rate_limits(cls):
        """Forget the pacing state of every seller (e.g. as if Amazon's retry-after had passed).

        The buckets are committed by their own cursor (``registry.cursor()``), outside the test
        transaction, so they are cleared the same way: in a TransactionCase it is a real
        transaction of its own (which also keeps the test from locking rows the store waits on),
        in an HttpCase (test mode) a test cursor over the test transaction, rolled back with it.
        """
        with cls.registry.cursor() as cr:
            cr.execute("DELETE FROM amazon_rate_bucket")

    @classmethod
    def _amazon_account_values(cls, **overrides):
        """Values of an account on the sandbox with its default credentials."""
        url = sandbox_url()
        values = {
            "name": "Amazon ES (test sandbox)",
            "seller_id": amazon_sandbox.SELLER_ID,
            "region": "eu",
            "marketplace_ids": [(6, 0, cls.marketplace_es.ids)],
            "warehouse_id": cls.warehouse.id,
            "lwa_client_id": amazon_sandbox.LWA_CLIENT_ID,
            "lwa_client_secret": amazon_sandbox.LWA_CLIENT_SECRET,
            "refresh_token": amazon_sandbox.REFRESH_TOKEN,
            "sp_api_endpoint": url,
            "lwa_token_endpoint": f"{url}/auth/o2/token",
            "request_timeout": 5.0,
        }
        values.update(overrides)
        return values


class AmazonStockMixin:
    """Stock operations as users do them, and the engine run a cron trigger would start."""

    @classmethod
    def _create_product(cls, sku, price=10.0, **values):
        return cls.env["product.product"].create(
            {
                "name": f"Product {sku}",
                "default_code": sku,
                "is_storable": True,
                "list_price": price,
                "taxes_id": [(6, 0, [])],
                **values,
            }
        )

    def _set_inventory(self, product, quantity, location=None):
        """Inventory adjustment: count ``quantity`` units in the warehouse stock."""
        self.env["stock.quant"].with_context(inventory_mode=True).create(
            {
                "product_id": product.id,
                "location_id": (location or self.warehouse.lot_stock_id).id,
                "inventory_quantity": quantity,
            }
        ).action_apply_inventory()

    def _transfer(self, picking_type, product, quantity, source, destination):
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": picking_type.id,
                "location_id": source.id,
                "location_dest_id": destination.id,
                "move_ids": [
                    (
                        0,
                        0,
                        stock_move_values(
                            {
                                "name": product.display_name,
                                "product_id": product.id,
                                "product_uom_qty": quantity,
                                "product_uom": product.uom_id.id,
                                "location_id": source.id,
                                "location_dest_id": destination.id,
                            }
                        ),
                    )
                ],
            }
        )
        picking.action_confirm()
        picking.action_assign()
        picking.move_ids.quantity = quantity
        picking.move_ids.picked = True
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        return picking

    def _receive(self, product, quantity):
        """Validate a receipt of ``quantity`` units from a vendor."""
        return self._transfer(
            self.warehouse.in_type_id,
            product,
            quantity,
            self.env.ref("stock.stock_location_suppliers"),
            self.warehouse.lot_stock_id,
        )

    def _deliver(self, product, quantity):
        """Validate a delivery of ``quantity`` units to a customer."""
        return self._transfer(
            self.warehouse.out_type_id,
            product,
            quantity,
            self.warehouse.lot_stock_id,
            self.env.ref("stock.stock_location_customers"),
        )

    @classmethod
    def _configure_euro_sales(cls, products):
        """Euros active, a pricelist in euros and a price-included 21% VAT on ``products``.

        What an integrator configures before importing Spanish orders: the importer itself never
        creates or activates any of it. :return: the tax.
        """
        cls.env.ref("base.EUR").active = True
        cls.env["product.pricelist"].create(
            {
                "name": "Amazon EUR (test)",
                "currency_id": cls.env.ref("base.EUR").id,
                "company_id": False,  # shared by every company
            }
        )
        vat21 = cls.env["account.tax"].create(
            {
                "name": "IVA 21% (test)",
                "amount": 21.0,
                "amount_type": "percent",
                "type_tax_use": "sale",
                "price_include_override": "tax_included",
                "company_id": cls.env.company.id,
            }
        )
        products.taxes_id = vat21
        return vat21

    def _push(self):
        """Run the queued Amazon jobs, as the job runner does after the commit."""
        return run_amazon_jobs(self.env)

    def _check_feeds(self):
        """Run the feed report jobs now, without waiting for their time."""
        return run_amazon_jobs(self.env, include_future=True, max_rounds=2)


def run_amazon_jobs(env, include_future=False, max_rounds=20):
    """Run the connector's pending jobs as queue_job's runner would, in the test's transaction.

    Each job runs in a savepoint: a retryable error postpones it (its work rolled back), any
    other error fails it with its message, as the runner does. Jobs due later (a retry, a
    report Amazon is preparing) run only with ``include_future``.

    :return: the ``queue.job`` records that ran, in order.
    """
    ran = env["queue.job"].sudo()
    for _round in range(max_rounds):
        env.flush_all()
        now = fields.Datetime.now()
        jobs = (
            env["queue.job"]
            .sudo()
            .search(
                [("state", "=", "pending"), ("channel", "=like", "root.amazon%")],
                order="priority, date_created, id",
            )
            .filtered(lambda job, now=now: include_future or not job.eta or job.eta <= now)
        )
        if not jobs:
            break
        for record in jobs:
            job = Job.load(env, record.uuid)
            try:
                with env.cr.savepoint():
                    job.set_started()
                    job.store()
                    job.perform()
                    job.set_done()
                    job.store()
                    env.flush_all()
            except RetryableJobError as error:
                job.postpone(result=str(error), seconds=error.seconds)
                job.set_pending(reset_retry=False)
                job.store()
            except Exception as error:  # pylint: disable=broad-except
                job.set_failed(
                    exc_name=type(error).__name__,
                    exc_message=str(error),
                    exc_info=traceback.format_exc(),
                )
                job.store()
            ran |= record
        env.invalidate_all()
    return ran


def import_amazon_orders(env, account):
    """Poll Amazon for the account's orders, run the import jobs; return counts as a user sees.

    :return: dict with ``created``, ``updated``, ``unchanged``, ``skipped``, ``review`` (outcomes
        of the orders' jobs), ``failed`` (failed jobs), ``queued`` and ``throttled`` (the poll).
    """
    poll = env["amazon.order.importer"]._sync_account(account)
    jobs = run_amazon_jobs(env).filtered(lambda job: job.method_name == "_amazon_job_import_order")
    outcomes = Counter(job.result if job.state == "done" else job.state for job in jobs)
    postponed_polls = (
        env["queue.job"]
        .sudo()
        .search_count(
            [
                ("method_name", "=", "_amazon_job_poll_orders"),
                ("state", "=", "pending"),
                ("eta", ">", fields.Datetime.now()),
            ]
        )
    )
    return {
        **{
            key: outcomes[key]
            for key in ("created", "updated", "unchanged", "skipped", "review", "failed")
        },
        "queued": poll["queued"],
        "throttled": poll["throttled"] or bool(postponed_polls),
        "jobs": [(job.name, job.state, job.result, job.exc_message) for job in jobs],
    }


def import_amazon_returns(env, account):
    """Run the account's returns job body, then the returns' jobs; return counts as a user sees.

    :return: dict with ``created``, ``updated``, ``review``, ``unchanged``, ``failed`` and, from
        the report's job, ``pending`` (Amazon still prepares the report) and ``throttled``.
    """
    poll = env["amazon.returns.importer"]._sync_account(account)
    jobs = run_amazon_jobs(env).filtered(lambda job: job.method_name == "_amazon_job_record_return")
    outcomes = Counter(job.result if job.state == "done" else job.state for job in jobs)
    return {
        **{key: outcomes[key] for key in ("created", "updated", "review", "failed")},
        "unchanged": outcomes["unchanged"] + poll["unchanged"],
        "pending": poll["pending"],
        "throttled": poll["throttled"],
    }


class AmazonTestCase(AmazonSandboxMixin, AmazonStockMixin, TransactionCase):
    """TransactionCase with an account on a freshly reset sandbox."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setUpAmazon()

    def setUp(self):
        super().setUp()
        self.reset_amazon()
        # The buckets outlive the test transaction: leave none to the next test or test run.
        self.addCleanup(self.reset_rate_limits)
