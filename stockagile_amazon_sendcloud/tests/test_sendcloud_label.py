import base64
import io

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged
from odoo.tools.pdf import PdfReader

from odoo.addons.stockagile_amazon_connector.tests.test_order_import import FBM_MULTI, FBM_SINGLE

from .common import SendcloudAmazonCase


@tagged("post_install", "-at_install")
class TestSendcloudLabel(SendcloudAmazonCase):
    """Label with Sendcloud on Amazon orders; each parcel one Amazon package, confirmed once."""

    def test_label_then_mark_shipped(self):
        """Order → label (PDF on the delivery) → mark shipped → Amazon gets Sendcloud's tracking."""
        order = self._order(FBM_SINGLE)
        picking = self._picking(FBM_SINGLE)
        self.assertTrue(order.amazon_sendcloud_can_label)
        result = order.action_amazon_sendcloud_label()
        self.assertEqual(result["params"]["type"], "success", result["params"]["message"])
        [parcel] = self.sendcloud.parcels()
        self.assertTrue(parcel["label"]["label_printer"], "a label was requested")
        self.assertEqual(parcel["shipment"]["id"], self.seur_method.sendcloud_code)
        self.assertIn(
            f"Labelled with Sendcloud: one parcel, tracking {parcel['tracking_number']}.",
            " ".join(picking.message_ids.mapped("body")),
            "one parcel is said in the singular",
        )
        self.assertEqual(picking.carrier_id, self.seur_method)
        self.assertEqual(picking.carrier_tracking_ref, parcel["tracking_number"])
        label = picking._amazon_sendcloud_parcels().amazon_label_attachment_id
        self.assertEqual((label.res_model, label.res_id), ("stock.picking", picking.id))
        self.assertTrue(base64.b64decode(label.datas).startswith(b"%PDF"))
        self.assertTrue(picking.amazon_sendcloud_labelled)
        self.assertFalse(picking.amazon_sendcloud_can_label, "labelled once")
        self.assertFalse(self._amazon_packages(FBM_SINGLE), "nothing to Amazon before shipping")
        printed = picking.action_amazon_sendcloud_print_labels()
        self.assertEqual(printed["url"], f"/web/content/{label.id}?download=true")

        shipped = picking.amazon_mark_shipped()
        self.assertEqual(shipped["state"], "done")
        self.assertEqual(len(self.sendcloud.parcels()), 1, "validation reuses the label")
        self._confirm()
        [package] = self._amazon_packages(FBM_SINGLE)
        self.assertEqual(package["carrierCode"], "SEUR")
        self.assertEqual(package["trackingNumber"], parcel["tracking_number"])
        self.assertEqual(package["orderItems"], [{"orderItemId": "06538226431891", "quantity": 1}])
        again = picking.amazon_mark_shipped()
        self.assertEqual(again["amazon_sync_state"], "confirmed")
        self.assertEqual(
            [(p["carrier_code"], p["tracking_ref"]) for p in again["packages"]],
            [("SEUR", parcel["tracking_number"])],
        )
        self._confirm()
        self.assertEqual(len(self._amazon_packages(FBM_SINGLE)), 1, "calling again sends nothing")

    def test_two_packages_two_parcels_two_amazon_packages(self):
        """A delivery in two Odoo packages: two Sendcloud parcels, two Amazon packages."""
        picking = self._picking(FBM_MULTI)
        for move_line in picking.move_line_ids.sorted("id"):
            picking.action_put_in_pack(move_lines_to_pack=move_line)
        picking.action_amazon_sendcloud_label()
        parcels = self.sendcloud.parcels()
        self.assertEqual(len(parcels), 2, picking.amazon_sendcloud_error)
        notes = " ".join(picking.message_ids.mapped("body"))
        self.assertIn("Labelled with Sendcloud: 2 parcels, tracking", notes)
        self.assertEqual({p["collo_count"] for p in parcels}, {2}, "one multi-collo shipment")
        self.assertEqual(len(picking._amazon_sendcloud_parcels().amazon_label_attachment_id), 2)
        picking.amazon_mark_shipped()
        self._confirm()
        packages = self._amazon_packages(FBM_MULTI)
        self.assertEqual(
            sorted(p["trackingNumber"] for p in packages),
            sorted(p["tracking_number"] for p in parcels),
        )
        by_tracking = {p["trackingNumber"]: p for p in packages}
        for parcel in parcels:
            package_id = int(parcel["external_reference"].rsplit(",", 1)[1])
            lines = picking.move_line_ids.filtered(
                lambda m, i=package_id: m.result_package_id.id == i
            )
            self.assertEqual(
                by_tracking[parcel["tracking_number"]]["orderItems"],
                [
                    {
                        "orderItemId": lines.move_id.sale_line_id.amazon_order_item_ref,
                        "quantity": int(lines.quantity),
                    }
                ],
            )
        self.assertEqual({p["carrierCode"] for p in packages}, {"SEUR"})
        self.assertEqual(
            self.sandbox.order(FBM_MULTI)["fulfillment"]["fulfillmentStatus"], "SHIPPED"
        )

    def test_several_deliveries_from_the_list(self):
        """The list action labels several deliveries; their labels print as one PDF."""
        pickings = self._picking(FBM_SINGLE) | self._picking(FBM_MULTI)
        action = self.env.ref(
            "stockagile_amazon_sendcloud.action_server_stock_picking_sendcloud_label"
        )
        result = action.with_context(active_model="stock.picking", active_ids=pickings.ids).run()
        self.assertEqual(result["params"]["type"], "success", result["params"]["message"])
        self.assertEqual(len(self.sendcloud.parcels()), 2, "one parcel per delivery")
        printed = pickings.action_amazon_sendcloud_print_labels()
        merged = self.env["ir.attachment"].browse(int(printed["url"].split("/")[3].split("?")[0]))
        pages = PdfReader(io.BytesIO(base64.b64decode(merged.datas))).pages
        self.assertEqual(len(pages), 2, "both deliveries' labels in one document")

    def test_refusals_keep_the_delivery_open(self):
        """Missing weight or Sendcloud's refusal: message on the delivery, open, nothing sent."""
        picking = self._picking(FBM_SINGLE)
        street = picking.partner_id.street
        picking.partner_id.street = False
        self.products["SA-MUG-001"].weight = 0  # what the shipping weight reads
        picking.move_ids.weight = 0
        result = picking.action_amazon_sendcloud_label()
        self.assertEqual(result["params"]["type"], "danger")
        self.assertIn("lacks: street", picking.amazon_sendcloud_error)
        self.assertIn("weighs nothing", picking.amazon_sendcloud_error)
        self.assertFalse(self.sendcloud.requests("createParcels"), "not sent to Sendcloud")
        picking.partner_id.street = street
        self.products["SA-MUG-001"].weight = 0.4
        picking.move_ids.weight = 0.4
        self.sendcloud.fault("createParcels", message="Postal code not served by SEUR")
        picking.action_amazon_sendcloud_label()
        self.assertIn("Postal code not served by SEUR", picking.amazon_sendcloud_error)
        self.assertEqual(picking.state, "assigned", "the delivery stays open")
        self.assertFalse(picking.sendcloud_parcel_ids)
        self.assertTrue(picking.amazon_sendcloud_can_label, "retryable")
        picking.action_amazon_sendcloud_label()
        self.assertFalse(picking.amazon_sendcloud_error)
        self.assertEqual(len(self.sendcloud.parcels()), 1)
        self._confirm()
        self.assertFalse(self._amazon_packages(FBM_SINGLE), "nothing reached Amazon")

    def test_tracking_arrives_after_validation(self):
        """Label without tracking, validated: awaiting data; the tracking then confirms it."""
        self.sendcloud.config(deferred_tracking=True)
        picking = self._picking(FBM_SINGLE)
        picking.action_amazon_sendcloud_label()
        picking.amazon_mark_shipped()
        self._confirm()
        self.assertEqual(picking.amazon_sync_state, "awaiting_data")
        self.assertFalse(self._amazon_packages(FBM_SINGLE))
        # What OCA's webhook does with Sendcloud's parcel_status_changed (HTTP path: e2e test).
        [parcel] = self.sendcloud.parcels()
        data = dict(parcel, tracking_number="SEUR-LATE-1")
        picking._sendcloud_create_update_received_parcels([data], self.env.company.id)
        self.assertEqual(picking.carrier_tracking_ref, "SEUR-LATE-1")
        self._confirm()
        [package] = self._amazon_packages(FBM_SINGLE)
        self.assertEqual(package["trackingNumber"], "SEUR-LATE-1")

    def test_api_override_and_unknown_carrier(self):
        """amazon_update_shipping overrides Sendcloud's data; an unmapped carrier goes as Other."""
        self.assertEqual(
            self.env["amazon.sendcloud.carrier"]._amazon_carrier_for("postnl"), ("Other", "Postnl")
        )
        self.assertEqual(
            self.env["amazon.sendcloud.carrier"]._amazon_carrier_for("ctt_express"),
            ("Other", "CTT Express"),
        )
        picking = self._picking(FBM_SINGLE)
        picking.action_amazon_sendcloud_label()
        picking.amazon_update_shipping("MRW", "MRW-777")
        picking.amazon_mark_shipped()
        self._confirm()
        [package] = self._amazon_packages(FBM_SINGLE)
        self.assertEqual((package["carrierCode"], package["trackingNumber"]), ("MRW", "MRW-777"))

    def test_user_without_stock_rights_cannot_label(self):
        """Only users who may edit deliveries see and use Label with Sendcloud."""
        user = new_test_user(
            self.env,
            "amazon_sales_only",
            groups="sales_team.group_sale_salesman",
        )
        picking = self._picking(FBM_SINGLE)
        with self.assertRaises(AccessError):
            picking.with_user(user).action_amazon_sendcloud_label()
        with self.assertRaises(AccessError):
            self._order(FBM_SINGLE).with_user(user).action_amazon_sendcloud_label()
        self.assertFalse(self.sendcloud.requests("createParcels"))
