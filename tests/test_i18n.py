"""Spanish, complete: every term of each addon's translation template is translated.

Each addon's template (``<addon>/i18n/<addon>.pot``) is generated from the code by ``make i18n``,
which also merges it into ``<addon>/i18n/es.po``: a term added to the code (a field, a view text,
a message) arrives in es.po untranslated, and these tests fail until a translator fills it in.
"""

import re
from pathlib import Path

import pytest

babel_pofile = pytest.importorskip("babel.messages.pofile")

REPOSITORY = Path(__file__).resolve().parents[1]
#: Every addon of the repository (a top-level folder with a manifest).
ADDONS = sorted(path.parent.name for path in REPOSITORY.glob("*/__manifest__.py"))
PLACEHOLDER = re.compile(r"%(?:\([a-z_]+\))?[sdr]")


def _catalog(addon, name):
    path = REPOSITORY / addon / "i18n" / name
    assert path.is_file(), f"{path} is missing: run make i18n"
    with path.open("rb") as handle:
        return babel_pofile.read_po(handle, abort_invalid=True)


@pytest.fixture(params=ADDONS)
def addon(request):
    return request.param


@pytest.fixture
def template(addon):
    return _catalog(addon, f"{addon}.pot")


@pytest.fixture
def spanish(addon):
    return _catalog(addon, "es.po")


def _terms(catalog):
    return {message.id: message for message in catalog if message.id}


def test_connector_template_is_not_empty():
    """The connector's generated template holds its terms (views, fields, messages)."""
    template = _catalog("stockagile_amazon_connector", "stockagile_amazon_connector.pot")
    assert len(_terms(template)) > 500


def test_every_term_has_a_spanish_translation(template, spanish):
    """Each term of the template is translated in es.po, none left fuzzy or empty."""
    translated = _terms(spanish)
    missing = []
    for msgid in _terms(template):
        message = translated.get(msgid)
        strings = message and (message.string if message.pluralizable else [message.string])
        if not message or message.fuzzy or not all(strings):
            missing.append(msgid if isinstance(msgid, str) else msgid[0])
    assert not missing, f"{len(missing)} terms without Spanish translation, e.g. {missing[:5]}"


def test_translations_keep_the_placeholders(spanish):
    """A translation names the same placeholders as its term (else the message crashes)."""
    wrong = [
        message.id
        for message in _terms(spanish).values()
        if isinstance(message.id, str)
        and message.string
        and sorted(PLACEHOLDER.findall(message.id)) != sorted(PLACEHOLDER.findall(message.string))
    ]
    assert not wrong, f"placeholders differ in {wrong[:5]}"
