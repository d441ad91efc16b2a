"""Which exception an error answer is: the three body shapes Telnyx answers errors in (FastAPI
``detail[]``, gateway ``errors[]``, OpenAI's ``error`` from proxied providers), a stream's
error event, and the rate-limit reset a 429 announces. The exceptions themselves are in
:mod:`telnyx_inference.errors`.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Mapping
from typing import Any

from telnyx_inference._constants import ERROR_CODE_MAX_TOKENS_WITH_TOOLS
from telnyx_inference.errors import (
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    ContextWindowExceededError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RequestValidationError,
    ServerError,
    StreamError,
)

__all__ = [
    "describe_error_body",
    "error_from_body",
    "error_from_stream_event",
    "ratelimit_reset_seconds",
]

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


def describe_error_body(body: Any) -> str:
    """One line for an error body of any known shape, its code first when it has one: for
    callers that see the body but not the HTTP status (Ray's HTTP stage)."""
    message, code, _ = _describe(body)
    return f"Telnyx API error (code {code}): {message}" if code else f"Telnyx API error: {message}"


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
