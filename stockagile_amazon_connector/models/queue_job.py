"""Amazon's jobs in queue_job: who may drop them, how often a killed worker reruns them, *Related*.

The *Related* button of Amazon jobs opens what the job is about.

queue_job's default related action opens the job's own records: for an order's import or a
return's recording that is the Amazon account, not the order. Every Amazon job function names
:meth:`QueueJob.related_action_amazon_record` (``data/amazon_unattended_data.xml``): a related
action is looked up on ``queue.job`` itself, so a method of another model named there fails
with an AttributeError.
"""

from odoo import _, fields, models
from odoo.exceptions import AccessError


class QueueJob(models.Model):
    """Amazon managers requeue Amazon's jobs; setting a job done or cancelled stays queue_job's.

    Amazon managers read and write the connector's jobs of their companies (record rule
    ``queue_job_rule_amazon_manager``) so that they can requeue them. Marking a job done or
    cancelled by hand drops Amazon work (a shipment confirmation never sent): that remains for
    queue_job's own managers.
    """

    _inherit = "queue.job"

    amazon_interrupted_count = fields.Integer(
        string="Interrupted",
        readonly=True,
        copy=False,
        help="How many times the process running this Amazon job died (a killed worker): "
        "at 3 the job ends failed instead of running again.",
    )

    def related_action_amazon_record(self):
        """Open the order (or the order to review), listing, return or record this job concerns."""
        self.ensure_one()
        record = self._amazon_related_record()
        if not record:
            return None
        return {
            "type": "ir.actions.act_window",
            "name": record.display_name,
            "res_model": record._name,
            "res_id": record.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

    def _amazon_related_record(self):
        """The record the job concerns, as the current user may read it (or an empty set)."""
        records = self.records.with_env(self.env).exists()
        args = self.args or ()
        if self.method_name == "_amazon_job_import_order" and args and isinstance(args[0], dict):
            ref = str(args[0].get("orderId") or args[0].get("AmazonOrderId") or "")
            order = self.env["sale.order"].search(
                [("amazon_account_id", "in", records.ids), ("amazon_order_ref", "=", ref)],
                limit=1,
            )
            if order:
                return order
            # Not imported (an order to review): its binding, with Amazon's data and the reason.
            binding = self.env["amazon.order"].search(
                [("account_id", "in", records.ids), ("amazon_order_ref", "=", ref)], limit=1
            )
            if binding:
                return binding
        elif self.method_name == "_amazon_job_record_return" and args:
            found = self.env["amazon.return"].search(
                [("account_id", "in", records.ids), ("rma_ref", "=", str(args[0]))], limit=1
            )
            if found:
                return found
        elif self.method_name == "_amazon_job_fetch_order":
            if records[:1].sale_order_id:
                return records[:1].sale_order_id
        elif self.method_name == "_amazon_job_upload" and records._name == "amazon.invoice.upload":
            if records[:1].move_id:  # the invoice or credit note the upload is about
                return records[:1].move_id
        return records[:1]

    def _amazon_check_queue_job_manager(self):
        """:raise AccessError: the caller is not a queue_job manager."""
        if not self.env.is_superuser() and not self.env.user.has_group(
            "queue_job.group_queue_job_manager"
        ):
            raise AccessError(
                _("Only Job Queue Managers may set jobs done or cancelled; requeue them instead.")
            )

    def button_done(self):
        self._amazon_check_queue_job_manager()
        return super().button_done()

    def button_cancelled(self):
        self._amazon_check_queue_job_manager()
        return super().button_cancelled()
