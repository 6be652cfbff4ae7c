"""Install the addon as ``odoo.addons.stockagile_amazon_connector`` (and the local Amazon sandbox).

``pip install .`` puts the addon where Odoo finds it without ``--addons-path`` (Odoo extends
``odoo.addons`` over every ``site-packages/odoo/addons``), like the OCA's setuptools-odoo does.
"""

import ast
from pathlib import Path

from setuptools import find_packages, setup

ADDON = "stockagile_amazon_connector"
NAMESPACE = f"odoo.addons.{ADDON}"
HERE = Path(__file__).parent
MANIFEST = ast.literal_eval((HERE / ADDON / "__manifest__.py").read_text(encoding="utf-8"))


def addon_packages():
    """Map the addon's Python packages into the ``odoo.addons`` namespace."""
    inner = find_packages(str(HERE / ADDON))
    return [NAMESPACE] + [f"{NAMESPACE}.{name}" for name in inner]


def addon_data_files():
    """Every non-Python file of the addon (views, data, security, static, tests data)."""
    return [
        str(path.relative_to(HERE / ADDON))
        for path in (HERE / ADDON).rglob("*")
        if path.is_file() and path.suffix not in {".py", ".pyc"} and "__pycache__" not in path.parts
    ]


setup(
    name=f"odoo-addon-{ADDON}",
    version=MANIFEST["version"],
    description=MANIFEST["summary"],
    license="LGPL-3",
    author=MANIFEST["author"],
    python_requires=">=3.10",
    packages=[*addon_packages(), "amazon_sandbox", "amazon_sandbox.api"],
    package_dir={NAMESPACE: ADDON},
    package_data={NAMESPACE: addon_data_files(), "amazon_sandbox": ["README.md"]},
    install_requires=["python-amazon-sp-api==2.1.35", "boto3>=1.34"],
    classifiers=["Framework :: Odoo", "Framework :: Odoo :: 18.0", "Framework :: Odoo :: 19.0"],
)
