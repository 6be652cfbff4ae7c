"""The HTTP vocabulary every sandbox API module shares: responses and Amazon-shaped errors.

Kept apart from :mod:`.server` (routing, auth, faults, the request log) so that the API modules
import these helpers without importing the server, which imports them.
"""

import json
from dataclasses import dataclass, field


class ApiError(Exception):
    """An SP-API error answered as ``{"errors": [{"code", "message", "details"}]}``."""

    def __init__(self, status: int, code: str, message: str, details: str = ""):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details


def bad_request(message: str, details: str = "") -> ApiError:
    """Amazon's usual 400: code ``InvalidInput``."""
    return ApiError(400, "InvalidInput", message, details)


def not_found(message: str, details: str = "") -> ApiError:
    """Amazon's usual 404: code ``NotFound``."""
    return ApiError(404, "NotFound", message, details)


@dataclass
class Response:
    """What a handler answers; ``body`` is already encoded."""

    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict = field(default_factory=dict)


def json_response(payload, status: int = 200, headers=None) -> Response:
    """Serialize ``payload`` as UTF-8 JSON."""
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    return Response(status, body, "application/json", dict(headers or {}))


def errors_response(status: int, code: str, message: str, details: str = "") -> Response:
    """The ``ErrorList`` body every SP-API model uses."""
    return json_response(
        {"errors": [{"code": code, "message": message, "details": details}]}, status
    )
