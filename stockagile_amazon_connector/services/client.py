"""The one class that talks to Amazon: :class:`SpApiService`.

Every public method makes the SP-API call(s) through python-amazon-sp-api and returns plain
values or the frozen dataclasses of :mod:`.models`; every failure is one of :mod:`.errors`.
Nothing here sleeps: when our limiter (or Amazon) says "not now", a :class:`ThrottledError` with
``retry_after`` is raised and the caller (a queue job, a cron) decides when to come back.
"""

import json
import logging
import re
import zlib
from datetime import timedelta
from urllib.parse import urlsplit

import httpx
from sp_api.api.catalog_items.catalog_items_2022_04_01 import CatalogItemsV20220401
from sp_api.api.feeds.feeds_2021_06_30 import FeedsV20210630
from sp_api.api.listings_items.listings_items_2021_08_01 import ListingsItemsV20210801
from sp_api.api.notifications.notifications import Notifications
from sp_api.api.orders.orders_2026_01_01 import OrdersV20260101
from sp_api.api.orders.orders_v0 import OrdersV0
from sp_api.api.product_type_definitions.product_type_definitions import ProductTypeDefinitions
from sp_api.api.reports.reports import Reports
from sp_api.api.sellers.sellers import Sellers
from sp_api.auth.exceptions import AuthorizationError
from sp_api.base import SellingApiException
from sp_api.base.credential_provider import MissingCredentials

from . import const
from ._library import (
    CREDENTIAL_PROVIDERS,
    EndpointRef,
    FeedEndpoints,
    NotificationEndpoints,
    ReportEndpoints,
    lwa_client_class,
    response_json,
    scrub,
    service_client_class,
)
from .errors import (
    AmazonError,
    AuthError,
    InvalidRequestError,
    NotFoundError,
    ThrottledError,
    TransientError,
    UnsafeDocumentError,
)
from .invoices import InvoiceOperations
from .models import (
    CatalogItem,
    Destination,
    FeedStatus,
    Listing,
    ListingSubmission,
    OrdersPage,
    Participation,
    ProductTypeDefinition,
    ProductTypeRef,
    ReportStatus,
    Submission,
    Subscription,
)
from .pacing import RateLimiter
from .payloads import utc_iso

_logger = logging.getLogger(__name__)


class _Feeds(FeedEndpoints, FeedsV20210630):
    """Feeds client sending exactly the official createFeedDocument/createFeed bodies."""


class _Reports(ReportEndpoints, Reports):
    """Reports client sending exactly the official getReport request."""


class _Notifications(NotificationEndpoints, Notifications):
    """Notifications client sending exactly the official requests (grantless where due)."""


_INVALID_STATUSES = (400, 409, 413, 415, 422)
#: An Amazon order id: 3-7-7 digits.
_ORDER_ID = re.compile(r"\d{3}-\d{7}-\d{7}")
#: Same-host redirects followed when downloading a document (S3 does not redirect signed GETs).
MAX_REDIRECTS = 3
#: Compressed bytes fed to the decompressor per step.
_DECOMPRESS_STEP = 64 * 1024


class SpApiService(InvoiceOperations):
    """SP-API operations of one seller account.

    Cheap to build (no network in ``__init__``); sp_api clients are built per call from the
    config, so no library global (marketplace, credentials) is ever mutated.

    :param config: :class:`~.config.AccountConfig` of the account.
    :param limiter: shared :class:`~.pacing.RateLimiter` of the account; a private one when None
        (then pacing only spans this instance's calls).
    """

    def __init__(self, config, limiter=None):
        self.config = config
        self.limiter = limiter or RateLimiter()
        #: operationId -> last rate (req/s) announced by ``x-amzn-RateLimit-Limit``.
        self.last_rate_limit = {}
        self._lwa_class = lwa_client_class(config.token_endpoint, config.timeout)

    # ------------------------------------------------------------------ plumbing

    def _secrets(self):
        return (self.config.lwa_client_secret, self.config.refresh_token)

    def _client(self, api_class, marketplace_id=None):
        """Build a fresh library client for ``api_class`` aimed at our endpoint."""
        if marketplace_id is None and self.config.marketplaces:
            marketplace_id = self.config.marketplaces[0].api_ref
        ref = EndpointRef(self.config.endpoint, marketplace_id or "", self.config.aws_region)
        try:
            return service_client_class(api_class)(
                ref,
                refresh_token=self.config.refresh_token,
                credentials={
                    "lwa_app_id": self.config.lwa_client_id,
                    "lwa_client_secret": self.config.lwa_client_secret,
                    "refresh_token": self.config.refresh_token,
                },
                credential_providers=CREDENTIAL_PROVIDERS,
                timeout=self.config.timeout,
                auth_token_client_class=self._lwa_class,
            )
        except MissingCredentials:
            raise AuthError(
                "The LWA client id or client secret of the account is empty: fill them in.",
                code="missing_credentials",
            ) from None

    def _reserve(self, operation):
        """Ask the limiter for a token; raise ThrottledError instead of waiting."""
        wait = self.limiter.reserve(operation)
        if wait > 0:
            raise ThrottledError(
                f"Amazon allows {operation} only {self.limiter.rate(operation):g} times per "
                f"second for this account; retry in {wait:.1f} s.",
                code="client_rate_limit",
                retry_after=wait,
            )

    def _call(self, operation, api_class, method, *args, marketplace_id=None, **kwargs):
        """Run one library call and return the parsed JSON body of Amazon's answer.

        :raise AmazonError: any failure, mapped from the library exception or, when the
            library stays silent, from the raw response status.
        """
        self._reserve(operation)
        client = self._client(api_class, marketplace_id)
        try:
            return self._run(operation, client, method, args, kwargs)
        finally:
            client.close()

    def _run(self, operation, client, method, args, kwargs):
        """Invoke ``client.method`` and judge the raw response."""
        try:
            getattr(client, method)(*args, **kwargs)
        except AmazonError:
            raise
        except (SellingApiException, AuthorizationError) as error:
            # Judged below from the raw response, which the library also saw.
            _logger.debug("%s: the library raised %s", operation, type(error).__name__)
        except httpx.TimeoutException:
            raise TransientError(
                f"Amazon did not answer {operation} within {self.config.timeout:g} s; "
                "retry later.",
                code="timeout",
            ) from None
        except httpx.HTTPError as exc:
            raise TransientError(
                f"Cannot reach Amazon SP-API at {self.config.endpoint} for {operation} "
                f"({type(exc).__name__}); check the network or the endpoint.",
                code="unreachable",
            ) from None
        response = client.last_response
        if response is None:
            raise TransientError(f"Amazon gave no answer to {operation}.", code="no_response")
        self._note_rate_limit(operation, response)
        if response.status_code >= 300:
            raise self._http_error(operation, response, client)
        return self._body(operation, response)

    def _body(self, operation, response):
        """JSON body of a 2xx answer; empty only allowed for 204 (confirmShipment)."""
        body = response_json(response)
        if body is None and response.status_code != 204:
            raise TransientError(
                f"Amazon answered {operation} with an unreadable (empty or non-JSON) body; "
                "retry later.",
                code="malformed_response",
                details={"status": response.status_code},
            )
        return body if body is not None else {}

    def _note_rate_limit(self, operation, response):
        """Adopt the rate Amazon announces in ``x-amzn-RateLimit-Limit``."""
        value = response.headers.get("x-amzn-RateLimit-Limit")
        try:
            rate = float(value) if value is not None else None
        except ValueError:
            rate = None
        if rate and rate > 0:
            self.last_rate_limit[operation] = rate
            self.limiter.update_rate(operation, rate)

    def _http_error(self, operation, response, client):
        """Map a non-2xx SP-API answer to one of our errors."""
        status = response.status_code
        body = response_json(response)
        errors = body.get("errors") if isinstance(body, dict) else None
        errors = [e for e in errors or [] if isinstance(e, dict)]
        code = errors[0].get("code") if errors else None
        text = "; ".join(scrub(_error_text(e), self._secrets()) for e in errors)
        details = {"status": status, "errors": errors}
        if status == 429:
            return self._throttled(operation, code, details)
        if status == 403 and "expired" in text.lower():
            client._auth.evict()
            return TransientError(
                f"The access token expired during {operation}; a new one will be requested "
                "on retry.",
                code=code or "expired_token",
                retry_after=0.0,
                details=details,
            )
        if not text:
            kind = "a non-JSON" if response.content else "an empty"
            text = f"HTTP {status} with {kind} body"
        return self._error_for_status(operation, status, code, text, details)

    def _throttled(self, operation, code, details):
        """ThrottledError for a 429: wait one refill period, and tell the limiter."""
        rate = self.last_rate_limit.get(operation) or self.limiter.rate(operation)
        retry_after = 1.0 / rate if rate > 0 else const.DEFAULT_RETRY_AFTER
        self.limiter.penalize(operation, retry_after)
        return ThrottledError(
            f"Amazon throttled {operation} (rate {rate:g}/s); retry in {retry_after:.1f} s.",
            code=code or "QuotaExceeded",
            retry_after=retry_after,
            details=details,
        )

    def _error_for_status(self, operation, status, code, text, details):
        """Choose the error class from the HTTP status."""
        if status in (401, 403):
            return AuthError(
                f"Amazon denied {operation} ({text}): check that the application has the "
                "needed role and that the seller authorised it.",
                code=code or "access_denied",
                details=details,
            )
        if status == 404:
            return NotFoundError(
                f"Amazon {operation}: not found ({text}).", code=code or "NotFound", details=details
            )
        if status >= 500:
            return TransientError(
                f"Amazon had a server error on {operation} ({text}); retry later.",
                code=code or f"http_{status}",
                details=details,
            )
        if status in _INVALID_STATUSES or 400 <= status < 500:
            return InvalidRequestError(
                f"Amazon rejected {operation}: {text}",
                code=code or f"http_{status}",
                details=details,
            )
        return TransientError(
            f"Amazon answered {operation} with unexpected HTTP {status}; retry later.",
            code=f"http_{status}",
            details=details,
        )

    def _check_document_url(self, url, operation, redirected_from=None):
        """Refuse a document URL outside the account's document hosts (or not HTTPS).

        :raise UnsafeDocumentError: with what was refused and why.
        """
        allowed, reason = self.config.document_url_allowed(url)
        if allowed:
            return
        shown = _url_for_message(url)
        if redirected_from:
            raise UnsafeDocumentError(
                f"The {operation} document was refused: {_url_for_message(redirected_from)} "
                f"redirected to {shown}, and {reason}.",
                code="unsafe_redirect",
            )
        raise UnsafeDocumentError(
            f"The {operation} document was refused: its URL {shown} is not one Amazon's "
            f"answers use ({reason}).",
            code="unsafe_document_url",
        )

    def _download(self, url, operation):
        """GET a pre-signed document URL (not SP-API: no token, no pacing), bounded in size.

        Redirects are followed only to the same host (at most :data:`MAX_REDIRECTS`); the body
        is streamed and refused past ``config.max_document_bytes``.

        :return: ``(content bytes, charset or None)``.
        :raise UnsafeDocumentError: URL, redirect or size refused.
        :raise TransientError: network failure or HTTP error.
        """
        if not url:
            raise TransientError(
                f"Amazon returned no URL for the {operation} document; retry later.",
                code="malformed_response",
            )
        self._check_document_url(url, operation)
        limit = self.config.max_document_bytes
        try:
            with _document_http_client(self.config.timeout) as http:
                for _hop in range(MAX_REDIRECTS + 1):
                    with http.stream("GET", url) as response:
                        if response.is_redirect:
                            target = str(response.url.join(response.headers.get("location", "")))
                            self._check_document_url(target, operation, redirected_from=url)
                            if urlsplit(target).hostname != urlsplit(url).hostname:
                                raise UnsafeDocumentError(
                                    f"The {operation} document was refused: "
                                    f"{_url_for_message(url)} redirected to another host "
                                    f"({_url_for_message(target)}).",
                                    code="unsafe_redirect",
                                )
                            url = target
                            continue
                        if response.status_code != 200:
                            raise TransientError(
                                f"Downloading the {operation} document failed with HTTP "
                                f"{response.status_code}; retry later.",
                                code=f"http_{response.status_code}",
                            )
                        declared = response.headers.get("content-length", "")
                        if declared.isdigit() and int(declared) > limit:
                            raise _too_large(operation, limit, "download")
                        chunks, size = [], 0
                        for chunk in response.iter_bytes():
                            size += len(chunk)
                            if size > limit:
                                raise _too_large(operation, limit, "download")
                            chunks.append(chunk)
                        return b"".join(chunks), response.charset_encoding
        except httpx.TimeoutException:
            raise TransientError(
                f"Downloading the {operation} document timed out; retry later.", code="timeout"
            ) from None
        except httpx.HTTPError as exc:
            raise TransientError(
                f"Cannot download the {operation} document ({type(exc).__name__}); retry later.",
                code="unreachable",
            ) from None
        raise UnsafeDocumentError(
            f"The {operation} document was refused: more than {MAX_REDIRECTS} redirects.",
            code="unsafe_redirect",
        )

    def _decompress(self, content, algorithm, operation):
        """Undo the document's ``compressionAlgorithm`` (only GZIP exists today), bounded.

        The output is produced in steps and refused as soon as it passes
        ``config.max_document_bytes``: a small "bomb" never expands in memory.

        :raise UnsafeDocumentError: the decompressed document is too large.
        :raise TransientError: unsupported algorithm or corrupt data.
        """
        if not algorithm:
            return content
        if algorithm.upper() != "GZIP":
            raise TransientError(
                f"Unsupported document compression {algorithm!r}.", code="unsupported_compression"
            )
        return bounded_gunzip(content, self.config.max_document_bytes, operation)

    def _document_text(self, info, operation):
        """Download, decompress and decode the document described by ``info``."""
        content, charset = self._download(info.get("url"), operation)
        content = self._decompress(content, info.get("compressionAlgorithm"), operation)
        if charset:
            try:
                return content.decode(charset)
            except (LookupError, UnicodeDecodeError):
                _logger.debug("%s: document is not %s, trying UTF-8", operation, charset)
        try:
            return content.decode("utf-8")
        except UnicodeDecodeError:
            return content.decode("iso-8859-1")

    def _marketplace_ids(self, marketplace_ids):
        """Validate marketplace ids against the account (region rule) and join them."""
        ids = [marketplace_ids] if isinstance(marketplace_ids, str) else list(marketplace_ids)
        if not ids:
            raise InvalidRequestError(
                "At least one marketplace is required.", code="no_marketplace"
            )
        if self.config.marketplaces:
            for marketplace_id in ids:
                self.config.marketplace(marketplace_id)
        return ids

    # ------------------------------------------------------------------ sellers

    def get_marketplace_participations(self):
        """Marketplaces the seller participates in; the natural "test connection" call.

        :return: tuple of :class:`~.models.Participation`.
        :raise AuthError: LWA refused the credentials or the seller did not authorise the app.
        :raise ThrottledError: rate limit (0.016/s, burst 15) reached; see ``retry_after``.
        :raise TransientError: network, timeout, 5xx or unreadable answer.
        """
        body = self._call("getMarketplaceParticipations", Sellers, "get_marketplace_participation")
        return tuple(_participation(row) for row in body.get("payload") or ())

    # ------------------------------------------------------------------ listings

    def get_listing(self, sku, marketplace_id, included_data=const.LISTING_INCLUDED_DATA):
        """Read one listing of the seller in one marketplace (getListingsItem).

        The contract for callers (e.g. creating an Odoo product from an Amazon listing):
        ``NotFoundError`` means the seller has no listing with this SKU there; otherwise the
        :class:`~.models.Listing` holds what Amazon shows for it (ASIN, title, status, product
        type, DEFAULT-channel quantity, B2C price and its currency, issues), each None or empty
        when Amazon does not say.

        :param sku: seller SKU (any characters: it is URL-encoded by the library).
        :param marketplace_id: Amazon marketplace id of the account.
        :param included_data: datasets to ask for (e.g. :data:`~.const.CREATION_INCLUDED_DATA`
            while a created listing is awaited: summaries and issues only).
        :return: :class:`~.models.Listing`.
        :raise NotFoundError: the seller has no listing with this SKU in that marketplace.
        :raise InvalidRequestError: empty SKU, or a marketplace the account does not sell on
            (refused before calling Amazon), or Amazon refused the request.
        :raise AuthError, ThrottledError, TransientError: as for every call.
        """
        if not (sku or "").strip():
            raise InvalidRequestError(
                "A listing is read by its SKU: the SKU is empty.", code="no_sku"
            )
        self._marketplace_ids(marketplace_id)
        body = self._call(
            "getListingsItem",
            ListingsItemsV20210801,
            "get_listings_item",
            self.config.seller_id,
            sku,
            marketplace_id=marketplace_id,
            marketplaceIds=marketplace_id,
            includedData=",".join(included_data),
        )
        return _listing(body, marketplace_id, sku)

    def patch_listing(self, sku, marketplace_id, product_type, patches):
        """Apply JSON Patch operations to a listing (see :mod:`.payloads` for builders).

        :param sku: seller SKU.
        :param marketplace_id: Amazon marketplace id.
        :param product_type: Amazon product type of the listing (e.g. ``SHIRT``).
        :param patches: list of ``PatchOperation`` dicts.
        :return: :class:`~.models.Submission` (status ACCEPTED or VALID).
        :raise InvalidRequestError: Amazon answered INVALID or 400; ``details["issues"]`` holds
            Amazon's issues and the message lists their texts.
        :raise NotFoundError: unknown SKU.
        :raise AuthError, ThrottledError, TransientError: as for every call.
        """
        self._marketplace_ids(marketplace_id)
        body = self._call(
            "patchListingsItem",
            ListingsItemsV20210801,
            "patch_listings_item",
            self.config.seller_id,
            sku,
            marketplace_id=marketplace_id,
            marketplaceIds=marketplace_id,
            body={"productType": product_type, "patches": list(patches)},
        )
        submission = Submission(
            sku=body.get("sku") or sku,
            status=body.get("status") or "",
            submission_id=body.get("submissionId") or "",
            issues=tuple(body.get("issues") or ()),
        )
        if submission.status == "INVALID":
            messages = (
                "; ".join(f"{i.get('code')}: {i.get('message')}" for i in submission.issues)
                or "no issue given"
            )
            raise InvalidRequestError(
                f"Amazon refused the update of {sku}: {messages}",
                code="INVALID",
                details={
                    "issues": list(submission.issues),
                    "submission_id": submission.submission_id,
                },
            )
        return submission

    # ------------------------------------------------------------------ product creation

    def search_catalog_items(self, identifiers, identifiers_type, marketplace_id):
        """Look products up in Amazon's catalog by identifier (Catalog Items API 2022-04-01).

        The versioned client class is used on purpose: python-amazon-sp-api's ``CatalogItems``
        defaults to 2020-12-01, whose answer has another shape.

        :param identifiers: up to 20 identifiers (EANs, UPCs, GTINs...).
        :param identifiers_type: one of :data:`~.const.CATALOG_IDENTIFIER_TYPES`.
        :param marketplace_id: one Amazon marketplace id (the model allows only one).
        :return: tuple of :class:`~.models.CatalogItem` (several may share one identifier).
        :raise ValueError: no identifier, more than 20, or an unknown identifier type.
        :raise InvalidRequestError, AuthError, ThrottledError, TransientError: see above.
        """
        identifiers = [str(i).strip() for i in identifiers or () if str(i).strip()]
        if not identifiers or len(identifiers) > const.MAX_CATALOG_IDENTIFIERS:
            raise ValueError(
                f"searchCatalogItems takes 1 to {const.MAX_CATALOG_IDENTIFIERS} identifiers, "
                f"got {len(identifiers)}"
            )
        if identifiers_type not in const.CATALOG_IDENTIFIER_TYPES:
            raise ValueError(f"Unknown identifiersType {identifiers_type!r}")
        self._marketplace_ids(marketplace_id)
        body = self._call(
            "searchCatalogItems",
            CatalogItemsV20220401,
            "search_catalog_items",
            marketplace_id=marketplace_id,
            identifiers=",".join(identifiers),
            identifiersType=identifiers_type,
            marketplaceIds=marketplace_id,
            includedData=",".join(const.CATALOG_INCLUDED_DATA),
            pageSize=20,
        )
        return tuple(
            _catalog_item(item, marketplace_id)
            for item in body.get("items") or ()
            if isinstance(item, dict) and item.get("asin")
        )

    def search_product_types(self, keywords, marketplace_id):
        """Product types matching keywords (Product Type Definitions API 2020-09-01).

        :param keywords: words (str, comma or space separated) or a list of words.
        :param marketplace_id: Amazon marketplace id; its shoppers' language
            (:data:`~.const.MARKETPLACE_LOCALES`) is the keywords' and the display names'.
        :return: tuple of :class:`~.models.ProductTypeRef`.
        :raise ValueError: no keyword.
        :raise InvalidRequestError, AuthError, ThrottledError, TransientError: see above.
        """
        if isinstance(keywords, str):
            keywords = keywords.replace(",", " ").split()
        keywords = [k for k in keywords or () if k]
        if not keywords:
            raise ValueError("searchDefinitionsProductTypes needs at least one keyword")
        self._marketplace_ids(marketplace_id)
        locale = const.MARKETPLACE_LOCALES.get(marketplace_id)
        locales = {"locale": locale, "searchLocale": locale} if locale else {}
        body = self._call(
            "searchDefinitionsProductTypes",
            ProductTypeDefinitions,
            "search_definitions_product_types",
            marketplace_id=marketplace_id,
            keywords=",".join(keywords),
            marketplaceIds=marketplace_id,
            **locales,
        )
        return tuple(
            ProductTypeRef(name=row["name"], display_name=row.get("displayName") or row["name"])
            for row in body.get("productTypes") or ()
            if isinstance(row, dict) and row.get("name")
        )

    def get_product_type_definition(
        self, product_type, marketplace_id, requirements=const.REQUIREMENTS_LISTING
    ):
        """Definition of a product type: where its JSON Schema is and its checksum.

        :param product_type: e.g. ``DRINKING_CUP``.
        :param marketplace_id: Amazon marketplace id.
        :param requirements: one of :data:`~.const.LISTING_REQUIREMENTS`.
        :return: :class:`~.models.ProductTypeDefinition`.
        :raise NotFoundError: unknown product type.
        :raise InvalidRequestError, AuthError, ThrottledError, TransientError: see above.
        """
        self._marketplace_ids(marketplace_id)
        body = self._call(
            "getDefinitionsProductType",
            ProductTypeDefinitions,
            "get_definitions_product_type",
            product_type,
            marketplace_id=marketplace_id,
            sellerId=self.config.seller_id,
            marketplaceIds=marketplace_id,
            requirements=requirements,
            requirementsEnforced="ENFORCED",
            locale="DEFAULT",
        )
        schema = body.get("schema") or {}
        link = schema.get("link") or {}
        if not link.get("resource"):
            raise TransientError(
                f"Amazon returned no schema link for product type {product_type}; retry later.",
                code="malformed_response",
            )
        return ProductTypeDefinition(
            product_type=body.get("productType") or product_type,
            display_name=body.get("displayName") or product_type,
            version=(body.get("productTypeVersion") or {}).get("version") or "",
            requirements=body.get("requirements") or requirements,
            schema_url=link["resource"],
            schema_checksum=schema.get("checksum") or "",
            property_groups=tuple(
                (name, group.get("title") or name, tuple(group.get("propertyNames") or ()))
                for name, group in (body.get("propertyGroups") or {}).items()
                if isinstance(group, dict)
            ),
        )

    def get_product_type_schema(self, definition):
        """Download the JSON Schema a definition links to.

        The link must be HTTPS, or on the SP-API endpoint's own origin (the local sandbox):
        a definition pointing elsewhere is not followed.

        :param definition: :class:`~.models.ProductTypeDefinition`.
        :return: the schema as a dict.
        :raise TransientError: the link is not trusted, the download failed or is not JSON.
        """
        url = httpx.URL(definition.schema_url)
        own = httpx.URL(self.config.endpoint)
        if url.scheme != "https" and (url.scheme, url.netloc) != (own.scheme, own.netloc):
            raise TransientError(
                f"The schema link of {definition.product_type} is not an HTTPS URL; "
                "it was not followed.",
                code="untrusted_document_url",
            )
        content, _charset = self._download(str(url), "getDefinitionsProductType")
        try:
            schema = json.loads(content)
        except ValueError:
            schema = None
        if not isinstance(schema, dict):
            raise TransientError(
                f"The schema of {definition.product_type} is not a JSON object; retry later.",
                code="malformed_document",
            )
        return schema

    def put_listing(self, sku, marketplace_id, product_type, attributes, requirements, mode=None):
        """Create (or fully replace) a listing: putListingsItem.

        :param sku: seller SKU.
        :param marketplace_id: Amazon marketplace id.
        :param product_type: Amazon product type.
        :param attributes: dict of attribute name -> list of values (Amazon's shape).
        :param requirements: ``LISTING`` (full) or ``LISTING_OFFER_ONLY``.
        :param mode: None to submit, ``VALIDATION_PREVIEW`` to validate without storing.
        :return: :class:`~.models.ListingSubmission`; INVALID is returned with its issues.
        :raise AuthError: 403: the application lacks the Product Listing role.
        :raise InvalidRequestError, ThrottledError, TransientError: see above.
        """
        if requirements not in const.LISTING_REQUIREMENTS:
            raise ValueError(f"Unknown requirements {requirements!r}")
        if mode not in (None, const.MODE_VALIDATION_PREVIEW):
            raise ValueError(f"Unknown mode {mode!r}")
        self._marketplace_ids(marketplace_id)
        params = {"marketplaceIds": marketplace_id, "includedData": "issues"}
        if mode:
            params["mode"] = mode
        try:
            body = self._call(
                "putListingsItem",
                ListingsItemsV20210801,
                "put_listings_item",
                self.config.seller_id,
                sku,
                marketplace_id=marketplace_id,
                body={
                    "productType": product_type,
                    "requirements": requirements,
                    "attributes": dict(attributes),
                },
                **params,
            )
        except AuthError as error:
            if (error.details or {}).get("status") != 403:
                raise
            raise AuthError(
                "Amazon refused to create the listing: the SP-API application needs the "
                "Product Listing role and the seller must authorise it again "
                f"({error.message})",
                code=error.code,
                details=error.details,
            ) from None
        return ListingSubmission(
            sku=body.get("sku") or sku,
            status=body.get("status") or "",
            submission_id=body.get("submissionId") or "",
            issues=tuple(i for i in body.get("issues") or () if isinstance(i, dict)),
        )

    # ------------------------------------------------------------------ feeds

    def submit_listings_feed(self, marketplace_id, document):
        """Upload a JSON_LISTINGS_FEED document and create the feed.

        Three steps: createFeedDocument, PUT of the document (UTF-8 bytes: the library would
        encode text as ISO-8859-1) to the pre-signed URL, createFeed.

        :param marketplace_id: marketplace the feed applies to.
        :param document: dict built by :func:`~.payloads.listings_feed_document`.
        :return: Amazon's feed id (str).
        :raise InvalidRequestError: Amazon refused the request.
        :raise AuthError, ThrottledError, TransientError: see above (a failed upload is
            transient: submit again).
        """
        self._marketplace_ids(marketplace_id)
        info = self._call(
            "createFeedDocument",
            _Feeds,
            "create_feed_document_only",
            const.FEED_CONTENT_TYPE_JSON,
            marketplace_id=marketplace_id,
        )
        self._upload(info.get("url"), json.dumps(document, ensure_ascii=False).encode("utf-8"))
        body = self._call(
            "createFeed",
            _Feeds,
            "create_feed_only",
            const.FEED_TYPE_JSON_LISTINGS,
            info.get("feedDocumentId"),
            [marketplace_id],
            marketplace_id=marketplace_id,
        )
        return str(body.get("feedId"))

    def upload_listings_feed_document(self, marketplace_id, document):
        """Upload a JSON_LISTINGS_FEED document for a feed created later; return its id.

        Only once ``createFeed`` may be called now (the account's pacing): a document
        uploaded while createFeed waits would be uploaded again by the retry. The caller keeps
        the id and passes it to :meth:`create_listings_feed`, retried with the same id.

        :param marketplace_id: marketplace the feed applies to.
        :param document: dict built by :func:`~.payloads.listings_feed_document`.
        :return: Amazon's feed document id (str).
        :raise ThrottledError: createFeed must wait (``retry_after``); nothing was sent.
        :raise AuthError, TransientError, InvalidRequestError: see above.
        """
        self._marketplace_ids(marketplace_id)
        wait = self.limiter.wait("createFeed")
        if wait > 0:
            raise ThrottledError(
                f"Amazon allows createFeed only {self.limiter.rate('createFeed'):g} times per "
                f"second for this account; the feed is built in {wait:.1f} s.",
                code="client_rate_limit",
                retry_after=wait,
            )
        info = self._call(
            "createFeedDocument",
            _Feeds,
            "create_feed_document_only",
            const.FEED_CONTENT_TYPE_JSON,
            marketplace_id=marketplace_id,
        )
        self._upload(info.get("url"), json.dumps(document, ensure_ascii=False).encode("utf-8"))
        document_id = info.get("feedDocumentId")
        if not document_id:
            raise TransientError(
                "Amazon returned no feed document id; submit again.", code="malformed_response"
            )
        return str(document_id)

    def create_listings_feed(self, marketplace_id, document_id):
        """Create the JSON_LISTINGS_FEED of an uploaded document; return Amazon's feed id.

        :raise ThrottledError, AuthError, TransientError, InvalidRequestError: see above.
        """
        self._marketplace_ids(marketplace_id)
        body = self._call(
            "createFeed",
            _Feeds,
            "create_feed_only",
            const.FEED_TYPE_JSON_LISTINGS,
            document_id,
            [marketplace_id],
            marketplace_id=marketplace_id,
        )
        return str(body.get("feedId"))

    def _upload(self, url, content):
        """PUT the feed document bytes to Amazon's pre-signed URL."""
        if not url:
            raise TransientError(
                "Amazon returned no upload URL for the feed document.", code="malformed_response"
            )
        self._check_document_url(url, "createFeedDocument")
        try:
            response = httpx.put(
                url,
                content=content,
                headers={"Content-Type": const.FEED_CONTENT_TYPE_JSON},
                timeout=self.config.timeout,
                follow_redirects=False,
            )
        except httpx.HTTPError as exc:
            raise TransientError(
                f"Uploading the feed document failed ({type(exc).__name__}); submit again.",
                code="upload_failed",
            ) from None
        if not 200 <= response.status_code < 300:
            raise TransientError(
                f"Uploading the feed document failed with HTTP {response.status_code}; "
                "submit again.",
                code="upload_failed",
                details={"status": response.status_code},
            )

    def get_feed(self, feed_id):
        """Processing status of a feed.

        :param feed_id: id returned by :meth:`submit_listings_feed`.
        :return: :class:`~.models.FeedStatus`.
        :raise NotFoundError: unknown feed.
        :raise AuthError, ThrottledError, TransientError: see above.
        """
        body = self._call("getFeed", _Feeds, "get_feed", feed_id)
        return FeedStatus(
            feed_id=str(body.get("feedId") or feed_id),
            processing_status=body.get("processingStatus") or "",
            result_document_id=body.get("resultFeedDocumentId"),
        )

    def get_feed_result(self, document_id):
        """Download and parse a feed processing report (GZIP handled).

        :param document_id: ``result_document_id`` of a DONE feed.
        :return: the processing report dict (header, issues, summary...).
        :raise NotFoundError: unknown document.
        :raise TransientError: download failed or the report is not JSON.
        :raise AuthError, ThrottledError: see above.
        """
        info = self._call("getFeedDocument", _Feeds, "get_feed_document_info", document_id)
        text = self._document_text(info, "getFeedDocument")
        try:
            return json.loads(text)
        except ValueError:
            raise TransientError(
                "The feed processing report is not valid JSON; retry later.",
                code="malformed_document",
            ) from None

    # ------------------------------------------------------------------ orders

    def search_orders(
        self,
        marketplace_ids,
        last_updated_after,
        last_updated_before=None,
        pagination_token=None,
        max_results=100,
        fulfillment_statuses=None,
        included_data=const.ORDER_INCLUDED_DATA,
    ):
        """One page of orders updated in a time window (Orders API 2026-01-01).

        Pass the same arguments with ``pagination_token`` to get the next page (Amazon requires
        identical filters).

        :param marketplace_ids: marketplace id or list of ids.
        :param last_updated_after: datetime (naive = UTC) or ISO 8601 string.
        :param last_updated_before: same, or None.
        :param pagination_token: ``next_token`` of the previous page.
        :param max_results: 1..100 orders per page.
        :param fulfillment_statuses: e.g. ``["UNSHIPPED", "CANCELLED"]``, or None for all.
        :param included_data: datasets to include (default: buyer, recipient, fulfillment,
            proceeds, cancellation: what building a sales order needs).
        :return: :class:`~.models.OrdersPage`.
        :raise ValueError: ``max_results`` out of 1..100.
        :raise InvalidRequestError, AuthError, ThrottledError, TransientError: see above.
        """
        if not 1 <= max_results <= const.MAX_ORDERS_PAGE_SIZE:
            raise ValueError(f"max_results must be 1..100, got {max_results}")
        ids = self._marketplace_ids(marketplace_ids)
        params = {
            "marketplaceIds": ids,
            "lastUpdatedAfter": utc_iso(last_updated_after),
            "maxResultsPerPage": max_results,
            "includedData": list(included_data),
        }
        if last_updated_before:
            params["lastUpdatedBefore"] = utc_iso(last_updated_before)
        if fulfillment_statuses:
            params["fulfillmentStatuses"] = list(fulfillment_statuses)
        if pagination_token:
            params["paginationToken"] = pagination_token
        body = self._call(
            "searchOrders", OrdersV20260101, "search_orders", marketplace_id=ids[0], **params
        )
        return OrdersPage(
            orders=tuple(body.get("orders") or ()),
            next_token=(body.get("pagination") or {}).get("nextToken"),
        )

    def get_order(self, order_id, included_data=const.ORDER_INCLUDED_DATA):
        """One order (Orders API 2026-01-01 getOrder), e.g. the order a notification names.

        The order id usually comes from outside (a notification, a user): it is checked to be
        an Amazon order id (``3-7-7`` digits) before anything is sent, so a malformed id never
        reaches Amazon or a URL.

        :param order_id: Amazon order id (``123-1234567-1234567``).
        :param included_data: datasets to include (:data:`~.const.ORDER_INCLUDED_DATA` by
            default: buyer, recipient, fulfillment, proceeds, cancellation); the same shape
            :meth:`search_orders` returns, so one mapping serves both.
        :return: the official ``Order`` dict.
        :raise InvalidRequestError: ``order_id`` is not an Amazon order id, or an unknown dataset.
        :raise NotFoundError: no such order for this seller.
        :raise AuthError, ThrottledError, TransientError: see above.
        """
        order_id = (order_id or "").strip() if isinstance(order_id, str) else ""
        if not _ORDER_ID.fullmatch(order_id):
            raise InvalidRequestError(
                "An Amazon order id has the form 123-1234567-1234567.", code="invalid_order_id"
            )
        unknown = set(included_data) - set(const.ORDER_DATASETS)
        if unknown:
            raise InvalidRequestError(
                f"Unknown order datasets: {', '.join(sorted(unknown))}.", code="invalid_dataset"
            )
        body = self._call(
            "getOrder", OrdersV20260101, "get_order", order_id, includedData=list(included_data)
        )
        order = body.get("order")
        if not isinstance(order, dict):
            raise TransientError(
                f"Amazon returned no order for {order_id}; retry later.", code="malformed_response"
            )
        return order

    def confirm_shipment(self, order_id, body):
        """Confirm the shipment of one package of a merchant-fulfilled order (Orders v0).

        :param order_id: Amazon order id.
        :param body: dict from :func:`~.payloads.confirm_shipment_body`.
        :return: None
        :raise InvalidRequestError: Amazon rejected the confirmation (bad item, quantity,
            carrier...), with Amazon's messages.
        :raise NotFoundError: unknown order.
        :raise AuthError, ThrottledError, TransientError: see above.
        """
        self._call(
            "confirmShipment",
            OrdersV0,
            "confirm_shipment",
            order_id,
            marketplace_id=body.get("marketplaceId"),
            **body,
        )

    # ------------------------------------------------------------------ notifications

    def create_destination(self, name, sqs_arn):
        """Create the SQS destination of the application (grantless createDestination).

        Destinations belong to the application, not to a seller: an existing destination for
        the same ARN is returned instead (Amazon answers 409 for a duplicate).

        :param name: a name of ours for the destination.
        :param sqs_arn: ``arn:aws:sqs:<region>:<account>:<queue>``.
        :return: :class:`~.models.Destination`
        :raise InvalidRequestError: Amazon refused the ARN (e.g. the queue policy does not let
            Amazon's notification principal send messages).
        :raise AuthError, ThrottledError, TransientError: see above.
        """
        try:
            body = self._call(
                "createDestination", _Notifications, "create_sqs_destination", name, sqs_arn
            )
        except InvalidRequestError as error:
            if (error.details or {}).get("status") != 409:
                raise
            for destination in self.get_destinations():
                if destination.sqs_arn == sqs_arn:
                    return destination
            raise
        return _destination(body.get("payload"))

    def get_destinations(self):
        """Every destination of the application (grantless getDestinations).

        :return: tuple of :class:`~.models.Destination`
        """
        body = self._call("getDestinations", _Notifications, "list_destinations")
        rows = body.get("payload") or ()
        return tuple(_destination(row) for row in rows if isinstance(row, dict))

    def delete_destination(self, destination_id):
        """Delete a destination (grantless deleteDestination).

        :return: None
        """
        self._call("deleteDestination", _Notifications, "remove_destination", destination_id)

    def create_order_change_subscription(self, destination_id, marketplace_ids):
        """Subscribe the seller to ORDER_CHANGE notifications for ``marketplace_ids``.

        The event filter keeps order status changes and buyer requests (cancellations) of the
        account's marketplaces only. When the seller already has an ORDER_CHANGE subscription
        (Amazon answers 409) it is read and returned.

        :param destination_id: from :meth:`create_destination`.
        :param marketplace_ids: Amazon marketplace ids.
        :return: :class:`~.models.Subscription`
        :raise AuthError, ThrottledError, TransientError, InvalidRequestError: see above.
        """
        body = {
            "payloadVersion": const.ORDER_CHANGE_PAYLOAD_VERSION,
            "destinationId": destination_id,
            "processingDirective": {
                "eventFilter": {
                    "eventFilterType": const.NOTIFICATION_TYPE_ORDER_CHANGE,
                    "marketplaceIds": self._marketplace_ids(marketplace_ids),
                    "orderChangeTypes": list(const.ORDER_CHANGE_TYPES),
                }
            },
        }
        try:
            answer = self._call(
                "createSubscription",
                _Notifications,
                "subscribe",
                const.NOTIFICATION_TYPE_ORDER_CHANGE,
                body,
            )
        except InvalidRequestError as error:
            if (error.details or {}).get("status") != 409:
                raise
            existing = self.get_order_change_subscription()
            if existing is None:
                raise
            return existing
        return _subscription(answer.get("payload"))

    def get_order_change_subscription(self):
        """The seller's ORDER_CHANGE subscription (getSubscription), or None when there is none.

        :return: :class:`~.models.Subscription` or None
        """
        try:
            body = self._call(
                "getSubscription",
                _Notifications,
                "read_subscription",
                const.NOTIFICATION_TYPE_ORDER_CHANGE,
            )
        except NotFoundError:
            return None
        return _subscription(body.get("payload"))

    def delete_order_change_subscription(self, subscription_id):
        """Delete an ORDER_CHANGE subscription (grantless deleteSubscriptionById).

        An already deleted subscription is not an error.

        :return: None
        """
        try:
            self._call(
                "deleteSubscriptionById",
                _Notifications,
                "unsubscribe",
                const.NOTIFICATION_TYPE_ORDER_CHANGE,
                subscription_id,
            )
        except NotFoundError:
            return

    # ------------------------------------------------------------------ reports

    def create_report(self, report_type, marketplace_ids, start, end):
        """Ask Amazon to generate a report over ``[start, end]``.

        :param report_type: e.g. :data:`~.const.REPORT_TYPE_RETURNS`.
        :param marketplace_ids: marketplace id or list of ids.
        :param start: datetime (naive = UTC) or ISO string.
        :param end: same.
        :return: Amazon's report id (str).
        :raise InvalidRequestError: window longer than Amazon allows (60 days for returns) or
            rejected by Amazon.
        :raise AuthError, ThrottledError, TransientError: see above.
        """
        ids = self._marketplace_ids(marketplace_ids)
        if (
            report_type == const.REPORT_TYPE_RETURNS
            and not isinstance(start, str)
            and not isinstance(end, str)
            and end - start > timedelta(days=const.MAX_DAYS_PER_RETURNS_REPORT)
        ):
            raise InvalidRequestError(
                f"A returns report covers at most {const.MAX_DAYS_PER_RETURNS_REPORT} days; "
                "split the period.",
                code="report_period_too_long",
            )
        body = self._call(
            "createReport",
            Reports,
            "create_report",
            marketplace_id=ids[0],
            reportType=report_type,
            marketplaceIds=ids,
            dataStartTime=utc_iso(start),
            dataEndTime=utc_iso(end),
        )
        return str(body.get("reportId"))

    def get_report(self, report_id):
        """Processing status of a report.

        :param report_id: id returned by :meth:`create_report`.
        :return: :class:`~.models.ReportStatus`.
        :raise NotFoundError: unknown report.
        :raise AuthError, ThrottledError, TransientError: see above.
        """
        body = self._call("getReport", _Reports, "get_report_only", report_id)
        return ReportStatus(
            report_id=str(body.get("reportId") or report_id),
            report_type=body.get("reportType") or "",
            processing_status=body.get("processingStatus") or "",
            document_id=body.get("reportDocumentId"),
        )

    def get_report_document(self, document_id):
        """Download a report document as text (decompressed, decoded).

        :param document_id: ``document_id`` of a DONE report.
        :return: str (e.g. tab-separated rows for flat-file reports).
        :raise NotFoundError: unknown document.
        :raise TransientError: download failed.
        :raise AuthError, ThrottledError: see above.
        """
        info = self._call(
            "getReportDocument", Reports, "get_report_document", document_id, download=False
        )
        return self._document_text(info, "getReportDocument")


# ---------------------------------------------------------------------- document helpers


def _document_http_client(timeout):
    """The HTTP client of document downloads: redirects are never followed implicitly."""
    return httpx.Client(timeout=timeout, follow_redirects=False)


def bounded_gunzip(content, limit, operation="document"):
    """Decompress GZIP (or zlib) ``content``, refusing more than ``limit`` output bytes.

    Input is fed in small steps and each step's output is capped, so memory never holds more
    than ``limit`` plus one step, whatever the compression ratio.

    :param content: compressed bytes (several concatenated GZIP members are read in turn).
    :param limit: largest decompressed size accepted, in bytes.
    :param operation: operation name for messages.
    :return: the decompressed bytes.
    :raise UnsafeDocumentError: the output would pass ``limit`` (code ``document_too_large``).
    :raise TransientError: the data is not valid GZIP.
    """
    output = bytearray()
    data = bytes(content)
    try:
        while data.strip(b"\0"):
            decompressor = zlib.decompressobj(47)  # 32 + 15: gzip or zlib header, any window
            position = 0
            while not decompressor.eof:
                piece = decompressor.unconsumed_tail
                if not piece:
                    piece = data[position : position + _DECOMPRESS_STEP]
                    position += len(piece)
                    if not piece:
                        raise zlib.error("truncated data")
                output += decompressor.decompress(piece, _DECOMPRESS_STEP)
                if len(output) > limit:
                    raise _too_large(operation, limit, "decompressed")
            data = decompressor.unused_data + data[position:]
    except zlib.error:
        raise TransientError(
            f"The downloaded {operation} document is not valid GZIP; retry later.",
            code="malformed_document",
        ) from None
    return bytes(output)


def _too_large(operation, limit, what):
    """The error of a document over the size limit (``what``: download or decompressed)."""
    return UnsafeDocumentError(
        f"The {operation} document was refused: its {what} size is over the limit of "
        f"{limit:,} bytes (a corrupt or malicious document); nothing of it was read.",
        code="document_too_large",
        details={"limit": limit},
    )


def _url_for_message(url):
    """``scheme://host/path`` of a URL, without its query (pre-signed URLs carry signatures)."""
    try:
        parts = urlsplit(url or "")
    except ValueError:
        return "(invalid URL)"
    return f"{parts.scheme}://{parts.netloc}{parts.path}"[:200]


# ---------------------------------------------------------------------- parsing helpers


def _error_text(error):
    """``code: message (details)`` of one Amazon ``Error`` object."""
    text = f"{error.get('code')}: {error.get('message')}"
    return f"{text} ({error['details']})" if error.get("details") else text


def _destination(row):
    """Destination from an official ``Destination`` dict."""
    if not isinstance(row, dict) or not row.get("destinationId"):
        raise TransientError(
            "Amazon returned no destination; retry later.", code="malformed_response"
        )
    sqs = ((row.get("resource") or {}).get("sqs") or {}).get("arn")
    return Destination(str(row["destinationId"]), str(row.get("name") or ""), sqs)


def _subscription(row):
    """Subscription from an official ``Subscription`` dict."""
    if not isinstance(row, dict) or not row.get("subscriptionId"):
        raise TransientError(
            "Amazon returned no subscription; retry later.", code="malformed_response"
        )
    return Subscription(
        subscription_id=str(row["subscriptionId"]),
        destination_id=str(row.get("destinationId") or ""),
        payload_version=str(row.get("payloadVersion") or ""),
        processing_directive=row.get("processingDirective"),
    )


def _participation(row):
    """Participation from one getMarketplaceParticipations row."""
    marketplace = row.get("marketplace") or {}
    participation = row.get("participation") or {}
    return Participation(
        marketplace_id=marketplace.get("id") or "",
        country_code=marketplace.get("countryCode") or "",
        name=marketplace.get("name") or "",
        currency=marketplace.get("defaultCurrencyCode") or "",
        is_participating=bool(participation.get("isParticipating")),
        has_suspended_listings=bool(participation.get("hasSuspendedListings")),
    )


def _for_marketplace(rows, marketplace_id):
    """Rows of ``rows`` whose marketplaceId (any spelling) is ``marketplace_id`` or absent."""
    return [
        row
        for row in rows or ()
        if isinstance(row, dict)
        and (row.get("marketplaceId") or row.get("marketplace_id") or marketplace_id)
        == marketplace_id
    ]


def _listing(item, marketplace_id, sku=None):
    """Listing from a listings ``Item`` dict."""
    summaries = _for_marketplace(item.get("summaries"), marketplace_id)
    summary = summaries[0] if summaries else {}
    price, currency = _listing_price(item, marketplace_id)
    return Listing(
        sku=item.get("sku") or sku,
        asin=summary.get("asin"),
        item_name=summary.get("itemName"),
        status=tuple(summary.get("status") or ()),
        product_type=summary.get("productType"),
        quantity=_listing_quantity(item),
        price=price,
        currency=currency,
        issues=tuple(item.get("issues") or ()),
    )


def _catalog_item(item, marketplace_id):
    """CatalogItem from one 2022-04-01 ``Item`` (data of ``marketplace_id`` preferred)."""
    summaries = _for_marketplace(item.get("summaries"), marketplace_id)
    summary = summaries[0] if summaries else {}
    image_url = None
    for group in _for_marketplace(item.get("images"), marketplace_id):
        images = [i for i in group.get("images") or () if isinstance(i, dict) and i.get("link")]
        main = [i for i in images if i.get("variant") == "MAIN"] or images
        if main:
            image_url = main[0]["link"]
            break
    product_types = _for_marketplace(item.get("productTypes"), marketplace_id)
    identifiers = []
    for group in _for_marketplace(item.get("identifiers"), marketplace_id):
        for row in group.get("identifiers") or ():
            if isinstance(row, dict) and row.get("identifier"):
                identifiers.append((row.get("identifierType") or "", row["identifier"]))
    return CatalogItem(
        asin=item["asin"],
        title=summary.get("itemName"),
        brand=summary.get("brand") or summary.get("brandName"),
        image_url=image_url,
        product_type=product_types[0].get("productType") if product_types else None,
        identifiers=tuple(identifiers),
    )


def _listing_quantity(item):
    """DEFAULT-channel quantity from fulfillmentAvailability or the attribute."""
    for row in item.get("fulfillmentAvailability") or ():
        if row.get("fulfillmentChannelCode") == "DEFAULT" and row.get("quantity") is not None:
            return int(row["quantity"])
    for row in (item.get("attributes") or {}).get("fulfillment_availability") or ():
        if row.get("fulfillment_channel_code") == "DEFAULT" and row.get("quantity") is not None:
            return int(row["quantity"])
    return None


def _listing_price(item, marketplace_id):
    """(price, currency) from the B2C offer, else from the purchasable_offer attribute."""
    for offer in _for_marketplace(item.get("offers"), marketplace_id):
        money = offer.get("price") or {}
        if offer.get("offerType", "B2C") == "B2C" and money.get("amount") is not None:
            return float(money["amount"]), money.get("currencyCode")
    attributes = item.get("attributes") or {}
    for offer in _for_marketplace(attributes.get("purchasable_offer"), marketplace_id):
        for our_price in offer.get("our_price") or ():
            for schedule in our_price.get("schedule") or ():
                if schedule.get("value_with_tax") is not None:
                    return float(schedule["value_with_tax"]), offer.get("currency")
    return None, None
