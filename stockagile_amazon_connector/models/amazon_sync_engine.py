"""The catalog sync engine: queued listing changes → the service layer → Amazon.

The path of a stock change reads as a sentence: a stock quant changes → ``amazon.listing.change``
rows are queued for the product's listings → after the commit a cron trigger wakes this engine →
it coalesces the queue per listing, computes the quantity and price once, and pushes them with
``patchListingsItem`` (a few listings) or a ``JSON_LISTINGS_FEED`` (many) → the queue rows the
push covered are deleted. Amazon's errors are recorded on the listing; throttling and outages leave
the queue as it is and wake the engine again later.
"""

import logging
import time
from datetime import timedelta

from odoo import _, api, fields, models

from ..services import (
    AmazonError,
    AuthError,
    NotFoundError,
    ThrottledError,
    TransientError,
)
from ..services.const import MAX_MESSAGES_PER_LISTINGS_FEED
from .amazon_listing import OFFER_PRODUCT_TYPE
from .cron_budget import RunBudget

_logger = logging.getLogger(__name__)

#: Listings pushed one by one with patchListingsItem up to this many per account and run;
#: beyond, a JSON_LISTINGS_FEED carries them (Amazon's advice for bulk updates).
FEED_THRESHOLD = 50
#: Listings an engine run reads from the queue per account (the cron runs again for the rest):
#: as many as one feed holds.
BATCH_SIZE = MAX_MESSAGES_PER_LISTINGS_FEED
#: Seconds a cron run may spend waiting for the rate limiter before leaving the rest for later
#: (within the run's :class:`RunBudget`).
MAX_PACING_SECONDS = 20.0
#: Seconds to wait before retrying after an outage, doubled per consecutive failure run.
OUTAGE_BACKOFF = 30


class AmazonSyncEngine(models.AbstractModel):
    _name = "amazon.sync.engine"
    _description = "Amazon Catalog Sync Engine"

    # ------------------------------------------------------------------
    # Scheduling
    # ------------------------------------------------------------------

    @api.model
    def _wake_up(self, delay=0):
        """Run the push cron after this transaction commits (once per transaction)."""
        key = ("amazon_sync_engine_wake_up", delay)
        if self.env.cr.precommit.data.get(key):
            return
        self.env.cr.precommit.data[key] = True
        at = fields.Datetime.now() + timedelta(seconds=delay)
        self.env.ref("stockagile_amazon_connector.ir_cron_amazon_push_listings").sudo()._trigger(at)

    # ------------------------------------------------------------------
    # Entry points
    # ------------------------------------------------------------------

    @api.model
    def _cron_push_changes(self, auto_commit=True):
        """Push the queued changes of every active account (the real-time stock sync)."""
        budget = RunBudget.for_run(auto_commit)
        remaining = 0
        for account in self.env["amazon.account"].search([]):
            remaining += self._push_account(account, auto_commit=auto_commit, budget=budget)[1]
        if remaining:
            self._wake_up()  # more queued than this run did: a new run, on a fresh clock

    @api.model
    def _push_now(self, listings):
        """Push ``listings`` within the user's request and return a notification of the outcome."""
        for account in listings.account_id:
            self._push_account(account, listings=listings, auto_commit=False)
        return self._outcome_notification(listings)

    @api.model
    def _cron_retry_failed(self):
        """Safety net: queue again whatever is still pending, in error or not on Amazon."""
        listings = self.env["amazon.listing"].search(
            [
                ("state", "in", ("pending", "error", "not_found")),
                ("change_ids", "=", False),
                ("feed_id", "=", False),
            ]
        )
        listings._queue_changes(kind="all")
        return listings

    # ------------------------------------------------------------------
    # One account
    # ------------------------------------------------------------------

    def _queued(self, account, listings=None):
        """Return ``{listing: (last change id, price forced)}`` of the queue, oldest first.

        Several changes of one listing coalesce into one entry.
        """
        domain = [("account_id", "=", account.id)]
        if listings is not None:
            domain.append(("listing_id", "in", listings.ids))
        groups = self.env["amazon.listing.change"]._read_group(
            domain, ["listing_id", "kind"], ["id:max"], order="id:max"
        )
        queued = {}
        for listing, kind, last_id in groups:
            previous_id, forced = queued.get(listing, (0, False))
            queued[listing] = (max(previous_id, last_id), forced or kind != "stock")
        return dict(list(queued.items())[:BATCH_SIZE])

    def _push_account(self, account, listings=None, auto_commit=True, budget=None):
        """Push the account's queued changes.

        :param budget: :class:`RunBudget` of the cron run (unlimited when None).
        :return: (listings handled, queued changes left to push at once)
        """
        budget = budget or RunBudget(None)
        queued = self._queued(account, listings)
        if not queued:
            return 0, 0
        service = account._get_sp_api_service()
        batch = self.env["amazon.listing"].union(*queued)
        if len(batch) > FEED_THRESHOLD:
            done = self._push_by_feed(account, service, batch, queued, auto_commit)
        else:
            done = self._push_by_patch(account, service, batch, queued, auto_commit, budget)
        if done < len(batch):
            return done, 0  # stopped by throttling, an outage or time: the engine was woken
        if account.sync_error:
            account.sync_error = False
        if listings is not None:
            return done, 0
        left = self.env["amazon.listing.change"].search_count([("account_id", "=", account.id)])
        return done, left

    def _push_by_patch(self, account, service, batch, queued, auto_commit, budget):
        """Push listings one by one with patchListingsItem; return how many were handled.

        In a cron (``auto_commit``), short waits asked by the rate limiter are spent here, after
        a commit, so that a burst drains at Amazon's pace instead of waiting for the next run;
        when the run's time is spent, the rest goes to a new run.
        """
        quantities = batch._amazon_quantities()
        pacing_budget = MAX_PACING_SECONDS if auto_commit else 0.0
        handled = 0
        for listing in batch:
            if budget.spent():
                self._wake_up()
                break
            last_change_id, force_price = queued[listing]
            try:
                quantity, price, waited = self._patch_paced(
                    service,
                    listing,
                    quantities[listing.id],
                    force_price,
                    min(pacing_budget, budget.left()),
                )
            except AmazonError as error:
                if not self._record_failure(account, listing, last_change_id, error):
                    break
            else:
                pacing_budget -= waited
                listing._mark_synced(quantity, price)
                self._dequeue(listing, last_change_id)
            handled += 1
            if auto_commit:
                # One listing, one outcome: commit it on its own.
                self.env.cr.commit()  # pylint: disable=invalid-commit
        return handled

    def _patch_paced(self, service, listing, quantity, force_price, budget):
        """Patch one listing, waiting out throttling and short outages within ``budget`` seconds.

        Throttling waits what the limiter (or Amazon's rate header) asks; an outage (5xx, timeout,
        malformed answer, expired token) waits 1, 2, 4… seconds. Past the budget the error is
        raised and the queue waits for a later run.

        :return: (quantity sent, price sent, seconds waited)
        :raise AmazonError: the call failed and waiting more would exceed the budget.
        """
        waited, backoff = 0.0, 1.0
        while True:
            try:
                return (*self._patch_listing(service, listing, quantity, force_price), waited)
            except ThrottledError as error:
                wait, failure = error.retry_after or 1.0, error
            except TransientError as error:
                wait, backoff, failure = backoff, backoff * 2, error
            if waited + wait > budget:
                raise failure
            # Never sleep inside a transaction: what was done so far is committed.
            self.env.cr.commit()  # pylint: disable=invalid-commit
            time.sleep(wait)
            waited += wait

    def _patch_listing(self, service, listing, quantity, force_price):
        """Send what changed of one listing to each marketplace; return (quantity, price) sent."""
        account = listing.account_id
        price = None
        for marketplace in account.marketplace_ids:
            price = listing._amazon_price(marketplace) if account.sync_price else None
            send_price = price is not None and (
                force_price or listing.state != "synced" or price != listing.last_price_sent
            )
            send_quantity = account.sync_stock and (
                force_price or listing.state != "synced" or quantity != listing.last_quantity_sent
            )
            if not (send_price or send_quantity):
                continue  # coalesced: Amazon already holds these values
            patches = listing._amazon_patches(
                marketplace, quantity if send_quantity else None, price if send_price else None
            )
            service.patch_listing(listing.sku, marketplace.api_ref, OFFER_PRODUCT_TYPE, patches)
        return (quantity if account.sync_stock else None), price

    def _record_failure(self, account, listing, last_change_id, error):
        """Record an Amazon error on the listing; return False when the account must stop now.

        Throttling and outages keep the queue (nothing is lost) and wake the engine later; an
        unknown SKU or a refused payload is the listing's own problem: recorded, dequeued, and
        retried by the safety-net cron.
        """
        if isinstance(error, ThrottledError):
            self._wake_up(delay=int(error.retry_after or 1) + 1)
            return False
        if isinstance(error, TransientError | AuthError):
            listing._mark_failed(error.message)
            account._set_sync_error(error.message)
            self._wake_up(delay=OUTAGE_BACKOFF)
            return False
        state = "not_found" if isinstance(error, NotFoundError) else "error"
        listing._mark_failed(error.message, state=state)
        self._dequeue(listing, last_change_id)
        return True

    def _dequeue(self, listings, last_change_id=None):
        """Delete the queued changes a push covered (those queued later stay)."""
        query = "DELETE FROM amazon_listing_change WHERE listing_id IN %s"
        params = [tuple(listings.ids)]
        if last_change_id:
            query += " AND id <= %s"
            params.append(last_change_id)
        self.env.cr.execute(query, params)
        self.env["amazon.listing.change"].invalidate_model()
        listings.invalidate_recordset(["change_ids", "has_pending_changes"])

    # ------------------------------------------------------------------
    # Feeds
    # ------------------------------------------------------------------

    def _push_by_feed(self, account, service, batch, queued, auto_commit):
        """Send the batch as one JSON_LISTINGS_FEED per marketplace; return how many were sent."""
        try:
            self.env["amazon.feed"]._submit_listings(account, service, batch)
        except AmazonError as error:
            if isinstance(error, ThrottledError):
                self._wake_up(delay=int(error.retry_after or 1) + 1)
            else:
                account._set_sync_error(error.message)
                batch._mark_failed(error.message)
                self._wake_up(delay=OUTAGE_BACKOFF)
            return 0
        for listing in batch:
            self._dequeue(listing, queued[listing][0])
        if auto_commit:
            # The feed is on Amazon's side now: commit it on its own.
            self.env.cr.commit()  # pylint: disable=invalid-commit
        return len(batch)

    # ------------------------------------------------------------------
    # Feedback
    # ------------------------------------------------------------------

    def _outcome_notification(self, listings):
        """Summarise listing states for the user who pressed a button."""
        counts = {state: 0 for state in ("synced", "pending", "error", "not_found")}
        for listing in listings:
            counts[listing.state] += 1
        problems = listings.filtered(lambda listing: listing.state in ("error", "not_found"))
        message = _(
            "%(synced)s synced, %(pending)s pending, %(error)s in error, "
            "%(not_found)s not on Amazon.",
            **counts,
        )
        if problems:
            message += "\n" + "\n".join(
                f"{listing.sku}: {listing.last_error}" for listing in problems[:10]
            )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("Amazon sync"),
                "message": message,
                "type": "warning" if problems else "success",
                "sticky": bool(problems),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }
