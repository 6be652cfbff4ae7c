from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .common import import_amazon_returns
from .test_order_import import AmazonOrderCase

SEEDED_RMA = "DQkRv5LJRRMA"


@tagged("post_install", "-at_install")
class TestUnsafeReturnsDocuments(AmazonOrderCase):
    """A hostile returns report document is refused: nothing recorded, the cursor stays."""

    def setUp(self):
        super().setUp()
        self.sandbox.config(report_processing_seconds=0)
        self.cursor = fields.Datetime.now() - timedelta(days=10)
        self.account.returns_last_sync = self.cursor

    def _sync_returns(self):
        return import_amazon_returns(self.env, self.account)

    def _assert_nothing_written(self, result, message):
        """No return, no return picking, the cursor unchanged and the refusal on the account."""
        self.assertEqual((result["created"], result["updated"], result["review"]), (0, 0, 0))
        self.assertFalse(
            self.env["amazon.return"].search([("account_id", "=", self.account.id)]),
            msg="a refused document must not leave any return behind",
        )
        self.assertEqual(self.account.returns_last_sync, self.cursor, msg="cursor moved")
        self.assertIn(message, self.account.returns_sync_error or "")

    def _assert_recovers(self):
        """Once Amazon serves a sound document, the same report is read and the return recorded."""
        self.sandbox.clear_faults()
        result = self._sync_returns()
        self.assertEqual(result["created"] + result["review"], 1, msg="the return was lost")
        self.assertTrue(
            self.env["amazon.return"].search(
                [("account_id", "=", self.account.id), ("rma_ref", "=", SEEDED_RMA)]
            )
        )
        self.assertFalse(self.account.returns_sync_error)

    def test_gzip_bomb_report_changes_nothing(self):
        """A returns report expanding past the size limit is refused and retried later."""
        self.sandbox.add_fault("downloadDocument", "gzip_bomb", count=1)
        result = self._sync_returns()
        self._assert_nothing_written(result, "decompressed size is over the limit")
        self._assert_recovers()

    def test_xml_entity_bomb_report_changes_nothing(self):
        """A returns report with entity declarations is refused before parsing."""
        self.sandbox.add_fault("downloadDocument", "xml_bomb", count=1)
        result = self._sync_returns()
        self._assert_nothing_written(result, "DOCTYPE or entity declarations")
        self._assert_recovers()

    def test_document_on_another_host_not_fetched(self):
        """A report document URL on another host is neither fetched nor recorded."""
        self.sandbox.add_fault(
            "getReportDocument", "document_url", url="https://attacker.example.com/r.gz"
        )
        result = self._sync_returns()
        self._assert_nothing_written(result, "attacker.example.com")
        self.assertFalse(self.sandbox.requests("downloadDocument"), msg="a document was fetched")
        self._assert_recovers()
