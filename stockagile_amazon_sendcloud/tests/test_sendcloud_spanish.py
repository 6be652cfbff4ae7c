from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestSendcloudSpanish(TransactionCase):
    """The glue's screens in Spanish, OCA's Sendcloud terms on the delivery included."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("es_ES")
        cls.env["ir.module.module"]._load_module_terms(
            ["delivery_sendcloud_oca", "stockagile_amazon_sendcloud"], ["es_ES"], overwrite=True
        )
        cls.es = cls.env(context=dict(cls.env.context, lang="es_ES"))

    def test_oca_delivery_terms_in_spanish(self):
        """OCA's Sendcloud button, fields and list actions on the delivery read in Spanish."""
        form = self.es.ref("delivery_sendcloud_oca.view_picking_withcarrier_out_form")
        self.assertIn('string="Etiquetas de Sendcloud"', form.arch_db)
        self.assertNotIn('string="Sendcloud Labels"', form.arch_db)
        listing = self.es.ref("delivery_sendcloud_oca.vpicktree")
        self.assertIn('string="Crear etiquetas"', listing.arch_db)
        field = self.es["ir.model.fields"]._get("stock.picking", "label_print_status")
        self.assertEqual(field.field_description, "Estado de impresión de la etiqueta")

    def test_refusal_sentence_in_spanish(self):
        """Sendcloud's refusal reads as one Spanish sentence around Sendcloud's own reason."""
        refusal = self.es["stock.picking"]._amazon_sendcloud_refusal(
            {
                "parcels": [],
                "failed_parcels": [
                    {
                        "parcel": {"postal_code": "28014"},
                        "errors": {"postal_code": ["Postal code not served by SEUR."]},
                    }
                ],
            },
            [],
        )
        self.assertEqual(
            refusal,
            "Sendcloud rechazó la etiqueta, código postal 28014: Postal code not served by "
            "SEUR; corrija la dirección de entrega o elija otro método de envío de Sendcloud "
            "y pulse de nuevo Etiquetar con Sendcloud.",
        )
