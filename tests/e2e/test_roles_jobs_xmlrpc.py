"""Roles of issue 24 over XML-RPC: jobs for Amazon managers of their companies only, none for
Amazon users, and an integration user that cannot validate a delivery that is not Amazon's."""

import xmlrpc.client

import pytest

from .harness import wait_for
from .test_roles_xmlrpc import ACCESS_ERROR, _user

AMAZON_USER = "stockagile_amazon_connector.group_amazon_user"
AMAZON_MANAGER = "stockagile_amazon_connector.group_amazon_manager"
AMAZON_INTEGRATION = "stockagile_amazon_connector.group_amazon_integration"


def _refused(call):
    """Run ``call``; True when the server answered with an AccessError fault."""
    try:
        call()
    except xmlrpc.client.Fault as fault:
        return fault.faultCode == ACCESS_ERROR or "AccessError" in fault.faultString
    return False


def test_amazon_manager_sees_amazon_jobs_only_and_user_none(odoo, odoo_server, amazon_account):
    """An Amazon Manager lists Amazon's jobs only and requeues them; an Amazon User nothing."""
    manager = _user(odoo, odoo_server, "e2e.jobs.manager", (AMAZON_MANAGER,))
    clerk = _user(odoo, odoo_server, "e2e.jobs.clerk", (AMAZON_USER,))
    odoo.call("amazon.account", "action_sync_orders", [amazon_account])
    assert wait_for(
        lambda: odoo.call("queue.job", "search_count", [("channel", "=like", "root.amazon%")]),
        timeout=60,
    ), "the sync queued no job"
    jobs = manager.call("queue.job", "search_read", [], ["channel", "state"])
    assert jobs, "the manager sees the account's jobs"
    assert all(job["channel"].startswith("root.amazon") for job in jobs), jobs
    assert manager.call("queue.job", "requeue", [jobs[0]["id"]]) is True
    others = odoo.call("queue.job", "search", [("channel", "not like", "root.amazon%")], limit=1)
    if others:
        assert _refused(lambda: manager.call("queue.job", "requeue", others))
    assert _refused(lambda: clerk.call("queue.job", "search", []))
    assert _refused(
        lambda: clerk.call("amazon.account", "action_amazon_retry_jobs", [amazon_account])
    )


@pytest.mark.usefixtures("amazon_account")
def test_integration_user_cannot_validate_a_manual_delivery(odoo, odoo_server):
    """The integration group reads no delivery that is not Amazon's, so it validates none."""
    integration = _user(odoo, odoo_server, "e2e.jobs.integration", (AMAZON_INTEGRATION,))
    [warehouse] = odoo.call(
        "stock.warehouse", "search_read", [], ["out_type_id", "lot_stock_id"], limit=1
    )
    product = odoo.call(
        "product.product", "create", {"name": "E2E manual delivery", "is_storable": False}
    )
    customers = odoo.ref("stock.stock_location_customers")
    [base] = odoo.call(
        "ir.module.module", "search_read", [("name", "=", "base")], ["latest_version"]
    )
    series = int(base["latest_version"].split(".")[0])
    picking = odoo.call(
        "stock.picking",
        "create",
        {
            "picking_type_id": warehouse["out_type_id"][0],
            "location_id": warehouse["lot_stock_id"][0],
            "location_dest_id": customers,
            "move_ids": [
                (
                    0,
                    0,
                    {
                        **({"name": "manual"} if series < 19 else {}),  # no move name on 19
                        "product_id": product,
                        "product_uom_qty": 1,
                        "location_id": warehouse["lot_stock_id"][0],
                        "location_dest_id": customers,
                    },
                )
            ],
        },
    )
    odoo.call("stock.picking", "action_confirm", [picking])
    assert _refused(lambda: integration.call("stock.picking", "button_validate", [picking]))
    [state] = odoo.call("stock.picking", "read", [picking], ["state"])
    assert state["state"] != "done", "the manual delivery is not validated"
