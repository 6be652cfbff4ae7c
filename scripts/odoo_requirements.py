"""Print Odoo 18's requirements as pins that install on this machine.

Odoo's ``requirements.txt`` pins sdists for Python 3.11 that do not build without system
headers (psycopg2, python-ldap, old gevent). Its Python 3.12 pins all have wheels, and those wheels
exist for 3.11 too, so we evaluate every marker as if Python were 3.12, take ``psycopg2-binary``
instead of ``psycopg2`` and drop ``python-ldap`` (only the ``auth_ldap`` addon needs it).

Usage: ``python odoo_requirements.py <odoo>/requirements.txt``
"""

import sys

from packaging.requirements import Requirement

MARKER_ENV = {
    "python_version": "3.12",
    "python_full_version": "3.12.0",
    "sys_platform": "linux",
    "platform_system": "Linux",
}
RENAMED = {"psycopg2": "psycopg2-binary"}
DROPPED = {"python-ldap"}


def installable_pins(lines):
    """Yield ``name<specifier>`` for each requirement that applies on Linux with wheels."""
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        requirement = Requirement(line)
        if requirement.marker and not requirement.marker.evaluate(MARKER_ENV):
            continue
        name = requirement.name.lower()
        if name in DROPPED:
            continue
        yield f"{RENAMED.get(name, name)}{requirement.specifier}"


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as requirements:
        print("\n".join(installable_pins(requirements)))
