"""1.1.0: accounts get *Upload invoices to Amazon* (on in the EU, as for new accounts).

The table of uploads (``amazon.invoice.upload``) is created empty by the ORM: invoices posted
before the upgrade are not uploaded (their sellers uploaded them by hand in Seller Central).
"""

import logging

_logger = logging.getLogger(__name__)


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """
        UPDATE amazon_account
           SET upload_invoices = (region = 'eu')
         WHERE upload_invoices IS NULL
        """
    )
    _logger.info("Amazon: Upload invoices to Amazon set on %s accounts", cr.rowcount)
