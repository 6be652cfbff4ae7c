"""*Sync all* on five marketplaces, pressed three times while stock moves and Amazon throttles.

The account sells on ES, FR, DE, IT and NL; the sandbox keeps each SKU's offer per marketplace.
A real Odoo server with queue_job's runner runs every job: the test presses the button over
XML-RPC, receives goods between the presses, and Amazon throttles ``createFeed``, ``getFeed``
and ``patchListingsItem``. Amazon's pace is the sandbox's ``rate_plans`` (a faster Amazon:
``createFeed`` one call per two seconds after its burst, instead of two minutes), so the
scenario runs in about a minute while every wait is still Amazon's.

Each press comes as soon as the previous press's feeds are created, while Amazon is still
processing them and before their reports are read: the previous feed's report must leave the
new press's offers to its feed job (never patch them one by one), and a throttled ``createFeed``
must keep its uploaded document and create the feed with it later. So every press makes exactly
one feed per marketplace.
"""

from collections import Counter

import pytest

from .harness import product_with_sku, receive, wait_for

pytestmark = pytest.mark.slow

SKUS = ("SA-MUG-001", "SA-TEE-BLK-M", "SA-BOTTLE-750")
#: The SKU whose stock moves during the presses (the others travel by feed only: a real-time
#: patch of an offer takes its queued changes, which may leave its marketplace's feed without it).
MOVING = SKUS[:1]
MARKETPLACES = ("es", "fr", "de", "it", "nl")
PRESSES = 3


@pytest.fixture
def marketplaces(odoo):
    """``{code: (id, api_ref)}`` of the five marketplaces of the account."""
    ids = [
        odoo.ref(f"stockagile_amazon_connector.amazon_marketplace_{code}") for code in MARKETPLACES
    ]
    rows = odoo.call("amazon.marketplace", "read", ids, ["code", "api_ref"])
    return {row["code"]: (row["id"], row["api_ref"]) for row in rows}


@pytest.fixture
def pan_eu_account(odoo, amazon_account, marketplaces):
    """The test's account, selling on ES, FR, DE, IT and NL."""
    ids = [market_id for market_id, _ref in marketplaces.values()]
    odoo.call("amazon.account", "write", [amazon_account], {"marketplace_ids": [(6, 0, ids)]})
    return amazon_account


@pytest.fixture
def products(odoo, sandbox, pan_eu_account, marketplaces):
    """The five SKUs offered on every marketplace, synced, Amazon holding Odoo's stock."""
    for sku in SKUS:
        for _id, api_ref in marketplaces.values():
            sandbox.put_listing(sku, marketplaceId=api_ref, quantity=99)
    ids = {sku: product_with_sku(odoo, sku, list_price=12.0) for sku in SKUS}
    receive(odoo, list(ids.values()), quantity=5)
    odoo.call("product.product", "write", list(ids.values()), {"amazon_sync": True})
    assert wait_for(
        lambda: not differences(odoo, sandbox, ids, marketplaces), timeout=60, interval=0.2
    ), differences(odoo, sandbox, ids, marketplaces)
    sandbox.clear_requests()
    return ids


def free_quantities(odoo, ids):
    """Odoo's free quantity of each SKU in the account's warehouse (what Amazon must hold)."""
    warehouse = odoo.call("stock.warehouse", "search", [], limit=1)[0]
    rows = odoo.call(
        "product.product",
        "read",
        list(ids.values()),
        ["free_qty", "default_code"],
        context={"warehouse_id": warehouse},
    )
    return {row["default_code"]: max(0, int(row["free_qty"])) for row in rows}


def differences(odoo, sandbox, ids, marketplaces):
    """``{(marketplace, sku): (Amazon's quantity, Odoo's)}`` wherever they differ."""
    expected = free_quantities(odoo, ids)
    found = {}
    for code, (_id, api_ref) in marketplaces.items():
        for sku, quantity in expected.items():
            held = (sandbox.listing(sku, api_ref) or {}).get("quantity")
            if held != quantity:
                found[(code, sku)] = (held, quantity)
    return found


def accepted_feeds(sandbox, marketplaces):
    """``Counter({marketplace code: createFeed requests Amazon accepted})``."""
    codes = {api_ref: code for code, (_id, api_ref) in marketplaces.items()}
    return Counter(
        codes[market]
        for request in sandbox.requests("createFeed")
        if request["status"] == 202
        for market in request["body"]["marketplaceIds"]
    )


def account_jobs(odoo, account_id, states):
    return odoo.call(
        "queue.job",
        "search_read",
        [("channel", "=", f"root.amazon.account_{account_id}"), ("state", "in", states)],
        fields=["name", "state", "exc_info"],
    )


def test_sync_all_three_times_on_five_marketplaces(
    odoo, sandbox, pan_eu_account, marketplaces, products
):
    """Three presses amid stock moves and throttles: 5 feeds each, reports read, all converged."""
    sandbox.config(
        feed_processing_seconds=2,
        rate_plans={"createFeed": [0.5, 15], "getFeedDocument": [0.5, 10]},
    )
    sandbox.add_fault("createFeed", "throttle", count=2)
    sandbox.add_fault("getFeed", "throttle", count=2)
    sandbox.add_fault("patchListingsItem", "throttle", count=2)
    moving = [products[sku] for sku in MOVING]

    def feeds():
        return odoo.call(
            "amazon.feed",
            "search_read",
            [("account_id", "=", pan_eu_account)],
            fields=["marketplace_id", "state", "last_error", "document_ref"],
        )

    for press in range(1, PRESSES + 1):
        outcome = odoo.call("amazon.account", "action_sync_all_products", [pan_eu_account])
        assert outcome["params"]["type"] == "success", outcome["params"]["message"]
        receive(odoo, moving, quantity=press)  # stock moves while the feeds are queued
        expected = Counter(dict.fromkeys(marketplaces, press))
        # The next press comes once this one's feeds exist, whatever their reports.
        assert wait_for(
            lambda p=expected: accepted_feeds(sandbox, marketplaces) == p, 60, 0.2
        ), f"press {press}: feeds accepted {accepted_feeds(sandbox, marketplaces)}"
        receive(odoo, moving, quantity=press)  # and while Amazon processes them

    assert wait_for(lambda: {f["state"] for f in feeds()} == {"done"}, 60, 0.5), feeds()
    assert wait_for(
        lambda: not differences(odoo, sandbox, products, marketplaces), 60, 0.5
    ), differences(odoo, sandbox, products, marketplaces)
    assert wait_for(
        lambda: not account_jobs(odoo, pan_eu_account, ["pending", "enqueued", "started"]),
        60,
        0.5,
    ), account_jobs(odoo, pan_eu_account, ["pending", "enqueued", "started"])

    assert not sandbox.faults(), "every injected throttle was met"
    accepted = accepted_feeds(sandbox, marketplaces)
    assert accepted == Counter(dict.fromkeys(marketplaces, PRESSES)), accepted
    throttled = [r for r in sandbox.requests("createFeed") if r["status"] == 429]
    assert len(throttled) == 2, "Amazon throttled createFeed twice"
    documents = [r for r in sandbox.requests("createFeedDocument") if r["status"] == 201]
    assert len(documents) == len(MARKETPLACES) * PRESSES, "a document uploaded once per feed"
    per_marketplace = Counter(feed["marketplace_id"][0] for feed in feeds())
    assert per_marketplace == Counter(
        {market_id: PRESSES for market_id, _ref in marketplaces.values()}
    ), "one feed per marketplace per press, each kept until its report is read"
    reports = [r for r in sandbox.requests("getFeedDocument") if r["status"] == 200]
    assert len(reports) >= len(MARKETPLACES) * PRESSES, "a processing report read per feed"
    assert not differences(odoo, sandbox, products, marketplaces), "nothing moved it back since"
    offers = odoo.call(
        "amazon.offer",
        "search_read",
        [("listing_id.account_id", "=", pan_eu_account)],
        fields=["state", "feed_id"],
    )
    assert len(offers) == len(SKUS) * len(MARKETPLACES)
    assert {offer["state"] for offer in offers} == {"synced"}
    assert not any(offer["feed_id"] for offer in offers), "no offer waits for a report"
    assert not account_jobs(odoo, pan_eu_account, ["failed"]), "0 failed jobs"
