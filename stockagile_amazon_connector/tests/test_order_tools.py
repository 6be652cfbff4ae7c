from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .test_order_import import BUSINESS, FBM_MULTI, FBM_SINGLE, AmazonOrderCase


@tagged("post_install", "-at_install")
class TestOrderTools(AmazonOrderCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mug = cls.products["SA-MUG-001"]
        cls.mug.is_storable = True
        cls.other_warehouse = cls.env["stock.warehouse"].create(
            {"name": "Madrid annex", "code": "MAD2", "company_id": cls.env.company.id}
        )

    def _enable_mug(self, quantity):
        """Stock and sync the mug; Amazon shows ``quantity``."""
        self._set_inventory(self.mug, quantity)
        self._set_inventory(self.mug, 5, location=self.other_warehouse.lot_stock_id)
        self.mug.amazon_sync = True
        self._push()
        self.assertEqual(self.sandbox.listing("SA-MUG-001")["quantity"], quantity)

    def _validate(self, picking):
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
        picking.move_ids.picked = True
        picking.button_validate()
        self.assertEqual(picking.state, "done")

    def test_delivery_validation_pushes_stock(self):
        """Import reserves, validating the delivery ships: Amazon's quantity follows each step."""
        self._enable_mug(10)
        self._sync()
        order = self._order(FBM_SINGLE)
        self._push()
        self.assertEqual(self.sandbox.listing("SA-MUG-001")["quantity"], 9, "reserved for it")
        self._validate(order.picking_ids)
        self._push()
        self.assertEqual(self.sandbox.listing("SA-MUG-001")["quantity"], 9)
        self.assertEqual(self.mug.with_context(warehouse_id=self.warehouse.id).qty_available, 9)
        self.assertEqual(order.order_line.qty_delivered, 1)

    def test_change_warehouse_moves_the_delivery(self):
        """The wizard re-routes the pending delivery; the old warehouse's stock goes back up."""
        self._enable_mug(10)
        self._sync()
        order = self._order(FBM_SINGLE)
        old_picking = order.picking_ids
        self._push()
        self.assertEqual(self.sandbox.listing("SA-MUG-001")["quantity"], 9)
        wizard = Form(
            self.env["amazon.change.warehouse.wizard"].with_context(default_order_id=order.id)
        )
        wizard.warehouse_id = self.other_warehouse
        wizard.save().action_apply()
        self.assertEqual(order.warehouse_id, self.other_warehouse)
        self.assertEqual(old_picking.state, "cancel")
        new_picking = order.picking_ids - old_picking
        self.assertEqual(new_picking.picking_type_id.warehouse_id, self.other_warehouse)
        self.assertEqual(new_picking.location_id, self.other_warehouse.lot_stock_id)
        self.assertEqual(new_picking.move_ids.product_uom_qty, 1)
        self._push()
        self.assertEqual(
            self.sandbox.listing("SA-MUG-001")["quantity"],
            10,
            "the account's warehouse got its reservation back",
        )
        self._validate(new_picking)
        self.assertEqual(
            self.mug.with_context(warehouse_id=self.other_warehouse.id).qty_available, 4
        )

    def test_change_warehouse_refused_once_shipped(self):
        """A shipped order cannot change warehouse."""
        self._sync()
        order = self._order(FBM_SINGLE)
        self._validate(order.picking_ids)
        with self.assertRaisesRegex(UserError, "shipped"):
            order._amazon_change_warehouse(self.other_warehouse)

    def test_print_delivery_note_as_pdf(self):
        """The order prints the ERP's delivery slip of its picking, as a PDF."""
        self._sync()
        order = self._order(FBM_MULTI)
        action = order.action_amazon_print_delivery_note()
        self.assertEqual(action["report_name"], "stock.report_deliveryslip")
        self.assertEqual(action["context"]["active_ids"], order.picking_ids.ids)
        # wkhtmltopdf would fetch styles from this very server, busy running the test: point
        # it at a closed port (it then renders without them).
        self.env["ir.config_parameter"].sudo().set_param("report.url", "http://127.0.0.1:9")
        pdf, kind = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf("stock.action_report_delivery", order.picking_ids.ids)
        )
        self.assertEqual(kind, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))

    def test_invoice_entire_order_at_ordered_quantities(self):
        """One invoice for every line at ordered quantities, before any delivery."""
        self._sync()
        order = self._order(FBM_MULTI)
        self.assertEqual(order.invoice_status, "to invoice")
        order.action_amazon_create_invoice()
        invoice = order.invoice_ids
        self.assertEqual(len(invoice), 1)
        self.assertEqual(
            sorted(invoice.invoice_line_ids.mapped("quantity")),
            sorted(order.order_line.mapped("product_uom_qty")),
            "invoiced as ordered, not as delivered",
        )
        self.assertAlmostEqual(invoice.amount_total, 51.78, msg="the invoice matches Amazon")
        self.assertEqual(order.invoice_status, "invoiced")

    def test_invoice_refused_with_missing_customer_data(self):
        """Missing customer data: the message names each field and partner; nothing is created."""
        self._sync()
        order = self._order(FBM_SINGLE)
        order.partner_invoice_id.write({"street": False, "zip": False})
        with self.assertRaises(UserError) as caught:
            order.action_amazon_create_invoice()
        message = str(caught.exception)
        self.assertIn("Lucía Martín Gómez", message)
        self.assertIn("Street", message)
        self.assertIn("Zip", message)
        self.assertNotIn("City", message, "only the missing fields are named")
        self.assertFalse(order.invoice_ids, "nothing is created")

    def test_invoice_requires_vat_of_business_buyers(self):
        """A business buyer without VAT number cannot be invoiced; with it, it can."""
        self._sync()
        order = self._order(BUSINESS)
        company = order.partner_id
        company.vat = False
        with self.assertRaisesRegex(UserError, "Papelería Técnica Levante.*Tax ID"):
            order.action_amazon_create_invoice()
        self.assertFalse(order.invoice_ids)
        company.vat = "ESB98765432"
        order.action_amazon_create_invoice()
        self.assertEqual(len(order.invoice_ids), 1)
