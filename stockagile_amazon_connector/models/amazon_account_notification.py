"""Real-time orders: the account's ORDER_CHANGE subscription and its Amazon SQS consumer.

Amazon pushes an ORDER_CHANGE notification to the seller's SQS queue within seconds of an order
being created, cancelled or changed. *Subscribe* creates the queue's destination (grantless)
and the subscription; the consumer cron long-polls the queue, stores each message as an
``amazon.notification`` (which enqueues the order's import) and deletes it from SQS only once
that is committed. Polling (``searchOrders``) stays the safety net, at a longer interval while
notifications flow, at the normal one as soon as the consumer meets an error.
"""

import logging
import time
from datetime import timedelta

from psycopg2.errors import LockNotAvailable, SerializationFailure

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import mute_logger

from ..services import AmazonError, const

_logger = logging.getLogger(__name__)

MANAGER = "stockagile_amazon_connector.group_amazon_manager"
#: Seconds one run of the consumer cron keeps long-polling: far inside ``limit_time_real`` of a
#: prefork server, and the longest another scheduled action waits for the cron thread.
CONSUMER_BUDGET = 10
CONSUMER_CRON = "stockagile_amazon_connector.ir_cron_amazon_receive_notifications"
#: A consumer that received (or long-polled without error) this recently is healthy.
HEALTHY_FOR = timedelta(minutes=5)

SUBSCRIPTION_STATES = [
    ("none", "Not subscribed"),
    ("subscribed", "Subscribed"),
    ("error", "Error"),
]


class AmazonAccount(models.Model):
    _inherit = "amazon.account"

    sqs_enabled = fields.Boolean(
        string="Real-time orders (Amazon SQS)",
        groups=MANAGER,
        help="Receive Amazon's ORDER_CHANGE notifications through your Amazon SQS queue: orders "
        "and cancellations arrive in seconds. Polling goes on as the safety net, at the "
        "'Import interval with notifications'.",
    )
    sqs_queue_url = fields.Char(
        string="SQS queue URL",
        groups=MANAGER,
        help="https://sqs.<region>.amazonaws.com/<AWS account id>/<queue name>. The queue's "
        "policy must let Amazon's notifications principal send messages to it.",
    )
    sqs_region = fields.Char(string="AWS region", default="eu-west-1", groups=MANAGER)
    sqs_access_key_id = fields.Char(
        string="AWS access key ID",
        groups=MANAGER,
        help="An IAM user allowed sqs:ReceiveMessage and sqs:DeleteMessage on the queue.",
    )
    sqs_secret_access_key = fields.Char(string="AWS secret access key", groups=MANAGER)
    sqs_endpoint_url = fields.Char(
        string="SQS endpoint",
        groups=MANAGER,
        help="Leave empty for Amazon SQS; the demo points it at the local SQS (moto).",
    )
    notification_poll_interval = fields.Integer(
        string="Import interval with notifications",
        default=60,
        groups=MANAGER,
        help="Minutes between two polls of Amazon for orders while notifications arrive "
        "without error (a lost notification costs at most this). The normal interval applies "
        "as soon as the consumer meets an error.",
    )
    notification_destination_ref = fields.Char(
        string="Destination ID", readonly=True, copy=False, groups=MANAGER
    )
    notification_subscription_ref = fields.Char(
        string="Subscription ID", readonly=True, copy=False, groups=MANAGER
    )
    notification_state = fields.Selection(
        SUBSCRIPTION_STATES,
        string="Subscription",
        default="none",
        readonly=True,
        copy=False,
        groups=MANAGER,
    )
    notification_error = fields.Text(readonly=True, copy=False, groups=MANAGER)
    sqs_last_receive = fields.Datetime(
        string="Queue last read", readonly=True, copy=False, groups=MANAGER
    )
    sqs_consumer_error = fields.Text(
        string="Queue error",
        readonly=True,
        copy=False,
        groups=MANAGER,
        help="Why the last read of the SQS queue failed; polling runs at its normal interval "
        "until the queue answers again.",
    )
    notification_count = fields.Integer(compute="_compute_notification_count", groups=MANAGER)

    def _compute_notification_count(self):
        counts = dict(
            self.env["amazon.notification"]._read_group(
                [("account_id", "in", self.ids)], ["account_id"], ["__count"]
            )
        )
        for account in self:
            account.notification_count = counts.get(account, 0)

    @api.constrains("notification_poll_interval")
    def _check_notification_poll_interval(self):
        for account in self.sudo():
            if account.notification_poll_interval < account.order_sync_interval:
                raise ValidationError(
                    _(
                        "The import interval with notifications cannot be shorter than the "
                        "normal order import interval."
                    )
                )

    # ------------------------------------------------------------------
    # The seam to SQS
    # ------------------------------------------------------------------

    def _get_sqs_consumer(self):
        """The SQS consumer of this account's queue (credentials read as superuser).

        Focused tests may patch this method; integration tests point the account at moto.
        """
        from ..services.sqs import SqsConfig, SqsConsumer

        self.ensure_one()
        account = self.sudo()
        return SqsConsumer(
            SqsConfig(
                queue_url=(account.sqs_queue_url or "").strip(),
                region=(account.sqs_region or "").strip(),
                access_key_id=(account.sqs_access_key_id or "").strip(),
                secret_access_key=account.sqs_secret_access_key or "",
                endpoint_url=(account.sqs_endpoint_url or "").strip() or None,
                timeout=account.request_timeout or 20.0,
            )
        )

    def _sqs_queue_arn(self):
        from ..services.sqs import SqsConfig

        account = self.sudo()
        return SqsConfig(
            (account.sqs_queue_url or "").strip(), (account.sqs_region or "").strip(), "", ""
        ).queue_arn

    # ------------------------------------------------------------------
    # Subscribe / unsubscribe (Amazon managers)
    # ------------------------------------------------------------------

    def action_amazon_subscribe(self):
        """Create the SQS destination and the ORDER_CHANGE subscription on Amazon."""
        self._check_amazon_manager()
        for account in self.sudo():
            if not account.sqs_enabled:
                raise UserError(_("Tick 'Real-time orders (Amazon SQS)' first."))
            try:
                service = account._get_sp_api_service()
                destination = service.create_destination(
                    f"stockagile-{self.env.cr.dbname}-{account.id}"[:256],
                    account._sqs_queue_arn(),
                )
                subscription = service.create_order_change_subscription(
                    destination.destination_id, account.marketplace_ids.mapped("api_ref")
                )
            except AmazonError as error:
                account.write({"notification_state": "error", "notification_error": error.message})
                raise UserError(
                    _("Amazon refused the subscription: %(error)s", error=error.message)
                ) from None
            account.write(
                {
                    "notification_destination_ref": destination.destination_id,
                    "notification_subscription_ref": subscription.subscription_id,
                    "notification_state": "subscribed",
                    "notification_error": False,
                    "sqs_consumer_error": False,
                }
            )
        self.env.ref(CONSUMER_CRON).sudo()._trigger()
        return self._notify(
            _("Real-time orders"),
            _("Subscribed: Amazon now sends order changes to the SQS queue."),
            "success",
        )

    def action_amazon_unsubscribe(self):
        """Delete the ORDER_CHANGE subscription on Amazon (the destination may serve others)."""
        self._check_amazon_manager()
        for account in self.sudo():
            if account.notification_subscription_ref:
                try:
                    account._get_sp_api_service().delete_order_change_subscription(
                        account.notification_subscription_ref
                    )
                except AmazonError as error:
                    raise UserError(
                        _("Amazon refused to unsubscribe: %(error)s", error=error.message)
                    ) from None
            account.write(
                {
                    "notification_subscription_ref": False,
                    "notification_state": "none",
                    "notification_error": False,
                }
            )
        return self._notify(
            _("Real-time orders"),
            _("Unsubscribed: orders are imported by polling only."),
            "success",
        )

    def action_view_notifications(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "stockagile_amazon_connector.amazon_notification_action"
        )
        action["domain"] = [("account_id", "=", self.id)]
        return action

    # ------------------------------------------------------------------
    # The consumer
    # ------------------------------------------------------------------

    def _amazon_receive_notifications(self, wait_seconds=const.SQS_MAX_WAIT_SECONDS, commit=True):
        """Long-poll this account's queue once; store each message, then delete it from SQS.

        The messages are deleted only after the notifications and their jobs are committed
        (``commit``; tests pass False and flush instead): a crash in between makes SQS deliver
        them again, and the NotificationId makes that change nothing. With ``commit``, the
        transaction is also committed *before* the long poll, so that no transaction stays
        open (nor its snapshot old) while SQS holds the call.

        :return: number of messages received, or None when the queue could not be read.
        """
        self.ensure_one()
        account = self.sudo()
        if commit:
            self.env.cr.commit()  # pylint: disable=invalid-commit
        try:
            consumer = account._get_sqs_consumer()
            messages = consumer.receive(wait_seconds=wait_seconds)
        except AmazonError as error:
            account._amazon_consumer_health(error.message)
            if commit:
                self.env.cr.commit()  # pylint: disable=invalid-commit
            _logger.warning("Amazon account %s: SQS queue unreadable: %s", account.id, error)
            return None
        notifications = self.env["amazon.notification"].sudo()
        for message in messages:
            notifications._amazon_store(account, message)
        account._amazon_consumer_health(False)
        if commit:
            # The notifications and their jobs must be stored before SQS forgets the messages.
            self.env.cr.commit()  # pylint: disable=invalid-commit
        else:
            self.env.flush_all()
        try:
            for message in messages:
                consumer.delete(message.receipt_handle)
        except AmazonError as error:
            # Not deleted: SQS delivers them again after the visibility timeout; stored once.
            _logger.warning("Amazon account %s: SQS messages not deleted: %s", account.id, error)
        finally:
            consumer.close()
        return len(messages)

    def _amazon_consumer_health(self, error):
        """Record the queue's health on the account, only when it changes (or once a minute).

        Best effort, in a savepoint: the consumer must never fail (and leave its messages
        undeleted) because someone saved the account form meanwhile.
        """
        now = fields.Datetime.now()
        values = {}
        if (self.sqs_consumer_error or False) != (error or False):
            values["sqs_consumer_error"] = error
        if not error and (
            not self.sqs_last_receive or self.sqs_last_receive < now - timedelta(minutes=1)
        ):
            values["sqs_last_receive"] = now
        if not values and not error:
            return
        try:
            with self.env.cr.savepoint(), mute_logger("odoo.sql_db"):
                if values:
                    self.write(values)
                if error:
                    self._amazon_notifications_unhealthy()
                self.env.flush_all()
        except (SerializationFailure, LockNotAvailable):
            _logger.info("Amazon account %s: queue health not recorded (account busy)", self.id)

    def _amazon_notifications_healthy(self):
        """True while the subscription is active and the queue was read without error lately."""
        self.ensure_one()
        account = self.sudo()
        return bool(
            account.sqs_enabled
            and account.notification_state == "subscribed"
            and not account.sqs_consumer_error
            and account.sqs_last_receive
            and account.sqs_last_receive > fields.Datetime.now() - HEALTHY_FOR
        )

    def _amazon_notifications_unhealthy(self):
        """The queue failed: polling goes back to its normal interval at once."""
        if not self.sync_orders:
            return
        latest = fields.Datetime.now() + timedelta(minutes=self.order_sync_interval)
        if not self.orders_next_sync or self.orders_next_sync > latest:
            self.orders_next_sync = latest

    def _schedule_next_order_sync(self, delay=None, page_token=None, since=None):
        """Poll less often while notifications flow (the poll is then only the safety net)."""
        result = super()._schedule_next_order_sync(delay=delay, page_token=page_token, since=since)
        if delay is None and self._amazon_notifications_healthy():
            self.orders_next_sync = fields.Datetime.now() + timedelta(
                minutes=self.sudo().notification_poll_interval
            )
        return result

    @api.model
    def _cron_receive_notifications(self, budget=CONSUMER_BUDGET, commit=True):
        """Long-poll the queues of subscribed accounts for ``budget`` seconds, then return.

        One run is short (``CONSUMER_BUDGET``, far inside any ``limit_time_real``), so a
        prefork cron worker is never killed and the cron thread goes back to the other
        scheduled actions between runs. While a queue is readable the run re-triggers its cron
        (:meth:`_amazon_cron_continue`): Odoo runs it again right after the other ready crons,
        and a message never waits for the cron's interval. Each batch is committed before its
        messages are deleted (``commit``; tests pass False); several accounts share the budget
        with shorter long polls.
        """
        deadline = time.monotonic() + budget
        accounts = self.sudo().search(
            [("sqs_enabled", "=", True), ("notification_state", "=", "subscribed")]
        )
        if not accounts:
            return True
        polling = accounts
        while polling:
            left = deadline - time.monotonic()
            if left < 1:
                break
            # Fresh values after each batch's commit: an account unsubscribed meanwhile stops.
            polling = polling.filtered(
                lambda a: a.active and a.sqs_enabled and a.notification_state == "subscribed"
            )
            if not polling:
                break
            wait = max(1, min(const.SQS_MAX_WAIT_SECONDS, int(left) // len(polling)))
            for account in polling:
                count = account._amazon_receive_notifications(wait_seconds=wait, commit=commit)
                if count is None:
                    # An unreadable queue is not hammered: one try per scheduled run.
                    polling -= account
        if polling:
            self._amazon_cron_continue()
        return True

    @api.model
    def _amazon_cron_continue(self):
        """Run the consumer cron again as soon as this run ends and the other ready crons ran.

        A trigger at now (with Odoo's NOTIFY, so an idle cron thread wakes at once), not the
        progress API: a cron reporting work left is run up to ten times in a row on the same
        thread, which is what held the thread (and outlived ``limit_time_real``) before. The
        run lasts its budget, so the trigger is later than the second the run began in and
        survives Odoo's clean-up of the triggers it consumed.
        """
        self.env.ref(CONSUMER_CRON).sudo()._trigger()
