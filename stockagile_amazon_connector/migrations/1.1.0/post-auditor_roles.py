"""Roles as the README documents them (issue 24), for databases installed before 1.1.0.

- Amazon managers no longer imply queue_job's manager: the users who got it only that way (not
  administrators, not explicit job managers we cannot tell apart from them) lose it; they keep
  Amazon's jobs of their companies through the connector's own record rule.
- The integration users of the Developers page get the integration group, which limits them to
  the Amazon deliveries of their company.
"""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    job_manager = env.ref("queue_job.group_queue_job_manager", False)
    if job_manager and env.ref("stockagile_amazon_connector.group_amazon_manager", False):
        users = env["res.users"].with_context(active_test=False).search([("share", "=", False)])
        demoted = users.filtered(
            lambda user: user.has_group("stockagile_amazon_connector.group_amazon_manager")
            and not user.has_group("base.group_system")
        )
        if demoted:
            job_manager.write({_users_field(job_manager): [(3, uid) for uid in demoted.ids]})
    integration = env.ref("stockagile_amazon_connector.group_amazon_integration", False)
    if integration:
        users = (
            env["res.users"]
            .with_context(active_test=False)
            .search([("amazon_integration_company_id", "!=", False)])
        )
        if users:
            integration.write({_users_field(integration): [(4, uid) for uid in users.ids]})


def _users_field(group):
    """``users`` up to Odoo 18, ``user_ids`` from 19 on."""
    return "user_ids" if "user_ids" in group._fields else "users"
