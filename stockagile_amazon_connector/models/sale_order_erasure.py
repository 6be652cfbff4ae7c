"""Erasure of a buyer's personal data everywhere the connector puts it (issue 24).

``sale_order.py`` blanks the buyer's partners; this extension reaches the other places that
hold a copy (README, *Orders*, "Erasure"): the chatter's tracking values of the partners,
orders and deliveries (old values keep a name or a street), the stored ORDER_CHANGE
notifications of the orders (dead letters included), finished jobs whose arguments, description
or error hold the order (its import job carries the whole order), and quotations kept for review
as well as confirmed orders. Posted invoices keep what the law requires: they are not touched.
"""

from odoo import models
from odoo.tools import SQL

#: Jobs in these states are history: erased with the buyer's data they may hold.
FINISHED_JOB_STATES = ("done", "cancelled", "failed")


class SaleOrder(models.Model):
    _inherit = "sale.order"  # pylint: disable=consider-merging-classes-inherited

    def _amazon_done_before(self, limit):
        """Quotations kept for review count too, once Amazon's last update is older than limit."""
        self.ensure_one()
        if self.state == "draft":
            if not self.amazon_review_needed:
                return False
            return (self.amazon_last_update or self.write_date) < limit
        return super()._amazon_done_before(limit)

    def _amazon_buyer_traces(self):
        """The buyer's strings that copies may hold: names, streets, phones, e-mail, order ids."""
        partners = (self.partner_id | self.partner_invoice_id | self.partner_shipping_id).filtered(
            "amazon_buyer"
        )
        values = set(self.mapped("amazon_order_ref"))
        for partner in partners:
            for name in ("name", "street", "street2", "email", "phone", "mobile"):
                value = partner[name] if name in partner._fields else False
                if value and len(value.strip()) >= 4:
                    values.add(value.strip())
        return partners, sorted(value for value in values if value)

    def _amazon_anonymize(self):
        """Erase the buyer everywhere; the erasure itself writes no tracking value."""
        partners, traces = self._amazon_buyer_traces()
        pickings = self.picking_ids
        quiet = self.with_context(tracking_disable=True, mail_notrack=True)
        result = super(SaleOrder, quiet)._amazon_anonymize()
        self._amazon_erase_copies(partners, pickings, traces)
        return result

    def _amazon_erase_copies(self, partners, pickings, traces):
        """Delete or blank the copies of ``traces`` the connector and Odoo keep.

        :param partners: the buyers' ``res.partner`` records (now blanked).
        :param pickings: the orders' deliveries.
        :param traces: the strings to erase (see :meth:`_amazon_buyer_traces`).
        """
        if not traces:
            return
        patterns = [f"%{trace}%" for trace in traces]
        cr = self.env.cr
        # Tracking values of the chatter: the old value of a partner's name, an order's customer.
        targets = [
            (model, ids)
            for model, ids in (
                ("res.partner", partners.ids),
                ("sale.order", self.ids),
                ("stock.picking", pickings.ids),
            )
            if ids
        ]
        for model, ids in targets:
            cr.execute(
                SQL(
                    """
                    DELETE FROM mail_tracking_value v USING mail_message m
                     WHERE v.mail_message_id = m.id AND m.model = %s AND m.res_id = ANY(%s)
                       AND concat_ws(' ', v.old_value_char, v.new_value_char,
                                     v.old_value_text, v.new_value_text) ILIKE ANY(%s)
                    """,
                    model,
                    ids,
                    patterns,
                )
            )
        self.env["mail.tracking.value"].invalidate_model()
        # Stored notifications of these orders (dead letters included): their raw message.
        refs = [ref for ref in self.mapped("amazon_order_ref") if ref]
        if refs:
            self.env["amazon.notification"].sudo().search([("amazon_order_ref", "in", refs)]).write(
                {"raw_body": False}
            )
        # Finished jobs whose arguments, description or error hold the order or the buyer.
        cr.execute(
            SQL(
                """
                SELECT id FROM queue_job
                 WHERE state = ANY(%s) AND channel LIKE %s
                   AND concat_ws(' ', args::text, kwargs::text, func_string, name, result,
                                 exc_message, exc_info) ILIKE ANY(%s)
                """,
                list(FINISHED_JOB_STATES),
                "root.amazon%",
                patterns,
            )
        )
        job_ids = [row[0] for row in cr.fetchall()]
        if job_ids:
            self.env["queue.job"].sudo().browse(job_ids).unlink()
