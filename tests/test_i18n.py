"""Spanish, complete: every term of the connector's translation template is translated.

The template (``i18n/stockagile_amazon_connector.pot``) is generated from the code by ``make
i18n``, which also merges it into ``i18n/es.po``: a term added to the code (a field, a view text, a
message) arrives in es.po untranslated, and these tests fail until a translator fills it in.
"""

import re
from pathlib import Path

import pytest

babel_pofile = pytest.importorskip("babel.messages.pofile")

I18N = Path(__file__).resolve().parents[1] / "stockagile_amazon_connector" / "i18n"
PLACEHOLDER = re.compile(r"%(?:\([a-z_]+\))?[sdr]")


def _catalog(name):
    with (I18N / name).open("rb") as handle:
        return babel_pofile.read_po(handle, abort_invalid=True)


@pytest.fixture(scope="module")
def template():
    return _catalog("stockagile_amazon_connector.pot")


@pytest.fixture(scope="module")
def spanish():
    return _catalog("es.po")


def _terms(catalog):
    return {message.id: message for message in catalog if message.id}


def test_template_is_not_empty(template):
    """The generated template holds the addon's terms (views, fields, messages)."""
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
