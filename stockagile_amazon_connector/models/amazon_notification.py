"""One ORDER_CHANGE notification received from the account's Amazon SQS queue.

The consumer (``amazon.account._amazon_receive_notifications``) stores every message here
before deleting it from SQS, so nothing is lost: a valid notification gets a job that asks
Amazon for the order (Orders API 2026-01-01 getOrder) and enqueues the existing per-order import
job; a duplicate (same NotificationId) changes nothing; a malformed one is kept *dead* with its
raw body and the reason, for a manager to retry or discard.
"""

import logging

import psycopg2

from odoo import _, api, fields, models
from odoo.exceptions import AccessError
from odoo.tools.translate import LazyTranslate

from .. import odoo_compat
from ..services import NotFoundError
from ..services.notifications import MalformedNotificationError, parse_order_change
from .amazon_job_mixin import PRIORITY_REALTIME
from .amazon_order_importer import ORDER_DATASETS, _parse_time

_lt = LazyTranslate(__name__)

_logger = logging.getLogger(__name__)

STATES = [
    ("received", "Received"),
    ("queued", "Import queued"),
    ("ignored", "Ignored"),
    ("dead", "Dead letter"),
]


def _read_body(account, body):
    """Values of a notification of ``account`` read from ``body``, or raise why it is dead.

    :raise MalformedNotificationError: not a valid ORDER_CHANGE of this account's seller.
    """
    change = parse_order_change(body)
    if change.seller_id != account.seller_id:
        raise MalformedNotificationError(
            f"The notification is for seller {change.seller_id}, not this account's."
        )
    return {
        "notification_ref": change.notification_id,
        "amazon_order_ref": change.amazon_order_id,
        "order_change_type": change.order_change_type,
        "order_status": change.order_status,
        "publish_time": change.publish_time.replace(tzinfo=None),
    }


@odoo_compat.sql_constraints(
    (
        "notification_unique",
        "unique(account_id, notification_ref)",
        "A notification is stored once per account.",
    ),
)
class AmazonNotification(models.Model):
    _name = "amazon.notification"
    _description = "Amazon Order Notification"
    _inherit = ["amazon.job.mixin"]
    _order = "id desc"
    _rec_name = "notification_ref"

    account_id = fields.Many2one(
        "amazon.account", required=True, readonly=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="account_id.company_id", store=True, index=True)
    notification_ref = fields.Char(
        string="Notification ID",
        required=True,
        readonly=True,
        help="Amazon's NotificationId (a malformed message: SQS's message id). A notification "
        "delivered twice is stored once.",
    )
    amazon_order_ref = fields.Char(string="Amazon order", readonly=True, index=True)
    order_change_type = fields.Char(string="Change", readonly=True)
    order_status = fields.Char(string="Order status", readonly=True)
    publish_time = fields.Datetime(readonly=True)
    raw_body = fields.Text(string="Message", readonly=True)
    state = fields.Selection(
        STATES,
        default="received",
        required=True,
        readonly=True,
        index=True,
        help="Received: stored, Amazon is being asked for the order. Import queued: the order's "
        "import job is enqueued. Ignored: nothing to do (the order already holds this update or "
        "a newer one, or a manager discarded it). Dead letter: the message is not a valid "
        "ORDER_CHANGE notification of this account; its body is kept for review.",
    )
    error = fields.Text(readonly=True)
    sale_order_id = fields.Many2one(
        "sale.order", compute="_compute_sale_order_id", string="Sales order"
    )

    def _compute_sale_order_id(self):
        for record in self:
            record.sale_order_id = (
                self.env["sale.order"].search(
                    [
                        ("amazon_account_id", "=", record.account_id.id),
                        ("amazon_order_ref", "=", record.amazon_order_ref),
                    ],
                    limit=1,
                )
                if record.amazon_order_ref
                else False
            )

    # ------------------------------------------------------------------
    # From SQS
    # ------------------------------------------------------------------

    @api.model
    def _amazon_store(self, account, message):
        """Store one SQS message of ``account``; enqueue its order's fetch when valid.

        Runs in a savepoint: a message stored meanwhile by another consumer (same id) is a
        duplicate, not an error.

        :param account: ``amazon.account`` (sudo).
        :param message: :class:`~..services.models.SqsMessage`.
        :return: the stored record, or an empty recordset for a duplicate.
        """
        try:
            values = _read_body(account, message.body)
        except MalformedNotificationError as error:
            values = {
                "notification_ref": f"sqs:{message.message_id}",
                "state": "dead",
                "error": error.message,
            }
        values.update(account_id=account.id, raw_body=message.body[:262144])
        if self.search_count(
            [("account_id", "=", account.id), ("notification_ref", "=", values["notification_ref"])]
        ):
            return self.browse()
        try:
            with self.env.cr.savepoint():
                record = self.create(values)
        except psycopg2.IntegrityError:
            return self.browse()
        if record.state != "dead":
            record._enqueue_fetch()
        else:
            _logger.warning(
                "Amazon account %s: notification %s kept as dead letter: %s",
                account.id,
                record.notification_ref,
                record.error,
            )
        return record

    def _enqueue_fetch(self):
        for record in self:
            record._amazon_delay(
                record.account_id,
                "fetch",
                priority=PRIORITY_REALTIME,
                description=_lt("Amazon: order %(ref)s changed", ref=record.amazon_order_ref),
            )._amazon_job_fetch_order()

    # ------------------------------------------------------------------
    # The job
    # ------------------------------------------------------------------

    def _amazon_job_fetch_order(self):
        """Job: read the order from Amazon and enqueue its import, unless it is not newer.

        Notifications arrive at least once and in any order: the order Amazon returns is its
        current state, and it is imported only when its ``lastUpdatedTime`` is newer than what
        the order's binding (``amazon.order``) holds, so an old or repeated notification changes
        nothing.
        """
        self._amazon_claim_job()
        record = self.sudo().exists()
        if not record or record.state not in ("received", "queued"):
            return "nothing to do"
        account = record.account_id.with_company(record.company_id)
        try:
            with account._amazon_unit(account):
                data = account._get_sp_api_service().get_order(
                    record.amazon_order_ref, included_data=ORDER_DATASETS
                )
        except NotFoundError as error:
            record.write({"state": "ignored", "error": error.message})
            return "unknown order"
        updated_at = _parse_time(data.get("lastUpdatedTime"))
        # The order's binding says what was handled (read without its lock: this job changes
        # no order; the import job it enqueues takes the binding and decides again under it).
        binding = (
            self.env["amazon.order"]
            .sudo()
            .search(
                [
                    ("account_id", "=", account.id),
                    ("amazon_order_ref", "=", record.amazon_order_ref),
                ],
                limit=1,
            )
        )
        if binding and not binding._amazon_is_newer(updated_at):
            record.write({"state": "ignored", "error": _("The order already holds this update.")})
            return "up to date"
        self.env["amazon.order.importer"].sudo()._enqueue_order(account, data)
        record.write({"state": "queued", "error": False})
        return "import queued"

    # ------------------------------------------------------------------
    # Buttons (Amazon managers)
    # ------------------------------------------------------------------

    def _check_manager(self):
        if not self.env.is_superuser() and not self.env.user.has_group(
            "stockagile_amazon_connector.group_amazon_manager"
        ):
            raise AccessError(_("Only Amazon Managers may retry or discard notifications."))
        self.check_access("write")

    def action_retry(self):
        """Read the message again (a dead letter) or ask Amazon for the order again."""
        self._check_manager()
        for record in self.sudo():
            if record.state == "dead":
                try:
                    values = _read_body(record.account_id, record.raw_body or "")
                except MalformedNotificationError as error:
                    record.error = error.message
                    continue
                del values["notification_ref"]  # a dead letter keeps its reference
                record.write(dict(values, state="received", error=False))
            else:
                record.write({"state": "received", "error": False})
            record._amazon_jobs(["failed"]).button_done()
            record._enqueue_fetch()
        return True

    def action_discard(self):
        """Nothing more to do with these notifications: they stay, marked ignored."""
        self._check_manager()
        self.sudo().write(
            {"state": "ignored", "error": _("Discarded by %(user)s.", user=self.env.user.name)}
        )
        return True
