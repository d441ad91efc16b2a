"""The thin I/O shells: one sync, one async, on the official openai SDK.

They use the SDK's low-level ``post`` / ``get`` / ``delete`` with the raw response, so auth,
retries with backoff, timeouts, proxies and connection pools are the SDK's, while the body is
read as plain JSON / SSE (the SDK's typed path builds a pydantic object per chunk).
The two classes differ only in ``await``; everything else lives in pure helpers.
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any

import openai

from telnyx_inference._http import RawResponse, translate_errors
from telnyx_inference.errors import ratelimit_reset_seconds
from telnyx_inference.settings import TelnyxSettings
from telnyx_inference.stream import SSEDecoder

__all__ = ["AsyncTransport", "SyncTransport", "shared_async_client", "shared_sync_client"]

_MAX_RESET_WAIT = 60.0


class _TelnyxRetries:
    """Makes the SDK's backoff wait for Telnyx's rate-limit reset (it only reads Retry-After)."""

    def _calculate_retry_timeout(
        self, remaining_retries: int, options: Any, response_headers: Any = None
    ) -> float:
        delay: float = super()._calculate_retry_timeout(  # type: ignore[misc]
            remaining_retries, options, response_headers
        )
        reset = ratelimit_reset_seconds(response_headers)
        if reset is not None:
            delay = max(delay, min(reset, _MAX_RESET_WAIT))
        return delay


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
_lock = threading.Lock()


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
    """Like :func:`shared_sync_client`, per event loop (pooled connections belong to one loop)."""
    key = _client_key(settings)
    loop = asyncio.get_running_loop()
    per_loop = _async_clients.get(loop)
    if per_loop is None:
        per_loop = _async_clients[loop] = {}
    client = per_loop.get(key)
    if client is None:
        client = per_loop[key] = _AsyncOpenAI(**_client_kwargs(settings))
    return client


def _options(timeout: float | None, headers: Mapping[str, str] | None) -> dict[str, Any]:
    options: dict[str, Any] = {}
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
    ) -> Any:
        """Send one request and return its parsed JSON body (``None`` when empty)."""
        options = _options(timeout, headers)
        with translate_errors():
            if method == "GET":
                response = self._sdk.get(path, cast_to=RawResponse, options=options)
            elif method == "DELETE":
                response = self._sdk.delete(path, cast_to=RawResponse, body=body, options=options)
            else:
                response = self._sdk.post(path, cast_to=RawResponse, body=body, options=options)
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
            response = self._sdk.post(
                path,
                cast_to=RawResponse,
                body=body,
                options=_options(timeout, headers),
                stream=True,
            )
            try:
                for data in response.iter_bytes():
                    yield from decoder.feed(data)
                    if decoder.done:
                        return
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
    ) -> Any:
        options = _options(timeout, headers)
        with translate_errors():
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
            response = await self._sdk.post(
                path,
                cast_to=RawResponse,
                body=body,
                options=_options(timeout, headers),
                stream=True,
            )
            try:
                async for data in response.aiter_bytes():
                    for chunk in decoder.feed(data):
                        yield chunk
                    if decoder.done:
                        return
                for chunk in decoder.flush():
                    yield chunk
            finally:
                await response.aclose()
