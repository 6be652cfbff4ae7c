"""The account's price reconciliation (issue 24): its two columns, empty until the first daily
run."""


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        "ALTER TABLE amazon_account ADD COLUMN IF NOT EXISTS price_reconciled_date timestamp, "
        "ADD COLUMN IF NOT EXISTS price_reconciled_count integer"
    )
