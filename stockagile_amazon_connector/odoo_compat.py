"""Bridges Odoo 18.0 and 19.0: the one place that knows which series runs.

The connector installs on both series from the same files. Every API that differs between them
is reached through this module, so models, wizards and tests read the same on both and the day
18.0 is dropped this module shrinks to constants. What differs, and the bridge for each:

- ``_sql_constraints`` is ignored by 19.0 (``models.Constraint`` instead):
  :func:`sql_constraints`, a class decorator, declares them the way the running series reads.
  Both series name the constraint ``<table>_<name>``, so a database upgraded from 18.0 keeps it.
- ``res.users.groups_id`` and ``ir.actions.*.groups_id`` are ``group_ids`` on 19.0:
  :data:`GROUPS_FIELD` (in XML data, ``'group_ids' if version >= '19' else 'groups_id'``).
- ``sale.order.line.product_uom`` is ``product_uom_id`` on 19.0: :data:`SALE_LINE_UOM_FIELD`
  and :func:`sale_line_uom`; its ``tax_id`` is ``tax_ids``: :data:`SALE_LINE_TAXES_FIELD` and
  :func:`sale_line_taxes`.
- fiscal positions map taxes from the destination tax on 19.0: :func:`fiscal_position_tax_map`.
- ``stock.stock_location_locations`` (*Physical Locations*) is gone: :func:`physical_locations`.
- ``res.partner.mobile`` is gone on 19.0: :data:`PARTNER_PHONE_FIELDS`.
- ``stock.move.name`` is gone on 19.0: :func:`stock_move_values`.
- ``Registry.in_test_mode()`` is gone on 19.0: :func:`is_test_cursor`.
- ``res.groups.category_id`` is replaced by privileges (``res.groups.privilege``) on 19.0:
  :func:`file_groups_under`.
- the ORM's ``Transaction`` moved from ``odoo.api`` to ``odoo.orm.environments`` on 19.0:
  :func:`environment_on` (an environment on a cursor of another thread).
"""

from odoo import SUPERUSER_ID, Command, api, models, release

#: Major version of the running Odoo (18 or 19).
ODOO_SERIES = release.version_info[0]

#: The JSON-2 API (``POST /json/2/<model>/<method>``, API key as bearer token) exists from 19.0.
HAS_JSON2 = ODOO_SERIES >= 19

#: Many2many to ``res.groups`` on ``res.users`` and ``ir.actions.*``.
GROUPS_FIELD = "group_ids" if ODOO_SERIES >= 19 else "groups_id"

#: Phone numbers of a ``res.partner`` (19.0 dropped ``mobile``).
PARTNER_PHONE_FIELDS = ("phone",) if ODOO_SERIES >= 19 else ("phone", "mobile")

#: Taxes of a sales order line.
SALE_LINE_TAXES_FIELD = "tax_ids" if ODOO_SERIES >= 19 else "tax_id"

#: Unit of measure of a sales order line.
SALE_LINE_UOM_FIELD = "product_uom_id" if ODOO_SERIES >= 19 else "product_uom"


def is_test_cursor(cr):
    """Whether ``cr`` is a test cursor (it shares the running test's transaction).

    18.0 asks ``registry.in_test_mode()``; 19.0 dropped it and patches ``registry.cursor`` in
    tests to return a ``TestCursor`` (``odoo.tests.test_cursor``, ``odoo.sql_db`` on 18.0).
    Comparing the class name reads the same on both without importing the test framework.
    """
    return type(cr).__name__ == "TestCursor"


def stock_move_values(values):
    """``values`` for ``stock.move.create`` on the running series.

    18.0 requires the move's ``name`` (its description); 19.0 has no such field (the
    description is computed from the product), so it is left out there.
    """
    if ODOO_SERIES >= 19:
        return {key: value for key, value in values.items() if key != "name"}
    return values


def fiscal_position_tax_map(source_tax, destination_tax):
    """The ``tax_ids`` value of an ``account.fiscal.position`` replacing ``source_tax`` by
    ``destination_tax``.

    18.0 maps taxes with ``account.fiscal.position.tax`` lines; 19.0 lists the destination taxes,
    each naming the taxes it replaces (its ``original_tax_ids``, completed here).
    """
    if ODOO_SERIES < 19:
        return [Command.create({"tax_src_id": source_tax.id, "tax_dest_id": destination_tax.id})]
    destination_tax.original_tax_ids |= source_tax
    return [Command.link(destination_tax.id)]


def physical_locations(env):
    """The parent of stock locations outside any warehouse: 18.0's *Physical Locations* view;
    19.0 has none (such locations have no parent), so an empty recordset there."""
    return (
        env.ref("stock.stock_location_locations", raise_if_not_found=False) or env["stock.location"]
    )


def sale_line_taxes(line):
    """The taxes of ``line`` (a ``sale.order.line``) on either series."""
    return line[SALE_LINE_TAXES_FIELD]


def sale_line_uom(line):
    """The unit of measure of ``line`` (a ``sale.order.line``) on either series."""
    return line[SALE_LINE_UOM_FIELD]


def sql_constraints(*constraints):
    """Class decorator declaring SQL constraints the way the running series reads them.

    18.0 reads ``_sql_constraints``; 19.0 ignores it and reads ``models.Constraint`` attributes
    named ``_<name>``. Both create ``<table>_<name>`` in PostgreSQL and show ``message`` when a
    write breaks it.

    :param constraints: ``(name, definition, message)`` tuples, as in 18.0's ``_sql_constraints``.
    :return: the decorator, which returns the class it was given.
    """

    def declare(cls):
        if ODOO_SERIES < 19:
            cls._sql_constraints = list(constraints)
            return cls
        for name, definition, message in constraints:
            constraint = models.Constraint(definition, message)
            setattr(cls, f"_{name}", constraint)
            constraint.__set_name__(cls, f"_{name}")
        return cls

    return declare


def file_groups_under(groups, category):
    """File ``groups`` under ``category`` in the user form, the way the running series shows it.

    18.0 groups point to their ``ir.module.category``; 19.0 groups point to a
    ``res.groups.privilege`` of the category, created here once with the XML id
    ``<module>.<category name>_privilege`` so that updates find it again.

    :param groups: ``res.groups`` records.
    :param category: ``ir.module.category`` record (with an XML id).
    """
    if ODOO_SERIES < 19:
        groups.write({"category_id": category.id})
        return
    module, name = category.get_external_id()[category.id].split(".", 1)
    privilege = groups.env["res.groups.privilege"]._load_records(
        [
            {
                "xml_id": f"{module}.{name}_privilege",
                "values": {
                    "name": category.name,
                    "category_id": category.id,
                    "sequence": category.sequence,
                },
                "noupdate": False,
            }
        ],
        update=True,
    )
    groups.write({"privilege_id": privilege.id})


def environment_on(registry, cr, uid=SUPERUSER_ID):
    """An environment on ``cr`` (a cursor of ``registry``) that does not look the registry up.

    ``api.Environment`` finds the registry of a new cursor with ``Registry(dbname)``, which waits
    for the registries' lock; a server started with ``-i``/``-u`` holds that lock while it runs
    the tests, so a test's second thread (two jobs side by side) would wait forever. Giving the
    cursor its transaction first skips that look-up. The ``Transaction`` class is in
    ``odoo.api`` on 18.0 and in ``odoo.orm.environments`` on 19.0.
    """
    if ODOO_SERIES >= 19:
        from odoo.orm.environments import Transaction
    else:
        from odoo.api import Transaction
    if cr.transaction is None:
        cr.transaction = Transaction(registry)
    return api.Environment(cr, uid, {})
