from odoo import api, models

from .. import odoo_compat


class ResGroups(models.Model):
    _inherit = "res.groups"

    @api.model
    def _amazon_file_under_category(self, group_ids, category_id):
        """File the connector's groups under its ``ir.module.category`` (called by the security
        data): a category on Odoo 18.0, a privilege of the category on 19.0, which security XML
        shared by both series cannot name.

        :param group_ids: ids of the ``res.groups`` to file.
        :param category_id: id of the ``ir.module.category`` they belong to.
        """
        odoo_compat.file_groups_under(
            self.browse(group_ids), self.env["ir.module.category"].browse(category_id)
        )
