"""Adapter around python-amazon-sp-api: everything that knows the library's internals.

Kept apart from :mod:`.client` so that the service methods read as business code while the
workarounds for the library's global state live (and are documented) in one place:

* **logging** - ``sp_api.base.client`` logs request headers (with the access token) at DEBUG and
  forces its own logger to INFO; we pin every ``sp_api`` logger to WARNING *and* attach a filter
  that drops lower records, so a later ``setLevel(DEBUG)`` elsewhere still prints nothing.
* **token cache** - the library caches access tokens in a module-global dict keyed by the refresh
  token only; :class:`LwaTokenClient` keys it by token host, client id and a hash of
  secret + refresh token, so a wrong secret is never hidden by a token cached with the right one.
* **credentials** - only the explicit credentials are used (no environment variable, AWS secret
  or config file fallback).
* **marketplace** - ``Client.__init__`` lets ``SP_API_DEFAULT_MARKETPLACE`` replace the marketplace
  it is given. We do not touch ``os.environ`` (process-global, racy between threads): the client
  classes built here re-assign ``endpoint``/``marketplace_id``/``region`` right after the library's
  ``__init__``, so the variable is ignored. (An *invalid* value still breaks ``import sp_api``
  itself: the library evaluates it in a default argument.)
* **silent errors** - for a 429 with an empty body or a 500 with an HTML body the library returns
  an empty ``ApiResponse`` instead of raising; :class:`RecordingTransport` keeps the raw httpx
  response so the service can judge every call from its real status code and body.
"""

import hashlib
import json
import logging

import httpx
from sp_api.auth import AccessTokenClient
from sp_api.auth import access_token_client as _token_module
from sp_api.base import fill_query_params, sp_endpoint
from sp_api.base._transport_httpx import HttpxTransport
from sp_api.base.credential_provider import FromCodeCredentialProvider

from .errors import AuthError, ThrottledError, TransientError


class _BelowWarningFilter(logging.Filter):
    """Drop DEBUG/INFO records of the library, whatever level someone sets later."""

    def filter(self, record):
        return record.levelno >= logging.WARNING


def silence_library_logging():
    """Pin every ``sp_api`` logger to WARNING and filter out anything below.

    :return: None
    """
    names = ["sp_api"] + [
        name for name in logging.Logger.manager.loggerDict if name.startswith("sp_api.")
    ]
    for name in names:
        logger = logging.getLogger(name)
        logger.setLevel(logging.WARNING)
        if not any(isinstance(f, _BelowWarningFilter) for f in logger.filters):
            logger.addFilter(_BelowWarningFilter())


silence_library_logging()

#: Credential providers used: the explicit dict only.
CREDENTIAL_PROVIDERS = (FromCodeCredentialProvider,)


def scrub(text, secrets):
    """Replace every secret occurring in ``text`` by ``***``.

    Amazon never echoes credentials, but an error text may come from a proxy or a sandbox; this
    is the last line of defence for the "messages never contain secrets" rule.

    :param text: message to clean.
    :param secrets: iterable of secret strings (empty ones ignored).
    :return: str
    """
    text = str(text)
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    return text


class LwaTokenClient(AccessTokenClient):
    """Access token client bound to one LWA endpoint, with errors mapped to ours.

    Subclassed per service (see :func:`lwa_client_class`) to set ``scheme``/``host``/``path`` and
    the ``timeout``: the library's class attributes point at api.amazon.com with no timeout.
    """

    timeout = 20.0
    token_url = "https://api.amazon.com/auth/o2/token"

    def __init__(self, refresh_token=None, credentials=None, proxies=None, verify=True):
        super().__init__(refresh_token, credentials, proxies, verify)
        self._transport.close()
        self._transport = HttpxTransport(proxies=proxies, verify=verify, timeout=self.timeout)

    def _secrets(self):
        return (self.cred.client_secret, self.cred.refresh_token)

    def _request(self, url, data, headers):
        """POST the token request; return the JSON answer or raise one of our errors."""
        try:
            response = self._transport.request("POST", url, data=data, headers=headers)
        except httpx.TimeoutException:
            raise TransientError(
                f"Login with Amazon ({self.host}) did not answer within {self.timeout:g} s; "
                "retry later.",
                code="lwa_timeout",
            ) from None
        except httpx.HTTPError as exc:
            raise TransientError(
                f"Cannot reach Login with Amazon at {self.host} ({type(exc).__name__}); "
                "check the network or the LWA token endpoint of the account.",
                code="lwa_unreachable",
            ) from None
        return self._parse(response)

    def _parse(self, response):
        """Map the LWA HTTP answer to a token dict or to an error."""
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code == 200 and isinstance(body, dict) and body.get("access_token"):
            return body
        status = response.status_code
        if status == 429:
            raise ThrottledError(
                "Login with Amazon throttled the token request; retry shortly.",
                code="lwa_throttled",
                retry_after=1.0,
            )
        if status >= 500 or not isinstance(body, dict) or status == 200:
            raise TransientError(
                f"Login with Amazon answered HTTP {status} without a usable token; retry later.",
                code="lwa_bad_response",
                details={"status": status},
            )
        raise self._refusal(status, body)

    def _refusal(self, status, body):
        """AuthError for a 4xx LWA refusal, with a message telling what to fix."""
        code = str(body.get("error") or "lwa_refused")
        description = scrub(body.get("error_description") or "", self._secrets())
        if code == "invalid_client":
            hint = "check the LWA client id and secret of the account."
            what = "the LWA credentials"
        elif code in ("invalid_grant", "unauthorized_client"):
            hint = (
                "authorise the application again in Seller Central and store the new "
                "refresh token."
            )
            what = "the refresh token"
        else:
            hint = "check the LWA client id, client secret and refresh token of the account."
            what = "the token request"
        message = f"Amazon refused {what} ({code}): {hint}"
        return AuthError(message, code=code, details={"status": status, "description": description})

    def _get_cache_key(self, token_flavor=""):
        """Cache key unique per token host, client id, secret, refresh token and flavour."""
        digest = hashlib.sha256(
            "\0".join(
                (self.cred.client_secret or "", self.cred.refresh_token or "", token_flavor)
            ).encode("utf-8")
        ).hexdigest()
        return f"stockagile:{self.host}{self.path}:{self.cred.client_id}:{digest}"

    def evict(self):
        """Forget the cached access token so the next call asks LWA for a fresh one.

        :return: None
        """
        _token_module.cache.pop(self._get_cache_key(), None)

    def close(self):
        """Close the HTTP connection pool.

        :return: None
        """
        self._transport.close()


def lwa_client_class(token_url, timeout):
    """Subclass of :class:`LwaTokenClient` aimed at ``token_url``.

    :param token_url: full LWA token URL (``https://api.amazon.com/auth/o2/token`` or a sandbox).
    :param timeout: seconds.
    :return: a class to pass as ``auth_token_client_class``.
    """
    parsed = httpx.URL(token_url)
    netloc = parsed.host + (f":{parsed.port}" if parsed.port else "")
    return type(
        "BoundLwaTokenClient",
        (LwaTokenClient,),
        {
            "scheme": f"{parsed.scheme}://",
            "host": netloc,
            "path": parsed.raw_path.decode("ascii") or "/",
            "timeout": float(timeout),
            "token_url": token_url,
        },
    )


class RecordingTransport(HttpxTransport):
    """The library's transport, remembering the last raw httpx response."""

    last_response = None

    def request(self, method, url, **kwargs):
        self.last_response = None
        response = super().request(method, url, **kwargs)
        self.last_response = response
        return response


class EndpointRef:
    """What ``sp_api.base.Client`` reads from a marketplace: endpoint, id and AWS region."""

    __slots__ = ("endpoint", "marketplace_id", "region")

    def __init__(self, endpoint, marketplace_id, region):
        self.endpoint = endpoint
        self.marketplace_id = marketplace_id
        self.region = region


class ServiceClientMixin:
    """Mixed before a library API class: pins the endpoint and records raw responses."""

    def __init__(self, marketplace, **kwargs):
        super().__init__(marketplace, **kwargs)
        # Undo SP_API_DEFAULT_MARKETPLACE: the library's __init__ may have replaced ours.
        self.endpoint = marketplace.endpoint
        self.marketplace_id = marketplace.marketplace_id
        self.region = marketplace.region
        self._transport.close()
        self._transport = RecordingTransport(timeout=self.timeout)

    @property
    def headers(self):
        """Library headers with a correct ``host`` (the library assumes ``https://``)."""
        headers = super().headers
        headers["host"] = httpx.URL(self.endpoint).netloc.decode("ascii")
        return headers

    @property
    def last_response(self):
        """Raw httpx response of the last request (None if it never got one)."""
        return self._transport.last_response

    def close(self):
        """Close both connection pools (SP-API and LWA).

        :return: None
        """
        self._auth.close()
        return super().close()


_CLASSES = {}


def service_client_class(api_class):
    """``api_class`` with :class:`ServiceClientMixin` mixed in (cached per class).

    :param api_class: a concrete versioned sp_api client class.
    :return: class
    """
    cls = _CLASSES.get(api_class)
    if cls is None:
        cls = _CLASSES[api_class] = type(
            f"Service{api_class.__name__}", (ServiceClientMixin, api_class), {}
        )
    return cls


class FeedEndpoints:
    """Extra endpoint methods the library lacks in the form we need (mixed into FeedsV20210630).

    The library's ``create_feed_document``/``create_feed`` leak ``path`` (and marketplace ids)
    into the body and its ``get_feed_document`` downloads the document with no timeout; these
    send exactly the official request and leave the download to the service.
    """

    @sp_endpoint("/feeds/2021-06-30/feeds", method="POST")
    def create_feed_only(self, feed_type, document_id, marketplace_ids, **kwargs):
        """createFeed with the official ``CreateFeedSpecification`` body only."""
        kwargs.pop("method", None)
        data = {
            "feedType": feed_type,
            "marketplaceIds": list(marketplace_ids),
            "inputFeedDocumentId": document_id,
            "method": "POST",
        }
        return self._request(kwargs.pop("path"), data=data, add_marketplace=False)

    @sp_endpoint("/feeds/2021-06-30/feeds", method="POST")
    def create_feed_with_options(
        self, feed_type, document_id, marketplace_ids, feed_options, **kwargs
    ):
        """createFeed with ``feedOptions`` (e.g. an invoice's metadata), the official body only."""
        kwargs.pop("method", None)
        data = {
            "feedType": feed_type,
            "marketplaceIds": list(marketplace_ids),
            "inputFeedDocumentId": document_id,
            "feedOptions": dict(feed_options),
            "method": "POST",
        }
        return self._request(kwargs.pop("path"), data=data, add_marketplace=False)

    @sp_endpoint("/feeds/2021-06-30/documents", method="POST")
    def create_feed_document_only(self, content_type, **kwargs):
        """createFeedDocument with the body ``{"contentType": content_type}`` only."""
        kwargs.pop("method", None)
        return self._request(
            kwargs.pop("path"),
            data={"contentType": content_type, "method": "POST"},
            add_marketplace=False,
        )

    @sp_endpoint("/feeds/2021-06-30/documents/{}", method="GET")
    def get_feed_document_info(self, feed_document_id, **kwargs):
        """getFeedDocument: the document's URL and compression, without downloading it."""
        return self._request(
            fill_query_params(kwargs.pop("path"), feed_document_id),
            params=kwargs,
            add_marketplace=False,
        )


class ReportEndpoints:
    """Mixed into ``Reports``: the library's ``get_report`` adds four marketplace query
    parameters that getReport does not define; this sends the official request only."""

    @sp_endpoint("/reports/2021-06-30/reports/{}", method="GET")
    def get_report_only(self, report_id, **kwargs):
        """getReport without extra query parameters."""
        return self._request(
            fill_query_params(kwargs.pop("path"), report_id),
            params=kwargs,
            add_marketplace=False,
        )


class NotificationEndpoints:
    """Mixed into ``Notifications``: the official requests, exactly.

    The library's ``create_subscription`` adds ``marketplaceIds`` to the body, formats an enum
    notification type as ``NotificationType.ORDER_CHANGE`` on Python >= 3.11 (we always pass the
    plain string) and its grantless calls send a ``host`` header cut from an ``https://``
    endpoint. Grantless operations (destinations, deleteSubscriptionById) use an LWA token of
    scope ``sellingpartnerapi::notifications`` (client credentials, no refresh token).
    """

    def _grantless(self, path, data=None, params=None):
        headers = {
            "host": httpx.URL(self.endpoint).netloc.decode("ascii"),
            "user-agent": self.user_agent,
            "x-amz-access-token": self.grantless_auth.access_token,
            "content-type": "application/json",
        }
        return self._request(path, data=data, params=params, headers=headers, add_marketplace=False)

    @sp_endpoint("/notifications/v1/destinations", method="POST")
    def create_sqs_destination(self, name, arn, **kwargs):
        """createDestination (grantless) for an SQS queue."""
        body = {"name": name, "resourceSpecification": {"sqs": {"arn": arn}}, "method": "POST"}
        return self._grantless(kwargs.pop("path"), data=body)

    @sp_endpoint("/notifications/v1/destinations", method="GET")
    def list_destinations(self, **kwargs):
        """getDestinations (grantless)."""
        return self._grantless(kwargs.pop("path"), params={"method": "GET"})

    @sp_endpoint("/notifications/v1/destinations/{}", method="DELETE")
    def remove_destination(self, destination_id, **kwargs):
        """deleteDestination (grantless)."""
        return self._grantless(
            fill_query_params(kwargs.pop("path"), destination_id), params={"method": "DELETE"}
        )

    @sp_endpoint("/notifications/v1/subscriptions/{}", method="POST")
    def subscribe(self, notification_type, body, **kwargs):
        """createSubscription with the official ``CreateSubscriptionRequest`` body only."""
        return self._request(
            fill_query_params(kwargs.pop("path"), notification_type),
            data=dict(body, method="POST"),
            add_marketplace=False,
        )

    @sp_endpoint("/notifications/v1/subscriptions/{}", method="GET")
    def read_subscription(self, notification_type, **kwargs):
        """getSubscription."""
        return self._request(
            fill_query_params(kwargs.pop("path"), notification_type),
            params={"method": "GET"},
            add_marketplace=False,
        )

    @sp_endpoint("/notifications/v1/subscriptions/{}/{}", method="DELETE")
    def unsubscribe(self, notification_type, subscription_id, **kwargs):
        """deleteSubscriptionById (grantless)."""
        return self._grantless(
            fill_query_params(kwargs.pop("path"), notification_type, subscription_id),
            params={"method": "DELETE"},
        )


def response_json(response):
    """Parse a raw httpx response body as JSON.

    :param response: httpx.Response
    :return: the parsed value, or None when the body is empty or not JSON.
    """
    if response is None or not response.content:
        return None
    try:
        return json.loads(response.content)
    except ValueError:
        return None
