"""One exception type per meaning, built from whatever shape the server answered in.

Telnyx answers errors in three body shapes (FastAPI ``detail[]``, gateway ``errors[]`` and,
from proxied providers, OpenAI's ``error``), and a stream can end in an error event. All of
them become one of the classes below (:mod:`.error_bodies` reads them), with a message that
names the field and the problem::

    try:
        client.chat(body)
    except RateLimitError as err:
        time.sleep(err.retry_after or 1)
    except RequestValidationError as err:
        print(err.fields)          # {"messages.2.content": "Field required"}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from telnyx_inference._constants import API_KEY_ENV

__all__ = [
    "APIStatusError",
    "AuthenticationError",
    "BadRequestError",
    "BucketJobError",
    "BucketJobNotFoundError",
    "BucketJobTimeoutError",
    "BucketNotEmbeddedError",
    "BucketNotFoundError",
    "ContextWindowExceededError",
    "InsecureTransportError",
    "InvalidParameterError",
    "InvalidParameterTypeError",
    "MissingAPIKeyError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "RequestValidationError",
    "ServerError",
    "StreamError",
    "StreamInterruptedError",
    "TelnyxConnectionError",
    "TelnyxError",
    "TelnyxTimeoutError",
    "TelnyxWarning",
    "UnexpectedResponseError",
]


class TelnyxWarning(UserWarning):
    """Something was changed or dropped so that Telnyx would accept the request."""


class TelnyxError(Exception):
    """Base of every error this package raises on purpose."""


# --- Raised before anything is sent ---------------------------------------------------------


class InvalidParameterError(TelnyxError, ValueError):
    """A parameter broke a rule; ``param`` names it."""

    def __init__(self, param: str, rule: str) -> None:
        self.param = param
        self.rule = rule
        super().__init__(f"{param}: {rule}")


class InvalidParameterTypeError(InvalidParameterError, TypeError):
    """A parameter had the wrong type; ``param`` names it.

    Both a ``TypeError`` and an :class:`InvalidParameterError` (so a ``ValueError``), so one
    ``except`` catches every refused value, whatever was wrong with it.
    """


class MissingAPIKeyError(TelnyxError, ValueError):
    """A request was about to be sent with no API key."""

    def __init__(self) -> None:
        super().__init__(
            f"No Telnyx API key: pass api_key=... or set the {API_KEY_ENV} environment variable."
        )


class InsecureTransportError(InvalidParameterError):
    """The key would travel in clear text to a host that is not this machine."""

    def __init__(self, url: str, param: str = "base_url") -> None:
        super().__init__(
            param,
            f"{url!r} uses plain http:// to a non-loopback host, which would send the API key "
            "unencrypted; use https:// or pass allow_insecure_http=True.",
        )


# --- Raised for an answer from the server -----------------------------------------------------


class APIStatusError(TelnyxError):
    """The server answered with an error. ``status`` is ``None`` for a mid-stream error event."""

    status: int | None
    code: str | None
    body: Any
    request_id: str | None

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        body: Any = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.body = body
        self.request_id = request_id

    @property
    def is_retryable(self) -> bool:
        return False


class BadRequestError(APIStatusError):
    """400: the request was well formed but the server refused it."""


class ContextWindowExceededError(BadRequestError):
    """The prompt and requested completion do not fit the model's context window."""


class AuthenticationError(APIStatusError):
    """401: the key is missing, wrong or revoked."""


class PermissionDeniedError(APIStatusError):
    """403: the key may not use this model or resource."""


class NotFoundError(APIStatusError):
    """404: unknown model, bucket or task."""


class RequestValidationError(APIStatusError):
    """422: the body broke the published schema. ``fields`` maps each field path to its problem."""

    fields: dict[str, str]

    def __init__(self, message: str, *, fields: Mapping[str, str] | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.fields = dict(fields or {})


class RateLimitError(APIStatusError):
    """429. ``retry_after`` is the seconds until the window resets, when the server said so."""

    retry_after: float | None

    def __init__(self, message: str, *, retry_after: float | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after

    @property
    def is_retryable(self) -> bool:
        return True


class ServerError(APIStatusError):
    """5xx: the server failed; retrying may help."""

    @property
    def is_retryable(self) -> bool:
        return True


class StreamError(APIStatusError):
    """The server sent an error event in the middle of a stream."""


class TelnyxTimeoutError(TelnyxError, TimeoutError):
    """No answer (or no next chunk) within the timeout."""


class TelnyxConnectionError(TelnyxError, ConnectionError):
    """The server could not be reached, or the connection failed before an answer."""


class StreamInterruptedError(TelnyxConnectionError):
    """A stream ended before it was complete; what arrived so far is in ``partial``."""

    def __init__(self, message: str, *, partial: Any = None) -> None:
        super().__init__(message)
        self.partial = partial


# --- Embeddings, buckets and embedding jobs ----------------------------------------------------


class UnexpectedResponseError(TelnyxError):
    """The server answered with success, but with a body this client cannot read."""

    def __init__(self, message: str, *, body: Any = None) -> None:
        super().__init__(message)
        self.body = body


class BucketNotFoundError(NotFoundError):
    """The bucket is unknown, or has no embeddings to search; ``bucket`` names it."""

    def __init__(self, bucket: str, message: str | None = None, **kw: Any) -> None:
        self.bucket = bucket
        kw.setdefault("status", 404)
        super().__init__(message or f"bucket {bucket!r} was not found", **kw)


class BucketNotEmbeddedError(TelnyxError, ValueError):
    """The bucket exists but none of its files has been embedded yet."""

    def __init__(self, bucket: str, message: str) -> None:
        self.bucket = bucket
        super().__init__(message)


class BucketJobNotFoundError(NotFoundError):
    """No embedding job has this id; ``task_id`` names it."""

    def __init__(self, task_id: str, message: str | None = None, **kw: Any) -> None:
        self.task_id = task_id
        kw.setdefault("status", 404)
        super().__init__(message or f"embedding job {task_id!r} was not found", **kw)


class BucketJobError(TelnyxError):
    """An embedding job ended in ``failure`` or ``partial_success``.

    ``failed_files`` maps each file that was not embedded to the reason Telnyx gave.
    """

    def __init__(
        self,
        *,
        task_id: str,
        bucket: str | None,
        status: str,
        failed_files: Mapping[str, str | None],
    ) -> None:
        self.task_id = task_id
        self.bucket = bucket
        self.status = status
        self.failed_files = dict(failed_files)
        where = f" for bucket {bucket!r}" if bucket else ""
        if self.failed_files:
            listed = ", ".join(
                f"{name} ({reason})" if reason else name
                for name, reason in self.failed_files.items()
            )
            detail = f"{len(self.failed_files)} file(s) failed: {listed}"
        else:
            detail = "Telnyx did not say which files failed"
        super().__init__(f"embedding job {task_id}{where} ended in {status}: {detail}")


class BucketJobTimeoutError(TelnyxTimeoutError):
    """Waiting for an embedding job gave up; the job itself keeps running on the server."""

    def __init__(self, *, task_id: str, bucket: str | None, status: str, waited: float) -> None:
        self.task_id = task_id
        self.bucket = bucket
        self.status = status
        self.waited = waited
        where = f" for bucket {bucket!r}" if bucket else ""
        super().__init__(
            f"embedding job {task_id}{where} is still running (status {status!r}) after "
            f"{waited:.1f}s; it continues on the server: wait again with its id {task_id!r}"
        )
