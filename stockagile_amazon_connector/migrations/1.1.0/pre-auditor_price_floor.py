"""The account's *Lowest price* (issue 24): the column, 0 for existing accounts (a price of 0 is
refused whatever the floor)."""


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        "ALTER TABLE amazon_account ADD COLUMN IF NOT EXISTS price_floor numeric NOT NULL DEFAULT 0"
    )
    cr.execute("ALTER TABLE amazon_account ALTER COLUMN price_floor DROP DEFAULT")
