from odoo import models


class StockQuant(models.Model):
    """Every change of on-hand or reserved quantity goes through these two methods.

    Receipts, deliveries, scraps, inventory adjustments, internal moves and returns all end up in
    ``_update_available_quantity`` when their move is done, and reservations in
    ``_update_reserved_quantity``; both change the free quantity Amazon must show. Here we only
    queue a push for the product's listings whose account sells from that location's warehouse:
    the push itself runs after the commit, in the sync engine.
    """

    _inherit = "stock.quant"

    def _update_available_quantity(self, product_id, location_id, *args, **kwargs):
        result = super()._update_available_quantity(product_id, location_id, *args, **kwargs)
        self._amazon_queue_stock_change(product_id, location_id)
        return result

    def _update_reserved_quantity(self, product_id, location_id, *args, **kwargs):
        result = super()._update_reserved_quantity(product_id, location_id, *args, **kwargs)
        self._amazon_queue_stock_change(product_id, location_id)
        return result

    def _amazon_queue_stock_change(self, product, location):
        """Queue a stock push of ``product`` for the accounts selling from ``location``."""
        warehouse = location.warehouse_id
        if not warehouse or not product.amazon_sync:
            return
        listings = (
            self.env["amazon.listing"]
            .sudo()
            .search(
                [
                    ("product_id", "=", product.id),
                    ("account_id.warehouse_id", "=", warehouse.id),
                    ("account_id.sync_stock", "=", True),
                ]
            )
        )
        listings._queue_changes(kind="stock")
