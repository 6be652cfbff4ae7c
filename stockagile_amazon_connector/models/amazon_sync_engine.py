"""The catalog sync engine: queued offer changes → jobs → the service layer → Amazon.

The path of a stock change reads as a sentence: a stock quant changes → an
``amazon.listing.change`` row is queued for each offer of the product's listings (an offer is a
listing in one marketplace) and a push job is enqueued for each (one pending job per offer:
changes coalesce) → the queue_job runner, woken by the commit, runs
:meth:`AmazonOffer._amazon_job_push` → it takes the offer's row, reads the free quantity and the
marketplace's price once and sends what Amazon does not hold yet with ``patchListingsItem`` for
that marketplace → the queue rows the push covered are deleted. Many offers at once (enabling
sync on a catalogue, *Sync all*) go as one ``JSON_LISTINGS_FEED`` job per marketplace instead,
each in a transaction of its own.

Real time never waits for a feed: an offer under a feed Amazon is still processing is patched
at once. Amazon does not order a feed and a later patch, so when the feed's report arrives an
offer patched after the feed was built is pushed again (see ``amazon.feed``).
"""

import logging
from datetime import timedelta

from odoo import _, api, fields, models

from ..services import AmazonError, AuthError, NotFoundError, ThrottledError, TransientError
from .amazon_listing import OFFER_PRODUCT_TYPE

_logger = logging.getLogger(__name__)

#: Offers of one marketplace enqueued at once beyond which one feed carries them (Amazon's
#: advice for bulk updates) instead of one patchListingsItem job each.
FEED_THRESHOLD = 50
#: Minutes after which a feed job that has not run (pending past its time, or started and
#: never finished) no longer covers its marketplace's queued offers: pacing holds a feed job a
#: few minutes at most (createFeed: one call per two minutes after a burst).
FEED_JOB_STUCK_MINUTES = 10


class AmazonSyncEngine(models.AbstractModel):
    _name = "amazon.sync.engine"
    _description = "Amazon Catalog Sync Engine"

    # ------------------------------------------------------------------
    # Scheduling
    # ------------------------------------------------------------------

    @api.model
    def _as_offers(self, records):
        """Offers of ``records`` (offers, or listings: all their offers)."""
        if records._name == "amazon.listing":
            return records.sudo()._amazon_offers()
        return records.sudo()

    @api.model
    def _enqueue(self, records):
        """Enqueue the push of offers: a job each, or one feed job per marketplace for many.

        :param records: ``amazon.offer`` (or ``amazon.listing``: all their offers).
        """
        offers = self._as_offers(records)
        groups = {}
        for offer in offers:
            groups.setdefault((offer.account_id, offer.marketplace_id), []).append(offer.id)
        for (account, marketplace), ids in groups.items():
            if len(ids) > FEED_THRESHOLD:
                account._enqueue_feed(marketplace)
            else:
                offers.browse(ids)._amazon_enqueue_push()

    @api.model
    def _enqueue_after_commit(self, records):
        """Enqueue the push of these offers again once this transaction has committed.

        A push job that was already waiting when this transaction queued its change (so no new
        job was made) may start before the commit and not see the change: enqueuing after the
        commit makes a new job in that case (and none when one is still waiting). Only for the
        few offers of a real-time change: many go by feed.
        """
        offers = self._as_offers(records)
        data = self.env.cr.postcommit.data
        ids = data.setdefault("amazon_offers_to_push", set())
        if not ids:
            registry, uid = self.env.registry, self.env.uid

            def enqueue():
                if len(ids) > FEED_THRESHOLD:
                    return
                with registry.cursor() as cr:
                    env = api.Environment(cr, uid, {})
                    changed = env["amazon.offer"].sudo().browse(ids).exists()
                    pending = (
                        env["amazon.listing.change"]
                        .sudo()
                        .search([("offer_id", "in", changed.ids)])
                    )
                    env["amazon.sync.engine"]._enqueue(pending.offer_id)

            self.env.cr.postcommit.add(enqueue)
        ids.update(offers.ids)

    @api.model
    def _without_feed_job(self, offers):
        """``offers`` but those whose marketplace's feed job is waiting or running.

        That job sends them (its changes are read when it runs), in the feed of the *Sync all*
        that queued them: pushing them one by one instead would leave it nothing to send. A
        feed job that failed, or is stuck ``FEED_JOB_STUCK_MINUTES`` past its time, covers
        nothing.
        """
        if not offers:
            return offers
        account = self.env["amazon.account"]
        keys = {
            offer: account.browse(offer.account_id.id)._amazon_job_key(
                f"feed:{offer.marketplace_id.id}"
            )
            for offer in offers
        }
        self.env["queue.job"].flush_model()
        self.env.cr.execute(
            """
            SELECT identity_key FROM queue_job
             WHERE identity_key IN %s
               AND state IN ('pending', 'enqueued', 'started')
               AND GREATEST(COALESCE(eta, date_created), date_enqueued, date_started)
                   > (now() AT TIME ZONE 'UTC') - make_interval(mins => %s)
            """,
            [tuple(set(keys.values())), FEED_JOB_STUCK_MINUTES],
        )
        live = {row[0] for row in self.env.cr.fetchall()}
        return offers.filtered(lambda offer: keys[offer] not in live)

    @api.model
    def _cron_push_stale_changes(self):
        """Safety net: enqueue the push of changes queued more than a minute ago.

        Not those a feed job of their marketplace will send (it may be waiting for Amazon's
        pace of createFeed, minutes): see :meth:`_without_feed_job`.
        """
        stale = self.env["amazon.listing.change"].search(
            [("queued_at", "<", fields.Datetime.now() - timedelta(minutes=1))]
        )
        offers = self._without_feed_job(stale.offer_id.filtered("active"))
        legacy = stale.filtered(lambda change: not change.offer_id).listing_id.filtered("active")
        if legacy:  # queued by 1.0: one change per listing
            legacy._queue_changes(kind="all")
        self._enqueue(offers)
        return offers

    @api.model
    def _cron_retry_failed(self):
        """Safety net: queue again whatever offer is still pending, in error or not on Amazon."""
        offers = self.env["amazon.offer"].search(
            [
                ("state", "in", ("pending", "error", "not_found")),
                ("active", "=", True),
                ("feed_id", "=", False),
            ]
        )
        queued = self.env["amazon.listing.change"].search([("offer_id", "in", offers.ids)])
        offers -= queued.offer_id
        offers.listing_id._queue_changes(kind="all", offers=offers)
        self.env["amazon.offer.withdrawal"]._cron_retry_failed()
        return offers

    # ------------------------------------------------------------------
    # One offer (the body of its push job)
    # ------------------------------------------------------------------

    def _queued(self, offers):
        """Return ``{offer: (last change id, price forced)}`` of the queue.

        Several changes of one offer coalesce into one entry.
        """
        groups = (
            self.env["amazon.listing.change"]
            .sudo()
            ._read_group([("offer_id", "in", offers.ids)], ["offer_id", "kind"], ["id:max"])
        )
        queued = {}
        for offer, kind, last_id in groups:
            previous_id, forced = queued.get(offer, (0, False))
            queued[offer] = (max(previous_id, last_id), forced or kind != "stock")
        return queued

    def _push_offer(self, offer):
        """Push one offer's queued changes; return what happened (the job's result).

        Runs even while a feed carrying the offer is processed by Amazon: that feed's report
        pushes the offer again (see ``amazon.feed``). Throttling and outages propagate (the job
        is retried, the queue stays); Amazon's refusal is recorded on the offer and the queue
        it covered is dropped (the safety-net cron sends it again later).
        """
        queued = self._queued(offer).get(offer)
        if not queued:
            return "nothing queued"
        last_change_id, force = queued
        account = offer.account_id
        listing = offer.listing_id
        quantity = listing._amazon_quantities()[listing.id] if account.sync_stock else None
        price = listing._amazon_price(offer.marketplace_id) if account.sync_price else None
        service = account._get_sp_api_service()
        with offer._amazon_unit(account):
            try:
                sent = self._patch_offer(service, offer, quantity, price, force)
            except (ThrottledError, TransientError, AuthError):
                raise  # the job is retried; the queue stays
            except (AmazonError, ValueError) as error:
                # Amazon refused this offer's data, or our payload checks did (e.g. a
                # negative price): the offer's own problem, recorded on it.
                state = "not_found" if isinstance(error, NotFoundError) else "error"
                if isinstance(error, AmazonError):
                    offer._mark_failed(error.message, state=state, amazon_text=error.message)
                else:
                    offer._mark_failed(str(error), state=state)
                self._dequeue(offer, last_change_id)
                return state
        offer._mark_synced(quantity, price, patched=sent)
        self._dequeue(offer, last_change_id)
        if account.sync_error:
            account.sync_error = False
        return "synced" if sent else "unchanged"

    def _patch_offer(self, service, offer, quantity, price, force):
        """Send what changed of one offer to its marketplace; return whether a call was made."""
        stale = force or offer.state != "synced"
        send_quantity = quantity is not None and (stale or quantity != offer.last_quantity_sent)
        send_price = price is not None and (stale or price != offer.last_price_sent)
        if not (send_price or send_quantity):
            return False  # coalesced: Amazon already holds these values
        patches = offer.listing_id._amazon_patches(
            offer.marketplace_id,
            quantity if send_quantity else None,
            price if send_price else None,
        )
        service.patch_listing(offer.sku, offer.marketplace_id.api_ref, OFFER_PRODUCT_TYPE, patches)
        return True

    def _dequeue(self, records, last_change_id=None):
        """Delete the queued changes a push covered (those queued later stay).

        :param records: offers, or listings (every change of theirs).
        """
        field = "offer_id" if records._name == "amazon.offer" else "listing_id"
        domain = [(field, "in", records.ids)]
        if last_change_id:
            domain.append(("id", "<=", last_change_id))
        changes = self.env["amazon.listing.change"].sudo().search(domain)
        listings = changes.listing_id
        changes.unlink()
        listings.invalidate_recordset(["change_ids", "has_pending_changes"])

    # ------------------------------------------------------------------
    # Many offers of one marketplace (the body of its feed job)
    # ------------------------------------------------------------------

    def _push_feed(self, account, marketplace):
        """Send the account's queued offers of ``marketplace`` as feeds.

        The offers are read when the job runs (one feed job per marketplace: what was queued
        meanwhile joins it), taken in id order. An offer another feed still carries is carried
        by this one: the older feed's report no longer applies to it (it is not its feed).
        """
        queued = (
            self.env["amazon.listing.change"]
            .sudo()
            .search([("account_id", "=", account.id), ("marketplace_id", "=", marketplace.id)])
        )
        offers = queued.offer_id.filtered("active")
        if not offers:
            return "nothing to send"
        offers = offers._amazon_take()
        queued = self._queued(offers)
        service = account._get_sp_api_service()
        with account._amazon_unit(account):
            feeds = self.env["amazon.feed"]._submit_offers(account, service, marketplace, offers)
        covered = {
            offer.id: last_change_id
            for offer, (last_change_id, _forced) in queued.items()
            if offer.feed_id in feeds or offer.state == "error"
        }
        self._dequeue_many(covered)
        # A feed Amazon throttled is created later by a job of its own: named by its document.
        return "feeds %s" % ", ".join(
            feed.feed_ref or f"{feed.document_ref} (to create)" for feed in feeds
        )

    def _dequeue_many(self, last_change_ids):
        """Delete, for many offers at once, the queued changes a push covered.

        :param last_change_ids: ``{offer id: last change id the push covered}``.
        """
        if not last_change_ids:
            return
        changes = (
            self.env["amazon.listing.change"]
            .sudo()
            .search_fetch([("offer_id", "in", list(last_change_ids))], ["offer_id", "listing_id"])
        )
        changes = changes.filtered(lambda change: change.id <= last_change_ids[change.offer_id.id])
        listings = changes.listing_id
        changes.unlink()
        listings.invalidate_recordset(["change_ids", "has_pending_changes"])

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
                    "One listing queued for Amazon; its state updates as soon as Amazon has "
                    "answered (Sales > Amazon > Listings)."
                )
                if len(listings) == 1
                else _(
                    "%(count)s listings queued for Amazon; their state updates as soon as Amazon "
                    "has answered (Sales > Amazon > Listings).",
                    count=len(listings),
                ),
                "type": "success",
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }
