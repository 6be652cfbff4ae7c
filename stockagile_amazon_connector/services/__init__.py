"""SP-API service layer of the Stockagile Amazon connector.

Pure Python: never imports ``odoo`` and is the only package of the project that imports
``sp_api`` (python-amazon-sp-api) and ``boto3`` (:mod:`.sqs`, imported on demand). The Odoo
models build an :class:`AccountConfig`, call :class:`SpApiService` and react to the
:mod:`.errors` classes.
"""

from . import const, invoices, notifications, payloads
from .client import SpApiService
from .config import AccountConfig, MarketplaceRef
from .errors import (
    AmazonError,
    AuthError,
    InvalidRequestError,
    NotFoundError,
    ThrottledError,
    TransientError,
    UnsafeDocumentError,
)
from .models import (
    CatalogItem,
    Destination,
    FeedStatus,
    Listing,
    ListingSubmission,
    OrderChange,
    OrdersPage,
    Participation,
    ProductTypeDefinition,
    ProductTypeRef,
    ReportStatus,
    SqsMessage,
    Submission,
    Subscription,
)
from .pacing import MemoryStore, RateLimiter, TokenBucket

__all__ = [
    "AccountConfig",
    "AmazonError",
    "AuthError",
    "CatalogItem",
    "Destination",
    "FeedStatus",
    "InvalidRequestError",
    "Listing",
    "ListingSubmission",
    "OrderChange",
    "MarketplaceRef",
    "MemoryStore",
    "NotFoundError",
    "OrdersPage",
    "Participation",
    "ProductTypeDefinition",
    "ProductTypeRef",
    "RateLimiter",
    "ReportStatus",
    "SpApiService",
    "SqsMessage",
    "Submission",
    "Subscription",
    "ThrottledError",
    "TokenBucket",
    "TransientError",
    "UnsafeDocumentError",
    "const",
    "invoices",
    "notifications",
    "payloads",
]
