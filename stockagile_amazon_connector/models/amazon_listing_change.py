from odoo import fields, models

CHANGE_KINDS = [
    ("stock", "Stock"),
    ("price", "Price"),
    ("all", "Stock and price"),
]


class AmazonListingChange(models.Model):
    """A change of a listing waiting to be pushed to Amazon: the sync engine's queue.

    Rows are only ever inserted by stock and price changes and deleted by the engine once the
    push that covers them succeeded, so a user validating a picking never waits on the engine and
    a change made while a push is under way is never lost (it has a higher id than the push saw).
    Several changes of one listing coalesce into one push of the latest values; a change is
    queued per offer (listing in one marketplace), each offer's push or feed covering its own.
    """

    _name = "amazon.listing.change"
    _description = "Amazon Listing Change (queue)"
    _order = "id"
    _log_access = False

    listing_id = fields.Many2one("amazon.listing", required=True, ondelete="cascade", index=True)
    offer_id = fields.Many2one(
        "amazon.offer",
        ondelete="cascade",
        index=True,
        help="The offer (listing in one marketplace) to push; its marketplace's feed covers it.",
    )
    marketplace_id = fields.Many2one(related="offer_id.marketplace_id", store=True)
    account_id = fields.Many2one(related="listing_id.account_id", store=True, index=True)
    kind = fields.Selection(CHANGE_KINDS, required=True, default="stock")
    queued_at = fields.Datetime(default=fields.Datetime.now, required=True)
