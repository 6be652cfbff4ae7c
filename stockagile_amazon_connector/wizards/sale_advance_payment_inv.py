from odoo import models


class SaleAdvancePaymentInv(models.TransientModel):
    """The ERP's invoicing wizard checks Amazon orders' customer data before anything is made.

    A regular invoice reaches ``sale.order._create_invoices`` (which checks too), but a down
    payment creates its order lines and its invoice directly: the check runs first, so that no
    path of *Create invoice* creates anything for an Amazon order with incomplete data.
    """

    _inherit = "sale.advance.payment.inv"

    def _create_invoices(self, sale_orders):
        sale_orders._amazon_check_invoice_data()
        return super()._create_invoices(sale_orders)
