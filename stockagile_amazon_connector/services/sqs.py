"""The Amazon SQS queue Amazon delivers notifications to: receive (long poll) and delete.

A thin wrapper over boto3 (imported here only) that returns :class:`~.models.SqsMessage` values
and raises this layer's typed errors, so the Odoo side never sees botocore exceptions:

* unreachable endpoint, timeouts, 5xx, throttling → :class:`~.errors.TransientError`
  (the consumer backs off and polling stays the safety net);
* refused credentials or permissions → :class:`~.errors.AuthError`;
* a queue that does not exist → :class:`~.errors.NotFoundError`;
* a bad queue URL or region → :class:`~.errors.InvalidRequestError`.

Messages never contain the AWS secret: only AWS's error code and message are shown.
"""

from dataclasses import dataclass, field
from urllib.parse import urlsplit

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError

from . import const
from ._library import scrub
from .errors import AuthError, InvalidRequestError, NotFoundError, TransientError
from .models import SqsMessage

_AUTH_CODES = {
    "InvalidClientTokenId",
    "SignatureDoesNotMatch",
    "AccessDenied",
    "AccessDeniedException",
    "UnrecognizedClientException",
    "InvalidAccessKeyId",
    "ExpiredToken",
}
_NOT_FOUND_CODES = {
    "AWS.SimpleQueueService.NonExistentQueue",
    "QueueDoesNotExist",
    "NonExistentQueue",
}


@dataclass(frozen=True)
class SqsConfig:
    """Where and as whom to read one account's notification queue.

    :param queue_url: the queue's URL (``https://sqs.<region>.amazonaws.com/<account>/<name>``).
    :param region: AWS region of the queue.
    :param access_key_id: AWS access key id (IAM user allowed ReceiveMessage/DeleteMessage).
    :param secret_access_key: its secret (excluded from ``repr``).
    :param endpoint_url: another SQS endpoint (moto's server in tests); None for AWS.
    :param timeout: seconds added to the long poll before a call counts as lost.
    """

    queue_url: str
    region: str
    access_key_id: str
    secret_access_key: str = field(repr=False)
    endpoint_url: str | None = None
    timeout: float = 10.0

    @property
    def queue_arn(self):
        """The queue's ARN (``arn:aws:sqs:<region>:<account>:<name>``), from its URL."""
        parts = [p for p in urlsplit(self.queue_url).path.split("/") if p]
        if len(parts) != 2:
            raise InvalidRequestError(
                "The SQS queue URL must look like https://sqs.<region>.amazonaws.com/"
                "<account id>/<queue name>.",
                code="invalid_queue_url",
            )
        return f"arn:aws:sqs:{self.region}:{parts[0]}:{parts[1]}"


class SqsConsumer:
    """Receive and delete messages of one queue. Never sleeps: the long poll is SQS's wait."""

    def __init__(self, config):
        self.config = config
        if not (config.queue_url and config.region and config.access_key_id):
            raise InvalidRequestError(
                "Fill in the SQS queue URL, the AWS region and the AWS access key of the account.",
                code="missing_sqs_settings",
            )
        if not config.secret_access_key:
            raise AuthError("The AWS secret access key of the account is empty.", code="no_secret")
        self._client = boto3.session.Session().client(
            "sqs",
            region_name=config.region,
            endpoint_url=config.endpoint_url or None,
            aws_access_key_id=config.access_key_id,
            aws_secret_access_key=config.secret_access_key,
            config=Config(
                connect_timeout=config.timeout,
                read_timeout=config.timeout + const.SQS_MAX_WAIT_SECONDS,
                retries={"max_attempts": 1, "mode": "standard"},
            ),
        )

    def _error(self, exc, action):
        """One of our errors for a boto3/botocore failure of ``action``."""
        secrets = (self.config.secret_access_key,)
        if isinstance(exc, ClientError):
            error = exc.response.get("Error") or {}
            code = str(error.get("Code") or "")
            text = scrub(error.get("Message") or code, secrets)
            status = (exc.response.get("ResponseMetadata") or {}).get("HTTPStatusCode") or 0
            details = {"status": status, "code": code}
            if code in _AUTH_CODES or status in (401, 403):
                return AuthError(
                    f"AWS refused {action} on the SQS queue ({text}): check the access key, "
                    "its secret and the queue's permissions.",
                    code=code or "sqs_access_denied",
                    details=details,
                )
            if code in _NOT_FOUND_CODES:
                return NotFoundError(
                    f"The SQS queue {self.config.queue_url} does not exist ({text}).",
                    code=code,
                    details=details,
                )
            if status >= 500 or "Throttl" in code or status == 429:
                return TransientError(
                    f"SQS failed {action} ({text}); retry later.", code=code, details=details
                )
            return InvalidRequestError(
                f"SQS rejected {action}: {text}", code=code or "sqs_invalid", details=details
            )
        if isinstance(exc, EndpointConnectionError):
            return TransientError(
                f"Cannot reach SQS at {exc.kwargs.get('endpoint_url', 'its endpoint')}; "
                "retry later.",
                code="sqs_unreachable",
            )
        return TransientError(
            f"SQS {action} failed ({type(exc).__name__}); retry later.", code="sqs_failed"
        )

    def receive(self, wait_seconds=const.SQS_MAX_WAIT_SECONDS, max_messages=10):
        """Long-poll the queue once.

        :param wait_seconds: WaitTimeSeconds (0-20): SQS answers as soon as a message is there.
        :param max_messages: MaxNumberOfMessages (1-10).
        :return: list of :class:`~.models.SqsMessage` (empty when nothing arrived).
        :raise TransientError, AuthError, NotFoundError, InvalidRequestError: see the module.
        """
        try:
            answer = self._client.receive_message(
                QueueUrl=self.config.queue_url,
                WaitTimeSeconds=max(0, min(int(wait_seconds), const.SQS_MAX_WAIT_SECONDS)),
                MaxNumberOfMessages=max(1, min(int(max_messages), const.SQS_MAX_MESSAGES)),
                MessageSystemAttributeNames=["ApproximateReceiveCount"],
            )
        except (ClientError, BotoCoreError) as exc:
            raise self._error(exc, "ReceiveMessage") from None
        return [
            SqsMessage(
                message_id=str(message.get("MessageId") or ""),
                receipt_handle=str(message.get("ReceiptHandle") or ""),
                body=message.get("Body") or "",
                receive_count=int(
                    (message.get("Attributes") or {}).get("ApproximateReceiveCount") or 1
                ),
            )
            for message in answer.get("Messages") or ()
        ]

    def delete(self, receipt_handle):
        """Delete one received message (after it is safely stored).

        :param receipt_handle: from :attr:`~.models.SqsMessage.receipt_handle`.
        :return: None
        :raise TransientError, AuthError, NotFoundError, InvalidRequestError: see the module.
        """
        try:
            self._client.delete_message(
                QueueUrl=self.config.queue_url, ReceiptHandle=receipt_handle
            )
        except (ClientError, BotoCoreError) as exc:
            raise self._error(exc, "DeleteMessage") from None

    def close(self):
        """Close the HTTP connection pool.

        :return: None
        """
        self._client.close()
