import json

from odoo import api, fields, models

from .. import odoo_compat
from ..services import const


@odoo_compat.sql_constraints(
    (
        "name_marketplace_requirements_unique",
        "UNIQUE(name, marketplace_id, requirements)",
        "A product type is cached once per marketplace and requirement set.",
    ),
)
class AmazonProductType(models.Model):
    """An Amazon product type in one marketplace, with its JSON Schema cached by checksum.

    Amazon publishes one schema per product type, marketplace and requirement set; it is large and
    rarely changes, and ``getDefinitionsProductType`` tells its checksum. The schema is downloaded
    again only when that checksum differs from the cached one, so creating listings for many
    products of one type costs one small call each, not one schema download each.
    """

    _name = "amazon.product.type"
    _description = "Amazon Product Type"
    _order = "name"
    _rec_names_search = ["name", "display_label"]

    name = fields.Char(required=True, readonly=True, help="Amazon's name, e.g. DRINKING_CUP.")
    display_label = fields.Char(
        string="Label", readonly=True, help="Amazon's human-readable name of the type."
    )
    marketplace_id = fields.Many2one("amazon.marketplace", required=True, readonly=True)
    requirements = fields.Selection(
        [
            (const.REQUIREMENTS_LISTING, "Full listing"),
            (const.REQUIREMENTS_OFFER_ONLY, "Offer only"),
        ],
        default=const.REQUIREMENTS_LISTING,
        required=True,
        readonly=True,
    )
    checksum = fields.Char(readonly=True, help="Checksum of the cached schema (Base64 MD5).")
    schema = fields.Text(readonly=True, help="The JSON Schema Amazon publishes for this type.")
    schema_date = fields.Datetime(readonly=True)

    @api.depends("name", "display_label")
    def _compute_display_name(self):
        for product_type in self:
            label = product_type.display_label
            product_type.display_name = (
                f"{label} ({product_type.name})"
                if label and label != product_type.name
                else product_type.name
            )

    @api.model
    def _register_found(self, marketplace, refs, requirements=const.REQUIREMENTS_LISTING):
        """Records for the product types a search returned (schemas not fetched yet).

        :param marketplace: ``amazon.marketplace`` record.
        :param refs: iterable of :class:`~..services.models.ProductTypeRef`.
        :return: ``amazon.product.type`` recordset, in Amazon's order.
        """
        types = self.browse()
        for ref in refs:
            types |= self._find_or_create(marketplace, ref.name, requirements, ref.display_name)
        return types

    @api.model
    def _find_or_create(self, marketplace, name, requirements, label=None):
        product_type = self.sudo().search(
            [
                ("name", "=", name),
                ("marketplace_id", "=", marketplace.id),
                ("requirements", "=", requirements),
            ],
            limit=1,
        )
        if not product_type:
            product_type = self.sudo().create(
                {
                    "name": name,
                    "display_label": label or name,
                    "marketplace_id": marketplace.id,
                    "requirements": requirements,
                }
            )
        elif label and product_type.display_label != label:
            product_type.display_label = label
        return product_type.sudo(False)

    def _ensure_schema(self, service):
        """Make sure the cached schema is Amazon's current one (download only on a new checksum).

        :param service: the account's :class:`~..services.SpApiService`.
        :return: the schema as a dict.
        :raise AmazonError: Amazon refused or could not be reached.
        """
        self.ensure_one()
        definition = service.get_product_type_definition(
            self.name, self.marketplace_id.api_ref, self.requirements
        )
        values = {"display_label": definition.display_name or self.display_label}
        if not self.schema or definition.schema_checksum != self.checksum:
            schema = service.get_product_type_schema(definition)
            values.update(
                schema=json.dumps(schema),
                checksum=definition.schema_checksum,
                schema_date=fields.Datetime.now(),
            )
        self.sudo().write(values)
        return self._schema()

    def _schema(self):
        """The cached schema (empty dict when never fetched)."""
        self.ensure_one()
        return json.loads(self.schema) if self.schema else {}

    def _required_attributes(self):
        """``[(name, title, description)]`` of the attributes the schema requires, in its order."""
        schema = self._schema()
        properties = schema.get("properties") or {}
        return [
            (
                name,
                (properties.get(name) or {}).get("title") or name,
                (properties.get(name) or {}).get("description") or "",
            )
            for name in schema.get("required") or ()
        ]

    def _attribute_spec(self, name):
        """The schema of one attribute (``{}`` when the type does not know it)."""
        return (self._schema().get("properties") or {}).get(name) or {}
