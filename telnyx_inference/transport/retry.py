"""When to try a request again, and how long to wait: the one retry policy, without I/O.

The rules are the openai SDK's (retry 408, 409, 429 and 5xx, and failures to connect or
answer; exponential backoff from 0.5 s to 8 s with jitter; ``x-should-retry`` obeyed;
server-directed waits of up to a minute honoured) plus two of Telnyx's: the wait after a 429
follows ``x-ratelimit-reset``, and all attempts of one request share the ``total_timeout``
budget — each attempt's timeout is cut to what is left, and no retry starts whose wait would
outlast it, so the caller sees the last real error rather than a made-up one.

The transports send with the SDK's HTTP client directly and run this policy in their loop;
the SDK's own retry loop is not used, so attempts never multiply.
"""

from __future__ import annotations

import random
import time
from collections.abc import Mapping
from typing import Any, NoReturn

from telnyx_inference._hints import add_hint
from telnyx_inference.error_bodies import error_from_body, ratelimit_reset_seconds
from telnyx_inference.errors import TelnyxConnectionError, TelnyxTimeoutError
from telnyx_inference.transport.conn_errors import describe_target, failure_message
from telnyx_inference.transport.sdk_http import is_timeout

__all__ = ["Attempts", "backoff", "is_retryable_status", "reset_seconds"]

INITIAL_DELAY = 0.5
MAX_DELAY = 8.0
MAX_SERVER_WAIT = 60.0
MIN_ATTEMPT = 0.1
"""A retry is only worth starting with at least this much of the budget left after its wait."""


def is_retryable_status(status: int, headers: Mapping[str, str]) -> bool:
    verdict = headers.get("x-should-retry")
    if verdict in ("true", "false"):
        return verdict == "true"
    return status in (408, 409, 429) or status >= 500


def backoff(retries_taken: int, headers: Mapping[str, str] | None) -> float | None:
    """Seconds to wait before the next attempt; ``None`` when the server asks for too long."""
    server_wait = ratelimit_reset_seconds(headers)
    if server_wait is not None:
        return server_wait if server_wait <= MAX_SERVER_WAIT else None
    return min(INITIAL_DELAY * 2.0**retries_taken, MAX_DELAY) * (1 - 0.25 * random.random())


def reset_seconds(headers: Mapping[str, str] | None) -> float:
    """How long a 429 says the limit holds (its reset header), else the first backoff."""
    server_wait = ratelimit_reset_seconds(headers)
    return min(server_wait, MAX_SERVER_WAIT) if server_wait is not None else INITIAL_DELAY


def _shrink(timeout: Any, limit: float) -> Any:
    """``timeout`` (seconds, None or an httpx Timeout) cut down to at most ``limit`` seconds."""
    if timeout is None:
        return limit
    if isinstance(timeout, int | float):
        return min(float(timeout), limit)
    parts = {k: limit if v is None else min(v, limit) for k, v in timeout.as_dict().items()}
    return type(timeout)(**parts)


class Attempts:
    """The state of one request's attempts: ask it for each attempt's timeout, and after
    each failure whether (and after how long) to try again — it raises when not."""

    __slots__ = ("auth_hint", "deadline", "max_retries", "retries", "timeout", "url")

    def __init__(
        self,
        *,
        max_retries: int,
        timeout: Any,
        total_timeout: float | None,
        url: str | None = None,
        auth_hint: str | None = None,
    ) -> None:
        self.auth_hint = auth_hint
        """Added to a 401's message (a key that looks like another provider's)."""
        self.url = url
        """Its ``host:port`` is named in connection errors (never the path, query or key)."""
        self.max_retries = max_retries
        self.timeout = timeout
        self.deadline = None if total_timeout is None else time.monotonic() + total_timeout
        self.retries = 0

    def next_timeout(self) -> Any:
        if self.deadline is None:
            return self.timeout
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise TelnyxTimeoutError(
                f"gave up after {self.retries + 1} attempts: the request's total_timeout ran out"
            )
        return _shrink(self.timeout, remaining)

    def _wait(self, headers: Mapping[str, str] | None) -> float | None:
        if self.retries >= self.max_retries:
            return None
        wait = backoff(self.retries, headers)
        if wait is None:
            return None
        if self.deadline is not None and self.deadline - time.monotonic() < wait + MIN_ATTEMPT:
            return None
        self.retries += 1
        return wait

    def after_status(self, status: int, headers: Mapping[str, str], body: bytes) -> float:
        """The wait before retrying an error answer; raises its exception when not retrying."""
        if is_retryable_status(status, headers):
            wait = self._wait(headers)
            if wait is not None:
                return wait
        err = error_from_body(status, body, headers, request_id=headers.get("x-request-id"))
        raise add_hint(err, self.auth_hint) if status == 401 else err

    def after_failure(self, exc: BaseException) -> float:
        """The wait before retrying a failed send; raises the mapped exception when not."""
        wait = self._wait(None)
        if wait is not None:
            return wait
        self._raise(exc)

    def _raise(self, exc: BaseException) -> NoReturn:
        attempts = f"{self.retries + 1} attempt{'s' if self.retries else ''}"
        timed_out = is_timeout(exc)
        target = describe_target(self.url)
        message = failure_message(exc, attempts=attempts, target=target, timed_out=timed_out)
        if timed_out:
            raise TelnyxTimeoutError(message) from exc
        raise TelnyxConnectionError(message) from exc
