"""Every Amazon job is named in its company's language, whatever queued it (issue 27).

``amazon.job.mixin._amazon_delay`` renders a lazy name (``_lt(...)``) in the company's language;
a name given as ``_()`` would be in the language of whoever queued the job (English for a cron,
which has no user language) and no name at all gives the method's English docstring. The Odoo
test ``TestSpanishSellerLanguage.test_cron_queued_jobs_named_in_company_language`` proves the
mechanism; this test proves every call site uses it, the ones added later included.
"""

import ast
from pathlib import Path

ADDON = Path(__file__).resolve().parents[1] / "stockagile_amazon_connector"


def _delay_calls():
    for path in sorted((ADDON / "models").glob("*.py")) + sorted((ADDON / "wizards").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("_amazon_delay", "with_delay")
            ):
                yield path, node


def _is_company_language_name(value):
    """``_lt("…")`` (rendered by _amazon_delay) or ``<record>.env._("…")`` (already rendered)."""
    if not isinstance(value, ast.Call):
        return False
    func = value.func
    if isinstance(func, ast.Name):
        return func.id == "_lt"
    return isinstance(func, ast.Attribute) and func.attr == "_" and ast.unparse(func) != "_"


def test_every_job_is_named_in_the_company_language():
    """Each ``_amazon_delay``/``with_delay`` call names its job with a term the company reads."""
    calls = list(_delay_calls())
    assert len(calls) > 10, "the job call sites were not found"
    wrong = []
    for path, node in calls:
        if path.name == "amazon_job_mixin.py" and node.func.attr == "with_delay":
            continue  # the one with_delay of _amazon_delay itself
        names = {keyword.arg: keyword.value for keyword in node.keywords}
        if not _is_company_language_name(names.get("description")):
            wrong.append(f"{path.name}:{node.lineno}")
    assert not wrong, f"jobs named in the queuer's language (or unnamed): {wrong}"
