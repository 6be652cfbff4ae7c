"""Listing errors stored in English by earlier syncs are written again in the company's language.

Before 1.1.0 a push job wrote its advice (e.g. "Amazon has no listing with the SKU … press Sync
now") in the language of whoever queued it, usually English; jobs now run in the company's
language. Only texts that are exactly the English advice are rewritten: anything else (Amazon's
own text, a message typed elsewhere) stays as it is.
"""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    rewrite_listing_errors(env)


def rewrite_listing_errors(env):
    """Rewrite the English advice of listings in error in their company's language.

    :return: the listings rewritten
    """
    Listing = env["amazon.listing"].with_context(active_test=False)
    rewritten = Listing
    for listing in Listing.search(
        [("state", "in", ("not_found", "error")), ("last_error", "!=", False)]
    ):
        company = listing.account_id.company_id
        lang = env["amazon.job.mixin"]._amazon_company_lang(company)
        if not lang or lang == "en_US":
            continue
        english = listing.with_context(lang="en_US")._amazon_error_advice(listing.state)
        if listing.last_error != english:
            continue
        listing.last_error = listing.with_context(lang=lang)._amazon_error_advice(listing.state)
        rewritten |= listing
    return rewritten
