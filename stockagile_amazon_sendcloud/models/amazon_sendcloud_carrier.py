"""Sendcloud carrier → Amazon carrier code: an editable table, because Sendcloud's carrier codes
(``correos_express``, ``gls_es``...) are not Amazon's (``Correos Express``, ``GLS``...)."""

from odoo import api, fields, models

from odoo.addons.stockagile_amazon_connector.services import payloads


class AmazonSendcloudCarrier(models.Model):
    _name = "amazon.sendcloud.carrier"
    _description = "Sendcloud Carrier on Amazon"
    _order = "name"

    sendcloud_code = fields.Char(
        string="Sendcloud carrier",
        required=True,
        help="The carrier code Sendcloud gives the parcel, e.g. 'correos_express'.",
    )
    name = fields.Char(required=True, help="The carrier's name, sent to Amazon as carrierName.")
    amazon_carrier_code = fields.Char(
        string="Amazon carrier code",
        required=True,
        default=payloads.OTHER_CARRIER,
        help="A carrier code of Amazon's list (e.g. 'SEUR'); 'Other' sends the name instead.",
    )
    active = fields.Boolean(default=True)

    _sql_constraints = [
        (
            "sendcloud_code_unique",
            "UNIQUE(sendcloud_code)",
            "A Sendcloud carrier is mapped once.",
        ),
    ]

    @api.model
    def _amazon_carrier_for(self, sendcloud_code):
        """``(amazon carrier code, carrier name)`` for a Sendcloud carrier code.

        Unmapped carriers go as ``Other`` with the carrier's name (Amazon then shows the name),
        or, when that name is one of Amazon's carriers, with its code.
        """
        code = (sendcloud_code or "").strip()
        mapping = self.sudo().search([("sendcloud_code", "=ilike", code)], limit=1)
        if mapping:
            return mapping.amazon_carrier_code, mapping.name
        name = code.replace("_", " ").title() or "Sendcloud"
        amazon_code, _name = payloads.carrier_code_for(name)
        return amazon_code, name
