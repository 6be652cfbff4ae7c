from odoo.tests import HttpCase, tagged

from odoo.addons.stockagile_amazon_connector.tests.test_order_import import FBM_SINGLE

from .common import SendcloudAmazonCase


@tagged("post_install", "-at_install")
class TestSendcloudTour(SendcloudAmazonCase, HttpCase):
    """The label step in the browser, against the Sendcloud sandbox."""

    def test_label_from_the_order(self):
        """Order → Label with Sendcloud → PDF on the delivery → Mark shipped → Amazon confirmed."""
        order = self._order(FBM_SINGLE)
        self.start_tour(
            f"/odoo/action-sale.action_orders/{order.id}", "amazon_sendcloud_label", login="admin"
        )
        [parcel] = self.sendcloud.parcels()
        picking = order.picking_ids
        self.assertEqual(picking.carrier_tracking_ref, parcel["tracking_number"])
        label = picking._amazon_sendcloud_parcels().amazon_label_attachment_id
        self.assertEqual((label.res_model, label.res_id), ("stock.picking", picking.id))
        self.assertEqual(picking.state, "done")
        self._confirm()
        [package] = self._amazon_packages(FBM_SINGLE)
        self.assertEqual(
            (package["carrierCode"], package["trackingNumber"]), ("SEUR", parcel["tracking_number"])
        )
        self.assertEqual(len(self.sendcloud.parcels()), 1, "shipping reused the label")
