"""Unattended operation (issue 22): new counters and flags start from zero / false."""


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        "UPDATE amazon_account SET credentials_refused = FALSE WHERE credentials_refused IS NULL"
    )
    cr.execute(
        "UPDATE queue_job SET amazon_interrupted_count = 0 WHERE amazon_interrupted_count IS NULL"
    )
