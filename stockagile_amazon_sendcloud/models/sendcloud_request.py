"""Where OCA's Sendcloud module sends its requests: Sendcloud's panel, or the URL in the system
parameter ``stockagile_amazon_sendcloud.panel_url`` (the local sandbox in tests and demos).

OCA's module also logs every request through a new cursor; that cursor cannot see an
integration or company not committed yet (a request right after creating the integration, and
every request of a test that creates one). Such requests are logged without the link instead of
failing with a foreign-key error.
"""

import logging
from urllib.parse import urlparse

from odoo import models

_logger = logging.getLogger(__name__)

PANEL_URL_PARAM = "stockagile_amazon_sendcloud.panel_url"


class SendcloudRequest(models.AbstractModel):
    _inherit = "sendcloud.request"

    def _base_panel_url(self):
        url = (self.env["ir.config_parameter"].sudo().get_param(PANEL_URL_PARAM) or "").strip()
        if url and urlparse(url).scheme in ("http", "https") and urlparse(url).netloc:
            return url.rstrip("/")
        return super()._base_panel_url()

    def _log_response_in_action(self, resp, type_request, url, sent_payload, response_time):
        self.env.cr.execute(
            "SELECT 1 FROM sendcloud_integration i JOIN res_company c ON c.id = i.company_id "
            "WHERE i.id = %s",
            [self.id],
        )
        if self.env.cr.fetchone():
            return super()._log_response_in_action(
                resp, type_request, url, sent_payload, response_time
            )
        # Not committed yet: keep OCA's check of refused credentials, skip the log row.
        if resp.status_code == 401 and not self.env.context.get("skip_raise_error_401"):
            return super()._log_response_in_action(
                resp, type_request, url, sent_payload, response_time
            )
        _logger.debug("Sendcloud %s %s: %s (not logged)", type_request, url, resp.status_code)
        return None
