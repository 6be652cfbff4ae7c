"""Refused credentials: the account waits for a human instead of storming Amazon's token endpoint.

When Amazon refuses the account's identity (LWA answers ``invalid_grant``,
``unauthorized_client`` or ``invalid_client``, or the SP-API answers 401/403 to a valid-looking
token: the seller removed the app's authorisation, the refresh token expired), retrying every
few seconds cannot help and each try is a token call. So the first job that meets the refusal:

* puts the account in error with one message saying what to do (*Connection: Error*);
* schedules one activity for one of its Amazon managers (never one per job);
* postpones itself for a minute (not failed, not counted as a retry).

While the account is in that state, at most one job a minute is let through to try Amazon
again (an atomic claim on the account's pause); the others wait without calling Amazon.
*Test connection* that succeeds clears the state, closes the activity and runs the postponed
jobs at once: nothing was lost.
"""

import logging

from psycopg2.errors import LockNotAvailable, SerializationFailure

from odoo import SUPERUSER_ID, _, api, fields, models

from ..odoo_compat import GROUPS_FIELD
from .amazon_job_mixin import REFUSED_RETRY_SECONDS

_logger = logging.getLogger(__name__)

ACTIVITY_TYPE = "stockagile_amazon_connector.mail_activity_type_amazon_credentials"
MANAGER = "stockagile_amazon_connector.group_amazon_manager"


class AmazonAccount(models.Model):
    _name = "amazon.account"
    _inherit = ["amazon.account", "mail.activity.mixin"]

    credentials_refused = fields.Boolean(
        readonly=True,
        copy=False,
        help="Amazon refused the account's credentials: its jobs wait (one try a minute) until "
        "a manager fixes them and presses Test connection.",
    )

    def action_test_connection(self):
        """A successful test also ends the refused-credentials state and closes its activity."""
        result = super().action_test_connection()
        for account in self.sudo():
            if account.connection_state == "connected" and account.credentials_refused:
                account.credentials_refused = False
                account.activity_unlink([ACTIVITY_TYPE])
        return result

    def _amazon_credentials_gate(self):
        """Seconds this job must wait because the credentials are refused (0: go ahead).

        While they are refused, one job a minute may try Amazon: the first that finds the
        account's pause over claims the next minute through its own committed cursor; the
        others see the pause and wait for it.
        """
        self.ensure_one()
        self.env.cr.execute(
            "SELECT credentials_refused FROM amazon_account WHERE id = %s", [self.id]
        )
        row = self.env.cr.fetchone()
        if not row or not row[0]:
            return 0
        try:
            with self.env.registry.cursor() as cr:
                cr.execute(
                    """
                    UPDATE amazon_account SET amazon_outage_until =
                           (clock_timestamp() AT TIME ZONE 'UTC') + make_interval(secs => %s)
                     WHERE id IN (
                        SELECT id FROM amazon_account
                         WHERE id = %s AND credentials_refused
                           AND (amazon_outage_until IS NULL
                                OR amazon_outage_until <= (clock_timestamp() AT TIME ZONE 'UTC'))
                           FOR NO KEY UPDATE SKIP LOCKED)
                    RETURNING id
                    """,
                    [REFUSED_RETRY_SECONDS, self.id],
                )
                claimed = bool(cr.fetchone())
        except (SerializationFailure, LockNotAvailable):
            claimed = False
        return 0 if claimed else max(1, self._amazon_outage_left() or REFUSED_RETRY_SECONDS)

    def _amazon_credentials_refused(self, error):
        """Put the account in error for ``error`` (an AuthError), once, through its own cursor.

        The failing job's transaction is rolled back, so the state is committed apart. Only the
        job that turns the state on schedules the managers' activity; a row the job itself
        holds locked is left alone (never a self-deadlock), the next job records it then.
        """
        self.ensure_one()
        message = self._connection_advice(error)
        try:
            with self.env.registry.cursor() as cr:
                cr.execute(
                    """
                    UPDATE amazon_account
                       SET credentials_refused = TRUE, connection_state = 'error',
                           last_error = %s, last_error_details = %s,
                           last_connection_test = (now() AT TIME ZONE 'UTC'),
                           amazon_outage_until =
                               (clock_timestamp() AT TIME ZONE 'UTC') + make_interval(secs => %s)
                     WHERE id IN (SELECT id FROM amazon_account
                                   WHERE id = %s AND NOT COALESCE(credentials_refused, FALSE)
                                     FOR NO KEY UPDATE SKIP LOCKED)
                    RETURNING id
                    """,
                    [message, error.message, REFUSED_RETRY_SECONDS, self.id],
                )
                if not cr.fetchone():
                    return False
                account = api.Environment(cr, SUPERUSER_ID, {})[self._name].browse(self.id)
                account._amazon_schedule_credentials_activity(message)
        except (SerializationFailure, LockNotAvailable):
            return False
        _logger.warning("Amazon account %s: credentials refused: %s", self.id, error.message)
        return True

    def _amazon_schedule_credentials_activity(self, message):
        """One to-do for one Amazon manager of the account's company (none if one is open)."""
        if self.activity_ids.filtered(lambda a: a.activity_type_id == self.env.ref(ACTIVITY_TYPE)):
            return
        group = self.env.ref(MANAGER)
        manager = self.env["res.users"].search(
            [
                (GROUPS_FIELD, "in", group.id),
                ("company_ids", "in", self.company_id.id),
                ("share", "=", False),
                ("id", "!=", SUPERUSER_ID),
            ],
            order="id",
            limit=1,
        )
        self.activity_schedule(
            ACTIVITY_TYPE,
            summary=_("Amazon refused the credentials of %(account)s", account=self.name),
            note=message,
            user_id=(manager or self.create_uid).id,
            date_deadline=fields.Date.context_today(self),
        )
