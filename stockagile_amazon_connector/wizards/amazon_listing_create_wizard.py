from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..models.amazon_listing_creation import OFFER_ATTRIBUTES, barcode_type
from ..services import AmazonError, const

STEPS = [
    ("match", "Match"),
    ("type", "Product type"),
    ("attributes", "Attributes"),
    ("done", "Done"),
]


class AmazonListingCreateWizard(models.TransientModel):
    """*Create on Amazon* for one product: match the barcode first, else describe a new product.

    1. **Match**: the barcode is looked up in Amazon's catalog. The user picks the ASIN (one
       match: confirm it; several: each with title, brand and image) → an offer-only listing.
    2. **Product type** (no match, or the user wants a new product): search Amazon's product
       types by keywords and pick one; its schema is fetched (cached by checksum).
    3. **Attributes**: the type's required attributes, pre-filled from the product; the missing
       ones show Amazon's title and description. Values are kept on the product.
    4. Each marketplace is validated with ``VALIDATION_PREVIEW`` first and only sent for real when
       clean; Amazon's issues are shown here and on the product.
    """

    _name = "amazon.listing.create.wizard"
    _description = "Create a product on Amazon"

    product_id = fields.Many2one("product.product", required=True, readonly=True)
    sku = fields.Char(related="product_id.default_code", string="SKU")
    barcode = fields.Char(related="product_id.barcode")
    account_id = fields.Many2one(
        "amazon.account",
        required=True,
        domain="[('create_products', '=', True)]",
    )
    account_marketplace_ids = fields.Many2many(
        related="account_id.marketplace_ids", string="Account marketplaces"
    )
    marketplace_ids = fields.Many2many(
        "amazon.marketplace",
        string="Marketplaces",
        domain="[('id', 'in', account_marketplace_ids)]",
        help="Where to create the listing; each marketplace gets its own listing and state.",
    )
    step = fields.Selection(STEPS, default="match", required=True)
    candidate_ids = fields.One2many(
        "amazon.listing.create.candidate", "wizard_id", string="Amazon catalog matches"
    )
    keywords = fields.Char(help="Words describing the product (e.g. mug, t-shirt, cable).")
    product_type_ids = fields.Many2many("amazon.product.type", string="Product types found")
    product_type_id = fields.Many2one(
        "amazon.product.type",
        string="Product type",
        domain="[('id', 'in', product_type_ids)]",
    )
    attribute_ids = fields.One2many(
        "amazon.listing.create.attribute", "wizard_id", string="Attributes"
    )
    missing_count = fields.Integer(compute="_compute_missing_count")
    issues = fields.Text(readonly=True, help="Amazon's validation issues, in plain words.")
    result = fields.Text(readonly=True)

    @api.depends("attribute_ids.value", "attribute_ids.required")
    def _compute_missing_count(self):
        for wizard in self:
            wizard.missing_count = len(wizard.attribute_ids.filtered(lambda a: a.missing))

    @api.onchange("account_id")
    def _onchange_account_id(self):
        """Another account: its marketplaces where the SKU can still be created."""
        if self.product_id and self.account_id:
            targets = self.product_id._amazon_creation_targets(self.account_id)
            self.marketplace_ids = [(6, 0, [m.id for _acc, m in targets])]

    # ------------------------------------------------------------------
    # Opening
    # ------------------------------------------------------------------

    @api.model
    def _open_for(self, product):
        """Create the wizard for ``product``, look its barcode up, and open it."""
        targets = product._amazon_creation_targets()
        account = targets[0][0]
        marketplaces = self.env["amazon.marketplace"].browse(
            [m.id for acc, m in targets if acc == account]
        )
        wizard = self.create(
            {
                "product_id": product.id,
                "account_id": account.id,
                "marketplace_ids": [(6, 0, marketplaces.ids)],
            }
        )
        wizard._match()
        return wizard._reopen()

    def _reopen(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Create on Amazon"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

    def _service(self):
        return self.account_id._get_sp_api_service()

    def _first_marketplace(self):
        self.ensure_one()
        if not self.marketplace_ids:
            raise UserError(_("Choose at least one marketplace."))
        return self.marketplace_ids[0]

    def _match(self):
        """Look the barcode up in Amazon's catalog; no match goes straight to the product type."""
        self.ensure_one()
        self.candidate_ids.unlink()
        if not self.barcode:
            self.step = "type"
            return
        try:
            marketplace = self._first_marketplace()
            items = self._service().search_catalog_items(
                [self.barcode], barcode_type(self.barcode).upper(), marketplace.api_ref
            )
        except AmazonError as error:
            raise UserError(
                _("Amazon's catalog could not be searched: %(error)s", error=error.message)
            ) from None
        self.write(
            {
                "candidate_ids": [
                    (
                        0,
                        0,
                        {
                            "asin": item.asin,
                            "title": item.title,
                            "brand": item.brand,
                            "image_url": item.image_url,
                            "product_type": item.product_type,
                        },
                    )
                    for item in items
                ],
                "step": "match" if items else "type",
            }
        )

    def _check_targets(self):
        """Refuse marketplaces where the SKU is already created or being created."""
        self.ensure_one()
        allowed = {m.id for _acc, m in self.product_id._amazon_creation_targets(self.account_id)}
        taken = self.marketplace_ids.filtered(lambda m: m.id not in allowed)
        if taken:
            raise UserError(
                _(
                    "%(sku)s already has a listing, or one being created, on %(names)s.",
                    sku=self.sku,
                    names=", ".join(taken.mapped("name")),
                )
            )

    # ------------------------------------------------------------------
    # Offer on an existing ASIN
    # ------------------------------------------------------------------

    def _create_offer(self, candidate):
        """Offer-only listing on ``candidate``'s ASIN in each chosen marketplace."""
        self.ensure_one()
        self._check_targets()
        creations = self.env["amazon.listing.creation"]
        for marketplace in self.marketplace_ids:
            creations |= creations._prepare(
                self.product_id,
                self.account_id,
                marketplace,
                "offer_only",
                candidate.product_type or "PRODUCT",
                candidate.asin,
            )
        self._send(creations, {c: c._offer_only_attributes() for c in creations})
        return self._reopen()

    @api.model
    def _bulk_offers(self, products):
        """Bulk *Create on Amazon*: offers for the products whose barcode matches one ASIN.

        :return: (creations submitted, products that need the wizard).
        """
        Creation = self.env["amazon.listing.creation"]
        created = Creation.browse()
        to_review = products.browse()
        by_account = {}
        for product in products:
            targets = product._amazon_creation_targets()
            if not product.barcode or not targets:
                to_review |= product
                continue
            for account, marketplace in targets:
                by_account.setdefault(account, []).append((product, marketplace))
        for account, pairs in by_account.items():
            service = account._get_sp_api_service()
            first = account.marketplace_ids[:1]
            todo = products.browse([p.id for p, _m in pairs])
            matches = {}
            by_type = {}
            for product in todo:
                by_type.setdefault(barcode_type(product.barcode).upper(), []).append(product.id)
            for identifiers_type, ids in by_type.items():
                same_type = products.browse(ids)
                for start in range(0, len(same_type), const.MAX_CATALOG_IDENTIFIERS):
                    chunk = same_type[start : start + const.MAX_CATALOG_IDENTIFIERS]
                    try:
                        matches.update(
                            self._catalog_matches(service, chunk, identifiers_type, first)
                        )
                    except UserError:
                        # Amazon throttled or failed this search: offers already sent stay
                        # recorded; these products go to the wizard instead of failing all.
                        continue
            for product, marketplace in pairs:
                found = matches.get(product) or []
                if len(found) != 1:
                    to_review |= product
                    continue
                creation = Creation._prepare(
                    product,
                    account,
                    marketplace,
                    "offer_only",
                    found[0].product_type or "PRODUCT",
                    found[0].asin,
                )
                try:
                    with self.env.cr.savepoint():
                        sent = creation._submit(creation._offer_only_attributes())
                except AmazonError as error:
                    creation.write({"state": "draft", "issues": error.message})
                    sent = False
                except UserError as error:  # a refused price: this product only, nothing sent
                    creation.write({"state": "draft", "issues": error.args[0]})
                    sent = False
                if sent:
                    created |= creation
                else:
                    to_review |= product
        return created, to_review

    @api.model
    def _catalog_matches(self, service, products, identifiers_type, marketplace):
        """``{product: [CatalogItem]}`` for up to 20 products, in one searchCatalogItems call."""
        try:
            items = service.search_catalog_items(
                products.mapped("barcode"), identifiers_type, marketplace.api_ref
            )
        except AmazonError as error:
            raise UserError(
                _("Amazon's catalog could not be searched: %(error)s", error=error.message)
            ) from None
        matches = {}
        for product in products:
            code = product.barcode.lstrip("0")
            matches[product] = [
                item
                for item in items
                if any(value.lstrip("0") == code for _type, value in item.identifiers)
            ]
        return matches

    # ------------------------------------------------------------------
    # New product (full listing)
    # ------------------------------------------------------------------

    def action_new_product(self):
        """None of the matches is this product: describe it as a new product."""
        self.step = "type"
        return self._reopen()

    def action_search_types(self):
        """Search Amazon's product types by the keywords."""
        self.ensure_one()
        if not (self.keywords or "").strip():
            raise UserError(_("Type a few words describing the product (e.g. mug)."))
        marketplace = self._first_marketplace()
        try:
            refs = self._service().search_product_types(self.keywords, marketplace.api_ref)
        except AmazonError as error:
            raise UserError(
                _("Amazon's product types could not be searched: %(error)s", error=error.message)
            ) from None
        if not refs:
            raise UserError(
                _("Amazon has no product type for %(words)s: try other words.", words=self.keywords)
            )
        types = self.env["amazon.product.type"]._register_found(marketplace, refs)
        self.write(
            {
                "product_type_ids": [(6, 0, types.ids)],
                "product_type_id": types[:1].id if len(types) == 1 else False,
            }
        )
        return self._reopen()

    def action_load_attributes(self):
        """Fetch the product type's schema and list its required attributes, pre-filled."""
        self.ensure_one()
        if not self.product_type_id:
            raise UserError(_("Pick a product type first."))
        try:
            self.product_type_id._ensure_schema(self._service())
        except AmazonError as error:
            raise UserError(
                _("Amazon's product type could not be read: %(error)s", error=error.message)
            ) from None
        prefilled = self._prefill()
        lines = []
        for sequence, (name, title, description) in enumerate(
            self.product_type_id._required_attributes()
        ):
            if name in OFFER_ATTRIBUTES:
                continue
            lines.append(
                {
                    "sequence": sequence,
                    "name": name,
                    "title": title,
                    "description": description,
                    "required": True,
                    "value": prefilled.get(name) or False,
                }
            )
        optional = [
            n
            for n in ("item_weight", "main_product_image_locator", "bullet_point")
            if self.product_type_id._attribute_spec(n)
        ]
        for name in optional:
            if prefilled.get(name) and name not in {line["name"] for line in lines}:
                spec = self.product_type_id._attribute_spec(name)
                lines.append(
                    {
                        "sequence": 100,
                        "name": name,
                        "title": spec.get("title") or name,
                        "description": spec.get("description") or "",
                        "required": False,
                        "value": prefilled[name],
                    }
                )
        self.attribute_ids.unlink()
        self.write(
            {
                "attribute_ids": [(0, 0, values) for values in lines],
                "step": "attributes",
                "issues": False,
            }
        )
        return self._reopen()

    def _prefill(self):
        """Attribute values the product already tells (raw text, as the form shows them)."""
        product = self.product_id
        values = {
            "item_name": product.name,
            "product_description": product.description_sale or product.name,
            "condition_type": "new_new",
        }
        if product.barcode:
            values["externally_assigned_product_identifier"] = product.barcode
        if product.weight:
            values["item_weight"] = f"{product.weight:g} kilograms"
        image_url = self._public_image_url()
        if image_url:
            values["main_product_image_locator"] = image_url
        saved = product.amazon_attribute_values or {}
        values.update({k: v for k, v in saved.items() if v not in (None, "")})
        return values

    def _public_image_url(self):
        """A URL Amazon can download the product's image from, or False.

        Amazon fetches images itself, so the URL must be public and HTTPS: the image's
        attachment gets an access token (only the image is shared, nothing else of the
        product), and nothing is proposed when the database's base URL is not HTTPS.
        """
        base = self.env["ir.config_parameter"].sudo().get_param("web.base.url") or ""
        if not base.startswith("https://"):
            return False
        product = self.product_id
        Attachment = self.env["ir.attachment"].sudo()
        for record, field in (
            (product, "image_variant_1920"),
            (product.product_tmpl_id, "image_1920"),
        ):
            attachment = Attachment.search(
                [
                    ("res_model", "=", record._name),
                    ("res_id", "=", record.id),
                    ("res_field", "=", field),
                ],
                limit=1,
            )
            if attachment:
                token = attachment.generate_access_token()[0]
                return f"{base.rstrip('/')}/web/image/{attachment.id}?access_token={token}"
        return False

    def action_submit(self):
        """Keep the values on the product, validate each marketplace, and send the clean ones."""
        self.ensure_one()
        missing = self.attribute_ids.filtered("missing")
        if missing:
            raise UserError(
                _(
                    "Amazon requires these attributes: %(names)s.",
                    names=", ".join(missing.mapped("title")),
                )
            )
        self._check_targets()
        values = {line.name: line.value for line in self.attribute_ids if line.value}
        saved = dict(self.product_id.amazon_attribute_values or {})
        saved.update(
            {
                k: v
                for k, v in values.items()
                if k not in ("item_name", "product_description", "condition_type")
            }
        )
        self.product_id.sudo().amazon_attribute_values = saved
        Creation = self.env["amazon.listing.creation"]
        creations = Creation.browse()
        attributes = {}
        for marketplace in self.marketplace_ids:
            product_type = self.product_type_id
            if product_type.marketplace_id != marketplace:
                product_type = product_type._find_or_create(
                    marketplace, product_type.name, product_type.requirements
                )
                try:
                    product_type._ensure_schema(self._service())
                except AmazonError as error:
                    raise UserError(error.message) from None
            creation = Creation._prepare(
                self.product_id, self.account_id, marketplace, "full", product_type.name
            )
            creations |= creation
            attributes[creation] = creation._full_attributes(product_type, values)
        self._send(creations, attributes)
        if all(c.state == "invalid" for c in creations):
            self.step = "attributes"
        return self._reopen()

    # ------------------------------------------------------------------
    # Sending (both paths)
    # ------------------------------------------------------------------

    def _send(self, creations, attributes):
        """Validate then submit each creation; Amazon's refusals are worded for the user.

        An error reaching Amazon (throttled, refused, unreachable) for every marketplace undoes
        everything (nothing was created anywhere); for some only, those are reported and left
        *To validate*.
        """
        titles = {line.name: line.title for line in self.attribute_ids}
        lines, issues, failures = [], [], []
        for creation in creations:
            name = creation.marketplace_id.name
            try:
                with self.env.cr.savepoint():
                    sent = creation._submit(attributes[creation], titles)
            except AmazonError as error:
                failures.append(f"{name}: {error.message}")
                creation.write({"state": "draft", "issues": error.message})
                continue
            if sent:
                lines.append(
                    _("%(marketplace)s: submitted; Amazon is processing it.", marketplace=name)
                )
            else:
                lines.append(_("%(marketplace)s: not sent, Amazon found errors.", marketplace=name))
                issues.append(f"{name}:\n{creation.issues}")
        if failures and len(failures) == len(creations):
            raise UserError(
                _("Nothing was created on Amazon.\n%(errors)s", errors="\n".join(failures))
            )
        self.write(
            {
                "result": "\n".join(lines + failures),
                "issues": "\n\n".join(issues) or False,
                "step": "done",
            }
        )
