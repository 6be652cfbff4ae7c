"""The service package stays pure Python and is the only importer of sp_api."""

import re
import subprocess
import sys

from .conftest import ADDON, REPO

BLOCK_ODOO = r"""
import importlib.abc, sys, types

class BlockOdoo(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "odoo" or name.startswith("odoo."):
            raise ImportError("odoo is blocked in this test")
        return None

sys.meta_path.insert(0, BlockOdoo())
stub = types.ModuleType("stockagile_amazon_connector")
stub.__path__ = [sys.argv[1]]
sys.modules["stockagile_amazon_connector"] = stub
import stockagile_amazon_connector.services as services
assert not any(m == "odoo" or m.startswith("odoo.") for m in sys.modules)
print(services.SpApiService.__name__)
"""


def test_services_import_without_odoo():
    """Importing the services package in a fresh interpreter where odoo cannot be imported."""
    result = subprocess.run(
        [sys.executable, "-c", BLOCK_ODOO, str(ADDON)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "SpApiService"


def test_only_services_import_sp_api():
    """No module of the addon outside services/ imports sp_api, and services never imports odoo."""
    pattern = re.compile(r"^\s*(from|import)\s+sp_api\b", re.MULTILINE)
    odoo = re.compile(r"^\s*(from|import)\s+odoo\b", re.MULTILINE)
    services = ADDON / "services"
    offenders, impure = [], []
    for path in ADDON.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if services in path.parents:
            if odoo.search(text):
                impure.append(path)
        elif pattern.search(text):
            offenders.append(path)
    assert offenders == []
    assert impure == []
    assert any(pattern.search(p.read_text()) for p in services.glob("*.py"))
