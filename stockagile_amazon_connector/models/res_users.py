from odoo import _, api, fields, models

from .. import odoo_compat


@odoo_compat.sql_constraints(
    (
        "amazon_integration_company_uniq",
        "unique (amazon_integration_company_id)",
        "A company has one Amazon integration user.",
    ),
)
class ResUsers(models.Model):
    """The dedicated user an integrator's tool logs in as, with an API key, one per company.

    It holds only the rights the shipping API needs (Amazon User, which brings Inventory User and
    own-documents Sales), in one company, and has no password: it cannot log in to the web client,
    cannot read Amazon credentials, and sees no other company's deliveries.
    """

    _inherit = "res.users"

    amazon_integration_company_id = fields.Many2one(
        "res.company",
        string="Amazon integration of",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="Set on the integration user the Amazon Developers page created for this company: "
        "integrators' tools log in as it with an API key.",
    )

    @api.model
    def _amazon_integration_login(self, company):
        """The login of ``company``'s integration user (known before it exists)."""
        return f"amazon-integration-{company.id}"

    @api.model
    def _amazon_integration_user(self, company, create=False):
        """The integration user of ``company``, created (or unarchived) on demand.

        Created as superuser: an Amazon manager need not administer users to get a key, and the
        user only ever gets the Amazon User and Inventory User groups in this one company, rights
        the manager already has.

        :param company: ``res.company`` record the user works in.
        :param create: create it when missing, else return an empty recordset.
        :return: ``res.users`` record (sudo) or empty.
        """
        users = self.sudo().with_context(active_test=False)
        user = users.search([("amazon_integration_company_id", "=", company.id)], limit=1)
        if user or not create:
            if user and create and not user.active:
                user.active = True
            return user
        groups = (
            self.env.ref("stockagile_amazon_connector.group_amazon_integration")
            | self.env.ref("stockagile_amazon_connector.group_amazon_user")
            | self.env.ref("stock.group_stock_user")
        )
        return users.with_context(no_reset_password=True).create(
            {
                "name": _("Amazon integration (%(company)s)", company=company.name),
                "login": self._amazon_integration_login(company),
                "company_id": company.id,
                "company_ids": [fields.Command.set(company.ids)],
                odoo_compat.GROUPS_FIELD: [fields.Command.set(groups.ids)],
                "amazon_integration_company_id": company.id,
            }
        )
