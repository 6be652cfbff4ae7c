"""Immutable description of one seller account, as the service layer needs it.

The Odoo side builds an :class:`AccountConfig` from its records and hands it over; the service
never reads the database, the environment or a configuration file, so two accounts in one process
cannot leak into each other.
"""

from dataclasses import dataclass, field

from .errors import InvalidRequestError

#: Official SP-API endpoint of each selling region.
SP_API_ENDPOINTS = {
    "na": "https://sellingpartnerapi-na.amazon.com",
    "eu": "https://sellingpartnerapi-eu.amazon.com",
    "fe": "https://sellingpartnerapi-fe.amazon.com",
}

#: Official Login with Amazon token endpoint (the same for every region).
LWA_TOKEN_ENDPOINT = "https://api.amazon.com/auth/o2/token"

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

    @property
    def endpoint(self):
        """SP-API base URL actually used (override or official regional endpoint)."""
        return (self.sp_api_endpoint or SP_API_ENDPOINTS[self.region]).rstrip("/")

    @property
    def token_endpoint(self):
        """LWA token URL actually used (override or the official one)."""
        return self.lwa_token_endpoint or LWA_TOKEN_ENDPOINT

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
