import base64
from datetime import timedelta

from odoo import fields
from odoo.tests import tagged
from odoo.tools import SQL

from . import common
from .common import AmazonTestCase, seed

BUYER = "Zyxwa Quorbel"
STREET = "Calle Zyxwabeta 9"
PHONE = "+34 699 123 457"
TRACES = (BUYER, STREET, PHONE)

#: Tables a scan does not judge: posted invoices keep the buyer by law (none here), the
#: attachments are read below through their content, and Odoo's own caches of the test run.
NOT_SCANNED = ("account_move", "account_move_line", "ir_attachment")


def erased_order(ref, sku, updated):
    """An FBM order of the buyer, sent to BUYER at STREET (phone PHONE)."""
    items = [seed.order_item(f"9{ref[-6:]}00001", sku, "Mug", "B0TEST", 1, 12.90)]
    order = seed.base_order(
        ref, updated - timedelta(hours=1), updated, "UNSHIPPED", "MERCHANT", items
    )
    order["recipient"] = {
        "deliveryAddress": seed.address(BUYER, STREET, "Madrid", "28001", "Madrid", phone=PHONE)
    }
    return order


def buyer_rows(env, traces=TRACES, skip=NOT_SCANNED):
    """Every (table, column) of the database holding one of ``traces``, with the row count."""
    env.flush_all()
    cr = env.cr
    cr.execute(
        """
        SELECT c.table_name, c.column_name FROM information_schema.columns c
          JOIN information_schema.tables t
            ON t.table_name = c.table_name AND t.table_schema = c.table_schema
         WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
           AND c.data_type IN ('text', 'character varying', 'jsonb')
        """
    )
    patterns = [f"%{trace}%" for trace in traces]
    found = []
    for table, column in cr.fetchall():
        if table.startswith(skip):
            continue
        cr.execute(
            SQL(
                "SELECT count(*) FROM %s WHERE %s::text ILIKE ANY(%s)",
                SQL.identifier(table),
                SQL.identifier(column),
                patterns,
            )
        )
        count = cr.fetchone()[0]
        if count:
            found.append((table, column, count))
    return found


@tagged("post_install", "-at_install")
class TestErasure(AmazonTestCase):
    """The erasure leaves nothing of the buyer in the database or its files."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mug = cls._create_product("SA-MUG-001")
        cls._configure_euro_sales(cls.mug)

    def _seed_everywhere(self):
        """The buyer in an order, its partner, delivery, chatter, review quotation, dead letter
        and jobs; everything done three days ago."""
        self._set_inventory(self.mug, 5)
        self.account.orders_last_sync = fields.Datetime.now() - timedelta(days=5)
        updated = fields.Datetime.now() - timedelta(days=4)
        self.sandbox.reset(seed="empty")
        self.sandbox.add_orders(
            [
                erased_order("402-2400000-0000031", "SA-MUG-001", updated),
                erased_order("402-2400000-0000032", "SA-UNKNOWN-24", updated),  # to review
            ]
        )
        common.import_amazon_orders(self.env, self.account)
        orders = self.env["sale.order"].search([("amazon_order_ref", "like", "402-2400000-00000")])
        shipped = orders.filtered(lambda o: o.state == "sale")
        review = orders - shipped
        self.assertTrue(shipped and review.amazon_review_needed, msg="both places seeded")
        picking = shipped.picking_ids
        picking.amazon_update_shipping("SEUR", "ERASE-1")
        picking.amazon_mark_shipped()
        common.run_amazon_jobs(self.env)
        # The chatter: the delivery's partner changed and back (the old value names the buyer).
        buyer = picking.partner_id
        picking.partner_id = self.env.company.partner_id
        self.env.flush_all()
        self.env.cr.precommit.run()
        picking.partner_id = buyer
        self.env.flush_all()
        self.env.cr.precommit.run()
        # A dead letter naming the buyer.
        self.env["amazon.notification"].sudo().create(
            {
                "account_id": self.account.id,
                "notification_ref": "dead-24",
                "amazon_order_ref": shipped.amazon_order_ref,
                "raw_body": f'{{"BuyerName": "{BUYER}", "AddressLine1": "{STREET}"}}',
                "state": "dead",
            }
        )
        self.assertTrue(buyer_rows(self.env), msg="the buyer is in the database before")
        # Three days ago: delivered, and Amazon's last word on the quotation.
        past = fields.Datetime.now() - timedelta(days=3)
        self.env.cr.execute(
            "UPDATE stock_move SET date = %s WHERE picking_id = %s", [past, picking.id]
        )
        self.env.cr.execute(
            "UPDATE sale_order SET amazon_last_update = %s, write_date = %s WHERE id = ANY(%s)",
            [past, past, orders.ids],
        )
        self.env.invalidate_all()
        return orders

    def test_erasure_leaves_nothing_of_the_buyer(self):
        """Order, partner, delivery, chatter, quotation, dead letter, jobs: nothing remains."""
        orders = self._seed_everywhere()
        self.account.anonymize_after_days = 1
        self.account._amazon_job_erase_buyer_data()
        self.assertTrue(all(orders.mapped("amazon_anonymized")), msg="both orders erased")
        self.assertEqual(buyer_rows(self.env), [], msg="nothing of the buyer in the database")
        attachments = self.env["ir.attachment"].sudo().search([])
        holding = [
            a.name
            for a in attachments
            if a.raw
            and any(
                trace.encode() in (a.raw or b"") or trace.encode() in base64.b64encode(a.raw)
                for trace in TRACES
            )
        ]
        self.assertEqual(holding, [], msg="nor in any attachment")

    def test_erasure_writes_no_tracking_value(self):
        """Blanking the partner leaves no tracking value with the old name in the chatter."""
        orders = self._seed_everywhere()
        self.account.anonymize_after_days = 1
        self.account._amazon_job_erase_buyer_data()
        self.env.flush_all()
        self.env.cr.precommit.run()
        values = self.env["mail.tracking.value"].sudo().search([])
        self.assertFalse(
            values.filtered(
                lambda v: BUYER in f"{v.old_value_char} {v.new_value_char} {v.old_value_text}"
            ),
            msg=f"no tracking value names the buyer of {orders.mapped('name')}",
        )
