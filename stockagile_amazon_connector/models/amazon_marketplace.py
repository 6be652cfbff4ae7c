from odoo import fields, models

from .. import odoo_compat

REGIONS = [
    ("na", "North America"),
    ("eu", "Europe"),
    ("fe", "Far East"),
]


@odoo_compat.sql_constraints(
    ("api_ref_unique", "UNIQUE(api_ref)", "A marketplace ID can only be declared once."),
)
class AmazonMarketplace(models.Model):
    """One of Amazon's public marketplaces, shipped as data.

    An account sells on several marketplaces of one region; the SP-API addresses each by its
    ``MarketplaceId`` (``api_ref``).
    """

    _name = "amazon.marketplace"
    _description = "Amazon Marketplace"
    _order = "region, name"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(
        required=True, help="Two-letter country code Amazon uses for the marketplace (ES, DE, UK…)."
    )
    api_ref = fields.Char(
        string="Marketplace ID", required=True, help="The MarketplaceId of the SP-API."
    )
    region = fields.Selection(REGIONS, required=True)
    currency_id = fields.Many2one("res.currency", required=True)
    domain = fields.Char(help="The storefront's web address.")
    active = fields.Boolean(default=True)
