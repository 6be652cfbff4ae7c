import json
import logging
import re
from datetime import timedelta

from odoo import _, api, fields, models

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import identity_exact

from .. import odoo_compat
from ..services import (
    AmazonError,
    AuthError,
    NotFoundError,
    ThrottledError,
    TransientError,
    const,
    payloads,
)
from .amazon_job_mixin import account_channel

_logger = logging.getLogger(__name__)

CREATION_STATES = [
    ("draft", "To validate"),
    ("invalid", "To fix"),
    ("submitted", "Submitted"),
    ("created", "On Amazon"),
    ("error", "Refused"),
]

#: Language Amazon expects in ``language_tag`` per marketplace country code.
LANGUAGE_TAGS = {
    "ES": "es_ES",
    "DE": "de_DE",
    "FR": "fr_FR",
    "IT": "it_IT",
    "UK": "en_GB",
    "GB": "en_GB",
    "NL": "nl_NL",
    "SE": "sv_SE",
    "PL": "pl_PL",
    "BE": "fr_BE",
    "US": "en_US",
    "CA": "en_CA",
    "MX": "es_MX",
    "BR": "pt_BR",
    "JP": "ja_JP",
    "AU": "en_AU",
}

#: Attributes the connector always computes (stock and price): never asked to the user.
OFFER_ATTRIBUTES = ("fulfillment_availability", "purchasable_offer")

#: First wait (seconds) before asking Amazon again about a submitted listing, and the longest.
POLL_MIN_DELAY = 10
POLL_MAX_DELAY = 600
#: After this long without an ASIN, the creation is reported as stuck instead of polled forever.
POLL_GIVE_UP_AFTER = timedelta(hours=6)
POLL_MAX_RETRIES = 100


def barcode_type(barcode):
    """Amazon's ``externally_assigned_product_identifier`` type of a barcode (by its length)."""
    digits = re.sub(r"\D", "", barcode or "")
    return {12: "upc", 13: "ean", 14: "gtin"}.get(len(digits), "ean")


@odoo_compat.sql_constraints(
    (
        "sku_marketplace_account_unique",
        "UNIQUE(account_id, marketplace_id, sku)",
        "A SKU is created once per marketplace of an account.",
    ),
)
class AmazonListingCreation(models.Model):
    """The creation of one product's listing in one marketplace of an account.

    Each marketplace has its own record, so a product can be on Amazon.es while its Amazon.de
    listing still waits for a fix. The life cycle: *To validate* → (``VALIDATION_PREVIEW``)
    *To fix* with Amazon's issues, or the real ``putListingsItem`` → *Submitted* → a queue job
    polls ``getListingsItem`` until the listing has an ASIN (*On Amazon*: the product's stock and
    price sync takes over) or shows Amazon's errors (*Refused*).
    """

    _name = "amazon.listing.creation"
    _description = "Amazon Listing Creation"
    _order = "id desc"
    _rec_name = "sku"

    product_id = fields.Many2one(
        "product.product", required=True, ondelete="cascade", index=True, readonly=True
    )
    account_id = fields.Many2one(
        "amazon.account", required=True, ondelete="cascade", index=True, readonly=True
    )
    company_id = fields.Many2one(related="account_id.company_id", store=True, index=True)
    marketplace_id = fields.Many2one("amazon.marketplace", required=True, readonly=True)
    sku = fields.Char(string="SKU", required=True, readonly=True)
    mode = fields.Selection(
        [("offer_only", "Offer on an existing ASIN"), ("full", "New product")],
        required=True,
        readonly=True,
        help="Offer on an existing ASIN: the product's barcode matched Amazon's catalog, only "
        "the offer (price, stock, condition) is sent.\nNew product: a full listing with the "
        "product type's required attributes.",
    )
    product_type = fields.Char(readonly=True, help="Amazon product type of the listing.")
    asin = fields.Char(string="ASIN", readonly=True)
    amazon_status = fields.Char(
        readonly=True, help="The listing's status on Amazon (BUYABLE, DISCOVERABLE) once created."
    )
    state = fields.Selection(
        CREATION_STATES,
        default="draft",
        required=True,
        readonly=True,
        index=True,
        help="To validate: not sent yet.\n"
        "To fix: Amazon's validation found errors; nothing was created. Fix them and create "
        "again.\n"
        "Submitted: Amazon accepted the listing and is processing it; the connector checks "
        "until it has an ASIN.\n"
        "On Amazon: the listing has its ASIN (and is BUYABLE when in stock); stock and price "
        "are synced.\n"
        "Refused: Amazon refused the listing after processing it; see the issues.",
    )
    issues = fields.Text(readonly=True, help="Amazon's issues, in plain words.")
    submission_id = fields.Char(readonly=True)
    submitted_date = fields.Datetime(readonly=True)
    attributes_sent = fields.Text(readonly=True, help="The attributes sent to Amazon (JSON).")

    @api.model
    def _plain_issues(self, issues, titles=None):
        """Amazon's issues as lines a user reads: "Error: <message> (<attribute title>)".

        :param issues: list of Amazon ``Issue`` dicts.
        :param titles: attribute name -> label, to name attributes as the form does.
        :return: str (empty when no issue).
        """
        titles = titles or {}
        lines = []
        for issue in issues or ():
            severity = _("Error") if issue.get("severity") == "ERROR" else _("Warning")
            names = [titles.get(name, name) for name in issue.get("attributeNames") or ()]
            where = f" ({', '.join(names)})" if names else ""
            lines.append(f"{severity}: {issue.get('message') or issue.get('code')}{where}")
        return "\n".join(lines)

    # ------------------------------------------------------------------
    # Attributes
    # ------------------------------------------------------------------

    def _language_tag(self):
        return LANGUAGE_TAGS.get((self.marketplace_id.code or "").upper(), "en_US")

    def _offer_attributes(self):
        """Price, stock and handling time: computed as the stock and price sync does."""
        self.ensure_one()
        account = self.account_id
        probe = self.env["amazon.listing"].new(
            {"account_id": account.id, "product_id": self.product_id.id}
        )
        quantity = next(iter(probe._amazon_quantities().values()), 0)
        price = account._amazon_check_price(
            probe._amazon_price(self.marketplace_id), self.product_id, self.marketplace_id
        )
        availability = payloads.fulfillment_availability_patch(quantity)["value"]
        if account.creation_handling_time:
            availability[0]["lead_time_to_ship_max_days"] = account.creation_handling_time
        return {
            "fulfillment_availability": availability,
            "purchasable_offer": payloads.purchasable_offer_patch(
                self.marketplace_id.api_ref, self.marketplace_id.currency_id.name, price
            )["value"],
        }

    def _offer_only_attributes(self):
        """The body of an offer on an existing ASIN (``LISTING_OFFER_ONLY``)."""
        self.ensure_one()
        marketplace = self.marketplace_id.api_ref
        attributes = {
            "merchant_suggested_asin": [{"value": self.asin, "marketplace_id": marketplace}],
            "condition_type": [{"value": "new_new", "marketplace_id": marketplace}],
        }
        attributes.update(self._offer_attributes())
        return attributes

    def _full_attributes(self, product_type, values):
        """The body of a new product (``LISTING``) from the user's raw values.

        :param product_type: ``amazon.product.type`` of this marketplace (schema cached).
        :param values: attribute name -> text typed or pre-filled (``"0.35 kilograms"`` for
            measures).
        """
        self.ensure_one()
        attributes = {}
        for name, raw in values.items():
            if name in OFFER_ATTRIBUTES or raw in (None, ""):
                continue
            spec = product_type._attribute_spec(name)
            if spec:
                attributes[name] = self._amazon_value(name, spec, str(raw))
        attributes.update(self._offer_attributes())
        return attributes

    def _amazon_value(self, name, spec, raw):
        """One attribute in Amazon's shape, guided by its schema (value, unit, language...)."""
        properties = (spec.get("items") or {}).get("properties") or {}
        entry = {}
        if name == "externally_assigned_product_identifier":
            entry = {"type": barcode_type(raw), "value": re.sub(r"\s", "", raw)}
        elif "media_location" in properties:
            entry["media_location"] = raw
        elif (properties.get("value") or {}).get("type") in ("number", "integer"):
            parts = raw.split()
            try:
                number = float(parts[0].replace(",", "."))
            except (ValueError, IndexError):
                number = raw  # Amazon's preview says the value is not a number
            else:
                if properties["value"]["type"] == "integer" or number == int(number):
                    number = int(number)
            entry["value"] = number
            if "unit" in properties:
                units = (properties["unit"] or {}).get("enum") or []
                entry["unit"] = parts[1] if len(parts) > 1 else (units[0] if units else "")
        else:
            entry["value"] = raw
        if "language_tag" in properties:
            entry["language_tag"] = self._language_tag()
        if "marketplace_id" in properties:
            entry["marketplace_id"] = self.marketplace_id.api_ref
        return [entry]

    # ------------------------------------------------------------------
    # Sending
    # ------------------------------------------------------------------

    def _submit(self, attributes, titles=None):
        """Validate with ``VALIDATION_PREVIEW``, then submit for real only if it is clean.

        :param attributes: the full attributes dict to put.
        :param titles: attribute name -> label, to word the issues.
        :return: True when submitted, False when Amazon's preview found errors (state To fix).
        :raise AmazonError: Amazon refused the call or could not be reached (nothing created).
        """
        self.ensure_one()
        service = self.account_id._get_sp_api_service()
        requirements = const.REQUIREMENTS_LISTING
        if self.mode == "offer_only":
            requirements = const.REQUIREMENTS_OFFER_ONLY
        args = (self.sku, self.marketplace_id.api_ref, self.product_type, attributes, requirements)
        values = {"attributes_sent": json.dumps(attributes, indent=1, sort_keys=True)}
        preview = service.put_listing(*args, mode=const.MODE_VALIDATION_PREVIEW)
        if preview.errors or preview.status == "INVALID":
            issues = self._plain_issues(preview.issues, titles)
            self.write(dict(values, state="invalid", issues=issues))
            return False
        result = service.put_listing(*args)
        if result.errors or result.status == "INVALID":
            issues = self._plain_issues(result.issues, titles)
            self.write(dict(values, state="invalid", issues=issues))
            return False
        self.write(
            dict(
                values,
                state="submitted",
                issues=self._plain_issues(result.issues, titles) or False,
                submission_id=result.submission_id,
                submitted_date=fields.Datetime.now(),
            )
        )
        self._enqueue_poll()
        return True

    def _enqueue_poll(self):
        """One pending poll job per creation (identity key), in its account's channel."""
        for creation in self:
            # Named, and run, in the company's language (see amazon.job.mixin._amazon_delay).
            company = creation.account_id.company_id
            lang = self.env["amazon.job.mixin"]._amazon_company_lang(company)
            localized = creation.with_context(lang=lang)
            localized.with_delay(
                channel=account_channel(creation.account_id),
                identity_key=identity_exact,
                max_retries=POLL_MAX_RETRIES,
                eta=POLL_MIN_DELAY,
                description=localized.env._(
                    "Amazon: wait for the ASIN of %(sku)s on %(marketplace)s",
                    sku=creation.sku,
                    marketplace=creation.marketplace_id.name,
                ),
            )._poll_amazon()

    # ------------------------------------------------------------------
    # The poll job
    # ------------------------------------------------------------------

    def _poll_delay(self):
        """Seconds before the next poll: grows with the time already waited, bounded."""
        now = fields.Datetime.now()
        waited = (now - (self.submitted_date or now)).total_seconds()
        return int(min(POLL_MAX_DELAY, max(POLL_MIN_DELAY, waited / 2)))

    def _poll_amazon(self):
        """Queue job: read the listing until it has an ASIN, or Amazon's errors.

        :return: a short text for the job's result.
        :raise RetryableJobError: Amazon is still processing, throttled or unreachable.
        """
        self.ensure_one()
        # Held until the job's transaction ends: a job of a dead process is run again.
        self.env["amazon.job.mixin"]._amazon_claim_job()
        if self.state != "submitted":
            return _("Nothing to do: the creation is %(state)s.", state=self.state)
        service = self.account_id._get_sp_api_service()
        try:
            listing = service.get_listing(
                self.sku, self.marketplace_id.api_ref, const.CREATION_INCLUDED_DATA
            )
        except NotFoundError:
            listing = None
        except (ThrottledError, TransientError, AuthError) as error:
            raise RetryableJobError(
                error.message, seconds=max(int(error.retry_after or 0) + 1, self._poll_delay())
            ) from None
        except AmazonError as error:
            self.write({"state": "error", "issues": error.message})
            return error.message
        errors = [i for i in (listing.issues if listing else ()) if i.get("severity") == "ERROR"]
        if errors:
            self.write({"state": "error", "issues": self._plain_issues(listing.issues)})
            return self.issues
        if listing and listing.asin:
            # The ASIN is Amazon's "created"; BUYABLE also needs stock, which may be 0 today.
            self.write(
                {
                    "state": "created",
                    "asin": listing.asin,
                    "amazon_status": ", ".join(listing.status),
                    "issues": self._plain_issues(listing.issues),
                }
            )
            self._start_sync()
            return _("On Amazon with ASIN %(asin)s.", asin=listing.asin)
        if fields.Datetime.now() - self.submitted_date > POLL_GIVE_UP_AFTER:
            self.write(
                {
                    "state": "error",
                    "issues": _(
                        "Amazon accepted the listing but had not processed it after %(hours)s "
                        "hours: check it in Seller Central.",
                        hours=int(POLL_GIVE_UP_AFTER.total_seconds() // 3600),
                    ),
                }
            )
            return self.issues
        raise RetryableJobError(
            _("Amazon is still processing %(sku)s.", sku=self.sku), seconds=self._poll_delay()
        )

    def _related_action_open(self):
        """Related action of the poll job: open the creation it waits for."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Amazon creation"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
        }

    def _start_sync(self):
        """The listing exists: from now on the product's stock and price sync keeps it current."""
        self.product_id.sudo().write({"amazon_sync": True})

    # ------------------------------------------------------------------
    # Helpers for the wizard and the product
    # ------------------------------------------------------------------

    @api.model
    def _prepare(self, product, account, marketplace, mode, product_type, asin=False):
        """The creation record of ``product`` on ``marketplace`` (reused when it failed before)."""
        existing = self.search(
            [
                ("account_id", "=", account.id),
                ("marketplace_id", "=", marketplace.id),
                ("sku", "=", product.default_code),
            ],
            limit=1,
        )
        values = {
            "product_id": product.id,
            "mode": mode,
            "product_type": product_type,
            "asin": asin or False,
            "state": "draft",
            "issues": False,
        }
        if existing:
            existing.write(values)
            return existing
        return self.create(
            dict(
                values,
                account_id=account.id,
                marketplace_id=marketplace.id,
                sku=product.default_code,
            )
        )
