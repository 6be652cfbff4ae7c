import importlib.util
import json
from pathlib import Path
from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.stockagile_amazon_connector.tests.test_order_import import FBM_MULTI, FBM_SINGLE

from .common import SendcloudAmazonCase

OCA_REQUEST = "odoo.addons.delivery_sendcloud_oca.models.abstract_sendcloud_request"


@tagged("post_install", "-at_install")
class TestSendcloudOnce(SendcloudAmazonCase):
    """One parcel per package, one confirmShipment per parcel, Sendcloud's refusals in a
    sentence, whatever the order of Label, Mark shipped, validation and webhooks."""

    def _confirmations(self, order_ref):
        """Every confirmShipment Amazon received for this order (accepted or refused)."""
        return [
            r["body"]["packageDetail"]
            for r in self.sandbox.requests("confirmShipment")
            if order_ref in r["path"]
        ]

    def _packed(self, ref=FBM_MULTI):
        picking = self._picking(ref)
        for move_line in picking.move_line_ids.sorted("id"):
            picking.action_put_in_pack(move_lines_to_pack=move_line)
        return picking

    def _webhooks(self, picking, status=3):
        """What OCA's webhook does with Sendcloud's parcel_status_changed, for every parcel."""
        for parcel in self.sendcloud.parcels():
            data = dict(parcel, status={"id": status, "message": "En route"})
            picking._sendcloud_create_update_received_parcels([data], self.env.company.id)
            self._confirm()

    def _assert_two_confirmations(self, picking):
        confirmations = self._confirmations(FBM_MULTI)
        parcels = self.sendcloud.parcels()
        self.assertEqual(len(parcels), 2, "one parcel per package")
        self.assertEqual(
            sorted(c["trackingNumber"] for c in confirmations),
            sorted(p["tracking_number"] for p in parcels),
            msg="exactly one confirmShipment per parcel",
        )
        self.assertEqual(len({c["packageReferenceId"] for c in confirmations}), 2)
        self.assertEqual(picking.amazon_sync_state, "confirmed")
        self.assertEqual(
            self.sandbox.order(FBM_MULTI)["fulfillment"]["fulfillmentStatus"], "SHIPPED"
        )

    def test_label_mark_shipped_webhooks_two_confirmations(self):
        """Two packages labelled, marked shipped twice, status webhooks: two confirmShipment."""
        picking = self._packed()
        picking.action_amazon_sendcloud_label()
        picking.action_amazon_mark_shipped()
        self._confirm()
        self._webhooks(picking)
        picking.amazon_mark_shipped()
        self._webhooks(picking, status=11)
        self._confirm()
        self._assert_two_confirmations(picking)

    def test_validation_labels_two_confirmations(self):
        """Validated without Label (OCA labels on validation), then webhooks: two confirmations."""
        picking = self._packed()
        picking.carrier_id = self.seur_method
        picking.picking_type_id.print_label = True  # Odoo's "labels on validation"
        picking.amazon_mark_shipped()
        self._confirm()
        self._webhooks(picking)
        self._assert_two_confirmations(picking)

    def test_tracking_by_webhook_after_shipping_two_confirmations(self):
        """Labels without tracking, shipped, each tracking by webhook: one confirmation each."""
        self.sendcloud.config(deferred_tracking=True)
        picking = self._packed()
        picking.action_amazon_sendcloud_label()
        picking.amazon_mark_shipped()
        self._confirm()
        self.assertFalse(self._confirmations(FBM_MULTI), "nothing without tracking numbers")
        for parcel in self.sendcloud.parcels():
            tracking = f"SEUR-HOOK-{parcel['id']}"
            self.sendcloud._call(
                "PATCH",
                f"/parcels/{parcel['id']}",
                {"status_id": 1000, "tracking_number": tracking},
            )
            data = dict(parcel, tracking_number=tracking)
            picking._sendcloud_create_update_received_parcels([data], self.env.company.id)
            self._confirm()
        self._assert_two_confirmations(picking)

    def test_refused_postal_code_is_one_sentence(self):
        """Sendcloud refusing a postal code: its reason, the field and what to do, no dump."""
        picking = self._picking(FBM_SINGLE)
        zip_code = picking.partner_id.zip
        self.sendcloud.fault(
            "createParcels", message="Postal code not served by SEUR.", field="postal_code"
        )
        result = picking.action_amazon_sendcloud_label()
        self.assertEqual(result["params"]["type"], "danger")
        self.assertEqual(
            picking.amazon_sendcloud_error,
            f"Sendcloud refused the label, ZIP {zip_code}: Postal code not served by SEUR; "
            "correct the delivery address or choose another Sendcloud shipping method, then "
            "press Label with Sendcloud again.",
        )
        self.assertFalse(self.sendcloud.parcels())
        self.assertTrue(picking.amazon_sendcloud_can_label, "retryable")
        picking.partner_id.zip = "28014"
        picking.action_amazon_sendcloud_label()
        self.assertFalse(picking.amazon_sendcloud_error)
        self.assertEqual(len(self.sendcloud.parcels()), 1)

    def test_sendcloud_error_message_is_one_sentence(self):
        """An error answer (not per parcel) is also one sentence with what to do."""
        self.sendcloud.fault("createParcels", kind="error500")
        picking = self._picking(FBM_SINGLE)
        picking.action_amazon_sendcloud_label()
        self.assertEqual(
            picking.amazon_sendcloud_error,
            "Sendcloud refused the label: Internal server error; correct the delivery or "
            "choose another Sendcloud shipping method, then press Label with Sendcloud again.",
        )

    def test_label_download_timeout_then_label_again(self):
        """The label download times out after Sendcloud created the parcel; Label again finds
        that parcel: one parcel, one label bought, its PDF on the delivery."""
        picking = self._picking(FBM_SINGLE)
        self.sendcloud.fault("getLabel", kind="timeout", seconds=3)
        with patch(f"{OCA_REQUEST}.TIMEOUT", 1):
            result = picking.action_amazon_sendcloud_label()
        self.assertEqual(result["params"]["type"], "danger")
        self.assertIn("did not download", picking.amazon_sendcloud_error)
        self.assertIn("no label is bought twice", picking.amazon_sendcloud_error)
        self.assertFalse(picking.sendcloud_parcel_ids, "the failed try is rolled back in Odoo")
        self.assertEqual(len(self.sendcloud.parcels()), 1, "Sendcloud kept the parcel")
        self.assertTrue(picking.amazon_sendcloud_can_label)
        result = picking.action_amazon_sendcloud_label()
        self.assertEqual(result["params"]["type"], "success", result["params"]["message"])
        [parcel] = self.sendcloud.parcels()
        self.assertEqual(len(self.sendcloud.requests("createParcels")), 1, "one label bought")
        self.assertEqual(picking.sendcloud_parcel_ids.sendcloud_code, parcel["id"])
        self.assertTrue(picking._amazon_sendcloud_parcels().amazon_label_attachment_id)
        picking.amazon_mark_shipped()
        self._confirm()
        [confirmation] = self._confirmations(FBM_SINGLE)
        self.assertEqual(confirmation["trackingNumber"], parcel["tracking_number"])

    def test_cancel_after_validation_then_label_corrects_amazon(self):
        """A parcel cancelled after Amazon confirmed it: the delivery says Amazon still has its
        tracking; Label again buys that package only and corrects the same Amazon package."""
        picking = self._packed()
        picking.action_amazon_sendcloud_label()
        picking.amazon_mark_shipped()
        self._confirm()
        first = {c["packageReferenceId"]: c for c in self._confirmations(FBM_MULTI)}
        self.assertEqual(len(first), 2)
        cancelled = picking._amazon_sendcloud_parcels()[-1]
        old_tracking = cancelled.tracking_number
        cancelled.unlink()  # OCA's delete: cancels on Sendcloud
        self.assertEqual(cancelled.sendcloud_status, "2000", "kept, cancelled")
        self.assertEqual(
            self.sendcloud.state()["parcels"][-1]["status"]["id"], 2000, "cancelled on Sendcloud"
        )
        self.assertEqual(picking.amazon_sync_state, "error")
        self.assertIn(old_tracking, picking.amazon_shipment_ids.mapped("last_error")[0] or "")
        self.assertTrue(picking.amazon_sendcloud_can_label)
        result = picking.action_amazon_sendcloud_label()
        self.assertEqual(result["params"]["type"], "success", result["params"]["message"])
        self.assertEqual(len(self.sendcloud.parcels()), 3)
        [again] = self.sendcloud.requests("createParcels")[1:]
        self.assertEqual(len(json.loads(again["body"])["parcels"]), 1, "only that package")
        self._confirm()
        confirmations = self._confirmations(FBM_MULTI)
        self.assertEqual(len(confirmations), 3)
        correction = confirmations[-1]
        self.assertIn(correction["packageReferenceId"], first, "the same Amazon package")
        self.assertNotEqual(correction["trackingNumber"], old_tracking)
        self.assertTrue(self.sandbox.shipments()[-1]["duplicate"], "Amazon took it as update")
        self.assertEqual(picking.amazon_sync_state, "confirmed")

    def test_cancel_refused_by_sendcloud_changes_nothing(self):
        """A parcel already with the carrier: Sendcloud refuses to cancel, Odoo says why."""
        picking = self._picking(FBM_SINGLE)
        picking.action_amazon_sendcloud_label()
        picking.amazon_mark_shipped()
        self._confirm()
        parcel = picking._amazon_sendcloud_parcels()
        self.sendcloud._call("PATCH", f"/parcels/{parcel.sendcloud_code}", {"status_id": 91})
        with self.assertRaisesRegex(UserError, "Sendcloud did not cancel parcel"):
            parcel.unlink()
        self.assertTrue(parcel.exists() and parcel._amazon_is_active())
        self.assertEqual(picking.amazon_sync_state, "confirmed")

    def test_migration_keys_shipments_by_package(self):
        """Shipments keyed by parcel before 1.1.0 take their package's key; nothing is resent."""
        picking = self._packed()
        picking.action_amazon_sendcloud_label()
        picking.amazon_mark_shipped()
        self._confirm()
        shipments = picking.amazon_shipment_ids.sorted("id")
        keys = shipments.mapped("package_key")
        self.assertEqual(
            sorted(keys), sorted(f"package:{p.id}" for p in picking.move_line_ids.result_package_id)
        )
        for parcel in picking._amazon_sendcloud_parcels():
            shipment = shipments.filtered(
                lambda s, p=parcel: s.package_key == p._amazon_package_key()
            )
            shipment.package_key = f"sendcloud:{parcel.sendcloud_code}"
        self.assertFalse(set(shipments.mapped("package_key")) & set(keys), "old keys seeded")
        path = Path(__file__).parents[1] / "migrations/1.1.0/post-sendcloud_package_keys.py"
        spec = importlib.util.spec_from_file_location("sendcloud_package_keys", path)
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        migration.migrate(self.env.cr, "18.0.1.0.0")
        self.assertEqual(shipments.mapped("package_key"), keys)
        picking.amazon_mark_shipped()
        self._confirm()
        self.assertEqual(len(self._confirmations(FBM_MULTI)), 2, "nothing sent again")
        self.assertEqual(picking.amazon_shipment_ids, shipments)
