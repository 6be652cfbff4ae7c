"""Feeds keep their uploaded document (issue 21), for databases installed before 1.1.0.

A feed is now recorded as soon as its document is uploaded (state *Uploaded*, Amazon's feed id
still empty), so that a throttled ``createFeed`` is retried with that document instead of
uploading it again. The ORM adds ``document_ref``; the feeds sent before the upgrade keep their
feed id and state, and the feed id is no longer required of the rows still to be created.
"""


def migrate(cr, version):
    if not version:
        return
    cr.execute("ALTER TABLE amazon_feed ALTER COLUMN feed_ref DROP NOT NULL")
