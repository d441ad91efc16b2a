"""Error bodies in each shape Telnyx's layers produce.

Telnyx's gateway answers ``{"errors": [{code, title, detail}]}``; the FastAPI service behind it
answers 422 as ``{"detail": [{type, loc, msg, input[, ctx]}]}``; bucket 404s are a ``detail``
list of Telnyx errors; and the vLLM engine speaks OpenAI's ``{"error": {...}}`` or its own
flat ``{"object": "error", ...}`` (seen mid-stream).
"""

from __future__ import annotations

import json
import math
import time
from typing import Any

from starlette.responses import Response

from telnyx_inference._constants import (
    ERROR_CODE_NOT_FOUND,
    ERROR_CODE_RATE_LIMITED,
    ERROR_CODE_UNAUTHORIZED,
    RATE_LIMIT_HEADERS,
)

# Titles the emulator gives each status when it has to invent an error.
_TITLES: dict[int, str] = {
    400: "Bad Request",
    401: "Authentication failed",
    403: "Forbidden",
    404: "Resource not found",
    408: "Request Timeout",
    409: "Conflict",
    422: "Unprocessable Entity",
    429: "Too many requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}
_CODES: dict[int, str] = {
    401: ERROR_CODE_UNAUTHORIZED,
    404: ERROR_CODE_NOT_FOUND,
    429: ERROR_CODE_RATE_LIMITED,
}
_OPENAI_TYPES: dict[int, str] = {
    400: "BadRequestError",
    401: "AuthenticationError",
    403: "PermissionDeniedError",
    404: "NotFoundError",
    422: "UnprocessableEntityError",
    429: "RateLimitError",
}

RATE_LIMIT = 100
"""The emulator's pretend requests-per-window figure for x-ratelimit-* headers."""


def title_for(status: int) -> str:
    return _TITLES.get(status, "Error")


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """A compact JSON response (no spaces, like the services it imitates)."""
    data = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
    return Response(data, status_code=status, media_type="application/json", headers=headers)


def telnyx_errors(
    status: int,
    detail: str,
    *,
    code: str | None = None,
    title: str | None = None,
    pointer: str | None = None,
) -> dict[str, Any]:
    err: dict[str, Any] = {
        "code": code or _CODES.get(status, str(status)),
        "title": title or title_for(status),
        "detail": detail,
    }
    if pointer:
        err["source"] = {"pointer": pointer}
    return {"errors": [err]}


def bucket_not_found(name: str) -> Response:
    body = {
        "detail": [
            {
                "code": ERROR_CODE_NOT_FOUND,
                "title": title_for(404),
                "detail": f"Bucket '{name}' not found or not embedded.",
            }
        ]
    }
    return json_response(body, 404)


def openai_error(status: int, message: str) -> dict[str, Any]:
    return {
        "error": {
            "message": message,
            "type": _OPENAI_TYPES.get(status, "InternalServerError" if status >= 500 else "Error"),
            "param": None,
            "code": status,
        }
    }


def vllm_flat_error(status: int, message: str) -> dict[str, Any]:
    return {
        "object": "error",
        "message": message,
        "type": _OPENAI_TYPES.get(status, "InternalServerError" if status >= 500 else "Error"),
        "param": None,
        "code": status,
    }


def fastapi_detail(status: int, message: str) -> dict[str, Any]:
    """FastAPI's shape for HTTP errors other than validation: a plain string detail."""
    return {"detail": message}


def rate_limit_headers(remaining: int = 0, reset_in: float = 1.0) -> dict[str, str]:
    """Telnyx's rate-limit headers; the window resets at the whole second ``reset_in`` seconds
    from now (a Unix time, as Telnyx sends it): 0 means it has already reset."""
    reset = int(time.time() + reset_in)
    limit, left, reset_at = RATE_LIMIT_HEADERS
    return {limit: str(RATE_LIMIT), left: str(remaining), reset_at: str(reset)}


def token_limit_response(detail: str, limit: int, remaining: int, reset: float) -> Response:
    """Telnyx's gateway 429 for a token limit: ``errors[]`` (code 10011) and ``x-ratelimit-*``
    for the counter that is full (``reset`` as a Unix time, as the other 429s here)."""
    names = RATE_LIMIT_HEADERS
    headers = {
        names[0]: str(limit),
        names[1]: str(remaining),
        names[2]: str(int(time.time() + math.ceil(reset))),
    }
    return json_response(telnyx_errors(429, detail), 429, headers)


def error_body(status: int, shape: str, message: str) -> dict[str, Any]:
    """The body of an injected error, in the named shape (telnyx, fastapi, openai, flat)."""
    if shape == "fastapi":
        if status == 422:
            return {
                "detail": [{"type": "value_error", "loc": ["body"], "msg": message, "input": None}]
            }
        return fastapi_detail(status, message)
    if shape == "openai":
        return openai_error(status, message)
    if shape == "flat":
        return vllm_flat_error(status, message)
    return telnyx_errors(status, message)
