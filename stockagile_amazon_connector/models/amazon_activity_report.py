from odoo import fields, models, tools
from odoo.tools import SQL


class AmazonActivityReport(models.Model):
    """What each account exchanged with Amazon per day: orders imported and stock pushes.

    A SQL view read by Odoo's own graph view (the overview's *Activity* graph): orders are the
    Amazon sales orders created per day, stock pushes the account's push jobs done per day (one
    listing pushed, or one feed of many). Kept to the last 14 days, as the overview shows.
    """

    _name = "amazon.activity.report"
    _description = "Amazon activity per day"
    _auto = False
    _order = "date desc"
    _rec_name = "date"

    date = fields.Date(readonly=True)
    account_id = fields.Many2one("amazon.account", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    kind = fields.Selection(
        [("order", "Orders imported"), ("stock_push", "Stock pushes")],
        readonly=True,
    )
    count = fields.Integer(readonly=True, aggregator="sum")

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
            CREATE OR REPLACE VIEW %s AS (
                SELECT row_number() OVER (ORDER BY day, account_id, kind) AS id,
                       day AS date, account_id, company_id, kind, count
                  FROM (
                        SELECT so.create_date::date AS day, so.amazon_account_id AS account_id,
                               so.company_id, 'order' AS kind, COUNT(*) AS count
                          FROM sale_order so
                         WHERE so.amazon_account_id IS NOT NULL
                           AND so.create_date >= (now() AT TIME ZONE 'UTC')::date - 13
                         GROUP BY 1, 2, 3
                     UNION ALL
                        SELECT job.date_done::date, account.id, account.company_id,
                               'stock_push', COUNT(*)
                          FROM queue_job job
                          JOIN amazon_account account
                            ON job.channel = 'root.amazon.account_' || account.id
                         WHERE job.state = 'done'
                           AND job.method_name IN ('_amazon_job_push', '_amazon_job_push_feed')
                           AND job.date_done >= (now() AT TIME ZONE 'UTC')::date - 13
                         GROUP BY 1, 2, 3
                  ) AS activity
            )
            """,
                SQL.identifier(self._table),
            )
        )
