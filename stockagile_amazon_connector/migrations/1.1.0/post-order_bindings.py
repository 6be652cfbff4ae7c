"""1.1.0: every imported Amazon order gets its binding (``amazon.order``); nothing is lost.

Before 1.1.0 what the connector had applied of an Amazon order lived on its sales order only
(``amazon_last_update``, ``amazon_status``). The importer now takes and compares the order's
binding first, so each imported sales order gets its row here, with the same update time and
status: an older update still queued when the database was upgraded changes nothing, a newer
one updates the same sales order. Orders never imported (skipped) get their row when a job
first sees them again.

Returns need no new rows: ``amazon.return`` was already one row per (account, RMA), unique, and
is now its own binding. Its new ``amazon_last_update`` stays empty: the next report applies as
before, and jobs queued before the upgrade (without a report time) apply as they come.

Idempotent (``ON CONFLICT DO NOTHING``): running it twice, or on a database where jobs already
created some bindings, adds only the missing rows.
"""

import logging

_logger = logging.getLogger(__name__)


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """
        INSERT INTO amazon_order (
            account_id, company_id, amazon_order_ref, sale_order_id,
            amazon_last_update, amazon_status,
            create_uid, write_uid, create_date, write_date
        )
        SELECT DISTINCT ON (so.amazon_account_id, so.amazon_order_ref)
               so.amazon_account_id, account.company_id, so.amazon_order_ref, so.id,
               so.amazon_last_update, so.amazon_status,
               1, 1, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
          FROM sale_order so
          JOIN amazon_account account ON account.id = so.amazon_account_id
         WHERE so.amazon_order_ref IS NOT NULL
         ORDER BY so.amazon_account_id, so.amazon_order_ref, so.id
        ON CONFLICT (account_id, amazon_order_ref) DO NOTHING
        """
    )
    _logger.info("Amazon order bindings: %s created from imported sales orders", cr.rowcount)
