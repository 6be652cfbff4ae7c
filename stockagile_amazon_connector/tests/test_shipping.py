import json
from unittest.mock import patch

from odoo import Command
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from ..odoo_compat import stock_move_values
from .common import import_amazon_orders, run_amazon_jobs
from .test_order_import import FBM_MULTI, FBM_SINGLE, SHIPPED_FBM, SKUS, AmazonOrderCase

TEE, CABLE = "19283746501928", "19283746501929"


@tagged("post_install", "-at_install")
class TestShipping(AmazonOrderCase):
    """Amazon deliveries shipped through the API or the ERP, confirmed once on the sandbox."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.seur = cls.env["delivery.carrier"].create(
            {
                "name": "SEUR",
                "delivery_type": "fixed",
                "integration_level": "rate",
                "product_id": cls.env["product.product"]
                .create({"name": "SEUR shipping", "type": "service"})
                .id,
            }
        )

    def setUp(self):
        super().setUp()
        for sku in SKUS:
            self._set_inventory(self.products[sku], 100)
        self._sync()

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def _picking(self, ref, state=None):
        pickings = self._order(ref).picking_ids.filtered(
            lambda p: p.picking_type_code == "outgoing"
        )
        if state:
            pickings = pickings.filtered(lambda p: p.state == state)
        return pickings.sorted("id")

    def _confirm(self, include_future=False):
        """Run the confirmation jobs as the job runner does after the commit."""
        return run_amazon_jobs(self.env, include_future=include_future)

    def _shipments(self, order_ref=None):
        return [s for s in self.sandbox.shipments() if order_ref in (None, s["orderId"])]

    # ------------------------------------------------------------------
    # The API
    # ------------------------------------------------------------------

    def test_update_then_mark_shipped_confirms_once(self):
        """Shipping data then mark shipped: one confirmation with carrier, tracking and items."""
        picking = self._picking(FBM_SINGLE)
        result = picking.amazon_update_shipping(
            "seur", "TRK-0001", "Express", "2025-03-04 10:30:00"
        )
        self.assertEqual(result["state"], "assigned")
        self.assertEqual(result["amazon_sync_state"], "none")
        self.assertEqual(picking.carrier_id, self.seur, "carrier matched by name")
        self.assertEqual(picking.carrier_tracking_ref, "TRK-0001")
        self.assertFalse(self._shipments(), "nothing goes to Amazon before the delivery is done")
        result = picking.amazon_mark_shipped()
        self.assertEqual(result["state"], "done")
        self.assertEqual(result["amazon_sync_state"], "pending")
        self.assertEqual(result["amazon_order_ref"], FBM_SINGLE)
        self.assertNotIn(None, result.values(), "XML-RPC cannot marshal None")
        self.assertFalse(self._shipments(), "sent after the commit, by the cron")
        self._confirm()
        self.assertEqual(picking.amazon_sync_state, "confirmed")
        self.assertEqual(self._order(FBM_SINGLE).amazon_shipping_state, "confirmed")
        [shipment] = self._shipments()
        package = shipment["packageDetail"]
        self.assertEqual(shipment["orderId"], FBM_SINGLE)
        self.assertEqual(shipment["marketplaceId"], self.marketplace_es.api_ref)
        self.assertEqual(package["packageReferenceId"], str(picking.id))
        self.assertEqual(package["carrierCode"], "SEUR")
        self.assertEqual(package["trackingNumber"], "TRK-0001")
        self.assertEqual(package["shippingMethod"], "Express")
        self.assertEqual(package["shipDate"], "2025-03-04T10:30:00Z")
        self.assertEqual(package["orderItems"], [{"orderItemId": "06538226431891", "quantity": 1}])
        self.assertEqual(
            self.sandbox.order(FBM_SINGLE)["fulfillment"]["fulfillmentStatus"], "SHIPPED"
        )
        # Repeated calls and cron runs send nothing new.
        picking.amazon_update_shipping("SEUR", "TRK-0001", "Express", "2025-03-04 10:30:00")
        again = picking.amazon_mark_shipped()
        self.assertEqual(again["amazon_sync_state"], "confirmed")
        self._confirm()
        self.assertEqual(len(self._shipments()), 1, "exactly one confirmation per package")

    def test_partial_delivery_then_backorder(self):
        """A partial delivery and its backorder are two packages, each confirmed item by item."""
        picking = self._picking(FBM_MULTI)
        tee = picking.move_ids.filtered(lambda m: m.sale_line_id.amazon_order_item_ref == TEE)
        tee.quantity = 1
        picking.amazon_update_shipping("Correos", "PK-1")
        result = picking.amazon_mark_shipped()
        self.assertEqual(picking.state, "done")
        backorder = self.env["stock.picking"].browse(result["backorder_ids"])
        self.assertEqual(len(backorder), 1, "the rest goes to a backorder, as the ERP does")
        self.assertEqual(backorder.move_ids.product_uom_qty, 1)
        self.assertIn(backorder.name, result["message"])
        self._confirm()
        self.assertEqual(self._order(FBM_MULTI).amazon_shipping_state, "confirmed")
        first = self._shipments(FBM_MULTI)[0]["packageDetail"]
        self.assertEqual(
            sorted((i["orderItemId"], i["quantity"]) for i in first["orderItems"]),
            [(TEE, 1), (CABLE, 1)],
        )
        self.assertEqual(
            self.sandbox.order(FBM_MULTI)["fulfillment"]["fulfillmentStatus"],
            "PARTIALLY_SHIPPED",
        )
        backorder.amazon_update_shipping("Correos", "PK-2")
        backorder.amazon_mark_shipped()
        self._confirm()
        shipments = self._shipments(FBM_MULTI)
        self.assertEqual(len(shipments), 2)
        second = shipments[1]["packageDetail"]
        self.assertEqual(second["packageReferenceId"], str(backorder.id))
        self.assertEqual(second["orderItems"], [{"orderItemId": TEE, "quantity": 1}])
        self.assertFalse(any(s["duplicate"] for s in shipments))
        self.assertEqual(
            self.sandbox.order(FBM_MULTI)["fulfillment"]["fulfillmentStatus"], "SHIPPED"
        )

    def test_bad_input_changes_nothing(self):
        """Each bad input is refused with a clear message and changes nothing."""
        picking = self._picking(FBM_SINGLE)
        with self.assertRaisesRegex(ValidationError, "tracking number is empty"):
            picking.amazon_update_shipping("SEUR", "  ")
        with self.assertRaisesRegex(ValidationError, "carrier is empty"):
            picking.amazon_update_shipping("", "TRK")
        with self.assertRaisesRegex(ValidationError, "not a date"):
            picking.amazon_update_shipping("SEUR", "TRK", ship_date="tomorrow")
        self.assertFalse(picking.carrier_tracking_ref)
        missing = self.env["stock.picking"].browse(999999999)
        with self.assertRaisesRegex(MissingError, "999999999 does not exist"):
            missing.amazon_mark_shipped()
        other = self.env["stock.picking"].create(
            {
                "picking_type_id": self.warehouse.out_type_id.id,
                "location_id": self.warehouse.lot_stock_id.id,
                "location_dest_id": self.env.ref("stock.stock_location_customers").id,
            }
        )
        with self.assertRaisesRegex(UserError, "not a delivery of an Amazon order"):
            other.amazon_update_shipping("SEUR", "TRK")
        picking.action_cancel()
        with self.assertRaisesRegex(UserError, "is cancelled"):
            picking.amazon_mark_shipped()
        self.assertFalse(self.env["amazon.shipment"].search([("picking_id", "=", picking.id)]))

    def test_user_without_stock_rights_is_refused(self):
        """A user who may not edit deliveries gets an access error."""
        user = new_test_user(self.env, "no.stock", groups="base.group_user")
        picking = self._picking(FBM_SINGLE)
        with self.assertRaises(AccessError):
            picking.with_user(user).amazon_update_shipping("SEUR", "TRK")
        with self.assertRaises(AccessError):
            picking.with_user(user).amazon_mark_shipped()
        self.assertEqual(picking.state, "assigned")

    def test_stock_user_ships_through_the_api(self):
        """A warehouse user (no Amazon group) ships an Amazon delivery over the API."""
        user = new_test_user(self.env, "wh.clerk", groups="stock.group_stock_user")
        picking = self._picking(FBM_SINGLE).with_user(user)
        picking.amazon_update_shipping("DHL", "DHL-9")
        self.assertEqual(picking.amazon_mark_shipped()["amazon_sync_state"], "pending")
        self._confirm()
        [shipment] = self._shipments()
        self.assertEqual(shipment["packageDetail"]["carrierCode"], "DHL")

    # ------------------------------------------------------------------
    # ERP flow
    # ------------------------------------------------------------------

    def test_validation_without_tracking_awaits_data(self):
        """Validated in the ERP without tracking: awaiting data until a user sets it."""
        picking = self._picking(FBM_SINGLE)
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        self.assertEqual(picking.amazon_sync_state, "awaiting_data")
        self.assertEqual(self._order(FBM_SINGLE).amazon_shipping_state, "awaiting_data")
        self._confirm()
        self.assertFalse(self._shipments())
        picking.write({"amazon_carrier_name": "Paquetería Local", "carrier_tracking_ref": "PL-7"})
        self.assertEqual(picking.amazon_sync_state, "pending")
        self._confirm()
        [shipment] = self._shipments()
        package = shipment["packageDetail"]
        self.assertEqual(package["carrierCode"], "Other")
        self.assertEqual(package["carrierName"], "Paquetería Local", "unknown carriers go by name")
        self.assertEqual(self._order(FBM_SINGLE).amazon_shipping_state, "confirmed")

    def test_correction_after_confirmation(self):
        """New data on a confirmed package is sent once as an update of the same package."""
        picking = self._picking(FBM_SINGLE)
        picking.amazon_update_shipping("SEUR", "WRONG-1")
        picking.amazon_mark_shipped()
        self._confirm()
        result = picking.amazon_update_shipping("SEUR", "RIGHT-1")
        self.assertEqual(result["amazon_sync_state"], "pending", "the correction goes to Amazon")
        self._confirm()
        self._confirm()
        shipments = self._shipments()
        self.assertEqual(len(shipments), 2)
        self.assertEqual(shipments[1]["packageDetail"]["trackingNumber"], "RIGHT-1")
        self.assertEqual(shipments[1]["packageDetail"]["packageReferenceId"], str(picking.id))
        self.assertEqual(picking.amazon_shipment_ids.correction_count, 1)
        self.assertEqual(self.sandbox.order(FBM_SINGLE)["packages"][0]["trackingNumber"], "RIGHT-1")

    def test_already_shipped_order_is_not_confirmed_again(self):
        """An order imported as shipped has its delivery done but nothing is sent to Amazon."""
        picking = self._picking(SHIPPED_FBM)
        self.assertEqual(picking.state, "done")
        self.assertFalse(picking.amazon_shipment_ids)
        self._confirm()
        self.assertFalse(self._shipments())

    def test_carrier_integration_label_and_tracking(self):
        """A label-producing carrier runs on validation; its tracking number is what Amazon gets."""
        carrier = self.env["delivery.carrier"].create(
            {
                "name": "Label Express",
                "delivery_type": "fixed",
                "integration_level": "rate_and_ship",
                "product_id": self.seur.product_id.id,
            }
        )
        picking = self._picking(FBM_SINGLE)
        picking.picking_type_id.print_label = True
        picking.carrier_id = carrier

        def send_shipping(carrier_self, pickings):
            for shipped in pickings:
                shipped.message_post(
                    body="label",
                    attachments=[("LabelExpress-LE123.pdf", b"%PDF-1.4 label")],
                )
            return [{"exact_price": 4.5, "tracking_number": "LE123"} for _p in pickings]

        with patch.object(type(carrier), "fixed_send_shipping", send_shipping):
            picking.amazon_mark_shipped()
        self.assertEqual(picking.carrier_tracking_ref, "LE123", "the ERP's label flow ran")
        self._confirm()
        [shipment] = self._shipments()
        self.assertEqual(shipment["packageDetail"]["trackingNumber"], "LE123")
        self.assertEqual(shipment["packageDetail"]["carrierName"], "Label Express")
        action = self._order(FBM_SINGLE).action_amazon_print_labels()
        self.assertEqual(action["type"], "ir.actions.act_url")
        note = self._order(FBM_SINGLE).action_amazon_print_delivery_note()
        self.assertEqual(note["report_name"], "stock.report_deliveryslip")

    # ------------------------------------------------------------------
    # Amazon failures
    # ------------------------------------------------------------------

    def test_throttled_then_confirmed_once(self):
        """Throttling keeps the package pending; the next run confirms it once."""
        picking = self._picking(FBM_SINGLE)
        picking.amazon_update_shipping("SEUR", "T-1")
        picking.amazon_mark_shipped()
        self.sandbox.add_fault("confirmShipment", "throttle")
        with mute_logger("stockagile_amazon_connector.services.client"):
            self._confirm()
        self.assertEqual(picking.amazon_sync_state, "pending")
        self.assertFalse(self._shipments())
        self.reset_rate_limits()  # as if Amazon's retry-after had passed
        self._confirm(include_future=True)
        self.assertEqual(picking.amazon_sync_state, "confirmed")
        self.assertEqual(len(self._shipments()), 1)

    @mute_logger(
        "stockagile_amazon_connector.models.amazon_shipment",
        "stockagile_amazon_connector.services.client",
    )
    def test_stopped_account_never_holds_back_another(self):
        """An account whose token was revoked keeps its packages; another's are confirmed."""
        other = self.env["amazon.account"].create(
            self._amazon_account_values(name="Amazon ES (second)")
        )
        import_amazon_orders(self.env, other)
        others = self.env["sale.order"].search(
            [("amazon_account_id", "=", other.id), ("amazon_order_ref", "=", FBM_MULTI)]
        )
        for picking in others.picking_ids | self._picking(FBM_SINGLE):
            picking.amazon_update_shipping("SEUR", f"S-{picking.id}")
            picking.amazon_mark_shipped()
        other.sudo().refresh_token = "revoked-by-the-seller"
        self._confirm()
        self.assertEqual(self._picking(FBM_SINGLE).amazon_sync_state, "confirmed")
        self.assertEqual(len(self._shipments(FBM_SINGLE)), 1)
        stopped = others.picking_ids.filtered(lambda p: p.picking_type_code == "outgoing")
        self.assertEqual(set(stopped.mapped("amazon_sync_state")), {"pending"})
        self.assertTrue(all(stopped.mapped("amazon_sync_error")), "the reason shows on each")
        self.assertFalse(self._shipments(FBM_MULTI), "nothing sent with revoked credentials")

    @mute_logger("stockagile_amazon_connector.models.amazon_shipment")
    def test_outage_keeps_pending_with_message(self):
        """An outage is recorded on the delivery and retried without duplicates."""
        picking = self._picking(FBM_SINGLE)
        picking.amazon_update_shipping("SEUR", "O-1")
        picking.amazon_mark_shipped()
        self.sandbox.add_fault("confirmShipment", "error503", count=2)
        self._confirm()
        self.assertEqual(picking.amazon_sync_state, "pending")
        self.assertTrue(picking.amazon_sync_error)
        self.assertEqual(picking.amazon_shipment_ids.attempts, 1)
        picking.action_amazon_retry_shipment()
        self._confirm()
        self.assertEqual(picking.amazon_sync_state, "pending", "still down: still queued")
        self.assertFalse(self._confirm(), "the next try waits for its backoff")
        self._confirm(include_future=True)
        self.assertEqual(picking.amazon_sync_state, "confirmed")
        self.assertFalse(picking.amazon_sync_error)
        self.assertEqual(len(self._shipments()), 1)
        self.assertEqual(len(self.sandbox.requests("confirmShipment")), 3)

    def test_amazon_refusal_shows_error_and_retry(self):
        """Amazon's refusal is shown on the delivery and in its chatter; Retry sends it again."""
        picking = self._picking(FBM_SINGLE)
        picking.amazon_update_shipping("SEUR", "R-1")
        picking.amazon_mark_shipped()
        self.sandbox.patch_order(FBM_SINGLE, {"fulfillment": {"fulfillmentStatus": "PENDING"}})
        with mute_logger("stockagile_amazon_connector.services.client"):
            self._confirm()
        self.assertEqual(picking.amazon_sync_state, "error")
        self.assertIn("PENDING", picking.amazon_sync_error)
        self.assertEqual(self._order(FBM_SINGLE).amazon_shipping_state, "error")
        self.assertIn("did not accept", picking.message_ids[0].body)
        self._confirm()
        self.assertEqual(len(self.sandbox.requests("confirmShipment")), 1, "no blind retries")
        self.sandbox.patch_order(FBM_SINGLE, {"fulfillment": {"fulfillmentStatus": "UNSHIPPED"}})
        result = picking.action_amazon_retry_shipment()
        self.assertEqual(result["amazon_sync_state"], "pending")
        self._confirm()
        self.assertEqual(picking.amazon_sync_state, "confirmed")
        self.assertEqual(len(self._shipments()), 1)

    def test_payload_is_stored_and_canonical(self):
        """The shipment keeps the body Amazon accepted, to tell corrections from repeats."""
        picking = self._picking(FBM_SINGLE)
        picking.amazon_update_shipping("UPS", "1Z999", ship_date="2025-05-06T08:00:00+02:00")
        picking.amazon_mark_shipped()
        self._confirm()
        shipment = picking.amazon_shipment_ids
        body = json.loads(shipment.confirmed_payload)
        self.assertEqual(body["packageDetail"]["shipDate"], "2025-05-06T06:00:00Z")
        self.assertEqual(shipment.payload, shipment.confirmed_payload)
        shipment.action_retry()
        self.assertEqual(shipment.state, "confirmed", "Retry of a confirmed package sends nothing")

    def test_package_without_amazon_items_is_an_error(self):
        """A delivery carrying only products that are not Amazon items cannot be confirmed."""
        product = self._create_product("EXTRA-1")
        self._set_inventory(product, 5)
        picking = self._picking(FBM_SINGLE)
        picking.move_ids.quantity = 0
        picking.write(
            {
                "move_ids": [
                    Command.create(
                        stock_move_values(
                            {
                                "name": "extra",
                                "product_id": product.id,
                                "product_uom_qty": 1,
                                "quantity": 1,
                                "location_id": picking.location_id.id,
                                "location_dest_id": picking.location_dest_id.id,
                            }
                        )
                    )
                ]
            }
        )
        picking.amazon_update_shipping("SEUR", "X-1")
        picking.amazon_mark_shipped()
        self.assertEqual(picking.amazon_sync_state, "error")
        self.assertIn("at least one order item", picking.amazon_sync_error)

    # ------------------------------------------------------------------
    # Several packages (Put in Pack)
    # ------------------------------------------------------------------

    def _pack_each_line(self, picking):
        """Put each move line of the delivery in a package of its own, as Put in Pack does."""
        for move_line in picking.move_line_ids.sorted("id"):
            move_line.action_put_in_pack()  # the move line's action: on 18.0 and 19.0 alike
        return picking.move_line_ids.result_package_id.sorted("id")

    def test_two_packages_are_two_amazon_packages(self):
        """A delivery in two packages: two Amazon packages, own tracking and items, sent once."""
        picking = self._picking(FBM_MULTI)
        packages = self._pack_each_line(picking)
        self.assertEqual(len(packages), 2)
        picking.amazon_update_shipping("GLS", ["GLS-1", "GLS-2"])
        result = picking.amazon_mark_shipped()
        self._confirm()
        shipments = self._shipments(FBM_MULTI)
        self.assertEqual(len(shipments), 2, "one confirmShipment per package")
        details = [shipment["packageDetail"] for shipment in shipments]
        expected = {
            package.name: [
                {
                    "orderItemId": ml.move_id.sale_line_id.amazon_order_item_ref,
                    "quantity": int(ml.quantity),
                }
                for ml in picking.move_line_ids.filtered(
                    lambda m, p=package: m.result_package_id == p
                )
            ]
            for package in packages
        }
        self.assertEqual(
            [(d["trackingNumber"], d["carrierCode"], d["orderItems"]) for d in details],
            [
                ("GLS-1", "GLS", expected[packages[0].name]),
                ("GLS-2", "GLS", expected[packages[1].name]),
            ],
        )
        references = [d["packageReferenceId"] for d in details]
        self.assertEqual(len(set(references)), 2, "packageReferenceId unique within the order")
        self.assertEqual(
            self.sandbox.order(FBM_MULTI)["fulfillment"]["fulfillmentStatus"], "SHIPPED"
        )
        result = picking.amazon_mark_shipped()
        self.assertEqual(result["amazon_sync_state"], "confirmed")
        self.assertEqual(
            [(p["package"], p["carrier"], p["tracking_ref"]) for p in result["packages"]],
            [(packages[0].name, "GLS", "GLS-1"), (packages[1].name, "GLS", "GLS-2")],
        )
        self.assertEqual([p["package_reference_id"] for p in result["packages"]], references)
        self._confirm()
        self.assertEqual(len(self._shipments(FBM_MULTI)), 2, "calling again sends nothing")

    def test_tracking_numbers_must_match_packages(self):
        """Three tracking numbers for two packages: an error on the delivery, nothing sent."""
        picking = self._picking(FBM_MULTI)
        self._pack_each_line(picking)
        picking.amazon_update_shipping("SEUR", "S-1, S-2, S-3")
        picking.amazon_mark_shipped()
        self._confirm()
        self.assertEqual(picking.amazon_sync_state, "error")
        self.assertIn("3 tracking numbers for 2 packages", picking.amazon_sync_error)
        self.assertFalse(self._shipments(FBM_MULTI), "nothing reaches Amazon")
        picking.amazon_update_shipping("SEUR", "S-1")
        self._confirm()
        self.assertEqual(picking.amazon_sync_state, "confirmed")
        details = [s["packageDetail"] for s in self._shipments(FBM_MULTI)]
        self.assertEqual([d["trackingNumber"] for d in details], ["S-1", "S-1"], "one shared")
