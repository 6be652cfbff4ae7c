"""The catalog sync engine: queued listing changes → jobs → the service layer → Amazon.

The path of a stock change reads as a sentence: a stock quant changes → an
``amazon.listing.change`` row is queued for the product's listings and a push job is enqueued
for each (one pending job per listing: changes coalesce) → the queue_job runner, woken by the
commit, runs :meth:`AmazonListing._amazon_job_push` → it reads the free quantity and the price
once and sends what Amazon does not hold yet with ``patchListingsItem`` → the queue rows the push
covered are deleted. Many listings at once (enabling sync on a catalogue, *Sync all*) go as one
``JSON_LISTINGS_FEED`` job per account instead.

A listing under a feed Amazon is still processing is never patched: Amazon does not order a
feed and a later patch, so the patch waits for the feed's report, which queues the listing again
when it changed meanwhile (see ``amazon.feed``).
"""

import logging
from datetime import timedelta

from odoo import _, api, fields, models

from ..services import AmazonError, AuthError, NotFoundError, ThrottledError, TransientError
from .amazon_listing import OFFER_PRODUCT_TYPE

_logger = logging.getLogger(__name__)

#: Listings enqueued at once beyond which one feed carries them (Amazon's advice for bulk
#: updates) instead of one patchListingsItem job each.
FEED_THRESHOLD = 50


class AmazonSyncEngine(models.AbstractModel):
    _name = "amazon.sync.engine"
    _description = "Amazon Catalog Sync Engine"

    # ------------------------------------------------------------------
    # Scheduling
    # ------------------------------------------------------------------

    @api.model
    def _enqueue(self, listings):
        """Enqueue the push of ``listings``: a job each, or one feed job per account for many."""
        listings = listings.sudo()
        for account in listings.account_id:
            mine = listings.filtered(lambda listing, a=account: listing.account_id == a)
            if len(mine) > FEED_THRESHOLD:
                account._enqueue_feed()
                continue
            for listing in mine:
                listing._amazon_delay(
                    account, "push", description=_("Amazon: push %(sku)s", sku=listing.sku)
                )._amazon_job_push()

    @api.model
    def _enqueue_after_commit(self, listings):
        """Enqueue the push of ``listings`` again once this transaction has committed.

        A push job that was already waiting when this transaction queued its change (so no new
        job was made) may start before the commit and not see the change: enqueuing after the
        commit makes a new job in that case (and none when one is still waiting). Only for the
        few listings of a real-time change: many go by feed.
        """
        data = self.env.cr.postcommit.data
        ids = data.setdefault("amazon_listings_to_push", set())
        if not ids:
            registry, uid = self.env.registry, self.env.uid

            def enqueue():
                if len(ids) > FEED_THRESHOLD:
                    return
                with registry.cursor() as cr:
                    env = api.Environment(cr, uid, {})
                    changed = env["amazon.listing"].sudo().browse(ids).exists()
                    env["amazon.sync.engine"]._enqueue(changed.filtered("change_ids"))

            self.env.cr.postcommit.add(enqueue)
        ids.update(listings.ids)

    @api.model
    def _cron_push_stale_changes(self):
        """Safety net: enqueue the push of changes queued more than a minute ago."""
        stale = self.env["amazon.listing.change"].search(
            [("queued_at", "<", fields.Datetime.now() - timedelta(minutes=1))]
        )
        listings = stale.listing_id.filtered(lambda listing: listing.active and not listing.feed_id)
        self._enqueue(listings)
        return listings

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
    # One listing (the body of its push job)
    # ------------------------------------------------------------------

    def _queued(self, listings):
        """Return ``{listing: (last change id, price forced)}`` of the queue.

        Several changes of one listing coalesce into one entry.
        """
        groups = (
            self.env["amazon.listing.change"]
            .sudo()
            ._read_group([("listing_id", "in", listings.ids)], ["listing_id", "kind"], ["id:max"])
        )
        queued = {}
        for listing, kind, last_id in groups:
            previous_id, forced = queued.get(listing, (0, False))
            queued[listing] = (max(previous_id, last_id), forced or kind != "stock")
        return queued

    def _push_listing(self, listing):
        """Push one listing's queued changes; return what happened (the job's result).

        Throttling and outages propagate (the job is retried, the queue stays); Amazon's refusal
        is recorded on the listing and the queue it covered is dropped (the safety-net cron
        sends it again later).
        """
        queued = self._queued(listing).get(listing)
        if not queued:
            return "nothing queued"
        if listing.feed_id:
            return "waiting for feed %s" % listing.feed_id.feed_ref
        last_change_id, force_price = queued
        account = listing.account_id
        quantity = listing._amazon_quantities()[listing.id]
        service = account._get_sp_api_service()
        with listing._amazon_unit(account):
            try:
                quantity, price = self._patch_listing(service, listing, quantity, force_price)
            except (ThrottledError, TransientError, AuthError):
                raise  # the job is retried; the queue stays
            except (AmazonError, ValueError) as error:
                # Amazon refused this listing's data, or our payload checks did (e.g. a
                # negative price): the listing's own problem, recorded on it.
                state = "not_found" if isinstance(error, NotFoundError) else "error"
                if isinstance(error, AmazonError):
                    listing._mark_failed(error.message, state=state, amazon_text=error.message)
                else:
                    listing._mark_failed(str(error), state=state)
                self._dequeue(listing, last_change_id)
                return state
        listing._mark_synced(quantity, price)
        self._dequeue(listing, last_change_id)
        if account.sync_error:
            account.sync_error = False
        return "synced"

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

    def _dequeue(self, listings, last_change_id=None):
        """Delete the queued changes a push covered (those queued later stay)."""
        domain = [("listing_id", "in", listings.ids)]
        if last_change_id:
            domain.append(("id", "<=", last_change_id))
        self.env["amazon.listing.change"].sudo().search(domain).unlink()
        listings.invalidate_recordset(["change_ids", "has_pending_changes"])

    # ------------------------------------------------------------------
    # Many listings (the body of an account's feed job)
    # ------------------------------------------------------------------

    def _push_feed(self, account):
        """Send the account's queued listings as feeds; their queued changes are covered.

        The listings are read when the job runs (one feed job per account: what was queued
        meanwhile joins it), locked in id order, and those another feed already carries are
        left to that feed's report.
        """
        queued = self.env["amazon.listing.change"].sudo().search([("account_id", "=", account.id)])
        listings = queued.listing_id.filtered("active")
        if not listings:
            return "nothing to send"
        listings._amazon_lock(wait=True)
        listings = listings.filtered(lambda listing: not listing.feed_id)
        if not listings:
            return "every listing is under a feed already"
        queued = self._queued(listings)
        service = account._get_sp_api_service()
        with account._amazon_unit(account):
            feeds = self.env["amazon.feed"]._submit_listings(account, service, listings)
        covered = {
            listing.id: last_change_id
            for listing, (last_change_id, _forced) in queued.items()
            if listing.feed_id or listing.state == "error"
        }
        self._dequeue_many(covered)
        return "feeds %s" % ", ".join(feeds.mapped("feed_ref"))

    def _dequeue_many(self, last_change_ids):
        """Delete, for many listings at once, the queued changes a push covered.

        :param last_change_ids: ``{listing id: last change id the push covered}``.
        """
        if not last_change_ids:
            return
        changes = (
            self.env["amazon.listing.change"]
            .sudo()
            .search_fetch([("listing_id", "in", list(last_change_ids))], ["listing_id"])
        )
        changes.filtered(lambda change: change.id <= last_change_ids[change.listing_id.id]).unlink()
        self.env["amazon.listing"].browse(list(last_change_ids)).invalidate_recordset(
            ["change_ids", "has_pending_changes"]
        )

    # ------------------------------------------------------------------
    # Feedback
    # ------------------------------------------------------------------

    def _queued_notification(self, listings):
        """Tell the user who pressed a button what was queued and where to follow it."""
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("Amazon sync"),
                "message": _(
                    "%(count)s listings queued for Amazon; their state updates as soon as Amazon "
                    "has answered (Sales > Amazon > Listings).",
                    count=len(listings),
                ),
                "type": "success",
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }
