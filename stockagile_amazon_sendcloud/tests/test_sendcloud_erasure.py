from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from odoo.addons.stockagile_amazon_connector.tests.test_erasure import buyer_rows
from odoo.addons.stockagile_amazon_connector.tests.test_order_import import FBM_SINGLE

from ..models.stock_picking import LABEL_PREFIX
from .common import SendcloudAmazonCase


@tagged("post_install", "-at_install")
class TestSendcloudErasure(SendcloudAmazonCase):
    """The buyer's erasure reaches the Sendcloud parcel and its label PDFs."""

    def test_erasure_blanks_the_parcel_and_deletes_its_labels(self):
        """After the erasure no parcel field, label file or table holds the buyer's name."""
        picking = self._picking(FBM_SINGLE)
        picking.action_amazon_sendcloud_label()
        picking.amazon_mark_shipped()
        self._confirm()
        buyer = picking.partner_id
        traces = [t for t in (buyer.name, buyer.street) if t]
        parcel = picking._amazon_sendcloud_parcels()
        self.assertIn(buyer.name, parcel.partner_name or "", msg="the parcel holds the buyer")
        self.assertTrue(buyer_rows(self.env, traces))
        past = fields.Datetime.now() - timedelta(days=3)
        self.env.cr.execute(
            "UPDATE stock_move SET date = %s WHERE picking_id = %s", [past, picking.id]
        )
        self.env.invalidate_all()
        self.account.anonymize_after_days = 1
        self.account._amazon_job_erase_buyer_data()
        self.assertTrue(self._order(FBM_SINGLE).amazon_anonymized)
        self.assertFalse(parcel.partner_name or parcel.address or parcel.telephone)
        labels = self.env["ir.attachment"].search(
            [("res_model", "=", "stock.picking"), ("res_id", "=", picking.id)]
        )
        self.assertFalse(labels.filtered(lambda a: a.name.startswith(LABEL_PREFIX)))
        self.assertEqual(buyer_rows(self.env, traces), [], msg="nothing of the buyer remains")
