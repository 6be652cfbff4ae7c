"""Amazon's catalog and product type definitions, as the sandbox knows them.

* **Catalog items** (Catalog Items API 2022-04-01 ``Item``): a few ASINs with EANs; EAN
  ``8437000000035`` matches two ASINs on purpose (Amazon's catalog has duplicates), so a client
  must let the user choose.
* **Product types** (Product Type Definitions API 2020-09-01): ``DRINKING_CUP``, ``SHIRT``,
  ``ELECTRONIC_CABLE`` and ``OFFICE_CHAIR`` (display names and search words also in Spanish and
  German, see :data:`LOCALIZED_PRODUCT_TYPES`), each with a JSON Schema shaped like Amazon's
  (``$defs``, ``required``, ``properties`` whose values are arrays of objects with ``value``,
  ``language_tag``, ``marketplace_id``), for the ``LISTING`` and ``LISTING_OFFER_ONLY``
  requirement sets.
* **Validation** of a ``putListingsItem`` body against that schema: missing required attributes,
  values out of an enum, strings too long, numbers that are not numbers, an offer-only listing
  whose ``merchant_suggested_asin`` is not in the catalog. Issues are the Listings Items model's
  ``Issue`` (code, message, severity, attributeNames, categories).
"""

import base64
import copy
import hashlib
import json

from .seed import MARKETPLACES

EAN_DUPLICATE = "8437000000035"

# asin, ean, productType, title, brand
CATALOG = [
    (
        "B0SAMUG001",
        "8437000000011",
        "DRINKING_CUP",
        "Taza de cerámica Stockagile 350 ml",
        "Stockagile",
    ),
    ("B0CATMUG02", "8437000000028", "DRINKING_CUP", "Taza esmaltada azul 300 ml", "Cerámicas Sol"),
    ("B0CATTEE01", EAN_DUPLICATE, "SHIRT", "Camiseta básica blanca, talla L", "Algodón Norte"),
    ("B0CATTEE02", EAN_DUPLICATE, "SHIRT", "Camiseta blanca de algodón orgánico, L", "Verde Moda"),
    ("B0CATCBL01", "0885909950805", "ELECTRONIC_CABLE", "Cable USB-C a Lightning 2 m", "Conecta"),
]


def default_catalog() -> dict:
    """ASIN -> official ``Item`` (summaries, images, productTypes, identifiers) in every EU
    marketplace of the seller."""
    catalog = {}
    for asin, ean, product_type, title, brand in CATALOG:
        catalog[asin] = catalog_item(asin, ean, product_type, title, brand)
    return catalog


def catalog_item(asin, ean, product_type, title, brand) -> dict:
    """One catalog ``Item`` with the same data in each marketplace."""
    markets = list(MARKETPLACES)
    return {
        "asin": asin,
        "summaries": [
            {
                "marketplaceId": m,
                "brand": brand,
                "itemName": title,
                "itemClassification": "BASE_PRODUCT",
            }
            for m in markets
        ],
        "images": [
            {
                "marketplaceId": m,
                "images": [
                    {
                        "variant": "MAIN",
                        "link": f"https://m.media-amazon.com/images/I/{asin}.jpg",
                        "height": 500,
                        "width": 500,
                    }
                ],
            }
            for m in markets
        ],
        "productTypes": [{"marketplaceId": m, "productType": product_type} for m in markets],
        "identifiers": [
            {"marketplaceId": m, "identifiers": [{"identifierType": "EAN", "identifier": ean}]}
            for m in markets
        ],
    }


def search_identifiers(catalog: dict, identifiers_type: str, identifiers: list) -> list:
    """Items having one of ``identifiers`` of that type (``ASIN`` matches the ASIN itself).

    EAN, UPC and GTIN are the same number space (a UPC is an EAN with a leading zero).
    """
    if identifiers_type == "ASIN":
        return [catalog[i] for i in identifiers if i in catalog]
    wanted = {i.lstrip("0") for i in identifiers}
    found = []
    for item in catalog.values():
        numbers = {
            row["identifier"].lstrip("0")
            for group in item["identifiers"]
            for row in group["identifiers"]
            if identifiers_type in ("EAN", "UPC", "GTIN")
        }
        if numbers & wanted:
            found.append(item)
    return found


# ---------------------------------------------------------------------------- product types
def _text(title, description, max_length=200, localized=True):
    properties = {
        "value": {"title": title, "type": "string", "minLength": 1, "maxLength": max_length}
    }
    required = ["value"]
    if localized:
        properties["language_tag"] = {"$ref": "#/$defs/language_tag"}
        required.append("language_tag")
    properties["marketplace_id"] = {"$ref": "#/$defs/marketplace_id"}
    return {
        "title": title,
        "description": description,
        "type": "array",
        "minItems": 1,
        "items": {"type": "object", "required": required, "properties": properties},
    }


def _enum(title, description, values, localized=False):
    attribute = _text(title, description, localized=localized)
    attribute["items"]["properties"]["value"]["enum"] = list(values)
    return attribute


def _measure(title, description, units):
    return {
        "title": title,
        "description": description,
        "type": "array",
        "minItems": 1,
        "items": {
            "type": "object",
            "required": ["value", "unit"],
            "properties": {
                "value": {"title": title, "type": "number", "minimum": 0},
                "unit": {"title": "Unit", "type": "string", "enum": list(units)},
                "marketplace_id": {"$ref": "#/$defs/marketplace_id"},
            },
        },
    }


def _common_properties():
    """Attributes every product type of the sandbox has (Amazon's names)."""
    return {
        "item_name": _text(
            "Item Name",
            "Provide a title for the item that may be customer facing",
            max_length=200,
        ),
        "brand": _text(
            "Brand Name",
            "Provide the brand name of the product",
            max_length=100,
        ),
        "product_description": _text(
            "Product Description",
            "Provide a text description of the product. This information will appear in "
            "paragraph form on the detail page of your product",
            max_length=2000,
        ),
        "bullet_point": _text(
            "Bullet Point",
            "Brief descriptive text, called out via a bullet point, regarding a specific "
            "aspect of the product",
            max_length=500,
        ),
        "externally_assigned_product_identifier": {
            "title": "External Product ID",
            "description": "Provide the external ID (barcode) type and value of the product",
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["type", "value"],
                "properties": {
                    "type": {"title": "Type", "type": "string", "enum": ["ean", "upc", "gtin"]},
                    "value": {"title": "External Product ID", "type": "string", "maxLength": 14},
                    "marketplace_id": {"$ref": "#/$defs/marketplace_id"},
                },
            },
        },
        "merchant_suggested_asin": _text(
            "Merchant Suggested ASIN",
            "The ASIN of the catalog item this offer is for",
            max_length=10,
            localized=False,
        ),
        "condition_type": _enum(
            "Item Condition",
            "The condition of the item",
            ["new_new", "used_like_new", "used_very_good", "used_good", "refurbished_refurbished"],
        ),
        "item_weight": _measure(
            "Item Weight", "The weight of the item", ["grams", "kilograms", "pounds"]
        ),
        "item_package_weight": _measure(
            "Package Weight", "The weight of the package", ["grams", "kilograms", "pounds"]
        ),
        "item_length": _measure("Item Length", "Length of the item", ["centimeters", "meters"]),
        "item_width": _measure("Item Width", "Width of the item", ["centimeters", "meters"]),
        "item_height": _measure("Item Height", "Height of the item", ["centimeters", "meters"]),
        "main_product_image_locator": {
            "title": "Main Image Location",
            "description": "The public URL of the main image of the product",
            "type": "array",
            "items": {
                "type": "object",
                "required": ["media_location"],
                "properties": {
                    "media_location": {"title": "Media Location", "type": "string"},
                    "marketplace_id": {"$ref": "#/$defs/marketplace_id"},
                },
            },
        },
        "purchasable_offer": {
            "title": "Offer",
            "description": "The attribute indicates the purchasable offer of the listing",
            "type": "array",
            "items": {
                "type": "object",
                "required": ["currency", "our_price"],
                "properties": {
                    "currency": {"type": "string"},
                    "our_price": {"type": "array"},
                    "marketplace_id": {"$ref": "#/$defs/marketplace_id"},
                    "audience": {"type": "string"},
                },
            },
        },
        "fulfillment_availability": {
            "title": "Fulfillment Availability",
            "description": "For those merchants using Amazon fulfillment services, please provide "
            "associated logistical information",
            "type": "array",
            "items": {
                "type": "object",
                "required": ["fulfillment_channel_code"],
                "properties": {
                    "fulfillment_channel_code": {"type": "string"},
                    "quantity": {"type": "integer", "minimum": 0},
                    "lead_time_to_ship_max_days": {"type": "integer", "minimum": 0},
                },
            },
        },
    }


# name, display name, keywords, extra properties, extra required attributes
PRODUCT_TYPES = {
    "DRINKING_CUP": (
        "Drinking Cup",
        ("mug", "cup", "taza", "drinking", "tasse"),
        {
            "material": _text("Material", "Material of the cup (e.g. ceramic, glass)", 50),
            "color": _text("Colour", "Colour of the item", 50),
            "capacity": _measure("Capacity", "Capacity of the cup", ["milliliters", "liters"]),
        },
        ("material", "color"),
    ),
    "SHIRT": (
        "Shirt",
        ("shirt", "t-shirt", "tee", "camiseta", "tshirt"),
        {
            "color": _text("Colour", "Colour of the item", 50),
            "shirt_size": _enum("Shirt Size", "The size of the shirt", ["XS", "S", "M", "L", "XL"]),
            "department": _enum(
                "Department", "The department the shirt is sold in", ["men", "women", "unisex"]
            ),
        },
        ("color", "shirt_size", "department"),
    ),
    "ELECTRONIC_CABLE": (
        "Electronic Cable",
        ("cable", "usb", "cord", "cable usb", "lightning"),
        {
            "connector_type": _text(
                "Connector Type", "The connectors at the ends of the cable (e.g. USB-C)", 100
            ),
            "color": _text("Colour", "Colour of the item", 50),
            "cable": _measure("Cable Length", "Length of the cable", ["centimeters", "meters"]),
        },
        ("connector_type",),
    ),
}

# A type of the Spanish seller's furniture: found by «silla oficina» in Amazon.es's language.
PRODUCT_TYPES["OFFICE_CHAIR"] = (
    "Office Chair",
    ("chair", "office chair", "desk chair", "swivel chair"),
    {
        "material": _text("Material", "Main material of the chair (e.g. mesh, leather)", 50),
        "color": _text("Colour", "Colour of the item", 50),
    },
    ("material",),
)

#: Display names and search words of the product types in other languages (Amazon's
#: ``locale`` and ``searchLocale`` of searchDefinitionsProductTypes; each defaults to the
#: marketplace's language). English words are understood in every marketplace.
LOCALIZED_PRODUCT_TYPES = {
    "es_ES": {
        "DRINKING_CUP": ("Taza", ("taza", "tazas", "vaso")),
        "SHIRT": ("Camiseta", ("camiseta", "camisetas", "camisa")),
        "ELECTRONIC_CABLE": ("Cable electrónico", ("cable", "cables", "cargador")),
        "OFFICE_CHAIR": ("Silla de oficina", ("silla", "sillas", "oficina", "escritorio")),
    },
    "de_DE": {
        "DRINKING_CUP": ("Tasse", ("tasse", "becher")),
        "SHIRT": ("Hemd", ("hemd", "t-shirt")),
        "ELECTRONIC_CABLE": ("Elektronisches Kabel", ("kabel",)),
        "OFFICE_CHAIR": ("Bürostuhl", ("bürostuhl", "stuhl")),
    },
}

LISTING_REQUIRED = (
    "item_name",
    "brand",
    "externally_assigned_product_identifier",
    "product_description",
    "condition_type",
    "fulfillment_availability",
)
OFFER_ONLY_REQUIRED = ("merchant_suggested_asin", "condition_type", "fulfillment_availability")
OFFER_ONLY_PROPERTIES = (
    "merchant_suggested_asin",
    "condition_type",
    "purchasable_offer",
    "fulfillment_availability",
)


def search_product_types(keywords: list, search_locale: str = "") -> list:
    """Product types whose name, English words or words in ``search_locale`` contain one of
    ``keywords``."""
    words = [w.lower() for w in keywords]
    localized = LOCALIZED_PRODUCT_TYPES.get(search_locale, {})
    found = []
    for name, (display, tags, _props, _req) in PRODUCT_TYPES.items():
        local_display, local_tags = localized.get(name, ("", ()))
        haystack = (name.lower().replace("_", " "), *tags, display.lower())
        haystack += tuple(local_tags) + ((local_display.lower(),) if local_display else ())
        if any(word in hay or hay in word for word in words for hay in haystack):
            found.append(name)
    return found


def display_name(product_type: str, locale: str = "") -> str:
    """The product type's display name in ``locale`` (English when the sandbox has none)."""
    localized = LOCALIZED_PRODUCT_TYPES.get(locale, {}).get(product_type)
    return localized[0] if localized else PRODUCT_TYPES[product_type][0]


def schema(product_type: str, requirements: str) -> dict:
    """The JSON Schema of one product type and requirement set."""
    display, _tags, extra, extra_required = PRODUCT_TYPES[product_type]
    properties = _common_properties()
    properties.update(copy.deepcopy(extra))
    if requirements == "LISTING_OFFER_ONLY":
        properties = {k: v for k, v in properties.items() if k in OFFER_ONLY_PROPERTIES}
        required = list(OFFER_ONLY_REQUIRED)
    else:
        properties.pop("merchant_suggested_asin")
        required = list(LISTING_REQUIRED) + list(extra_required)
    return {
        "$schema": "https://schemas.amazon.com/selling-partners/definitions/product-types/"
        "meta-schema/v1",
        "$id": f"https://schemas.amazon.com/selling-partners/definitions/product-types/schema/"
        f"v1/{product_type}",
        "$comment": f"Amazon product type definition for {product_type} ({display}), "
        f"requirements {requirements} (sandbox)",
        "$defs": {
            "marketplace_id": {
                "default": "A1RKKUPIHCS9HS",
                "editable": False,
                "hidden": True,
                "examples": ["Amazon.es"],
                "type": "string",
                "anyOf": [{"type": "string"}, {"type": "string", "enum": list(MARKETPLACES)}],
            },
            "language_tag": {
                "default": "es_ES",
                "editable": False,
                "hidden": True,
                "examples": ["Spanish (Spain)"],
                "type": "string",
                "anyOf": [
                    {"type": "string"},
                    {"type": "string", "enum": ["es_ES", "de_DE", "fr_FR", "it_IT", "en_GB"]},
                ],
            },
        },
        "type": "object",
        "required": required,
        "properties": properties,
    }


def schema_bytes(product_type: str, requirements: str) -> bytes:
    """Canonical bytes of the schema (what the link serves and the checksum covers)."""
    return json.dumps(schema(product_type, requirements), sort_keys=True).encode("utf-8")


def checksum(content: bytes) -> str:
    """Base64 MD5, as the model's ``SchemaLink.checksum``."""
    return base64.b64encode(hashlib.md5(content).digest()).decode("ascii")


# ------------------------------------------------------------------------------ validation
def _issue(code, message, attribute, severity="ERROR", category="MISSING_ATTRIBUTE"):
    return {
        "code": code,
        "message": message,
        "severity": severity,
        "attributeNames": [attribute],
        "categories": [category],
    }


def _value_issues(name, spec, values) -> list:
    """Issues of one present attribute against its property schema."""
    if not isinstance(values, list) or not values or not all(isinstance(v, dict) for v in values):
        return [
            _issue(
                "4000001",
                f"The value of '{name}' must be a non-empty array of objects.",
                name,
                category="INVALID_ATTRIBUTE",
            )
        ]
    issues = []
    item_schema = spec.get("items") or {}
    properties = item_schema.get("properties") or {}
    for entry in values:
        for field in item_schema.get("required") or ():
            if field in ("language_tag", "marketplace_id"):
                continue
            if entry.get(field) in (None, ""):
                issues.append(
                    _issue(
                        "90220",
                        f"'{spec.get('title', name)}' ({name}.{field}) is required but not "
                        "supplied.",
                        name,
                    )
                )
        for field, value in entry.items():
            rule = properties.get(field) or {}
            if value is None or not rule:
                continue
            title = spec.get("title", name)
            if rule.get("enum") and value not in rule["enum"]:
                issues.append(
                    _issue(
                        "90244",
                        f"The value '{value}' of '{title}' is not allowed; allowed values: "
                        f"{', '.join(map(str, rule['enum']))}.",
                        name,
                        category="INVALID_ATTRIBUTE",
                    )
                )
            elif rule.get("type") == "string" and not isinstance(value, str):
                issues.append(
                    _issue(
                        "4000001", f"'{title}' must be text.", name, category="INVALID_ATTRIBUTE"
                    )
                )
            elif (
                rule.get("type") == "string"
                and rule.get("maxLength")
                and len(value) > rule["maxLength"]
            ):
                issues.append(
                    _issue(
                        "8560",
                        f"'{title}' is too long: at most {rule['maxLength']} characters.",
                        name,
                        category="INVALID_ATTRIBUTE",
                    )
                )
            elif rule.get("type") in ("number", "integer") and (
                isinstance(value, bool) or not isinstance(value, int | float) or value < 0
            ):
                issues.append(
                    _issue(
                        "4000001",
                        f"'{title}' must be a non-negative number; got {value!r}.",
                        name,
                        category="INVALID_ATTRIBUTE",
                    )
                )
    return issues


def validate(catalog, product_type, requirements, attributes) -> list:
    """Amazon-style issues of a putListingsItem body; empty when the listing can be created."""
    if product_type not in PRODUCT_TYPES:
        return [
            _issue(
                "4000003",
                f"The product type '{product_type}' is not supported in this marketplace.",
                "product_type",
                category="INVALID_ATTRIBUTE",
            )
        ]
    rules = schema(product_type, requirements)
    issues = []
    for name in rules["required"]:
        if name not in attributes:
            title = rules["properties"][name]["title"]
            issues.append(_issue("90220", f"'{title}' is required but not supplied.", name))
    for name, values in attributes.items():
        spec = rules["properties"].get(name)
        if spec is None:
            issues.append(
                _issue(
                    "99010",
                    f"The attribute '{name}' is not used by product type {product_type} "
                    "and was ignored.",
                    name,
                    severity="WARNING",
                    category="INVALID_ATTRIBUTE",
                )
            )
            continue
        issues += _value_issues(name, spec, values)
    if requirements == "LISTING_OFFER_ONLY":
        asin = _first_value(attributes.get("merchant_suggested_asin"))
        if asin and asin not in catalog:
            issues.append(
                _issue(
                    "8541",
                    f"The ASIN {asin} does not exist in the Amazon catalog; check the "
                    "merchant_suggested_asin.",
                    "merchant_suggested_asin",
                    category="INVALID_ATTRIBUTE",
                )
            )
    return issues


def _first_value(values):
    if isinstance(values, list) and values and isinstance(values[0], dict):
        return values[0].get("value")
    return None


def first_value(attributes: dict, name: str):
    """``attributes[name][0]["value"]`` or None."""
    return _first_value(attributes.get(name))
