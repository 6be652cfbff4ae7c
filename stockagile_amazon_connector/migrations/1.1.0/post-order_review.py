"""1.1.0: orders to review (issue 22); orders whose import failed before become such orders.

``amazon.order`` gains ``to_review``, ``review_reason``, ``review_update`` and ``raw_data``.
Existing bindings are not to review. Before 1.1.0 an order that could not be read was only a
failed import job: each such job (the newest per order) marks its order's binding to review,
with the job's message as the reason and the order data it carries as Amazon's data, so that it
shows in *Orders to review* with *Retry*. The failed jobs stay as they are; importing the order
marks them done. Idempotent: a binding already to review is left alone.
"""

import json
import logging

_logger = logging.getLogger(__name__)


def migrate(cr, version):
    if not version:
        return
    cr.execute("UPDATE amazon_order SET to_review = FALSE WHERE to_review IS NULL")
    cr.execute(
        """
        SELECT DISTINCT ON (job.model_name, job.records, job.args)
               job.records, job.args, COALESCE(job.exc_message, job.exc_name)
          FROM queue_job job
         WHERE job.method_name = '_amazon_job_import_order'
           AND job.model_name = 'amazon.account'
           AND job.state = 'failed'
         ORDER BY job.model_name, job.records, job.args, job.id DESC
        """
    )
    marked = 0
    for records, args, reason in cr.fetchall():
        # jsonb comes back as text through Odoo's cursor
        records = json.loads(records) if isinstance(records, str) else records
        args = json.loads(args) if isinstance(args, str) else args
        account_ids = (records or {}).get("ids") or [] if isinstance(records, dict) else []
        data = args[0] if isinstance(args, list) and args else None
        if len(account_ids) != 1 or not isinstance(data, dict) or not data.get("orderId"):
            continue
        cr.execute(
            """
            INSERT INTO amazon_order (account_id, company_id, amazon_order_ref, to_review,
                                      review_reason, raw_data,
                                      create_uid, write_uid, create_date, write_date)
            SELECT account.id, account.company_id, %s, TRUE, %s, %s,
                   1, 1, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
              FROM amazon_account account
             WHERE account.id = %s
            ON CONFLICT (account_id, amazon_order_ref) DO UPDATE
               SET to_review = TRUE, review_reason = EXCLUDED.review_reason,
                   raw_data = EXCLUDED.raw_data
             WHERE amazon_order.to_review IS NOT TRUE
            """,
            [
                str(data["orderId"]),
                reason or "",
                json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, default=str),
                account_ids[0],
            ],
        )
        marked += cr.rowcount
    _logger.info("Amazon orders to review: %s from failed import jobs", marked)
