"""Sellers API v1: the participations a "test connection" call reads."""

from ..responses import json_response
from ..seed import MARKETPLACES, STORE_NAME


def get_marketplace_participations(request):
    """``GET /sellers/v1/marketplaceParticipations``: the four EU marketplaces."""
    payload = [
        {
            "marketplace": dict(marketplace),
            "storeName": STORE_NAME,
            "participation": {"isParticipating": True, "hasSuspendedListings": False},
        }
        for marketplace in MARKETPLACES.values()
    ]
    return json_response({"payload": payload})


ROUTES = [
    (
        "GET",
        r"/sellers/v1/marketplaceParticipations",
        "getMarketplaceParticipations",
        get_marketplace_participations,
        "sp",
    )
]
