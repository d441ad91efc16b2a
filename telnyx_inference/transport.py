"""The thin I/O shells: one sync, one async, on the official openai SDK.

They use the SDK's low-level ``post`` / ``get`` / ``delete`` with the raw response, so auth,
retries with backoff, timeouts, proxies and connection pools are the SDK's, while the body is
read as plain JSON / SSE (the SDK's typed path builds a pydantic object per chunk).
The two classes differ only in ``await``; everything else lives in pure helpers.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
import weakref
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import openai

from telnyx_inference._http import RawResponse, translate_errors
from telnyx_inference.errors import TelnyxTimeoutError, ratelimit_reset_seconds
from telnyx_inference.settings import TelnyxSettings
from telnyx_inference.stream import SSEDecoder

__all__ = ["AsyncTransport", "SyncTransport", "shared_async_client", "shared_sync_client"]

_MAX_RESET_WAIT = 60.0
_INITIAL_DELAY = getattr(openai._constants, "INITIAL_RETRY_DELAY", 0.5)
_MAX_DELAY = getattr(openai._constants, "MAX_RETRY_DELAY", 8.0)
_MIN_ATTEMPT = 0.1
"""A retry is only worth starting with at least this much of the budget left after backoff."""


class _Budget:
    """The time left for all attempts of the current request (``total_timeout``)."""

    __slots__ = ("deadline", "retries_taken")

    def __init__(self, total: float) -> None:
        self.deadline = time.monotonic() + total
        self.retries_taken = 0

    def remaining(self) -> float:
        return self.deadline - time.monotonic()


_budget_var: ContextVar[_Budget | None] = ContextVar("telnyx_inference_budget", default=None)


def _shrink(timeout: Any, limit: float) -> Any:
    """``timeout`` (seconds, None or an httpx Timeout) cut down to at most ``limit`` seconds."""
    if timeout is None:
        return limit
    if isinstance(timeout, int | float):
        return min(float(timeout), limit)
    parts = {k: limit if v is None else min(v, limit) for k, v in timeout.as_dict().items()}
    return type(timeout)(**parts)


@contextmanager
def _budget(total: float | None) -> Iterator[None]:
    """Give the attempts made inside this block ``total`` seconds altogether."""
    token = _budget_var.set(None if total is None else _Budget(total))
    try:
        yield
    finally:
        _budget_var.reset(token)


class _TelnyxRetries:
    """Hooks on the SDK's retry loop (still the only retry layer).

    The backoff waits for Telnyx's rate-limit reset (the SDK reads only Retry-After), and all
    attempts of one request share the ``total_timeout`` budget: each attempt's timeout is cut
    to what is left, and no retry starts whose backoff would outlast the budget, so the last
    real error is what the caller sees.
    """

    timeout: Any

    def _build_request(self, options: Any, *, retries_taken: int = 0) -> Any:
        budget = _budget_var.get()
        if budget is not None:
            budget.retries_taken = retries_taken
            remaining = budget.remaining()
            if remaining <= 0:
                raise TelnyxTimeoutError(
                    f"gave up after {retries_taken} attempts: the request's total_timeout ran out"
                )
            current = (
                self.timeout if isinstance(options.timeout, openai.NotGiven) else options.timeout
            )
            options.timeout = _shrink(current, remaining)
        return super()._build_request(options, retries_taken=retries_taken)  # type: ignore[misc]

    def _should_retry(self, response: Any) -> bool:
        budget = _budget_var.get()
        if budget is not None:
            longest_backoff = min(_INITIAL_DELAY * 2.0**budget.retries_taken, _MAX_DELAY)
            wait = max(longest_backoff, ratelimit_reset_seconds(response.headers) or 0.0)
            if budget.remaining() <= wait + _MIN_ATTEMPT:
                return False
        return bool(super()._should_retry(response))  # type: ignore[misc]

    def _calculate_retry_timeout(
        self, remaining_retries: int, options: Any, response_headers: Any = None
    ) -> float:
        delay: float = super()._calculate_retry_timeout(  # type: ignore[misc]
            remaining_retries, options, response_headers
        )
        reset = ratelimit_reset_seconds(response_headers)
        if reset is not None:
            delay = max(delay, min(reset, _MAX_RESET_WAIT))
        budget = _budget_var.get()
        return delay if budget is None else max(0.0, min(delay, budget.remaining()))


class _OpenAI(_TelnyxRetries, openai.OpenAI):
    pass


class _AsyncOpenAI(_TelnyxRetries, openai.AsyncOpenAI):
    pass


def _client_key(settings: TelnyxSettings) -> tuple[Any, ...]:
    headers = tuple(sorted((settings.default_headers or {}).items()))
    return (
        settings.require_key(),
        settings.base_url,
        settings.timeout,
        settings.max_retries,
        headers,
    )


def _client_kwargs(settings: TelnyxSettings) -> dict[str, Any]:
    return {
        "api_key": settings.require_key(),
        "base_url": settings.base_url,
        "timeout": settings.timeout,
        "max_retries": settings.max_retries,
        "default_headers": dict(settings.default_headers or {}),
    }


_sync_clients: dict[tuple[Any, ...], openai.OpenAI] = {}
_async_clients: weakref.WeakKeyDictionary[
    asyncio.AbstractEventLoop, dict[tuple[Any, ...], openai.AsyncOpenAI]
] = weakref.WeakKeyDictionary()
_closers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, AsyncIterator[None]] = (
    weakref.WeakKeyDictionary()
)
_lock = threading.Lock()


def _loop_clients(loop: asyncio.AbstractEventLoop) -> dict[tuple[Any, ...], openai.AsyncOpenAI]:
    """A new table of shared clients for ``loop``, closed when the loop shuts down.

    Pooled sockets hold their loop, so a table entry would otherwise keep every finished loop
    and its keep-alive sockets for good (one more per ``asyncio.run``). asyncio's one shutdown
    hook is ``shutdown_asyncgens()`` (``asyncio.run`` and ``asyncio.Runner`` call it): a parked
    async generator registered with the loop is closed there and closes the clients while the
    loop still runs. Entries of loops closed without that hook are dropped here, for the GC.
    """
    for old in [known for known in _async_clients if known.is_closed()]:
        _async_clients.pop(old, None)
        _closers.pop(old, None)
    per_loop: dict[tuple[Any, ...], openai.AsyncOpenAI] = {}
    _async_clients[loop] = per_loop
    closer = _close_at_shutdown(per_loop)
    with contextlib.suppress(StopIteration):  # registers it with the loop and parks it
        closer.__anext__().send(None)  # type: ignore[attr-defined]
    _closers[loop] = closer
    return per_loop


async def _close_at_shutdown(
    per_loop: dict[tuple[Any, ...], openai.AsyncOpenAI],
) -> AsyncIterator[None]:
    try:
        yield
    finally:
        clients = list(per_loop.values())
        per_loop.clear()
        loop = asyncio.get_running_loop()
        if _async_clients.get(loop) is per_loop:
            _async_clients.pop(loop, None)
            _closers.pop(loop, None)
        for client in clients:
            with contextlib.suppress(Exception):  # best effort: the loop is going away
                await client.close()


def shared_sync_client(settings: TelnyxSettings) -> openai.OpenAI:
    """One client (and connection pool) per distinct settings, shared by every caller."""
    key = _client_key(settings)
    client = _sync_clients.get(key)
    if client is None:
        with _lock:
            client = _sync_clients.get(key)
            if client is None:
                client = _sync_clients[key] = _OpenAI(**_client_kwargs(settings))
    return client


def shared_async_client(settings: TelnyxSettings) -> openai.AsyncOpenAI:
    """Like :func:`shared_sync_client`, per event loop (pooled connections belong to one loop).

    The clients of a loop are closed when that loop shuts down (see :func:`_loop_clients`).
    """
    key = _client_key(settings)
    loop = asyncio.get_running_loop()
    per_loop = _async_clients.get(loop)
    if per_loop is None:
        per_loop = _loop_clients(loop)
    client = per_loop.get(key)
    if client is None:
        client = per_loop[key] = _AsyncOpenAI(**_client_kwargs(settings))
    return client


def _options(
    timeout: float | None, headers: Mapping[str, str] | None, max_retries: int | None = None
) -> dict[str, Any]:
    options: dict[str, Any] = {}
    if max_retries is not None:
        options["max_retries"] = max_retries
    if timeout is not None:
        options["timeout"] = timeout
    if headers:
        options["headers"] = dict(headers)
    return options


def _json(response: Any) -> Any:
    content = response.content
    return response.json() if content else None


class SyncTransport:
    """Sends requests with a (shared or user-supplied) ``openai.OpenAI`` client."""

    def __init__(self, settings: TelnyxSettings, client: openai.OpenAI | None = None) -> None:
        self.settings = settings
        self._given = client

    @property
    def client(self) -> openai.OpenAI:
        return self._given or shared_sync_client(self.settings)

    @property
    def _sdk(self) -> Any:  # the SDK's low-level overloads want a stream class we do not use
        return self.client

    def request(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        timeout: float | None = None,
        headers: Mapping[str, str] | None = None,
        max_retries: int | None = None,
    ) -> Any:
        """Send one request and return its parsed JSON body (``None`` when empty)."""
        options = _options(timeout, headers, max_retries)
        with translate_errors(), _budget(self.settings.total_timeout):
            if method == "GET":
                response = self._sdk.get(path, cast_to=RawResponse, options=options)
            elif method == "DELETE":
                response = self._sdk.delete(path, cast_to=RawResponse, body=body, options=options)
            else:
                response = self._sdk.post(path, cast_to=RawResponse, body=body, options=options)
        with translate_errors():
            return _json(response)

    def stream(
        self,
        path: str,
        body: Any,
        *,
        timeout: float | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Iterator[dict[str, Any]]:
        """POST and yield the stream's chunk dicts until ``[DONE]`` or the end of the body."""
        decoder = SSEDecoder()
        with translate_errors():
            with _budget(self.settings.total_timeout):
                response = self._sdk.post(
                    path,
                    cast_to=RawResponse,
                    body=body,
                    options=_options(timeout, headers),
                    stream=True,
                )
            try:
                for data in response.iter_bytes():
                    if decoder.done:
                        continue  # read to the end so the connection goes back to the pool
                    yield from decoder.feed(data)
                if not decoder.done:
                    yield from decoder.flush()
            finally:
                response.close()


class AsyncTransport:
    """The async twin of :class:`SyncTransport`."""

    def __init__(self, settings: TelnyxSettings, client: openai.AsyncOpenAI | None = None) -> None:
        self.settings = settings
        self._given = client

    @property
    def client(self) -> openai.AsyncOpenAI:
        return self._given or shared_async_client(self.settings)

    @property
    def _sdk(self) -> Any:
        return self.client

    async def request(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        timeout: float | None = None,
        headers: Mapping[str, str] | None = None,
        max_retries: int | None = None,
    ) -> Any:
        options = _options(timeout, headers, max_retries)
        with translate_errors(), _budget(self.settings.total_timeout):
            if method == "GET":
                response = await self._sdk.get(path, cast_to=RawResponse, options=options)
            elif method == "DELETE":
                response = await self._sdk.delete(
                    path, cast_to=RawResponse, body=body, options=options
                )
            else:
                response = await self._sdk.post(
                    path, cast_to=RawResponse, body=body, options=options
                )
        with translate_errors():
            return _json(response)

    async def stream(
        self,
        path: str,
        body: Any,
        *,
        timeout: float | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> AsyncIterator[dict[str, Any]]:
        decoder = SSEDecoder()
        with translate_errors():
            with _budget(self.settings.total_timeout):
                response = await self._sdk.post(
                    path,
                    cast_to=RawResponse,
                    body=body,
                    options=_options(timeout, headers),
                    stream=True,
                )
            try:
                async for data in response.aiter_bytes():
                    if decoder.done:
                        continue  # read to the end so the connection goes back to the pool
                    for chunk in decoder.feed(data):
                        yield chunk
                if not decoder.done:
                    for chunk in decoder.flush():
                        yield chunk
            finally:
                await response.aclose()
