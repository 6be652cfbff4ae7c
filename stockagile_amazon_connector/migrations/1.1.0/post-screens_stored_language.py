"""Listing errors stored in English by earlier syncs are written again in the company's language.

Before 1.1.0 a push job wrote its advice (e.g. "Amazon has no listing with the SKU … press Sync
now") in the language of whoever queued it, usually English; jobs now run in the company's
language. The offers migration (``post-offers``, run before this one) copied that advice onto
each listing's offers, and a listing's error now summarises its offers' ("ES: …"): both are
rewritten. Only the English advice itself is replaced: anything else (Amazon's own text, a
message typed elsewhere) stays as it is.
"""

from odoo import SUPERUSER_ID, api

ADVICE_STATES = ("not_found", "error")


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    rewrite_listing_errors(env)


def _translate_advice(listing, lang, text):
    """``text`` with the listing's English advice replaced by the advice in ``lang``."""
    for state in ADVICE_STATES:
        english = listing.with_context(lang="en_US")._amazon_error_advice(state)
        if english in text:
            text = text.replace(
                english, listing.with_context(lang=lang)._amazon_error_advice(state)
            )
    return text


def rewrite_listing_errors(env):
    """Rewrite the English advice of listings (and their offers) in their company's language.

    :return: the listings rewritten (their own error or one of their offers')
    """
    Listing = env["amazon.listing"].with_context(active_test=False)
    rewritten = Listing
    for listing in Listing.search(
        ["|", ("last_error", "!=", False), ("offer_ids.last_error", "!=", False)]
    ):
        lang = env["amazon.job.mixin"]._amazon_company_lang(listing.account_id.company_id)
        if not lang or lang == "en_US":
            continue
        for record in [*listing.offer_ids, listing]:
            if not record.last_error:
                continue
            text = _translate_advice(listing, lang, record.last_error)
            if text != record.last_error:
                record.last_error = text
                rewritten |= listing
    return rewritten
