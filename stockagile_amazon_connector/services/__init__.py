"""SP-API service layer of the Stockagile Amazon connector.

Pure Python: never imports ``odoo`` and is the only package of the project that imports
``sp_api`` (python-amazon-sp-api). The Odoo models build an :class:`AccountConfig`, call
:class:`SpApiService` and react to the :mod:`.errors` classes.
"""

from . import const, payloads
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
    FeedStatus,
    Listing,
    OrdersPage,
    Participation,
    ReportStatus,
    Submission,
)
from .pacing import MemoryStore, RateLimiter, TokenBucket

__all__ = [
    "AccountConfig",
    "AmazonError",
    "AuthError",
    "FeedStatus",
    "InvalidRequestError",
    "Listing",
    "MarketplaceRef",
    "MemoryStore",
    "NotFoundError",
    "OrdersPage",
    "Participation",
    "RateLimiter",
    "ReportStatus",
    "SpApiService",
    "Submission",
    "ThrottledError",
    "TokenBucket",
    "TransientError",
    "UnsafeDocumentError",
    "const",
    "payloads",
]
