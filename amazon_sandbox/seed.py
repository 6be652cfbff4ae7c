"""Default data: the seller's marketplaces, listings, realistic ES orders and one return.

Everything time-related is placed relative to the moment of the reset so that "orders of the
last days" queries always find the seed.
"""

import zlib
from datetime import datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal

from .listing_ops import refresh_status
from .timeutil import ago, iso

ES, DE, FR, IT = "A1RKKUPIHCS9HS", "A1PA6795UKMFR9", "A13V1IB3VIYZZH", "APJ6JRA9NG5V4"
NL = "A1805IZSGTT6HS"

MARKETPLACES = {
    ES: {
        "id": ES,
        "name": "Amazon.es",
        "countryCode": "ES",
        "defaultCurrencyCode": "EUR",
        "defaultLanguageCode": "es_ES",
        "domainName": "www.amazon.es",
    },
    DE: {
        "id": DE,
        "name": "Amazon.de",
        "countryCode": "DE",
        "defaultCurrencyCode": "EUR",
        "defaultLanguageCode": "de_DE",
        "domainName": "www.amazon.de",
    },
    FR: {
        "id": FR,
        "name": "Amazon.fr",
        "countryCode": "FR",
        "defaultCurrencyCode": "EUR",
        "defaultLanguageCode": "fr_FR",
        "domainName": "www.amazon.fr",
    },
    IT: {
        "id": IT,
        "name": "Amazon.it",
        "countryCode": "IT",
        "defaultCurrencyCode": "EUR",
        "defaultLanguageCode": "it_IT",
        "domainName": "www.amazon.it",
    },
    NL: {
        "id": NL,
        "name": "Amazon.nl",
        "countryCode": "NL",
        "defaultCurrencyCode": "EUR",
        "defaultLanguageCode": "nl_NL",
        "domainName": "www.amazon.nl",
    },
}
STORE_NAME = "Stockagile Sandbox Store"
VAT_RATE = {
    ES: Decimal("0.21"),
    DE: Decimal("0.19"),
    FR: Decimal("0.20"),
    IT: Decimal("0.22"),
    NL: Decimal("0.21"),
}

# sku, productType, price, asin, item name
DEFAULT_LISTINGS = [
    ("SA-MUG-001", "DRINKING_CUP", 12.90, "B0SAMUG001", "Taza de cerámica Stockagile 350 ml"),
    ("SA-TEE-BLK-M", "SHIRT", 19.90, "B0SATEEBKM", "Camiseta Stockagile negra, talla M"),
    ("SA-BOTTLE-750", "WATER_BOTTLE", 15.00, "B0SABTL750", "Botella de acero inoxidable 750 ml"),
    ("SA-CABLE-USBC", "ELECTRONIC_CABLE", 9.99, "B0SACBLUSC", "Cable USB-C a USB-C 1 m"),
    ("SA-NOTEBOOK-A5", "NOTEBOOK", 6.50, "B0SANTBKA5", "Cuaderno A5 de tapa dura, 120 hojas"),
]
UNKNOWN_SKU = "SA-UNKNOWN-999"


def make_listing(
    sku,
    product_type="PRODUCT",
    quantity=0,
    price=10.0,
    currency="EUR",
    marketplace_id=ES,
    asin=None,
    item_name=None,
    created=None,
):
    """Build the sandbox's flat listing record (the shape of ``GET /_sandbox/listings/<sku>``)."""
    stamp = iso(created or ago(days=90))
    listing = {
        "sku": sku,
        "productType": product_type,
        "quantity": quantity,
        "price": price,
        "currency": currency,
        "marketplaceId": marketplace_id,
        "asin": asin or ("B0" + format(zlib.crc32(sku.encode()), "08X")),
        "itemName": item_name or sku,
        "conditionType": "new_new",
        "fulfillmentChannelCode": "DEFAULT",
        "status": [],
        "attributes": {},
        "issues": [],
        "createdDate": stamp,
        "lastUpdatedDate": stamp,
    }
    refresh_status(listing)
    return listing


def default_listings() -> dict:
    """The five documented listings (quantity 0, ES, EUR)."""
    listings = {}
    for sku, product_type, price, asin, name in DEFAULT_LISTINGS:
        listings[sku] = make_listing(sku, product_type, 0, price, asin=asin, item_name=name)
    return listings


def generated_listings(count: int) -> dict:
    """``SA-GEN-00001``... for volume tests (PRODUCT, quantity 0, 10.00 EUR)."""
    listings = {}
    for index in range(1, count + 1):
        sku = f"SA-GEN-{index:05d}"
        listings[sku] = make_listing(
            sku,
            "PRODUCT",
            0,
            10.0,
            asin=f"B0GEN{index:05d}",
            item_name=f"Generated product {index}",
        )
    return listings


# ---------------------------------------------------------------------------------- orders
def money(amount, currency="EUR") -> dict:
    """Official ``Money``: the amount is a decimal string."""
    value = Decimal(str(amount)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return {"amount": str(value), "currencyCode": currency}


def included_vat(gross, marketplace_id=ES) -> Decimal:
    """VAT contained in a VAT-inclusive EU amount."""
    gross = Decimal(str(gross))
    rate = VAT_RATE.get(marketplace_id, Decimal("0.21"))
    return (gross - gross / (1 + rate)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def order_item(
    item_id,
    sku,
    title,
    asin,
    quantity,
    unit_price,
    *,
    shipping=0,
    discount=0,
    promotion_id=None,
    business=False,
    shipped=0,
):
    """One ``OrderItem`` with VAT-inclusive amounts (ITEM/SHIPPING include VAT; TAX = the VAT
    they contain; DISCOUNT negative)."""
    gross = Decimal(str(unit_price)) * quantity
    breakdowns = [{"type": "ITEM", "subtotal": money(gross)}]
    tax_details = [{"subtype": "ITEM", "value": money(included_vat(gross))}]
    if shipping:
        breakdowns.append({"type": "SHIPPING", "subtotal": money(shipping)})
        tax_details.append({"subtype": "SHIPPING", "value": money(included_vat(shipping))})
    if discount:
        breakdowns.append(
            {
                "type": "DISCOUNT",
                "subtotal": money(-Decimal(str(discount))),
                "detailedBreakdowns": [
                    {"subtype": "ITEM", "value": money(-Decimal(str(discount)))}
                ],
            }
        )
    total_tax = sum(Decimal(d["value"]["amount"]) for d in tax_details)
    breakdowns.append(
        {"type": "TAX", "subtotal": money(total_tax), "detailedBreakdowns": tax_details}
    )
    total = gross + Decimal(str(shipping)) - Decimal(str(discount))
    item = {
        "orderItemId": item_id,
        "quantityOrdered": quantity,
        "programs": [],
        "product": {
            "asin": asin,
            "title": title,
            "sellerSku": sku,
            "condition": {"conditionType": "NEW", "conditionSubtype": "NEW"},
            "price": {"unitPrice": money(unit_price)},
        },
        "proceeds": {"proceedsTotal": money(total), "breakdowns": breakdowns},
        "fulfillment": {"quantityFulfilled": shipped, "quantityUnfulfilled": quantity - shipped},
    }
    if business:
        item["product"]["price"]["priceDesignation"] = "BUSINESS_PRICE"
    if promotion_id:
        item["promotion"] = {"breakdowns": [{"promotionId": promotion_id}]}
    return item


def order_proceeds(items) -> dict:
    """Order-level ``proceeds`` aggregated from the items (grandTotal = what the buyer paid)."""
    sums: dict[str, Decimal] = {}
    for item in items:
        for part in item["proceeds"]["breakdowns"]:
            sums[part["type"]] = sums.get(part["type"], Decimal(0)) + Decimal(
                part["subtotal"]["amount"]
            )
    grand = sum(Decimal(i["proceeds"]["proceedsTotal"]["amount"]) for i in items)
    order_types = ["ITEM", "SHIPPING", "DISCOUNT", "TAX"]
    return {
        "grandTotal": money(grand),
        "breakdowns": [{"type": t, "subtotal": money(sums[t])} for t in order_types if t in sums],
    }


def address(
    name,
    line1,
    city,
    postal,
    region,
    *,
    company=None,
    line2=None,
    phone=None,
    address_type="RESIDENTIAL",
):
    """An ES ``CustomerAddress``."""
    result = {
        "name": name,
        "addressLine1": line1,
        "city": city,
        "postalCode": postal,
        "stateOrRegion": region,
        "countryCode": "ES",
        "addressType": address_type,
    }
    if company:
        result["companyName"] = company
    if line2:
        result["addressLine2"] = line2
    if phone:
        result["phone"] = phone
    return result


def base_order(
    order_id,
    created,
    updated,
    status,
    fulfilled_by,
    items,
    *,
    programs=None,
    service_level="STANDARD",
):
    """Fields every seeded order shares (salesChannel ES, fulfillment windows)."""
    ship_by = created.replace(hour=23, minute=59, second=59)
    order = {
        "orderId": order_id,
        "createdTime": iso(created),
        "lastUpdatedTime": iso(updated),
        "programs": programs or [],
        "associatedOrders": [],
        "salesChannel": {
            "channelName": "AMAZON",
            "marketplaceId": ES,
            "marketplaceName": "Amazon.es",
        },
        "fulfillment": {
            "fulfillmentStatus": status,
            "fulfilledBy": fulfilled_by,
            "fulfillmentServiceLevel": service_level,
            "shipByWindow": {"earliestDateTime": iso(created), "latestDateTime": iso(ship_by)},
        },
        "orderItems": items,
        "proceeds": order_proceeds(items),
        "packages": [],
    }
    return order


def generated_orders(count, skus, start=0, now=None, prefix="409"):
    """``count`` FBM UNSHIPPED ES orders of 2-3 lines over ``skus`` (load tests, bench).

    Order ``n`` (from ``start``) is ``{prefix}-{n:07d}-{n:07d}``; its first line has shipping,
    every 7th order a promotion; ``lastUpdatedTime`` grows with ``n`` (one second apart, the last
    one 5 minutes before ``now``) so that an import pages through them in order.
    """
    now = (now or datetime.now(timezone.utc)).replace(microsecond=0)
    orders = []
    for index in range(count):
        n = start + index
        updated = now - timedelta(minutes=5, seconds=count - index)
        items = [
            order_item(
                f"{n:07d}{line:07d}",
                skus[(n * 3 + line) % len(skus)],
                "Generated item",
                "B0GENERATED",
                1 + line % 2,
                9.90 + line,
                shipping=3.99 if line == 0 else 0,
                discount=1.00 if line == 0 and n % 7 == 0 else 0,
                promotion_id="GEN-PROMO" if line == 0 and n % 7 == 0 else None,
            )
            for line in range(2 + n % 2)
        ]
        order = base_order(
            f"{prefix}-{n:07d}-{n % 9999999:07d}",
            updated - timedelta(hours=1),
            updated,
            "UNSHIPPED",
            "MERCHANT",
            items,
        )
        buyer = f"Generated Buyer {n % 400}"
        order["buyer"] = {"buyerName": buyer}
        order["recipient"] = {
            "deliveryAddress": address(
                buyer, f"Calle Generada {n % 400}", "Madrid", "28001", "Madrid"
            )
        }
        orders.append(order)
    return orders


def _fbm_single():
    created = ago(days=1, hours=3)
    items = [
        order_item("06538226431891", "SA-MUG-001", DEFAULT_LISTINGS[0][4], "B0SAMUG001", 1, 12.90)
    ]
    order = base_order(
        "402-3715930-4861125", created, ago(days=1, hours=2), "UNSHIPPED", "MERCHANT", items
    )
    order["buyer"] = {
        "buyerName": "Lucía Martín Gómez",
        "buyerEmail": "7xq2k9m4p1hvz3c@marketplace.amazon.es",
    }
    order["recipient"] = {
        "deliveryAddress": address(
            "Lucía Martín Gómez",
            "Calle de Alcalá 123",
            "Madrid",
            "28009",
            "Madrid",
            line2="3º B",
            phone="+34 612 345 678",
        )
    }
    return order


def _fbm_multi():
    created = ago(hours=20)
    items = [
        order_item(
            "19283746501928",
            "SA-TEE-BLK-M",
            DEFAULT_LISTINGS[1][4],
            "B0SATEEBKM",
            2,
            19.90,
            shipping=3.99,
            discount=2.00,
            promotion_id="ES-BLACKWEEK-10",
        ),
        order_item(
            "19283746501929", "SA-CABLE-USBC", DEFAULT_LISTINGS[3][4], "B0SACBLUSC", 1, 9.99
        ),
    ]
    order = base_order(
        "403-8126479-1203347",
        created,
        ago(hours=19),
        "UNSHIPPED",
        "MERCHANT",
        items,
        service_level="EXPEDITED",
    )
    order["buyer"] = {
        "buyerName": "Jordi Puig Serra",
        "buyerEmail": "m3n8b1v6c5x4z2a@marketplace.amazon.es",
    }
    order["recipient"] = {
        "deliveryAddress": address(
            "Jordi Puig Serra",
            "Carrer de Mallorca 401",
            "Barcelona",
            "08013",
            "Barcelona",
            line2="Àtic 2a",
            phone="+34 633 210 987",
        )
    }
    return order


def _business():
    created = ago(days=2, hours=5)
    items = [
        order_item(
            "55102938475610",
            "SA-NOTEBOOK-A5",
            DEFAULT_LISTINGS[4][4],
            "B0SANTBKA5",
            10,
            6.50,
            business=True,
        )
    ]
    order = base_order(
        "404-5520178-9930241",
        created,
        ago(days=2, hours=4),
        "UNSHIPPED",
        "MERCHANT",
        items,
        programs=["AMAZON_BUSINESS"],
    )
    order["buyer"] = {
        "buyerName": "Carmen Ruiz Ortega",
        "buyerEmail": "p0o9i8u7y6t5r4e@marketplace.amazon.es",
        "buyerCompanyName": "Papelería Técnica Levante S.L.",
        "buyerPurchaseOrderNumber": "PO-2025-0417",
    }
    delivery = address(
        "Carmen Ruiz Ortega",
        "Avenida del Puerto 77",
        "Valencia",
        "46023",
        "Valencia",
        company="Papelería Técnica Levante S.L.",
        phone="+34 961 234 567",
        address_type="COMMERCIAL",
    )
    order["recipient"] = {"deliveryAddress": delivery}
    order["tax"] = {
        "taxRegistrations": [
            {
                "entityType": "BUYER",
                "legalName": "Papelería Técnica Levante S.L.",
                "taxRegistrationType": "VAT",
                "taxRegistrationNumber": "ESB98765432",
                "taxRegistrationAddress": {
                    k: v for k, v in delivery.items() if k not in ("phone", "addressType")
                },
            }
        ]
    }
    return order


def _fba():
    created = ago(days=3, hours=8)
    items = [
        order_item(
            "77120934856102",
            "SA-BOTTLE-750",
            DEFAULT_LISTINGS[2][4],
            "B0SABTL750",
            1,
            15.00,
            shipped=1,
        )
    ]
    order = base_order(
        "405-1187342-6652918",
        created,
        ago(days=2, hours=20),
        "SHIPPED",
        "AMAZON",
        items,
        programs=["PRIME"],
        service_level="NEXT_DAY",
    )
    order["buyer"] = {"buyerName": "Ana Fernández López"}
    order["recipient"] = {
        "deliveryAddress": address(
            "Ana Fernández López", "Calle Larios 8", "Málaga", "29005", "Málaga"
        )
    }
    order.pop("packages")
    return order


def _cancelled():
    created = ago(days=2, hours=12)
    items = [
        order_item("88123400192837", "SA-MUG-001", DEFAULT_LISTINGS[0][4], "B0SAMUG001", 1, 12.90)
    ]
    items[0]["cancellation"] = {
        "cancellationRequest": {"requester": "BUYER", "cancelReason": "Pedido por error"},
        "cancellationExecution": {"cancelledBy": "BUYER", "cancelReason": "BUYER_CANCELED"},
    }
    items[0]["fulfillment"] = {"quantityFulfilled": 0, "quantityUnfulfilled": 0}
    order = base_order(
        "406-7749201-3381570", created, ago(days=2, hours=1), "CANCELLED", "MERCHANT", items
    )
    order["buyer"] = {
        "buyerName": "Pablo Sánchez Díaz",
        "buyerEmail": "a1s2d3f4g5h6j7k@marketplace.amazon.es",
    }
    return order


def _pending():
    created = ago(hours=2)
    items = [
        order_item(
            "99001122334455", "SA-BOTTLE-750", DEFAULT_LISTINGS[2][4], "B0SABTL750", 2, 15.00
        )
    ]
    order = base_order("407-2290614-5174436", created, ago(hours=2), "PENDING", "MERCHANT", items)
    # Payment not authorised yet: Amazon withholds buyer identity and the full address.
    order["recipient"] = {
        "deliveryAddress": {
            "city": "Sevilla",
            "postalCode": "41001",
            "stateOrRegion": "Sevilla",
            "countryCode": "ES",
        }
    }
    return order


def _unknown_sku():
    created = ago(days=1, hours=9)
    items = [
        order_item(
            "31415926535897",
            UNKNOWN_SKU,
            "Lámpara de escritorio LED (antigua)",
            "B0SAUNK999",
            1,
            24.95,
        )
    ]
    order = base_order(
        "408-6605123-7791044", created, ago(days=1, hours=8), "UNSHIPPED", "MERCHANT", items
    )
    order["buyer"] = {
        "buyerName": "Miguel Torres Vidal",
        "buyerEmail": "q9w8e7r6t5y4u3i@marketplace.amazon.es",
    }
    order["recipient"] = {
        "deliveryAddress": address(
            "Miguel Torres Vidal",
            "Calle Mayor 15",
            "Zaragoza",
            "50001",
            "Zaragoza",
            phone="+34 676 543 210",
        )
    }
    return order


def _shipped_fbm():
    created = ago(days=9, hours=4)
    shipped = ago(days=8, hours=6)
    items = [
        order_item(
            "40506070809010",
            "SA-CABLE-USBC",
            DEFAULT_LISTINGS[3][4],
            "B0SACBLUSC",
            1,
            9.99,
            shipped=1,
        )
    ]
    order = base_order("402-9918273-1100456", created, ago(days=2), "SHIPPED", "MERCHANT", items)
    order["buyer"] = {
        "buyerName": "Elena Navarro Gil",
        "buyerEmail": "z1x2c3v4b5n6m7l@marketplace.amazon.es",
    }
    order["recipient"] = {
        "deliveryAddress": address(
            "Elena Navarro Gil", "Calle San Fernando 4", "Alicante", "03002", "Alicante"
        )
    }
    order["packages"] = [
        {
            "packageReferenceId": "1",
            "createdTime": iso(shipped),
            "packageStatus": {"status": "DELIVERED"},
            "carrier": "Correos",
            "shipTime": iso(shipped),
            "shippingService": "Paq Estándar",
            "trackingNumber": "PQ4B7C2D10000456",
            "packageItems": [{"orderItemId": "40506070809010", "quantity": 1}],
        }
    ]
    return order


SEEDED_ORDER_BUILDERS = [
    _fbm_single,
    _fbm_multi,
    _business,
    _fba,
    _cancelled,
    _pending,
    _unknown_sku,
    _shipped_fbm,
]


def default_orders() -> dict:
    """The seeded orders keyed by orderId (see README for their character)."""
    orders = [build() for build in SEEDED_ORDER_BUILDERS]
    return {order["orderId"]: order for order in orders}


def default_returns() -> list:
    """One buyer return of the shipped FBM order ``402-9918273-1100456``."""
    return [
        {
            "marketplace_id": ES,
            "order_id": "402-9918273-1100456",
            "order_date": iso(ago(days=9, hours=4)),
            "return_request_date": iso(ago(days=2)),
            "return_request_status": "Approved",
            "amazon_rma_id": "DQkRv5LJRRMA",
            "seller_rma_id": "",
            "label_type": "AmazonUnPaidLabel",
            "label_cost": "",
            "currency_code": "EUR",
            "return_carrier": "Correos",
            "tracking_id": "",
            "label_to_be_paid_by": "Customer",
            "a_to_z_claim": "N",
            "is_prime": "N",
            "asin": "B0SACBLUSC",
            "merchant_sku": "SA-CABLE-USBC",
            "item_name": DEFAULT_LISTINGS[3][4],
            "return_quantity": 1,
            "return_reason": "CR-DEFECTIVE",
            "in_policy": "Y",
            "return_type": "C-Returns",
            "resolution": "StandardRefund",
            "invoice_number": "",
            "return_delivery_date": "",
            "order_amount": "9.99",
            "order_quantity": 1,
        }
    ]
