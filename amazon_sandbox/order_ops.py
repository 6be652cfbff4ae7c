"""Order helpers: the ``includedData`` projection and shipment bookkeeping."""

import copy

# includedData dataset -> (order-level keys, item-level keys) it adds to the core order.
DATASETS = {
    "BUYER": (("buyer",), ()),
    "RECIPIENT": (("recipient",), ()),
    "PROCEEDS": (("proceeds",), ("proceeds",)),
    "EXPENSE": ((), ("expense",)),
    "PROMOTION": ((), ("promotion",)),
    "CANCELLATION": ((), ("cancellation",)),
    "FULFILLMENT": (("fulfillment",), ("fulfillment",)),
    "PACKAGES": (("packages",), ()),
    "TAX": (("tax",), ("tax",)),
    "PAYMENT": (("payment",), ()),
    "FULFILLMENT_ORDERS": (("fulfillmentOrders",), ()),
}
CORE_ORDER_KEYS = (
    "orderId",
    "orderAliases",
    "createdTime",
    "lastUpdatedTime",
    "programs",
    "associatedOrders",
    "salesChannel",
    "orderItems",
)
CORE_ITEM_KEYS = (
    "orderItemId",
    "quantityOrdered",
    "measurement",
    "associatedOrderItems",
    "programs",
    "product",
)


def project(order: dict, included: list) -> dict:
    """The order as Amazon returns it: core fields plus the requested datasets only."""
    order_keys, item_keys = set(CORE_ORDER_KEYS), set(CORE_ITEM_KEYS)
    for dataset in included:
        extra_order, extra_item = DATASETS[dataset]
        order_keys.update(extra_order)
        item_keys.update(extra_item)
    result = {k: copy.deepcopy(v) for k, v in order.items() if k in order_keys}
    result["orderItems"] = [
        {k: copy.deepcopy(v) for k, v in item.items() if k in item_keys}
        for item in order.get("orderItems", [])
    ]
    if "packages" in result and not result["packages"]:
        del result["packages"]
    return result


def shipped_quantities(order: dict, exclude_package=None) -> dict:
    """orderItemId -> quantity already confirmed in the order's packages."""
    shipped: dict[str, int] = {}
    for package in order.get("packages") or []:
        if package["packageReferenceId"] == exclude_package:
            continue
        for item in package.get("packageItems", []):
            shipped[item["orderItemId"]] = shipped.get(item["orderItemId"], 0) + item["quantity"]
    return shipped


def refresh_fulfillment(order: dict):
    """Recompute item fulfilment counters and the order status after a shipment."""
    shipped = shipped_quantities(order)
    all_done, any_done = True, False
    for item in order["orderItems"]:
        count = min(shipped.get(item["orderItemId"], 0), item["quantityOrdered"])
        item["fulfillment"] = dict(
            item.get("fulfillment") or {},
            quantityFulfilled=count,
            quantityUnfulfilled=item["quantityOrdered"] - count,
        )
        all_done = all_done and count >= item["quantityOrdered"]
        any_done = any_done or count > 0
    if any_done:
        order["fulfillment"]["fulfillmentStatus"] = "SHIPPED" if all_done else "PARTIALLY_SHIPPED"
