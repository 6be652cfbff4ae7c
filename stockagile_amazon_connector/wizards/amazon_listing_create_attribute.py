from odoo import api, fields, models


class AmazonListingCreateAttribute(models.TransientModel):
    """One attribute of the product type: Amazon's label and description, and its value.

    Values are text as a person types them; measures are ``<number> <unit>`` (``0.35
    kilograms``). The wizard turns them into Amazon's shape with the type's schema.
    """

    _name = "amazon.listing.create.attribute"
    _description = "Amazon attribute to fill"
    _order = "sequence, id"

    wizard_id = fields.Many2one("amazon.listing.create.wizard", required=True, ondelete="cascade")
    sequence = fields.Integer()
    name = fields.Char(required=True, readonly=True, help="Amazon's attribute name.")
    title = fields.Char(string="Attribute", readonly=True)
    description = fields.Char(readonly=True)
    required = fields.Boolean(readonly=True)
    value = fields.Char()
    missing = fields.Boolean(compute="_compute_missing")

    @api.depends("required", "value")
    def _compute_missing(self):
        for line in self:
            line.missing = line.required and not (line.value or "").strip()
