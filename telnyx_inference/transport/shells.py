"""The thin I/O shells: one sync, one async, on the official openai SDK's HTTP clients.

The SDK supplies the connection pool, the HTTP client (with the user's proxies, transports
and limits), the standard headers and authentication; a request is sent straight on that
client and its body read as plain JSON / SSE. (The SDK's typed path builds a pydantic object
per chunk, and even its raw ``post`` spends ~0.3 ms per request re-parsing URLs and copying
options.) The one retry loop is here, with the SDK's rules (see :mod:`.retry`).
The two classes differ only in ``await``; everything else lives in pure helpers. (On the
shared async clients built over aiohttp, an attempt skips the httpx layer and goes straight
onto the aiohttp session underneath: see :mod:`.aio_send`.)
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import json
import threading
import time
import weakref
from collections.abc import AsyncGenerator, AsyncIterator, Generator, Mapping
from typing import Any

import openai

from telnyx_inference._hints import key_hint
from telnyx_inference.errors import InvalidParameterError, UnexpectedResponseError
from telnyx_inference.settings import TelnyxSettings, join_url
from telnyx_inference.transport.aio import discard_sessions, new_async_http_client
from telnyx_inference.transport.aio_send import direct_route
from telnyx_inference.transport.retry import Attempts
from telnyx_inference.transport.sdk_http import SEND_ERRORS, translate_stream_errors
from telnyx_inference.transport.sse import SSEDecoder

__all__ = ["AsyncTransport", "SyncTransport", "shared_async_client", "shared_sync_client"]


def _client_key(settings: TelnyxSettings) -> tuple[Any, ...]:
    headers = tuple(sorted((settings.default_headers or {}).items()))
    return (
        settings.require_key(),
        settings.base_url,
        settings.timeout,
        settings.max_retries,
        headers,
        settings.async_transport,
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
        for client in (_async_clients.pop(old, None) or {}).values():
            discard_sessions(client)  # aiohttp would complain when the GC finds them open
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


@atexit.register
def _close_at_exit() -> None:
    """Close the clients of loops still alive at exit (a notebook kernel's, a loop left
    unclosed): run their closer on a stopped loop, else drop their sessions quietly."""
    for loop, per_loop in list(_async_clients.items()):
        clients, closer = list(per_loop.values()), _closers.get(loop)
        if not clients:
            continue
        if closer is not None and not loop.is_closed() and not loop.is_running():
            with contextlib.suppress(Exception):
                loop.run_until_complete(closer.aclose())  # type: ignore[attr-defined]
        for client in clients:
            discard_sessions(client)


def shared_sync_client(settings: TelnyxSettings) -> openai.OpenAI:
    """One client (and connection pool) per distinct settings, shared by every caller."""
    key = _client_key(settings)
    client = _sync_clients.get(key)
    if client is None:
        with _lock:
            client = _sync_clients.get(key)
            if client is None:
                client = _sync_clients[key] = openai.OpenAI(**_client_kwargs(settings))
    return client


def shared_async_client(settings: TelnyxSettings) -> openai.AsyncOpenAI:
    """Like :func:`shared_sync_client`, per event loop (pooled connections belong to one loop).

    They run on the SDK's aiohttp-backed client when it is installed (see :mod:`.aio`).
    The clients of a loop are closed when that loop shuts down (see :func:`_loop_clients`).
    """
    key = _client_key(settings)
    loop = asyncio.get_running_loop()
    per_loop = _async_clients.get(loop)
    if per_loop is None:
        per_loop = _loop_clients(loop)
    client = per_loop.get(key)
    if client is None:
        http_client = new_async_http_client(settings.async_transport)
        client = per_loop[key] = openai.AsyncOpenAI(
            **_client_kwargs(settings), http_client=http_client
        )
    return client


_base_headers: weakref.WeakKeyDictionary[Any, dict[str, str]] = weakref.WeakKeyDictionary()


def _headers_of(client: openai.OpenAI | openai.AsyncOpenAI) -> dict[str, str]:
    """The SDK client's headers and auth, computed once per client.

    The SDK's ``X-Stainless-*`` telemetry headers mean nothing to Telnyx and cost a header
    normalisation each per request, so they are left out; the user's headers are kept.
    """
    headers = _base_headers.get(client)
    if headers is None:
        merged = {**client.default_headers, **client.auth_headers}
        headers = {
            k: v
            for k, v in merged.items()
            if isinstance(v, str) and not k.lower().startswith("x-stainless")  # and no Omit
        }
        _base_headers[client] = headers
    return headers


_urls: dict[tuple[type, str], Any] = {}


def _parsed_url(http: Any, url: str) -> Any:
    """``url`` parsed once, as the HTTP client's own URL type (httpx or httpx2)."""
    key = (type(http.base_url), url)
    parsed = _urls.get(key)
    if parsed is None:
        try:
            parsed = type(http.base_url)(url)
        except Exception as exc:  # the HTTP library's InvalidURL (httpx or httpx2), ValueError
            raise InvalidParameterError(
                "base_url", f"the request URL {url!r} is not valid: {exc}"
            ) from exc
        if len(_urls) > 512:  # bounded: URLs come from a handful of base URLs and paths
            _urls.clear()
        _urls[key] = parsed
    return parsed


class _Request:
    """Everything about one request that does not change between attempts."""

    __slots__ = ("attempts", "content", "headers", "method", "url")

    def __init__(
        self,
        client: openai.OpenAI | openai.AsyncOpenAI,
        settings: TelnyxSettings,
        method: str,
        path: str,
        body: Any,
        timeout: float | None,
        headers: Mapping[str, str] | None,
        max_retries: int | None,
    ) -> None:
        self.method = method
        absolute = path.startswith(("http://", "https://"))
        self.url = path if absolute else join_url(str(client.base_url), path)
        base = _headers_of(client)
        self.headers = {**base, **headers} if headers else base
        self.content = (
            None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        )
        self.attempts = Attempts(
            max_retries=client.max_retries if max_retries is None else max_retries,
            timeout=client.timeout if timeout is None else timeout,
            total_timeout=settings.total_timeout,
            url=self.url,
            auth_hint=key_hint(client.api_key),
        )

    def build(self, http: Any) -> Any:
        return http.build_request(
            self.method,
            _parsed_url(http, self.url),
            content=self.content,
            headers=self.headers,
            timeout=self.attempts.next_timeout(),
        )


def _json(response: Any) -> Any:
    content = response.content
    if not content:
        return None
    try:
        return json.loads(content)
    except ValueError:
        raise UnexpectedResponseError(
            f"Telnyx answered {response.status_code} with a body that is not JSON: "
            f"{content[:200]!r}",
            body=content,
        ) from None


async def _send_async(http: Any, request: _Request, stream: bool) -> Any:
    """One attempt: through the HTTP client, or straight onto its aiohttp session."""
    route = direct_route(http, request.url, _parsed_url(http, request.url))
    if route is None:
        return await http.send(request.build(http), stream=stream)
    return await route.send(
        request.method,
        request.url,
        request.headers,
        request.content,
        request.attempts.next_timeout(),
        stream=stream,
    )


class SyncTransport:
    """Sends requests on a (shared or user-supplied) ``openai.OpenAI`` client's HTTP client."""

    def __init__(self, settings: TelnyxSettings, client: openai.OpenAI | None = None) -> None:
        self.settings = settings
        self._given = client

    @property
    def client(self) -> openai.OpenAI:
        return self._given or shared_sync_client(self.settings)

    def _open(self, method: str, path: str, body: Any, *, stream: bool, **send: Any) -> Any:
        """Send with retries; return the first successful (status < 400) response."""
        client = self.client
        request = _Request(client, self.settings, method, path, body, **send)
        http = client._client
        while True:
            try:
                response = http.send(request.build(http), stream=stream)
            except SEND_ERRORS as exc:
                time.sleep(request.attempts.after_failure(exc))
                continue
            if response.status_code < 400:
                return response
            try:
                with translate_stream_errors():
                    content = response.read()
            finally:
                response.close()
            time.sleep(
                request.attempts.after_status(response.status_code, response.headers, content)
            )

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
        response = self._open(
            method,
            path,
            body,
            stream=False,
            timeout=timeout,
            headers=headers,
            max_retries=max_retries,
        )
        return _json(response)

    def stream(
        self,
        path: str,
        body: Any,
        *,
        timeout: float | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Generator[dict[str, Any], None, None]:
        """POST and yield the stream's chunk dicts until ``[DONE]`` or the end of the body."""
        decoder = SSEDecoder()
        response = self._open(
            "POST", path, body, stream=True, timeout=timeout, headers=headers, max_retries=None
        )
        try:
            with translate_stream_errors():
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

    async def _open(self, method: str, path: str, body: Any, *, stream: bool, **send: Any) -> Any:
        client = self.client
        request = _Request(client, self.settings, method, path, body, **send)
        http = client._client
        while True:
            try:
                response = await _send_async(http, request, stream)
            except SEND_ERRORS as exc:
                await asyncio.sleep(request.attempts.after_failure(exc))
                continue
            if response.status_code < 400:
                return response
            try:
                with translate_stream_errors():
                    content = await response.aread()
            finally:
                await response.aclose()
            await asyncio.sleep(
                request.attempts.after_status(response.status_code, response.headers, content)
            )

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
        response = await self._open(
            method,
            path,
            body,
            stream=False,
            timeout=timeout,
            headers=headers,
            max_retries=max_retries,
        )
        return _json(response)

    async def stream(
        self,
        path: str,
        body: Any,
        *,
        timeout: float | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> AsyncGenerator[dict[str, Any], None]:
        decoder = SSEDecoder()
        response = await self._open(
            "POST", path, body, stream=True, timeout=timeout, headers=headers, max_retries=None
        )
        try:
            with translate_stream_errors():
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
