"""The simulated APIs, one module per API, and the one route table the HTTP layer matches.

Each API module lists its operations in ``ROUTES``: ``(method, path regex, operation name, handler,
kind)``; a handler takes a ``server.Request`` and returns a ``responses.Response`` or raises
``responses.ApiError``. API modules import :mod:`amazon_sandbox.responses`, never the server, so
the server imports this package and nothing imports back. A new API is a module with ``ROUTES``
whose name is added to ``MODULES``.
"""

import importlib
import re
from dataclasses import dataclass

#: The API modules, in matching order (the first route whose path and verb match serves).
MODULES = (
    "lwa",
    "sellers",
    "listings",
    "catalog",
    "definitions",
    "feeds",
    "documents",
    "orders",
    "reports",
    "notifications",
    "control_api",
)


@dataclass(frozen=True)
class Route:
    """One operation: ``kind`` is ``sp`` (SP-API: faults, token check, rate limit), ``lwa``
    (token endpoint), ``doc`` (pre-signed document URLs) or ``control`` (``/_sandbox``)."""

    method: str
    pattern: re.Pattern
    operation: str
    handler: object
    kind: str


def route_table() -> list[Route]:
    """Every route of every module of ``MODULES``, in matching order."""
    return [
        Route(method, re.compile(f"^{pattern}$"), operation, handler, kind)
        for name in MODULES
        for method, pattern, operation, handler, kind in importlib.import_module(
            f"{__name__}.{name}"
        ).ROUTES
    ]
