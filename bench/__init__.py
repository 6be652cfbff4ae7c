"""``make bench``: performance figures of the connector on a real Odoo server and the sandbox."""
