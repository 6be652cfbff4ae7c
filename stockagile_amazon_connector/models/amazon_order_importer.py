"""Amazon orders → sales orders: the one place that maps an Amazon order to the ERP.

The path of an order reads as a sentence: the cron (or the account's *Sync orders* button)
enqueues the account's poll job → it asks Amazon for the orders updated since the account's
cursor (searchOrders, Orders API 2026-01-01, page by page) → each order becomes a job of its own
and the cursor moves past it → each order's job imports it: a new payable order becomes a
confirmed ``sale.order`` with its partners and lines, a known one is updated (status,
cancellation). An order that fails is a failed job, visible and retryable, and never holds back
the orders after it; importing is idempotent; a throttle postpones the poll.
"""

import logging
from datetime import datetime, timedelta, timezone

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools.translate import LazyTranslate

from .. import odoo_compat
from ..services import AmazonError, InvalidRequestError, ThrottledError
from .amazon_job_mixin import PRIORITY_IMPORT

_lt = LazyTranslate(__name__)

_logger = logging.getLogger(__name__)

#: Datasets asked with every order: buyer, delivery address and tax registrations for the
#: partners, proceeds and promotions for the lines, fulfillment and cancellation for the workflow.
ORDER_DATASETS = (
    "BUYER",
    "RECIPIENT",
    "FULFILLMENT",
    "PROCEEDS",
    "PROMOTION",
    "CANCELLATION",
    "TAX",
)
#: Orders per searchOrders page (the operation's maximum: fewest calls).
PAGE_SIZE = 100
#: How far back the first import of an account looks.
FIRST_SYNC_DAYS = 7
#: Job states in which an order's update counts as handled when a page is read again.
LIVE_OR_FAILED_JOB_STATES = ("wait_dependencies", "pending", "enqueued", "started", "failed")
#: Each poll looks this far before the cursor (orders Amazon lists late are not missed).
CURSOR_OVERLAP = timedelta(minutes=5)
#: Not payable yet: Amazon may still drop them, and withholds the buyer. Imported once payable.
NOT_PAYABLE_STATUSES = ("PENDING", "PENDING_AVAILABILITY")
#: Never imported when first seen in these statuses: nothing to deliver, nothing to cancel.
SKIPPED_NEW_STATUSES = ("CANCELLED", "UNFULFILLABLE", *NOT_PAYABLE_STATUSES)
#: Every fulfillment status of the Orders API 2026-01-01; an order in another one is not imported.
KNOWN_STATUSES = (
    "PENDING",
    "PENDING_AVAILABILITY",
    "UNSHIPPED",
    "PARTIALLY_SHIPPED",
    "SHIPPED",
    "CANCELLED",
    "UNFULFILLABLE",
)


#: What Amazon's data of one order can raise when it cannot be read: the order goes to review
#: (its binding keeps the data and the reason) instead of failing its job. Database and queue
#: errors are none of these: they still retry or fail the job.
UNREADABLE = (
    UserError,
    ValueError,
    KeyError,
    TypeError,
    AttributeError,
    IndexError,
    ArithmeticError,
)


def _parse_time(value):
    """Naive UTC datetime of an ISO 8601 time of Amazon."""
    if not value:
        raise UserError(_("Amazon sent an order without lastUpdatedTime."))
    stamp = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if stamp.tzinfo:
        stamp = stamp.astimezone(timezone.utc).replace(tzinfo=None)
    return stamp.replace(microsecond=0)


class AmazonOrderImporter(models.AbstractModel):
    _name = "amazon.order.importer"
    _description = "Amazon Order Importer"

    # ------------------------------------------------------------------
    # The poll: pages, one job per order, cursor
    # ------------------------------------------------------------------

    @api.model
    def _sync_account(self, account, page_token=None, since=None):
        """Read one page of the orders Amazon updated since the cursor; enqueue one job each.

        The body of the account's poll job. The page's orders are enqueued (one job per order
        and Amazon update, so a failing order is a failed job that blocks nothing) and the
        cursor moves past them in the same transaction: a crash loses neither; an order already
        imported at that update is not enqueued again. The next page is a poll job of its own; a
        throttle enqueues the poll again for when Amazon allows it.

        :param account: one ``amazon.account``.
        :param page_token: Amazon's token of the next page of a poll under way.
        :param since: the ``lastUpdatedAfter`` of that poll (ISO string).
        :return: dict of counts: ``queued`` orders, ``throttled`` (bool), ``more`` (bool).
        """
        cursor = account.orders_last_sync or fields.Datetime.now() - timedelta(days=FIRST_SYNC_DAYS)
        # Amazon does not promise orders become searchable in lastUpdatedTime order: each poll
        # looks a little before the cursor (orders already imported at that update are skipped).
        start = (
            fields.Datetime.to_datetime(since) if since and page_token else cursor - CURSOR_OVERLAP
        )
        service = account._get_sp_api_service()
        try:
            page = service.search_orders(
                account.marketplace_ids.mapped("api_ref"),
                start,
                pagination_token=page_token or None,
                max_results=PAGE_SIZE,
                included_data=ORDER_DATASETS,
            )
        except ThrottledError as error:
            account._schedule_next_order_sync(
                delay=int(error.retry_after or 60) + 1,
                page_token=page_token,
                since=since,
            )
            return {"queued": 0, "throttled": True, "more": bool(page_token)}
        except AmazonError as error:
            if not isinstance(error, InvalidRequestError):
                with account._amazon_unit(account):
                    raise  # an outage: the job is retried with backoff
            # Refused (e.g. an expired page token): said on the account, the next poll
            # starts again from the cursor.
            account.orders_poll_error = error.message
            account._schedule_next_order_sync()
            return {"queued": 0, "throttled": False, "more": False}
        synced_until = cursor
        # What was handled already (read without a lock: each order's job decides under it).
        known = {
            binding.amazon_order_ref: binding
            for binding in self.env["amazon.order"]
            .sudo()
            .search(
                [
                    ("account_id", "=", account.id),
                    ("amazon_order_ref", "in", [data.get("orderId") for data in page.orders]),
                ]
            )
        }
        keys = {self._order_job_key(account, data) for data in page.orders}
        handled = set(
            self.env["queue.job"]
            .sudo()
            .search(
                [
                    ("identity_key", "in", list(keys)),
                    ("state", "in", LIVE_OR_FAILED_JOB_STATES),
                ]
            )
            .mapped("identity_key")
        )
        queued = 0
        for data in page.orders:
            try:
                updated_at = _parse_time(data.get("lastUpdatedTime"))
            except (UserError, ValueError):
                updated_at = None  # the order's job says what is wrong with it
            if updated_at and updated_at > synced_until:
                synced_until = updated_at
            binding = known.get(data.get("orderId"))
            if updated_at and binding and not binding._amazon_is_newer(updated_at):
                continue  # already imported at this update, or a newer one
            if self._order_job_key(account, data) in handled:
                continue  # this update has a job to come, or a failed one (Requeue); an order
                # skipped at import (not payable yet, FBA off) is looked at again
            self._enqueue_order(account, data)
            queued += 1
        values = {"orders_poll_error": False}
        if synced_until != account.orders_last_sync:
            values["orders_last_sync"] = synced_until
        account.write(values)
        if page.next_token:
            account._enqueue_order_poll(page_token=page.next_token, since=str(start))
        else:
            account._schedule_next_order_sync()
        _logger.info(
            "Amazon account %s: %s orders queued%s",
            account.id,
            queued,
            ", more pages follow" if page.next_token else "",
        )
        return {"queued": queued, "throttled": False, "more": bool(page.next_token)}

    @staticmethod
    def _order_job_kind(data):
        """What identifies the job of one update of one order."""
        return f"order:{data.get('orderId') or '?'}@{data.get('lastUpdatedTime') or ''}"

    def _order_job_key(self, account, data):
        return account._amazon_job_key(self._order_job_kind(data))

    def _enqueue_order(self, account, data):
        """Enqueue the import of one order of a page; return its ``lastUpdatedTime``.

        The job's identity is the order and its update: a page read twice adds nothing, a
        newer update of the same order is a job of its own (an older one then changes nothing).
        """
        order_ref = str(data.get("orderId") or "?")
        try:
            updated_at = _parse_time(data.get("lastUpdatedTime"))
        except (UserError, ValueError):
            updated_at = None
        account._amazon_delay(
            account,
            self._order_job_kind(data),
            priority=PRIORITY_IMPORT,
            description=_lt("Amazon: import order %(ref)s", ref=order_ref),
        )._amazon_job_import_order(data)
        return updated_at

    @api.model
    def _import_one(self, account, data, force=False):
        """Import one Amazon order in the job's transaction; return what happened.

        The order's binding (``amazon.order``) is taken first, before anything about the order
        is read: two jobs of one order (the poll's page and an ORDER_CHANGE, two updates) never
        both apply their change; the second is retried once the first committed, and then
        sees its sales order. An update older than the one the binding holds changes nothing
        (``unchanged``), so a late job never overwrites a newer state (a cancellation).

        An order whose data cannot be read (``UNREADABLE``: an amount "12,50", an unknown
        status, a marketplace the account lacks) is rolled back to the binding, which keeps
        Amazon's data and the reason for *Orders to review* (``review``): the job ends, the
        order waits for *Retry* or Amazon's next update of it instead of failing forever.

        :param force: import even an update already to review (*Retry*).
        :return: ``created``, ``updated``, ``unchanged``, ``skipped`` or ``review``.
        :raise AmazonBindingError: another job holds the order (retried by queue_job).
        """
        order_ref = data.get("orderId") if isinstance(data, dict) else None
        if not order_ref:
            raise UserError(_("Amazon sent an order without orderId."))
        binding = self._take_order_binding(account, order_ref)
        updated_at = None
        try:
            with self.env.cr.savepoint():
                updated_at = _parse_time(data.get("lastUpdatedTime"))
                outcome = self._import_under_binding(account, data, binding, updated_at, force)
        except UNREADABLE as error:
            reason = (
                str(error) if isinstance(error, UserError) else f"{type(error).__name__}: {error}"
            )
            _logger.warning(
                "Amazon account %s: order %s kept to review: %s", account.id, order_ref, reason
            )
            binding._amazon_set_to_review(data, updated_at, reason)
            return "review"
        # Earlier updates of this order whose import failed are superseded by this one.
        prefix = account._amazon_job_key(f"order:{order_ref}@")
        self.env["queue.job"].sudo().search(
            [("state", "=", "failed"), ("identity_key", "=like", f"{prefix}%")]
        ).button_done()
        return outcome

    def _import_under_binding(self, account, data, binding, updated_at, force):
        """The body of :meth:`_import_one` once the binding is held."""
        if not (force or binding._amazon_is_newer(updated_at)):
            return "unchanged"  # Amazon's newer state was applied already
        cache = {"run": {}, "created": {}}
        self._prefetch(account, [data], cache)
        outcome = self._import_order(account, data, cache)
        order = cache["run"]["orders"].get(data["orderId"]) or binding.sale_order_id
        values = {
            "sale_order_id": order.id,
            "amazon_status": (data.get("fulfillment") or {}).get("fulfillmentStatus"),
            **binding._amazon_review_values(),
        }
        if not binding.amazon_last_update or updated_at >= binding.amazon_last_update:
            values["amazon_last_update"] = updated_at
        binding.write(values)
        return outcome

    def _reimport(self, account, order_ref):
        """Ask Amazon for one order and import it now, even an update to review (*Retry*).

        :return: what :meth:`_import_one` did.
        :raise UserError: Amazon could not be asked for the order.
        """
        try:
            data = account._get_sp_api_service().get_order(order_ref, included_data=ORDER_DATASETS)
        except AmazonError as error:
            raise UserError(
                _("Amazon order %(ref)s: %(error)s", ref=order_ref, error=error.message)
            ) from error
        return self._import_one(account, data, force=True)

    def _take_order_binding(self, account, order_ref):
        """Create (if new) and lock the binding of one Amazon order; see ``amazon.order``."""
        return (
            self.env["amazon.order"]
            .sudo()
            ._amazon_take_binding({"account_id": account.id, "amazon_order_ref": order_ref})
        )

    def _prefetch(self, account, orders, cache):
        """Read the page's known orders and products in two queries."""
        refs = [data.get("orderId") for data in orders]
        known = self.env["sale.order"].search(
            [("amazon_account_id", "=", account.id), ("amazon_order_ref", "in", refs)]
        )
        cache["run"].setdefault("orders", {}).update({o.amazon_order_ref: o for o in known})
        skus = {
            (item.get("product") or {}).get("sellerSku")
            for data in orders
            for item in data.get("orderItems") or ()
        }
        cache["run"].setdefault("products", {}).update(self._products_by_sku(account, skus))

    def _products_by_sku(self, account, skus):
        """``{sku: product}`` for the SKUs that are a product's internal reference."""
        skus = [sku for sku in skus if sku]
        if not skus:
            return {}
        # One query: the references come with the ids (the import compares them at once).
        products = self.env["product.product"].search_fetch(
            [
                ("default_code", "in", skus),
                ("company_id", "in", [False, account.company_id.id]),
            ],
            ["default_code"],
            order="company_id, id",
        )
        found = {}
        for product in products:
            found.setdefault(product.default_code, product)
        return found

    # ------------------------------------------------------------------
    # One order
    # ------------------------------------------------------------------

    def _import_order(self, account, data, cache):
        """Create or update the sales order of one Amazon order dict; return what happened."""
        order_ref = data.get("orderId")
        if not order_ref:
            raise UserError(_("Amazon sent an order without orderId."))
        fulfillment = data.get("fulfillment") or {}
        status = fulfillment.get("fulfillmentStatus")
        if not status:
            raise UserError(_("Amazon sent no fulfillment status."))
        if status not in KNOWN_STATUSES:
            raise UserError(
                _(
                    "Amazon sent the unknown fulfillment status %(status)r: the order is not "
                    "imported; check it in Seller Central.",
                    status=status,
                )
            )
        order = cache["run"]["orders"].get(order_ref)
        if order:
            return self._update_order(order, data, status)
        channel = "fba" if fulfillment.get("fulfilledBy") == "AMAZON" else "fbm"
        if status in SKIPPED_NEW_STATUSES:
            return "skipped"
        if channel == "fba" and (not account.fba_import or status != "SHIPPED"):
            return "skipped"  # FBA orders are imported once Amazon has shipped them
        order = self._create_order(account, data, cache, channel, status)
        cache["run"]["orders"][order_ref] = order
        return "created"

    def _update_order(self, order, data, status):
        """Apply what changed on Amazon since the last import (status, cancellation)."""
        updated_at = _parse_time(data["lastUpdatedTime"])
        if order.amazon_last_update and updated_at <= order.amazon_last_update:
            return "unchanged"
        if status == "CANCELLED" and order.state != "cancel":
            self._cancel_order(order, data)
        elif status == "SHIPPED" and order.amazon_status != "SHIPPED":
            if order._amazon_pending_pickings():
                order._message_log(
                    body=_("Amazon reports this order shipped; its delivery here is not done.")
                )
        self.env["amazon.buyer.change"]._apply(order, data)  # a new address, a cancel request
        order.write({"amazon_status": status, "amazon_last_update": updated_at})
        return "updated"

    def _cancel_order(self, order, data):
        """Cancel the order and its deliveries; if it already left, say so on the order."""
        reasons = {
            (item.get("cancellation") or {}).get("cancellationRequest", {}).get("cancelReason")
            or (item.get("cancellation") or {}).get("cancellationExecution", {}).get("cancelReason")
            for item in data.get("orderItems") or ()
        } - {None, ""}
        reason = ", ".join(sorted(reasons)) or _("no reason given")
        shipped = order.amazon_fulfillment_channel == "fba" or order.picking_ids.filtered(
            lambda p: p.state == "done" and p.picking_type_code == "outgoing"
        )
        if shipped:
            message = _(
                "Amazon cancelled this order (%(reason)s) but it was already shipped: it is kept "
                "as it is; handle the return and refund.",
                reason=reason,
            )
            order.write({"amazon_review_needed": True, "amazon_review_message": message})
            order._message_log(body=message)
            return
        order._action_cancel()
        order._message_log(body=_("Cancelled on Amazon (%(reason)s).", reason=reason))

    def _create_order(self, account, data, cache, channel, status):
        """Create the sales order of a new payable Amazon order, and confirm it if it can."""
        company = account.company_id
        # The account's company, whoever runs the import (a cron runs as superuser in its own)
        mapper = self.env["amazon.order.mapper"].with_company(company)
        marketplace = mapper._marketplace(account, data)
        partner, invoice_partner, shipping_partner = mapper._partners(account, data, cache)
        sale_values, problems = mapper._sale_values(
            account, data, cache, marketplace, invoice_partner, shipping_partner
        )
        buyer = data.get("buyer") or {}
        purchase_date = _parse_time(data.get("createdTime") or data["lastUpdatedTime"])
        values = {
            "company_id": company.id,
            "partner_id": partner.id,
            "partner_invoice_id": invoice_partner.id,
            "partner_shipping_id": shipping_partner.id,
            "warehouse_id": account.warehouse_id.id,
            "user_id": False,
            "date_order": purchase_date,
            "origin": _("Amazon %(ref)s", ref=data["orderId"]),
            "client_order_ref": buyer.get("buyerPurchaseOrderNumber") or data["orderId"],
            "amazon_account_id": account.id,
            "amazon_order_ref": data["orderId"],
            "amazon_marketplace_id": marketplace.id,
            "amazon_purchase_date": purchase_date,
            "amazon_last_update": _parse_time(data["lastUpdatedTime"]),
            "amazon_fulfillment_channel": channel,
            "amazon_status": status,
            "amazon_buyer_ref": buyer.get("buyerPurchaseOrderNumber") or False,
            **sale_values,
        }
        order = (
            self.env["sale.order"]
            .with_company(company)
            .with_context(tracking_disable=True, mail_create_nosubscribe=True)
            .create(values)
        )
        self.with_company(company)._review(order, data, problems)
        return order

    def _review(self, order, data, problems):
        """Check the totals, then flag the order for review or confirm it."""
        total_problem = not problems and self.env["amazon.order.mapper"]._check_totals(order, data)
        problems = [*problems, total_problem] if total_problem else problems
        if problems or order.amazon_review_needed:  # a new order needs no write when all is well
            order.write(
                {
                    "amazon_review_needed": bool(problems),
                    "amazon_review_message": "\n".join(problems) or False,
                }
            )
        if problems:
            order._message_log(body="\n".join(problems))  # no sender needed (a user's retry)
            return False  # a quotation until someone reviews it
        if order.state == "draft" and order.amazon_status not in SKIPPED_NEW_STATUSES:
            self._confirm(order)
        return True

    def _confirm(self, order):
        """Confirm with the ERP's workflow; deliver what Amazon already shipped."""
        purchase_date = order.amazon_purchase_date
        order.with_context(tracking_disable=True).action_confirm()
        order.date_order = purchase_date  # confirmation sets it to now
        if order.amazon_fulfillment_channel == "fba":
            self._deliver_fba(order)
        elif order.amazon_status == "SHIPPED":
            self._deliver_pickings(order)
            order._message_log(
                body=_("Already shipped on Amazon when imported: its delivery was validated.")
            )

    def _deliver_fba(self, order):
        """Record the FBA sale as delivered from the account's Amazon stock location."""
        location = order.amazon_account_id._get_fba_location()
        customers = self.env.ref("stock.stock_location_customers")
        lines = order.order_line.filtered(lambda line: line.product_id.type == "consu")
        moves = self.env["stock.move"].create(
            [
                odoo_compat.stock_move_values(
                    {
                        "name": line.name,
                        "product_id": line.product_id.id,
                        "product_uom_qty": line.product_uom_qty,
                        "product_uom": odoo_compat.sale_line_uom(line).id,
                        "location_id": location.id,
                        "location_dest_id": customers.id,
                        "sale_line_id": line.id,
                        "partner_id": order.partner_shipping_id.id,
                        "company_id": order.company_id.id,
                        "origin": order.name,
                    }
                )
                for line in lines
            ]
        )
        moves._action_confirm()
        for move in moves:
            move.quantity = move.product_uom_qty
        moves.picked = True
        moves._action_done()

    def _deliver_pickings(self, order):
        """Validate the order's pending transfers in full (the goods already left)."""
        for picking in order._amazon_pending_pickings().sorted("id"):
            for move in picking.move_ids:
                move.quantity = move.product_uom_qty
            picking.move_ids.picked = True
            picking._action_done()

    # ------------------------------------------------------------------
    # Review
    # ------------------------------------------------------------------

    def _retry_import(self, order):
        """Map a flagged quotation again from Amazon's order, after the configuration was fixed.

        Lines, taxes, currency and pricelist are mapped anew (the partners stay); the order is
        confirmed when nothing is left to review.

        :return: True when the order needs no more review.
        :raise UserError: Amazon could not be asked for the order.
        """
        account = order.amazon_account_id
        # An import job of this order must not change it meanwhile (a button: a conflict is
        # psycopg2's error, which Odoo's request layer retries). Written, so that a job whose
        # snapshot predates this change fails on the binding and is retried.
        binding = self._take_order_binding(account, order.amazon_order_ref)
        binding.sale_order_id = order
        try:
            data = account._get_sp_api_service().get_order(
                order.amazon_order_ref, included_data=ORDER_DATASETS
            )
        except AmazonError as error:
            raise UserError(
                _(
                    "Amazon order %(ref)s: %(error)s",
                    ref=order.amazon_order_ref,
                    error=error.message,
                )
            ) from error
        skus = {
            (item.get("product") or {}).get("sellerSku") for item in data.get("orderItems") or ()
        }
        cache = {"run": {"products": self._products_by_sku(account, skus)}, "created": {}}
        mapper = self.env["amazon.order.mapper"]
        values, problems = mapper._sale_values(
            account,
            data,
            cache,
            order.amazon_marketplace_id,
            order.partner_invoice_id,
            order.partner_shipping_id,
        )
        values["order_line"] = [Command.clear(), *values.get("order_line", ())]
        order.with_context(tracking_disable=True).write(values)
        if self._review(order, data, problems):
            order._message_log(body=_("Imported again from Amazon: nothing left to review."))
            return True
        return False
