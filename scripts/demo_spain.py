"""`make run`'s demo as a Spanish seller: run inside `odoo-bin shell` (it provides ``env``).

The addon does not depend on l10n_es: making the demo company a Spanish one is this script's
job, in two steps chosen by ``STOCKAGILE_DEMO_STEP``:

- ``prepare`` (a fresh database with only ``base``): the company is in Madrid, in euros, so that
  installing ``account`` loads Spain's chart of accounts (l10n_es: IVA 21 %, the EU fiscal
  positions) instead of the generic one.
- ``finish`` (after every install or update): Spanish carriers (SEUR, Correos), the admin user in
  Spanish (English stays installed, one click away in the preferences), and the demo Amazon
  account's endpoints on the sandbox of this run (``STOCKAGILE_SANDBOX_URL``), whatever
  ``SANDBOX_PORT`` is.

Every step can run again: it only sets what is not set yet.
"""

import os

# ``env`` is given by odoo-bin shell.
env = globals()["env"]  # explicit for linters and readers
STEP = os.environ.get("STOCKAGILE_DEMO_STEP", "finish")


def prepare_company():
    """The main company as a Spanish seller (before the accounting is installed, and again
    after it: demo data of other modules rename it)."""
    spain = env.ref("base.es")
    eur = env.ref("base.EUR")
    eur.active = True
    company = env.ref("base.main_company")
    if company.currency_id != eur:  # never rewritten once the accounting has entries
        company.currency_id = eur
    company.write(
        {
            "name": "Stockagile Demo S.L.",
            "street": "Calle de Alcalá 100",
            "city": "Madrid",
            "zip": "28009",
            "country_id": spain.id,
            "state_id": env["res.country.state"]
            .search([("country_id", "=", spain.id), ("code", "=", "M")], limit=1)
            .id,
            "phone": "+34 910 000 000",
        }
    )
    print(f"Demo company: {company.name}, {company.city} ({company.currency_id.name})")


def spanish_carrier(name, price):
    """A fixed-price carrier (Odoo's own delivery.carrier), created once."""
    carrier = (
        env["delivery.carrier"]
        .with_context(active_test=False)
        .search([("name", "=", name)], limit=1)
    )
    if carrier:
        return carrier
    product = env["product.product"].create(
        {"name": f"Envío {name}", "type": "service", "list_price": price, "sale_ok": False}
    )
    return env["delivery.carrier"].create(
        {
            "name": name,
            "delivery_type": "fixed",
            "fixed_price": price,
            "product_id": product.id,
            "country_ids": [(6, 0, env.ref("base.es").ids)],
        }
    )


def finish():
    """Company details, carriers, language, and the demo account on this run's sandbox."""
    prepare_company()
    for name, price in (("SEUR", 5.95), ("Correos", 4.50)):
        spanish_carrier(name, price)
    if env["res.lang"]._lang_get("es_ES"):
        env.ref("base.user_admin").lang = "es_ES"
    url = (os.environ.get("STOCKAGILE_SANDBOX_URL") or "").rstrip("/")
    account = env.ref("stockagile_amazon_connector.amazon_demo_account", False)
    if url and account:
        account.write({"sp_api_endpoint": url, "lwa_token_endpoint": f"{url}/auth/o2/token"})
        print(f"Demo Amazon account on {url}")
    company = env.ref("base.main_company")
    admin = env.ref("base.user_admin")
    print(
        f"Demo company {company.name} ({company.country_id.code}, {company.currency_id.name}), "
        f"chart {company.chart_template or 'none'}, admin language {admin.lang}"
    )


if STEP == "prepare":
    prepare_company()
else:
    finish()
env.cr.commit()
