"""1.1.0: listings get one offer per marketplace of their account (``amazon.offer``).

Each existing listing gets an offer in every marketplace of its account, holding the listing's
last sent quantity and price and its state (1.0 pushed the same values to every marketplace).
A feed Amazon is still processing keeps being followed: its offers point at it and its
``message_map`` names offers instead of listings, so its report is applied when it arrives.
Queued changes become changes of each offer of their listing. Runs once, in SQL (a catalogue
may hold tens of thousands of listings); idempotent thanks to ``ON CONFLICT DO NOTHING``.
"""

import json
import logging

_logger = logging.getLogger(__name__)


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """
        INSERT INTO amazon_offer (listing_id, marketplace_id, account_id, company_id, active,
                                  state, last_quantity_sent, last_price_sent, last_sync_date,
                                  last_error, last_error_details, feed_id,
                                  create_date, write_date, create_uid, write_uid)
        SELECT listing.id, rel.amazon_marketplace_id, listing.account_id, listing.company_id,
               listing.active, listing.state, listing.last_quantity_sent,
               listing.last_price_sent, listing.last_sync_date, listing.last_error,
               listing.last_error_details,
               CASE WHEN feed.marketplace_id = rel.amazon_marketplace_id
                         AND feed.state = 'submitted' THEN feed.id END,
               now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC', 1, 1
          FROM amazon_listing listing
          JOIN amazon_account_amazon_marketplace_rel rel
            ON rel.amazon_account_id = listing.account_id
          LEFT JOIN amazon_feed feed ON feed.id = listing.feed_id
        ON CONFLICT (listing_id, marketplace_id) DO NOTHING
        """
    )
    _logger.info("Amazon: %s offers created from listings", cr.rowcount)
    # Feeds in flight: their message map names offers from now on.
    cr.execute("SELECT id, marketplace_id, message_map FROM amazon_feed WHERE state = 'submitted'")
    for feed_id, marketplace_id, message_map in cr.fetchall():
        if isinstance(message_map, str):
            message_map = json.loads(message_map)
        listing_ids = [row[0] for row in (message_map or {}).values()]
        if not listing_ids:
            continue
        cr.execute(
            "SELECT listing_id, id FROM amazon_offer WHERE marketplace_id = %s "
            "AND listing_id IN %s",
            [marketplace_id, tuple(listing_ids)],
        )
        offers = dict(cr.fetchall())
        new_map = {
            number: [offers[row[0]], *row[1:]]
            for number, row in message_map.items()
            if row[0] in offers
        }
        cr.execute(
            "UPDATE amazon_feed SET message_map = %s WHERE id = %s",
            [json.dumps(new_map), feed_id],
        )
    cr.execute("UPDATE amazon_listing SET feed_id = NULL WHERE feed_id IS NOT NULL")
    # Queued changes of a listing: one per offer of it.
    cr.execute(
        """
        INSERT INTO amazon_listing_change (listing_id, offer_id, marketplace_id, account_id,
                                           kind, queued_at)
        SELECT change.listing_id, offer.id, offer.marketplace_id, change.account_id,
               change.kind, change.queued_at
          FROM amazon_listing_change change
          JOIN amazon_offer offer ON offer.listing_id = change.listing_id
         WHERE change.offer_id IS NULL
        """
    )
    cr.execute("DELETE FROM amazon_listing_change WHERE offer_id IS NULL")
