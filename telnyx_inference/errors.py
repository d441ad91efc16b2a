"""One exception type per meaning, built from whatever shape the server answered in.

Telnyx answers errors in three body shapes (FastAPI ``detail[]``, gateway ``errors[]`` and,
from proxied providers, OpenAI's ``error``), and a stream can end in an error event. All of
them become one of the classes below, with a message that names the field and the problem::

    try:
        client.chat(body)
    except RateLimitError as err:
        time.sleep(err.retry_after or 1)
    except RequestValidationError as err:
        print(err.fields)          # {"messages.2.content": "Field required"}
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Mapping
from typing import Any

from telnyx_inference._constants import API_KEY_ENV, ERROR_CODE_MAX_TOKENS_WITH_TOOLS

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
    "error_from_body",
    "error_from_stream_event",
    "ratelimit_reset_seconds",
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


# --- Reading error bodies -----------------------------------------------------------------------

_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    422: RequestValidationError,
    429: RateLimitError,
}

_CONTEXT_HINTS = ("context length", "context window", "maximum context", "too many tokens")


def _field_path(loc: Any) -> str:
    parts = [str(p) for p in loc] if isinstance(loc, list | tuple) else [str(loc)]
    if parts and parts[0] == "body":
        parts = parts[1:]
    path = ""
    for part in parts:
        path += f"[{part}]" if part.isdigit() else (f".{part}" if path else part)
    return path or "body"


def _describe(body: Any) -> tuple[str, str | None, dict[str, str]]:
    """Return (message, code, fields) for any known error body shape."""
    if isinstance(body, Mapping):
        detail = body.get("detail")
        if isinstance(detail, list) and detail:
            fields: dict[str, str] = {}
            lines: list[str] = []
            code: str | None = None
            for item in detail:
                if not isinstance(item, Mapping):
                    lines.append(str(item))
                elif "loc" in item:
                    path = _field_path(item.get("loc"))
                    fields[path] = str(item.get("msg", "invalid"))
                    lines.append(f"{path}: {fields[path]}")
                else:  # bucket 404s carry Telnyx errors inside ``detail``
                    code = code or _str_or_none(item.get("code"))
                    lines.append(_telnyx_line(item))
            return "; ".join(lines), code, fields
        if isinstance(detail, str):
            return detail, None, {}
        errors = body.get("errors")
        if isinstance(errors, list) and errors:
            first = errors[0] if isinstance(errors[0], Mapping) else {}
            code = _str_or_none(first.get("code"))
            lines = [_telnyx_line(e) if isinstance(e, Mapping) else str(e) for e in errors]
            return "; ".join(lines), code, {}
        error = body.get("error")
        if isinstance(error, Mapping):
            message = str(error.get("message") or error.get("detail") or json.dumps(error))
            param = error.get("param")
            code = _str_or_none(error.get("code") or error.get("type"))
            return (f"{param}: {message}" if param else message), code, {}
        if isinstance(error, str):
            return error, None, {}
        if body.get("object") == "error" and "message" in body:  # flat vLLM shape
            return str(body["message"]), _str_or_none(body.get("code") or body.get("type")), {}
        if "message" in body:
            return str(body["message"]), _str_or_none(body.get("code")), {}
    if body in (None, "", b""):
        return "no details given", None, {}
    return str(body)[:500], None, {}


def _telnyx_line(err: Mapping[str, Any]) -> str:
    title = str(err.get("title") or "").strip()
    detail = str(err.get("detail") or "").strip()
    pointer = (
        err.get("source", {}).get("pointer") if isinstance(err.get("source"), Mapping) else None
    )
    if title and detail and not detail.lower().startswith(title.lower()):
        text = f"{title}: {detail}"
    else:  # the detail often repeats the title ("Authentication failed: the key …")
        text = detail or title
    return f"{pointer.lstrip('/')}: {text}" if pointer else text or "error"


def _str_or_none(value: Any) -> str | None:
    return None if value is None else str(value)


def ratelimit_reset_seconds(headers: Mapping[str, str] | None) -> float | None:
    """Seconds until Telnyx's rate-limit window resets (``x-ratelimit-reset``).

    Small values are durations; anything that looks like a Unix time is turned into one.
    """
    if not headers:
        return None
    raw = headers.get("retry-after") or headers.get("x-ratelimit-reset")
    if raw is None:
        return None
    try:
        value = float(raw)
    except ValueError:
        return None
    if not math.isfinite(value):
        return None
    if value > 1_000_000_000:
        value -= time.time()
    return max(0.0, value)


def error_from_body(
    status: int,
    body: Any,
    headers: Mapping[str, str] | None = None,
    *,
    request_id: str | None = None,
) -> APIStatusError:
    """Build the right exception for an HTTP error answer. ``body`` is parsed JSON or text."""
    if isinstance(body, bytes | str):
        try:
            body = json.loads(body)
        except ValueError:
            body = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    message, code, fields = _describe(body)
    cls = _BY_STATUS.get(status, ServerError if status >= 500 else APIStatusError)
    lowered = message.lower()
    if cls is BadRequestError and any(hint in lowered for hint in _CONTEXT_HINTS):
        cls = ContextWindowExceededError
    text = f"Telnyx API error {status}"
    if code:
        text += f" (code {code})"
    text += f": {message}"
    if code == ERROR_CODE_MAX_TOKENS_WITH_TOOLS:
        text += " — hosted models reject max_tokens together with function tools; drop max_tokens."
    kw: dict[str, Any] = {"status": status, "code": code, "body": body, "request_id": request_id}
    if cls is RequestValidationError:
        return RequestValidationError(text, fields=fields, **kw)
    if cls is RateLimitError:
        return RateLimitError(text, retry_after=ratelimit_reset_seconds(headers), **kw)
    return cls(text, **kw)


def error_from_stream_event(event: Mapping[str, Any]) -> StreamError | None:
    """Return the error carried by a stream chunk, or ``None`` for an ordinary chunk.

    Both the nested ``{"error": {...}}`` shape and vLLM's flat
    ``{"object": "error", "message": ...}`` shape count.
    """
    if "error" not in event and event.get("object") != "error":
        return None
    message, code, _ = _describe(event)
    status = event.get("error", {}).get("code") if isinstance(event.get("error"), Mapping) else None
    status = status if isinstance(status, int) else event.get("code")
    text = "Telnyx stream error"
    if code:
        text += f" (code {code})"
    return StreamError(
        f"{text}: {message}",
        status=status if isinstance(status, int) else None,
        code=code,
        body=dict(event),
    )
