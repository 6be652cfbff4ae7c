from odoo import fields, models

#: Who may read or write the Sendcloud integration's keys: the managers who set it up (OCA's
#: module lets sales managers edit the integration). Labelling reads them in Python, as the
#: integration's own requests do, so inventory users still label without ever seeing them.
KEY_GROUPS = "sales_team.group_sale_manager"


class SendcloudIntegration(models.Model):
    """The Sendcloud integration's public and secret keys for managers only (issue 24).

    OCA's module lets every internal user read the integration, keys included: an employee could
    then act on the seller's Sendcloud account (buy labels, read every parcel's recipient).
    """

    _inherit = "sendcloud.integration"

    public_key = fields.Char(groups=KEY_GROUPS)
    secret_key = fields.Char(groups=KEY_GROUPS)
