"""Refused credentials (issue 22): accounts start with their credentials not refused."""


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        "UPDATE amazon_account SET credentials_refused = FALSE WHERE credentials_refused IS NULL"
    )
