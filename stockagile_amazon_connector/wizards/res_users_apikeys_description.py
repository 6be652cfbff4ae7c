from odoo import _, fields, models
from odoo.exceptions import AccessError

from odoo.addons.base.models.res_users import check_identity


class ResUsersApikeysDescription(models.TransientModel):
    """Odoo's own *New API key* wizard, able to make the key of the Amazon integration user.

    Odoo only makes keys for the user who asks. An Amazon manager asks here for the key of the
    company's integration user: the same wizard, the same identity check (the manager's
    password) and the same one-time display of the key, but the key belongs to that user.
    """

    _inherit = "res.users.apikeys.description"

    amazon_user_id = fields.Many2one(
        "res.users",
        string="Key for",
        readonly=True,
        help="The Amazon integration user this key logs in as (empty: the key is yours).",
    )

    @check_identity
    def make_key(self):
        """Make the key, for the integration user when the wizard was opened for it."""
        if not self.amazon_user_id:
            return super().make_key()
        login = self.amazon_user_id.sudo().login
        key = self._amazon_make_key()  # deletes this wizard, as Odoo's does
        return {
            "type": "ir.actions.act_window",
            "res_model": "res.users.apikeys.show",
            "name": _("API key of %(login)s", login=login),
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_key": key},
        }

    def _amazon_make_key(self):
        """Generate the integration user's API key, after the checks Odoo's wizard makes.

        The duration obeys the limits of the manager who asks (Odoo's own rule for keys); the key
        is an RPC key (scope ``rpc``), owned by the integration user.

        :return: the key, shown once and never stored in clear.
        :raise AccessError: the caller is not an Amazon manager of that user's company, or the
            user is not an Amazon integration user.
        """
        self.ensure_one()
        self.check_access_make_key()
        user = self.amazon_user_id.sudo()
        if not self.env.user.has_group("stockagile_amazon_connector.group_amazon_manager"):
            raise AccessError(_("Only Amazon managers create keys for the integration user."))
        company = user.amazon_integration_company_id
        if not company or company not in self.env.user.company_ids:
            raise AccessError(
                _(
                    "%(login)s is not the Amazon integration user of your companies.",
                    login=user.login,
                )
            )
        apikeys = self.env["res.users.apikeys"]
        apikeys._check_expiration_date(self.expiration_date)
        description = self.sudo()
        key = (
            apikeys.with_user(user).sudo()._generate("rpc", description.name, self.expiration_date)
        )
        description.unlink()
        return key
