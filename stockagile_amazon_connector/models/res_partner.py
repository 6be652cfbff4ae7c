from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    amazon_buyer = fields.Boolean(
        readonly=True,
        copy=False,
        help="Created from an Amazon order for a consumer or a recipient: personal data that the "
        "connector reuses for the same buyer and erases after the account's retention delay.",
    )
