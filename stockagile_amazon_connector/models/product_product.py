from odoo import _, api, fields, models
from odoo.exceptions import AccessError, MissingError, UserError


class ProductProduct(models.Model):
    """Products carry the *Sync with Amazon* flag; their listings are the bindings to accounts."""

    _inherit = "product.product"

    amazon_sync = fields.Boolean(
        string="Sync with Amazon",
        copy=False,
        help="Keep the stock and price of this product up to date on every Amazon account of its "
        "company. Its internal reference must be the Amazon seller SKU of an existing listing.",
    )
    amazon_listing_ids = fields.One2many(
        "amazon.listing", "product_id", string="Amazon Listings", readonly=True
    )
    # Product creation (issue 13): see the section at the end of the class.
    amazon_creation_ids = fields.One2many(
        "amazon.listing.creation", "product_id", string="Amazon creations", readonly=True
    )
    amazon_attribute_values = fields.Json(
        copy=False,
        help="Amazon attribute values typed in *Create on Amazon* (brand, material...), kept "
        "to pre-fill the next marketplace.",
    )
    amazon_can_create = fields.Boolean(
        compute="_compute_amazon_can_create",
        help="An account of the product's company creates products on Amazon and the product's "
        "SKU has no listing there yet.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        if any(vals.get("amazon_sync") for vals in vals_list):
            self._amazon_check_group()
        products = super().create(vals_list)
        products.filtered("amazon_sync")._amazon_enable_listings()
        return products

    def write(self, vals):
        if "amazon_sync" in vals and any(
            product.amazon_sync != bool(vals["amazon_sync"]) for product in self
        ):
            self._amazon_check_group()
        if vals.get("amazon_sync"):
            self._amazon_check_skus(vals.get("default_code"))
        if "default_code" in vals and not vals["default_code"]:
            self.filtered("amazon_sync")._amazon_check_skus(False)
        result = super().write(vals)
        if "amazon_sync" in vals:
            if vals["amazon_sync"]:
                self._amazon_enable_listings()
            else:
                self._amazon_disable_listings()
        elif "default_code" in vals:
            # The old SKU is withdrawn from Amazon, the new one pushed.
            synced = self.filtered(lambda product: product.amazon_sync and product.active)
            synced._amazon_enable_listings()
        if "active" in vals and "amazon_sync" not in vals:
            synced = self.filtered("amazon_sync")
            if vals["active"]:
                synced._amazon_enable_listings()
            else:
                synced._amazon_disable_listings(reason="archived")
        return result

    def unlink(self):
        # Deleting the product deletes its listings and offers: Amazon gets its SKU's 0 first.
        self.filtered("amazon_sync")._amazon_disable_listings(reason="deleted")
        return super().unlink()

    # ------------------------------------------------------------------
    # Listings
    # ------------------------------------------------------------------

    def _amazon_check_skus(self, default_code=None):
        """Refuse to sync products without an internal reference, naming them."""
        if default_code:
            return
        missing = self.filtered(lambda product: not product.default_code)
        if missing:
            raise UserError(
                _(
                    "Amazon needs the seller SKU of each synced product in its Internal Reference. "
                    "Set it on: %(products)s",
                    products=", ".join(missing.mapped("display_name")),
                )
            )

    def _amazon_accounts(self):
        """Active Amazon accounts that sell this product (those of its company, or all)."""
        self.ensure_one()
        return self._amazon_accounts_by_product()[self]

    def _amazon_accounts_by_product(self):
        """``{product: accounts}`` in one query: accounts of each product's company, or of the
        current companies for products shared between companies.

        Read as superuser, within those companies only: the connector looks them up on behalf of
        whoever edits a synced product (an Inventory Administrator changing a reference has no
        Amazon group, and must not need one).
        """
        if not self:
            return {}
        companies = self.company_id | self.env.companies
        accounts = self.env["amazon.account"].sudo().search([("company_id", "in", companies.ids)])
        return {
            product: accounts.filtered(
                lambda account, product=product: account.company_id
                in (product.company_id or self.env.companies)
            )
            for product in self
        }

    def _amazon_enable_listings(self, accounts=None):
        """Create or reactivate a listing per account, then queue a full push of each.

        Nothing to do, and no Amazon record read, for no product: creating or editing products
        that are not synced never touches the connector's models.

        :param accounts: only these accounts (an account just added); default: every account
            that sells the products.
        """
        if not self:
            return self.env["amazon.listing"]
        self._amazon_check_skus()
        Listing = self.env["amazon.listing"].sudo().with_context(active_test=False)
        Withdrawal = self.env["amazon.offer.withdrawal"]
        listings = Listing.browse()
        existing = {
            (listing.product_id.id, listing.account_id.id): listing
            for listing in Listing.search([("product_id", "in", self.ids)])
        }
        to_create = []
        for product, sellers in self._amazon_accounts_by_product().items():
            for account in sellers:
                if accounts is not None and account not in accounts:
                    continue
                listing = existing.get((product.id, account.id))
                if listing:
                    if listing.active and listing.sku != product.default_code:
                        # Amazon still offers the old SKU: set it to 0 everywhere.
                        Withdrawal._amazon_withdraw(listing, "sku_changed")
                    if not listing.active or listing.sku != product.default_code:
                        listing.write(
                            {"active": True, "sku": product.default_code, "state": "pending"}
                        )
                    listings |= listing
                else:
                    to_create.append(
                        {
                            "product_id": product.id,
                            "account_id": account.id,
                            "sku": product.default_code,
                        }
                    )
        self._amazon_check_sku_conflicts(listings, to_create)
        listings |= Listing.create(to_create)
        Withdrawal._amazon_cancel(listings)
        listings._queue_changes(kind="all")
        return listings

    def _amazon_check_sku_conflicts(self, listings, to_create):
        """Refuse a SKU that another product of the same account already uses, naming both.

        One query for all the listings already holding these SKUs on these accounts.

        :param listings: listings being (re)activated; their ``sku`` is the new one.
        :param to_create: values of the listings about to be created.
        :raise UserError: two products would share one seller SKU on one account.
        """
        wanted = [
            (listing.account_id.id, listing.sku, listing.product_id.id) for listing in listings
        ]
        wanted += [(vals["account_id"], vals["sku"], vals["product_id"]) for vals in to_create]
        seen = {}
        for account_id, sku, product_id in wanted:
            other = seen.setdefault((account_id, sku), product_id)
            if other != product_id:
                self._amazon_raise_sku_conflict(account_id, sku, other, product_id)
        if not seen:
            return
        Listing = self.env["amazon.listing"].sudo().with_context(active_test=False)
        holders = Listing.search(
            [
                ("account_id", "in", list({key[0] for key in seen})),
                ("sku", "in", list({key[1] for key in seen})),
            ]
        )
        for holder in holders:
            product_id = seen.get((holder.account_id.id, holder.sku))
            if product_id and holder.product_id.id != product_id:
                self._amazon_raise_sku_conflict(
                    holder.account_id.id, holder.sku, holder.product_id.id, product_id
                )

    def _amazon_raise_sku_conflict(self, account_id, sku, first_id, second_id):
        """:raise UserError: naming the SKU, both products and the account."""
        products = self.browse([first_id, second_id]).sudo()
        raise UserError(
            _(
                "SKU %(sku)s cannot be synced for both %(first)s and %(second)s on Amazon "
                "account %(account)s: give each product its own internal reference "
                "(its Amazon seller SKU).",
                sku=sku,
                first=products[0].display_name,
                second=products[1].display_name,
                account=self.env["amazon.account"].browse(account_id).sudo().name,
            )
        )

    def _amazon_disable_listings(self, reason="sync_off"):
        """Archive the listings, their SKUs withdrawn from Amazon (0 in every marketplace):
        nothing more is sent for them, the history stays.

        :param reason: why the products leave sync (see ``amazon.offer.withdrawal``).
        """
        if not self:
            return
        listings = (
            self.env["amazon.listing"]
            .sudo()
            .search([("product_id", "in", self.ids), ("active", "=", True)])
        )
        self._amazon_retire_listings(listings, reason)

    def _amazon_retire_listings(self, listings, reason):
        """Withdraw the SKUs of these active listings from Amazon, then archive them."""
        if listings:
            self.env["amazon.offer.withdrawal"]._amazon_withdraw(listings, reason)
            self.env["amazon.sync.engine"]._dequeue(listings)
            listings.write({"active": False})

    def _amazon_company_changed(self):
        """These synced products moved to another company: the listings of accounts that no
        longer sell them are withdrawn and archived, the new company's accounts get theirs."""
        if not self:
            return
        listings = (
            self.env["amazon.listing"]
            .sudo()
            .search([("product_id", "in", self.ids), ("active", "=", True)])
        )
        accounts = self._amazon_accounts_by_product()
        leaving = listings.filtered(
            lambda listing: listing.account_id not in accounts[listing.product_id]
        )
        self._amazon_retire_listings(leaving, "company_changed")
        self.filtered("active")._amazon_enable_listings()

    def _amazon_queue_price_changes(self):
        """Queue a price push of the synced products (their sales price changed)."""
        if not self:
            return
        listings = (
            self.env["amazon.listing"]
            .sudo()
            .search([("product_id", "in", self.ids), ("account_id.sync_price", "=", True)])
        )
        listings._queue_changes(kind="price")

    # ------------------------------------------------------------------
    # Actions (buttons and list bulk actions)
    # ------------------------------------------------------------------

    def action_amazon_enable_sync(self):
        """Enable Amazon sync on the selected products (refused if one has no SKU)."""
        products = self._amazon_check_caller()
        products._amazon_check_skus()
        products.filtered(lambda product: not product.amazon_sync).write({"amazon_sync": True})
        if len(self) == 1:
            message = _("Amazon sync enabled on %(product)s.", product=self.display_name)
        else:
            message = _("Amazon sync enabled on %(count)s products.", count=len(self))
        return self._amazon_notify(message)

    def action_amazon_disable_sync(self):
        """Stop syncing the selected products with Amazon."""
        self._amazon_check_caller().filtered("amazon_sync").write({"amazon_sync": False})
        if len(self) == 1:
            message = _("Amazon sync disabled on %(product)s.", product=self.display_name)
        else:
            message = _("Amazon sync disabled on %(count)s products.", count=len(self))
        return self._amazon_notify(message)

    def action_amazon_sync_now(self):
        """Push stock and price of the selected synced products to Amazon now.

        Only the listings of the caller's companies are pushed (searched with the caller's record
        rules); the listings check the caller again before running as superuser.
        """
        self._amazon_check_caller()
        listings = self.env["amazon.listing"].search([("product_id", "in", self.ids)])
        if not listings:
            raise UserError(
                _("None of the selected products is synced with Amazon: enable the sync first.")
            )
        return listings.action_sync_now()

    def _amazon_check_caller(self):
        """These products as superuser, once the caller may sync them with Amazon.

        The *Sync with Amazon* flag is the connector's, not product data: Amazon Users set it on
        the products they can sell (read, in one of their allowed companies) even without the
        right to edit products.

        :raise MissingError: an id does not exist.
        :raise AccessError: the caller is no Amazon User or may not read one of the products
            (another company's): nothing is changed nor sent.
        """
        self._amazon_check_exist()
        self._amazon_check_group()
        self.check_access("read")
        foreign = self.sudo().filtered(
            lambda product: product.company_id and product.company_id not in self.env.companies
        )
        if foreign and not self.env.su:
            raise AccessError(
                _("These products belong to another company: nothing was changed nor sent.")
            )
        return self.sudo()

    def _amazon_check_group(self):
        """:raise AccessError: the caller is not an Amazon User (the flag sends data to Amazon,
        so even product editors need the group to change it)."""
        # The integration user ships Amazon deliveries and does nothing else (README, Roles).
        if not self.env.is_superuser() and (
            not self.env.user.has_group("stockagile_amazon_connector.group_amazon_user")
            or self.env.user.has_group("stockagile_amazon_connector.group_amazon_integration")
        ):
            raise AccessError(_("Only Amazon Users may sync products with Amazon."))

    def _amazon_check_exist(self):
        """Refuse ids that do not exist (XML-RPC callers), naming them; nothing is changed."""
        missing = self - self.exists()
        if missing:
            raise MissingError(
                _(
                    "Product (product.product) id %(ids)s does not exist or was deleted: "
                    "nothing was changed.",
                    ids=", ".join(str(i) for i in missing.ids),
                )
            )

    def _amazon_notify(self, message):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("Amazon"),
                "message": message,
                "type": "success",
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    # ------------------------------------------------------------------
    # Product creation on Amazon (issue 13)
    # ------------------------------------------------------------------

    @api.depends_context("company", "uid")
    @api.depends("default_code", "amazon_creation_ids.state", "amazon_listing_ids.state")
    def _compute_amazon_can_create(self):
        # Only Amazon Users see *Create on Amazon*: for anyone else no Amazon record is read.
        if not self.env.su and not self.env.user.has_group(
            "stockagile_amazon_connector.group_amazon_user"
        ):
            self.amazon_can_create = False
            return
        for product in self:
            product.amazon_can_create = bool(product._amazon_creation_targets())

    def _amazon_creation_accounts(self):
        """Accounts of the product's company with *Create products on Amazon* on."""
        self.ensure_one()
        companies = self.company_id or self.env.companies
        return self.env["amazon.account"].search(
            [("company_id", "in", companies.ids), ("create_products", "=", True)]
        )

    def _amazon_creation_targets(self, account=None):
        """``[(account, marketplace)]`` where this product's SKU can still be created.

        Not where a creation is submitted or done, nor on an account where the SKU already has
        a working listing (one Amazon did not report as unknown).
        """
        self.ensure_one()
        if not self.default_code:
            return []
        accounts = account or self._amazon_creation_accounts()
        creations = self.env["amazon.listing.creation"].search(
            [
                ("sku", "=", self.default_code),
                ("account_id", "in", accounts.ids),
                ("state", "in", ("submitted", "created")),
            ]
        )
        listings = self.env["amazon.listing"].search(
            [
                ("sku", "=", self.default_code),
                ("account_id", "in", accounts.ids),
                ("state", "!=", "not_found"),
            ]
        )
        done = {(c.account_id.id, c.marketplace_id.id) for c in creations}
        targets = []
        for acc in accounts:
            if acc in listings.account_id:
                continue
            targets += [(acc, m) for m in acc.marketplace_ids if (acc.id, m.id) not in done]
        return targets

    def _amazon_check_creatable(self):
        """Refuse, naming the products, what *Create on Amazon* cannot do."""
        no_sku = self.filtered(lambda product: not product.default_code)
        if no_sku:
            raise UserError(
                _(
                    "Amazon identifies a listing by its seller SKU, the Internal Reference: set "
                    "it on %(products)s.",
                    products=", ".join(no_sku.mapped("display_name")),
                )
            )
        if not self.env["amazon.account"].search_count([("create_products", "=", True)]):
            raise UserError(
                _(
                    "No Amazon account creates products: an Amazon manager can turn on *Create "
                    "products on Amazon* on the account."
                )
            )
        done = self.filtered(lambda product: not product._amazon_creation_targets())
        if done:
            raise UserError(
                _(
                    "These products already have a listing (or one is being created) in every "
                    "marketplace: %(products)s.",
                    products=", ".join(done.mapped("display_name")),
                )
            )

    def action_amazon_create_listing(self):
        """*Create on Amazon*: open the wizard for one product, or match a selection in bulk."""
        self._amazon_check_exist()
        self._amazon_check_creatable()
        if len(self) == 1:
            return self.env["amazon.listing.create.wizard"]._open_for(self)
        return self._amazon_create_offers_in_bulk()

    def _amazon_create_offers_in_bulk(self):
        """Bulk action: barcodes looked up 20 per call; a single match becomes an offer.

        Products with several matches or none need a person (pick the ASIN, or describe a new
        product): they are named in the message, to be opened one by one.
        """
        Wizard = self.env["amazon.listing.create.wizard"]
        created, to_review = Wizard._bulk_offers(self)
        if not created:
            message = _("No offer sent to Amazon.")
        elif len(created) == 1:
            message = _("One offer sent to Amazon.")
        else:
            message = _("%(count)s offers sent to Amazon.", count=len(created))
        if to_review:
            message += " " + _(
                "Open these products and press Create on Amazon: %(products)s.",
                products=", ".join(to_review.mapped("display_name")),
            )
        return self._amazon_notify(message)
