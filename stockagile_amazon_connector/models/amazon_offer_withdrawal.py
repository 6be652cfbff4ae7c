"""Withdrawals: a seller SKU that left sync is set to 0 in every marketplace of its account.

A product whose internal reference changes, whose *Sync with Amazon* is unticked, that is
archived, deleted or moved to another company leaves Amazon holding its old SKU at the last
quantity sent: Amazon keeps selling stock Odoo no longer offers under that SKU. So does a
marketplace removed from an account (its offers there) and an archived account (all of its
offers). Its offers
cannot say so any more (a new reference is the same offer under a new SKU; a deleted product
has no offer left), so each old SKU gets a row of its own per marketplace, the binding
``(account, marketplace, SKU)``: its job takes the row first, then sets Amazon's quantity of the
SKU there to 0 (a ``patchListingsItem``), and the row keeps the outcome (done, Amazon's refusal
with *Retry*).

Withdrawing waits for no feed: a feed in flight may still carry the old SKU's quantity, so the
feed's report sends the withdrawals done after the feed was built again (Amazon does not order a
feed and a patch).
"""

import logging

from odoo import api, fields, models
from odoo.tools import SQL
from odoo.tools.translate import LazyTranslate

from .. import odoo_compat
from ..services import (
    AmazonError,
    AuthError,
    NotFoundError,
    ThrottledError,
    TransientError,
    payloads,
)
from .amazon_listing import OFFER_PRODUCT_TYPE

_lt = LazyTranslate(__name__)

_logger = logging.getLogger(__name__)

WITHDRAWAL_STATES = [
    ("pending", "Pending"),
    ("done", "Withdrawn"),
    ("error", "Error"),
    ("cancelled", "Synced again"),
]

WITHDRAWAL_REASONS = [
    ("sku_changed", "Internal reference changed"),
    ("sync_off", "Sync with Amazon unticked"),
    ("archived", "Product archived"),
    ("deleted", "Product deleted"),
    ("company_changed", "Product moved to another company"),
    ("marketplace_removed", "Marketplace removed from the account"),
    ("account_archived", "Amazon account archived"),
]


@odoo_compat.sql_constraints(
    (
        "account_marketplace_sku_unique",
        "UNIQUE(account_id, marketplace_id, sku)",
        "A seller SKU is withdrawn once per marketplace of an account.",
    ),
)
class AmazonOfferWithdrawal(models.Model):
    """An old seller SKU to set to 0 in one marketplace of an account (see the module)."""

    _name = "amazon.offer.withdrawal"
    _inherit = ["amazon.job.mixin", "amazon.binding.mixin"]
    _description = "Amazon Offer Withdrawal (old SKU set to 0 in one marketplace)"
    _order = "id desc"
    _rec_name = "sku"
    _amazon_binding_key = ("account_id", "marketplace_id", "sku")

    account_id = fields.Many2one(
        "amazon.account", required=True, readonly=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="account_id.company_id", store=True, index=True)
    marketplace_id = fields.Many2one(
        "amazon.marketplace", required=True, readonly=True, ondelete="cascade"
    )
    sku = fields.Char(string="SKU", required=True, readonly=True)
    product_id = fields.Many2one(
        "product.product",
        readonly=True,
        ondelete="set null",
        help="The product that sold under this SKU (empty once deleted).",
    )
    reason = fields.Selection(WITHDRAWAL_REASONS, readonly=True)
    state = fields.Selection(
        WITHDRAWAL_STATES,
        default="pending",
        required=True,
        readonly=True,
        index=True,
        help="Pending: Amazon still shows the last quantity sent; it is set to 0 within "
        "seconds.\nWithdrawn: Amazon holds 0 for this SKU in this marketplace.\n"
        "Error: Amazon refused; see the error. It is retried automatically.\n"
        "Synced again: a product syncs this SKU again, so its offer decides the quantity.",
    )
    requested_date = fields.Datetime(string="Requested", readonly=True)
    done_date = fields.Datetime(string="Withdrawn on", readonly=True)
    last_error = fields.Text(readonly=True)

    # ------------------------------------------------------------------
    # Requests (from products leaving sync)
    # ------------------------------------------------------------------

    @api.model
    def _amazon_withdraw(self, listings, reason, marketplaces=None):
        """Set the SKUs of ``listings`` (as they are now) to 0 in every marketplace of their
        accounts: a pending row each (a done one is pending again), a job each.

        ``INSERT … ON CONFLICT DO UPDATE``: a withdrawal of the SKU asked again (sync ticked and
        unticked twice) is the same row, sent again.

        :param marketplaces: only these marketplaces (a marketplace removed from the account).
        """
        # An archived account's offers were withdrawn when it was archived: nothing is sent
        # for it any more.
        listings = listings.sudo().filtered(
            lambda listing: listing.sku
            and (listing.account_id.active or reason == "account_archived")
        )
        rows = {
            (listing.account_id.id, marketplace.id, listing.sku): listing.product_id.id
            for listing in listings
            for marketplace in (
                listing.account_id.marketplace_ids if marketplaces is None else marketplaces
            )
        }
        if not rows:
            return self.browse()
        # Offers being pushed finish first: their rows change here (a push job holds them
        # until its call to Amazon returned), so no push of the old SKU lands after its 0.
        offers = listings.offer_ids
        if marketplaces is not None:
            offers = offers.filtered(lambda offer: offer.marketplace_id in marketplaces)
        offers.write({"state": "pending"})
        self.flush_model()
        values = SQL(", ").join(
            SQL(
                "(%s, %s, %s, %s, %s, %s)",
                account_id,
                marketplace_id,
                sku,
                product_id,
                self.env["amazon.account"].browse(account_id).sudo().company_id.id,
                reason,
            )
            for (account_id, marketplace_id, sku), product_id in rows.items()
        )
        now = SQL("(now() AT TIME ZONE 'UTC')")
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO amazon_offer_withdrawal
                       (account_id, marketplace_id, sku, product_id, company_id, reason, state,
                        requested_date, create_date, write_date, create_uid, write_uid)
                SELECT wanted.account_id, wanted.marketplace_id, wanted.sku, wanted.product_id,
                       wanted.company_id, wanted.reason, 'pending', %(now)s, %(now)s, %(now)s,
                       %(uid)s, %(uid)s
                  FROM (VALUES %(values)s)
                    AS wanted(account_id, marketplace_id, sku, product_id, company_id, reason)
                ON CONFLICT (account_id, marketplace_id, sku) DO UPDATE
                   SET state = 'pending', reason = EXCLUDED.reason,
                       product_id = EXCLUDED.product_id, requested_date = EXCLUDED.requested_date,
                       last_error = NULL, write_date = EXCLUDED.write_date,
                       write_uid = EXCLUDED.write_uid
                RETURNING id
                """,
                now=now,
                uid=self.env.uid,
                values=values,
            )
        )
        withdrawals = self.sudo().browse([row[0] for row in self.env.cr.fetchall()])
        withdrawals.invalidate_recordset()
        withdrawals._amazon_enqueue()
        return withdrawals

    @api.model
    def _amazon_cancel(self, listings):
        """The SKUs of ``listings`` sync again: their withdrawals not done yet are dropped
        (their offers decide Amazon's quantity from now on)."""
        listings = listings.sudo()
        if not listings:
            return
        withdrawals = self.sudo().search(
            [
                ("account_id", "in", listings.account_id.ids),
                ("sku", "in", listings.mapped("sku")),
                ("state", "in", ("pending", "error")),
            ]
        )
        synced = {(listing.account_id.id, listing.sku) for listing in listings}
        withdrawals.filtered(lambda row: (row.account_id.id, row.sku) in synced).state = "cancelled"

    def _amazon_enqueue(self):
        """One withdrawal job per row (one pending job per row)."""
        for withdrawal in self:
            withdrawal._amazon_delay(
                withdrawal.account_id,
                "withdraw",
                description=_lt(
                    "Amazon: withdraw %(sku)s (%(marketplace)s)",
                    sku=withdrawal.sku,
                    marketplace=withdrawal.marketplace_id.code,
                ),
            )._amazon_job_withdraw()

    @api.model
    def _amazon_after_feed(self, feed):
        """A feed of ``feed``'s marketplace may have overwritten the 0 of the withdrawals done
        after it was built (Amazon does not order a feed and a patch): send them again."""
        again = self.sudo().search(
            [
                ("account_id", "=", feed.account_id.id),
                ("marketplace_id", "=", feed.marketplace_id.id),
                ("state", "=", "done"),
                ("done_date", ">=", feed.create_date),
            ]
        )
        if again:
            again.write({"state": "pending"})
            again._amazon_enqueue()
        return again

    @api.model
    def _cron_retry_failed(self):
        """Safety net: enqueue the withdrawals still pending or in error."""
        rows = self.sudo().search([("state", "in", ("pending", "error"))])
        rows._amazon_enqueue()
        return rows

    def action_retry(self):
        """Button *Retry*: send the 0 again, in the background.

        Amazon Users who may push listings may retry the withdrawals of their companies' (read
        access, record rules): the rows are then written as superuser.
        """
        self.env["amazon.listing"].browse()._check_amazon_pushable()  # the caller's groups
        self.check_access("read")
        rows = self.sudo().filtered(lambda row: row.state != "cancelled")
        rows.write({"state": "pending"})
        rows._amazon_enqueue()
        return True

    # ------------------------------------------------------------------
    # Job
    # ------------------------------------------------------------------

    def _amazon_job_withdraw(self):
        """Job: set this SKU's quantity to 0 in its marketplace."""
        self._amazon_claim_job()
        withdrawal = self.sudo()._amazon_take_bindings()
        if withdrawal.state not in ("pending", "error"):
            return "nothing to withdraw"
        account = withdrawal.account_id
        if not account.active and withdrawal.reason != "account_archived":
            return "account archived"
        # Synced again: an active listing of the SKU sells it in this marketplace (again).
        synced = (
            account.active
            and withdrawal.marketplace_id in account.marketplace_ids
            and self.env["amazon.listing"]
            .sudo()
            .search_count(
                [
                    ("account_id", "=", account.id),
                    ("sku", "=", withdrawal.sku),
                    ("active", "=", True),
                ]
            )
        )
        if synced:
            withdrawal.state = "cancelled"
            return "synced again"
        # Its marketplace may have been removed from the account (that is why it is withdrawn).
        service = account._get_sp_api_service(withdrawal.marketplace_id)
        with withdrawal._amazon_unit(account):
            try:
                service.patch_listing(
                    withdrawal.sku,
                    withdrawal.marketplace_id.api_ref,
                    OFFER_PRODUCT_TYPE,
                    [payloads.fulfillment_availability_patch(0)],
                )
            except (ThrottledError, TransientError, AuthError):
                raise  # the job is retried
            except NotFoundError:
                _logger.info("Withdrawal of %s: Amazon has no such offer", withdrawal.sku)
            except AmazonError as error:
                withdrawal.write({"state": "error", "last_error": error.message})
                return "error"
        withdrawal.write({"state": "done", "done_date": fields.Datetime.now(), "last_error": False})
        return "withdrawn"
