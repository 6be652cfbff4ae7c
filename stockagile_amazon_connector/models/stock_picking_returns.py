from odoo import models


class StockPicking(models.Model):
    """A validated return picking of an Amazon return marks it received.

    Run as superuser, like a cron: the warehouse user receiving the parcel needs no Amazon or
    invoicing rights, and whatever fails is recorded on the return, never blocking the picking.
    """

    _inherit = "stock.picking"  # pylint: disable=consider-merging-classes-inherited

    def _action_done(self):
        result = super()._action_done()
        returns = self.env["amazon.return"].sudo().search([("picking_ids", "in", self.ids)])
        if returns:
            returns._amazon_on_received()
        return result
