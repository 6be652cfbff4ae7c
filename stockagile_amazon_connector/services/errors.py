"""Exceptions raised by the SP-API service layer.

Every failure that leaves :mod:`.client` is one of these classes, so callers (Odoo models, queue
jobs, cron) decide what to do from the *class* alone:

* :class:`ThrottledError` and :class:`TransientError`: retry later (``retry_after`` when known);
* :class:`AuthError`: stop and ask a human to fix the account credentials;
* :class:`NotFoundError`: the object does not exist on Amazon;
* :class:`InvalidRequestError`: our data is wrong; retrying the same request cannot help
  (:class:`UnsafeDocumentError`: a document Amazon pointed us to was refused unread).

Messages are meant to be shown to users as they are. They never contain the LWA client secret,
the refresh token or an access token: the client only ever formats Amazon's codes and messages,
never the request it sent.
"""


class AmazonError(Exception):
    """Base class of every error of the service layer.

    :param message: human-actionable explanation.
    :param code: Amazon's error code (e.g. ``QuotaExceeded``, ``invalid_client``) or ours.
    :param retry_after: seconds to wait before retrying, or None when unknown / not retryable.
    :param details: extra machine-readable data (Amazon's error list, HTTP status, issues...).
    """

    def __init__(self, message, code=None, retry_after=None, details=None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.retry_after = retry_after
        self.details = details if details is not None else {}

    def __str__(self):
        return self.message


class ThrottledError(AmazonError):
    """Amazon (HTTP 429) or our own rate limiter refused the call: retry after ``retry_after``."""


class TransientError(AmazonError):
    """Temporary failure (5xx, timeout, network, unreadable body, expired access token)."""


class AuthError(AmazonError):
    """Amazon refused our identity (LWA refused the credentials, 401, 403): a human must act."""


class NotFoundError(AmazonError):
    """The requested resource (listing, order, feed, document...) does not exist (HTTP 404)."""


class InvalidRequestError(AmazonError):
    """Amazon rejected the request content (400/409/413/415/422, INVALID submission).

    ``details["issues"]`` (when present) holds Amazon's issue list so the caller can show each
    message next to the record it concerns.
    """


class UnsafeDocumentError(InvalidRequestError):
    """A document (feed or report) was refused before or while reading it, and nothing was used.

    Raised for a document URL outside the hosts Amazon's answers use (or not HTTPS), a redirect to
    another host, a download or decompressed size above the account's limit (a "zip bomb"), and
    XML with a DOCTYPE or entities. ``code`` says which (``unsafe_document_url``,
    ``unsafe_redirect``, ``document_too_large``, ``unsafe_xml``); the message names what was
    refused. Retrying gets the same document: a human must look at it.
    """
