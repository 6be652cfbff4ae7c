"""Amazon's published limits, as data.

Rates (requests per second) and bursts are copied from the usage plans in the descriptions of the
official SP-API models (amzn/selling-partner-api-models, commit 34dc93fe). They are the *default*
plan; Amazon may grant another rate and says so in the ``x-amzn-RateLimit-Limit`` response header,
which :class:`~.pacing.RateLimiter` then adopts.
"""

from collections import namedtuple

UsagePlan = namedtuple("UsagePlan", "rate burst")

#: operationId -> official usage plan. Keys are the models' operationIds; ``getOrder`` is the
#: Orders API 2026-01-01 one (same plan as v0), ``confirmShipment`` is Orders v0.
USAGE_PLANS = {
    # sellers.json
    "getMarketplaceParticipations": UsagePlan(0.016, 15),
    # listingsItems_2021-08-01.json
    "getListingsItem": UsagePlan(5.0, 10),
    "patchListingsItem": UsagePlan(5.0, 5),
    "searchListingsItems": UsagePlan(5.0, 5),
    "putListingsItem": UsagePlan(5.0, 10),
    # catalogItems_2022-04-01.json
    "searchCatalogItems": UsagePlan(2.0, 2),
    # definitionsProductTypes_2020-09-01.json (default plan)
    "searchDefinitionsProductTypes": UsagePlan(5.0, 10),
    "getDefinitionsProductType": UsagePlan(5.0, 10),
    # feeds_2021-06-30.json
    "createFeedDocument": UsagePlan(0.5, 15),
    "createFeed": UsagePlan(0.0083, 15),
    "getFeed": UsagePlan(2.0, 15),
    "getFeedDocument": UsagePlan(0.0222, 10),
    # orders_2026-01-01.json
    "searchOrders": UsagePlan(0.0056, 20),
    "getOrder": UsagePlan(0.5, 30),
    # ordersV0.json
    "confirmShipment": UsagePlan(2.0, 10),
    # notifications.json (every operation: 1 request per second, burst 5)
    "createDestination": UsagePlan(1.0, 5),
    "getDestinations": UsagePlan(1.0, 5),
    "deleteDestination": UsagePlan(1.0, 5),
    "createSubscription": UsagePlan(1.0, 5),
    "getSubscription": UsagePlan(1.0, 5),
    "getSubscriptionById": UsagePlan(1.0, 5),
    "deleteSubscriptionById": UsagePlan(1.0, 5),
    # reports_2021-06-30.json
    "createReport": UsagePlan(0.0167, 15),
    "getReport": UsagePlan(2.0, 15),
    "getReportDocument": UsagePlan(0.0167, 15),
    # Feed type UPLOAD_VAT_INVOICE: one invoice upload every three seconds (on top of createFeed)
    "uploadVatInvoice": UsagePlan(1 / 3, 1),
}

#: Retry delay (seconds) used after a 429 when neither the header nor the plan tells better.
DEFAULT_RETRY_AFTER = 2.0

# Feeds --------------------------------------------------------------------------------------
#: Feed type of the JSON listings feed (listings-feed-schema-v2).
FEED_TYPE_JSON_LISTINGS = "JSON_LISTINGS_FEED"
#: Content type declared in createFeedDocument and used for the upload.
FEED_CONTENT_TYPE_JSON = "application/json; charset=UTF-8"
#: maxItems of ``messages`` in listings-feed-schema-v2.json.
MAX_MESSAGES_PER_LISTINGS_FEED = 25000
#: Version constant of the JSON listings feed header.
LISTINGS_FEED_VERSION = "2.0"
#: Feed processing statuses (feeds_2021-06-30.json, Feed.processingStatus).
FEED_DONE_STATUSES = ("DONE", "CANCELLED", "FATAL")

# Reports ------------------------------------------------------------------------------------
#: Merchant-fulfilled returns, by return date.
REPORT_TYPE_RETURNS = "GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE"
#: Longest period (days) one returns report may cover.
MAX_DAYS_PER_RETURNS_REPORT = 60
#: Report processing statuses (reports_2021-06-30.json, Report.processingStatus).
REPORT_DONE_STATUSES = ("DONE", "CANCELLED", "FATAL")

# Listings -----------------------------------------------------------------------------------
#: includedData asked by getListingsItem: enough to read status, stock and price.
LISTING_INCLUDED_DATA = ("summaries", "attributes", "issues", "offers", "fulfillmentAvailability")

# Orders -------------------------------------------------------------------------------------
#: includedData asked by searchOrders/getOrder (orders_2026-01-01.json): buyer and delivery
#: address for the partner, fulfillment status for the workflow, proceeds for the prices,
#: cancellation for cancelled items.
ORDER_INCLUDED_DATA = ("BUYER", "RECIPIENT", "FULFILLMENT", "PROCEEDS", "CANCELLATION")
#: Every includedData value of searchOrders/getOrder (orders_2026-01-01.json).
ORDER_DATASETS = (
    "BUYER",
    "RECIPIENT",
    "PROCEEDS",
    "EXPENSE",
    "PROMOTION",
    "CANCELLATION",
    "FULFILLMENT",
    "PACKAGES",
    "TAX",
    "PAYMENT",
    "FULFILLMENT_ORDERS",
)
#: maxResultsPerPage bounds of searchOrders.
MAX_ORDERS_PAGE_SIZE = 100
#: Orders API version of searchOrders/getOrder.
ORDERS_API_VERSION = "2026-01-01"

# Product creation ---------------------------------------------------------------------------
#: Catalog Items API version: python-amazon-sp-api defaults ``CatalogItems`` to 2020-12-01.
CATALOG_ITEMS_VERSION = "2022-04-01"
#: maxItems of ``identifiers`` in searchCatalogItems.
MAX_CATALOG_IDENTIFIERS = 20
#: identifiersType values of searchCatalogItems (catalogItems_2022-04-01.json).
CATALOG_IDENTIFIER_TYPES = ("ASIN", "EAN", "GTIN", "ISBN", "JAN", "MINSAN", "SKU", "UPC")
#: includedData asked by searchCatalogItems: what the user needs to pick an ASIN.
CATALOG_INCLUDED_DATA = ("summaries", "images", "productTypes", "identifiers")
#: ``requirements`` of putListingsItem / getDefinitionsProductType.
REQUIREMENTS_LISTING = "LISTING"
REQUIREMENTS_OFFER_ONLY = "LISTING_OFFER_ONLY"
LISTING_REQUIREMENTS = (REQUIREMENTS_LISTING, "LISTING_PRODUCT_ONLY", REQUIREMENTS_OFFER_ONLY)
#: ``mode`` of putListingsItem that validates without storing anything.
MODE_VALIDATION_PREVIEW = "VALIDATION_PREVIEW"
#: includedData of getListingsItem while a created listing is awaited.
CREATION_INCLUDED_DATA = ("summaries", "issues")

# Notifications ------------------------------------------------------------------------------
#: Notification type of order changes. Passed to the library as this plain string: on Python
#: >= 3.11 its ``NotificationType`` enum would put "NotificationType.ORDER_CHANGE" in the URL.
NOTIFICATION_TYPE_ORDER_CHANGE = "ORDER_CHANGE"
#: payloadVersion of ORDER_CHANGE subscriptions (OrderChangeNotification.json).
ORDER_CHANGE_PAYLOAD_VERSION = "1.0"
#: orderChangeTypes subscribed: status changes (new, cancelled, shipped...) and buyer requests
#: (cancellation asked by the buyer). DeliveryTipChange does not concern the ERP.
ORDER_CHANGE_TYPES = ("OrderStatusChange", "BuyerRequestedChange")
#: LWA scope of the grantless Notifications operations (destinations, deleteSubscriptionById).
NOTIFICATIONS_SCOPE = "sellingpartnerapi::notifications"
#: Longest SQS long poll (ReceiveMessage WaitTimeSeconds) and batch (MaxNumberOfMessages).
SQS_MAX_WAIT_SECONDS = 20
SQS_MAX_MESSAGES = 10

# Product type search -----------------------------------------------------------------------
#: The language of each marketplace's shoppers, as Amazon's ``locale`` values (the enum of
#: getDefinitionsProductType): searchDefinitionsProductTypes reads the keywords
#: (``searchLocale``) and writes display names (``locale``) in it, so that a Spanish seller's
#: «silla oficina» finds the product types of Amazon.es.
MARKETPLACE_LOCALES = {
    "ATVPDKIKX0DER": "en_US",  # US
    "A2EUQ1WTGCTBG2": "en_CA",  # CA
    "A1AM78C64UM0Y8": "es_MX",  # MX
    "A2Q3Y263D00KWC": "pt_BR",  # BR
    "A1RKKUPIHCS9HS": "es_ES",  # ES
    "A1F83G8C2ARO7P": "en_GB",  # UK
    "A13V1IB3VIYZZH": "fr_FR",  # FR
    "AMEN7PMS3EDWL": "fr",  # BE
    "A1805IZSGTT6HS": "nl_NL",  # NL
    "A1PA6795UKMFR9": "de_DE",  # DE
    "APJ6JRA9NG5V4": "it_IT",  # IT
    "A28R8C7NBKEWEA": "en_GB",  # IE
    "A2NODRKZP88ZB9": "sv_SE",  # SE
    "A1C3SOZRARQ6R3": "pl_PL",  # PL
    "AE08WJ6YKNBMC": "en",  # ZA
    "ARBP9OOSHTCHU": "ar",  # EG
    "A33AVAJ2PDY3EV": "tr_TR",  # TR
    "A17E79C6D8DWNP": "ar",  # SA
    "A2VIGQ35RCS4UG": "en_AE",  # AE
    "A21TJRUUN4KGV": "en_IN",  # IN
    "A19VAU5U5O7RUS": "en_SG",  # SG
    "A39IBJ37TRP1C6": "en_AU",  # AU
    "A1VC38T7YXB528": "ja_JP",  # JP
}
