"""Immutable description of one seller account, as the service layer needs it.

The Odoo side builds an :class:`AccountConfig` from its records and hands it over; the service
never reads the database, the environment or a configuration file, so two accounts in one process
cannot leak into each other.
"""

import ipaddress
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .errors import InvalidRequestError

#: Official SP-API endpoint of each selling region.
SP_API_ENDPOINTS = {
    "na": "https://sellingpartnerapi-na.amazon.com",
    "eu": "https://sellingpartnerapi-eu.amazon.com",
    "fe": "https://sellingpartnerapi-fe.amazon.com",
}

#: Official Login with Amazon token endpoint (the same for every region).
LWA_TOKEN_ENDPOINT = "https://api.amazon.com/auth/o2/token"

#: Hosts of the pre-signed feed/report document URLs in Amazon's answers: Amazon's S3 buckets
#: (e.g. ``tortuga-prod-eu.s3-eu-west-1.amazonaws.com``, ``tortuga-prod-na.s3-external-1
#: .amazonaws.com``), always HTTPS. A host matches when it is one of these or ends with ``.`` + one.
AMAZON_DOCUMENT_DOMAINS = ("amazonaws.com",)

#: Largest document (downloaded, and once decompressed) read by default: 200 MiB.
MAX_DOCUMENT_BYTES = 200 * 1024 * 1024

#: AWS region used to sign requests in each selling region (the library's ``Client.region``).
AWS_REGIONS = {"na": "us-east-1", "eu": "eu-west-1", "fe": "us-west-2"}


@dataclass(frozen=True)
class MarketplaceRef:
    """One Amazon marketplace the account sells on.

    :param api_ref: Amazon marketplace id (e.g. ``A1RKKUPIHCS9HS``).
    :param code: short country code (e.g. ``ES``), for messages.
    :param region: selling region ``na``/``eu``/``fe``.
    :param currency: ISO 4217 currency of prices in that marketplace.
    """

    api_ref: str
    code: str
    region: str
    currency: str


@dataclass(frozen=True)
class AccountConfig:
    """Credentials and endpoints of one seller account.

    ``sp_api_endpoint`` / ``lwa_token_endpoint`` override the official endpoints (the local
    sandbox); ``None`` means the official endpoint of ``region``. Secret fields are excluded from
    ``repr`` so that logging a config (or a traceback showing it) never prints them.

    ``document_hosts`` is the allow-list of host names (no port; a name also allows its
    subdomains) feed/report documents may be downloaded from or uploaded to: ``None`` means
    Amazon's S3 domains (:data:`AMAZON_DOCUMENT_DOMAINS`) with the official endpoint, or the
    host of ``sp_api_endpoint`` when it is overridden (the sandbox serves its documents itself).
    Plain HTTP is accepted only for a loopback host (the local sandbox). ``max_document_bytes``
    bounds a document's download and its decompressed size.
    """

    seller_id: str
    lwa_client_id: str
    lwa_client_secret: str = field(repr=False)
    refresh_token: str = field(repr=False)
    region: str
    marketplaces: tuple
    sp_api_endpoint: str | None = None
    lwa_token_endpoint: str | None = None
    timeout: float = 20.0
    document_hosts: tuple | None = None
    max_document_bytes: int = MAX_DOCUMENT_BYTES

    def __post_init__(self):
        if self.region not in SP_API_ENDPOINTS:
            raise InvalidRequestError(
                f"Unknown Amazon region {self.region!r}: use one of "
                f"{', '.join(sorted(SP_API_ENDPOINTS))}.",
                code="invalid_region",
            )
        object.__setattr__(self, "marketplaces", tuple(self.marketplaces))
        for marketplace in self.marketplaces:
            if marketplace.region != self.region:
                raise InvalidRequestError(
                    f"Marketplace {marketplace.code} ({marketplace.api_ref}) belongs to region "
                    f"{marketplace.region!r}, not to the account's region {self.region!r}: "
                    "an SP-API account only reaches the marketplaces of its own region.",
                    code="marketplace_region_mismatch",
                )
        if not self.timeout or self.timeout <= 0:
            raise InvalidRequestError(
                "The SP-API timeout must be a positive number of seconds.", code="invalid_timeout"
            )
        if self.document_hosts is not None:
            hosts = self.document_hosts
            if isinstance(hosts, str):
                hosts = (hosts,)
            object.__setattr__(
                self, "document_hosts", tuple(host.strip().lower() for host in hosts if host)
            )
        if not self.max_document_bytes or self.max_document_bytes <= 0:
            raise InvalidRequestError(
                "The maximum document size must be a positive number of bytes.",
                code="invalid_max_document_bytes",
            )

    @property
    def endpoint(self):
        """SP-API base URL actually used (override or official regional endpoint)."""
        return (self.sp_api_endpoint or SP_API_ENDPOINTS[self.region]).rstrip("/")

    @property
    def token_endpoint(self):
        """LWA token URL actually used (override or the official one)."""
        return self.lwa_token_endpoint or LWA_TOKEN_ENDPOINT

    @property
    def allowed_document_hosts(self):
        """Hosts (or, for Amazon, domains) feed/report documents may come from or go to."""
        if self.document_hosts is not None:
            return self.document_hosts
        if self.sp_api_endpoint:
            host = urlsplit(self.endpoint).hostname
            return (host.lower(),) if host else ()
        return AMAZON_DOCUMENT_DOMAINS

    def document_url_allowed(self, url):
        """Whether ``url`` is a document URL this account may fetch or upload to.

        :param url: absolute URL from Amazon's answer (or a redirect's ``Location``).
        :return: ``(True, "")``, or ``(False, reason)`` with a reason fit for a message.
        """
        try:
            parts = urlsplit(url or "")
            host = (parts.hostname or "").lower()
        except ValueError:
            return False, "it is not a valid URL"
        if not host:
            return False, "it has no host"
        if not any(
            host == allowed or host.endswith("." + allowed)
            for allowed in (self.allowed_document_hosts)
        ):
            return False, (
                f"host {host} is not one of the document hosts of the account "
                f"({', '.join(self.allowed_document_hosts) or 'none'})"
            )
        if parts.scheme == "https":
            return True, ""
        if parts.scheme == "http" and _is_loopback(host):
            return True, ""
        return False, f"it uses {parts.scheme or 'no scheme'}, not HTTPS"

    @property
    def aws_region(self):
        """AWS region name of the selling region (kept for the library's ``Client.region``)."""
        return AWS_REGIONS[self.region]

    def marketplace(self, marketplace_id):
        """Return the :class:`MarketplaceRef` of ``marketplace_id``.

        :param marketplace_id: Amazon marketplace id.
        :return: the matching :class:`MarketplaceRef`.
        :raise InvalidRequestError: the account does not sell on that marketplace.
        """
        for marketplace in self.marketplaces:
            if marketplace.api_ref == marketplace_id:
                return marketplace
        raise InvalidRequestError(
            f"Marketplace {marketplace_id} is not configured on seller account {self.seller_id}.",
            code="unknown_marketplace",
        )


def _is_loopback(host):
    """``localhost``, ``127.0.0.0/8`` or ``::1``: the only hosts reached over plain HTTP."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
