from odoo import fields, models


class AmazonListingCreateCandidate(models.TransientModel):
    """An item of Amazon's catalog whose identifiers match the product's barcode."""

    _name = "amazon.listing.create.candidate"
    _description = "Amazon catalog match"

    wizard_id = fields.Many2one("amazon.listing.create.wizard", required=True, ondelete="cascade")
    asin = fields.Char(string="ASIN", required=True)
    title = fields.Char()
    brand = fields.Char()
    image_url = fields.Char(string="Image")
    product_type = fields.Char()

    def action_pick(self):
        """Sell the product as an offer on this ASIN."""
        self.ensure_one()
        return self.wizard_id._create_offer(self)
