"""Plain, immutable results of :class:`~.client.SpApiService` (never library objects)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Participation:
    """One marketplace the seller participates in (getMarketplaceParticipations)."""

    marketplace_id: str
    country_code: str
    name: str
    currency: str
    is_participating: bool
    has_suspended_listings: bool


@dataclass(frozen=True)
class Listing:
    """Our view of a listings item in one marketplace.

    ``quantity`` is the DEFAULT (merchant) channel quantity, ``price`` the B2C offer price (or the
    ``our_price`` attribute when Amazon returns no offer); both None when unknown. ``issues`` is
    a tuple of Amazon ``Issue`` dicts (code, message, severity, ...). ``asin`` and ``item_name``
    come from the marketplace's summary (None when Amazon has not assigned them yet).
    """

    sku: str
    status: tuple
    product_type: str | None
    quantity: int | None
    price: float | None
    currency: str | None
    issues: tuple = ()
    asin: str | None = None
    item_name: str | None = None


@dataclass(frozen=True)
class Submission:
    """Result of patchListingsItem: ``status`` is ACCEPTED or VALID (INVALID raises)."""

    sku: str
    status: str
    submission_id: str
    issues: tuple = ()


@dataclass(frozen=True)
class FeedStatus:
    """getFeed: ``processing_status`` in CANCELLED/DONE/FATAL/IN_PROGRESS/IN_QUEUE."""

    feed_id: str
    processing_status: str
    result_document_id: str | None

    @property
    def done(self):
        """True when Amazon will not change this feed any more."""
        return self.processing_status in ("DONE", "CANCELLED", "FATAL")


@dataclass(frozen=True)
class OrdersPage:
    """One page of searchOrders: ``orders`` are the official 2026-01-01 ``Order`` dicts."""

    orders: tuple
    next_token: str | None


@dataclass(frozen=True)
class ReportStatus:
    """getReport: ``processing_status`` in CANCELLED/DONE/FATAL/IN_PROGRESS/IN_QUEUE."""

    report_id: str
    report_type: str
    processing_status: str
    document_id: str | None

    @property
    def done(self):
        """True when Amazon will not change this report any more."""
        return self.processing_status in ("DONE", "CANCELLED", "FATAL")


@dataclass(frozen=True)
class CatalogItem:
    """One searchCatalogItems result in one marketplace (enough to let a user pick it).

    ``identifiers`` is a tuple of ``(identifierType, identifier)`` pairs (EAN, UPC...).
    """

    asin: str
    title: str | None
    brand: str | None
    image_url: str | None
    product_type: str | None
    identifiers: tuple = ()


@dataclass(frozen=True)
class ProductTypeRef:
    """A product type searchDefinitionsProductTypes found (``name`` e.g. ``DRINKING_CUP``)."""

    name: str
    display_name: str


@dataclass(frozen=True)
class ProductTypeDefinition:
    """getDefinitionsProductType: the schema link, its checksum and the property groups.

    The schema itself is downloaded separately (``SpApiService.get_product_type_schema``)
    so that the caller can skip it when it already holds a schema with the same ``checksum``.
    """

    product_type: str
    display_name: str
    version: str
    requirements: str
    schema_url: str
    schema_checksum: str
    property_groups: tuple = ()


@dataclass(frozen=True)
class ListingSubmission:
    """putListingsItem: ``status`` ACCEPTED, VALID or INVALID, with Amazon's issues.

    INVALID is returned, not raised: a validation preview's issues are the expected outcome the
    caller shows to the user.
    """

    sku: str
    status: str
    submission_id: str
    issues: tuple = ()

    @property
    def errors(self):
        """Issues of severity ERROR (they block the listing)."""
        return tuple(i for i in self.issues if i.get("severity") == "ERROR")


@dataclass(frozen=True)
class Destination:
    """A notifications destination (createDestination/getDestinations): an SQS queue ARN."""

    destination_id: str
    name: str
    sqs_arn: str | None


@dataclass(frozen=True)
class Subscription:
    """A notification subscription (createSubscription/getSubscription)."""

    subscription_id: str
    destination_id: str
    payload_version: str
    processing_directive: dict | None = None


@dataclass(frozen=True)
class OrderChange:
    """One validated ORDER_CHANGE notification (OrderChangeNotification.json).

    ``publish_time`` / ``event_time`` / ``change_time`` are timezone-aware datetimes;
    ``order_status`` is the Summary's OrderStatus (``Unshipped``, ``Canceled``...).
    """

    notification_id: str
    subscription_id: str
    publish_time: object
    event_time: object
    seller_id: str
    amazon_order_id: str
    order_change_type: str
    change_time: object
    change_reason: str
    marketplace_id: str
    order_status: str
    fulfillment_type: str


@dataclass(frozen=True)
class SqsMessage:
    """One message received from SQS: delete it with ``receipt_handle`` once handled."""

    message_id: str
    receipt_handle: str
    body: str
    receive_count: int = 1
