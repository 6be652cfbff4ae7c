from odoo import _, models
from odoo.exceptions import AccessError


class QueueJob(models.Model):
    """Amazon managers requeue Amazon's jobs; setting a job done or cancelled stays queue_job's.

    Amazon managers read and write the connector's jobs of their companies (record rule
    ``queue_job_rule_amazon_manager``) so that they can requeue them. Marking a job done or
    cancelled by hand drops Amazon work (a shipment confirmation never sent): that remains for
    queue_job's own managers.
    """

    _inherit = "queue.job"

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
