"""Sending straight on the aiohttp session under an SDK client this package built.

``openai.DefaultAioHttpClient`` is an httpx (2.x) / httpx2 (3.x) client whose transport hands
each request to an aiohttp ``ClientSession``. Going through it costs about 0.1 ms of CPU per
request on top of aiohttp itself — an httpx ``Request`` with its header normalisation, then an
httpx ``Response`` around aiohttp's — which at many requests in flight is a third of what a
whole call costs. For the clients :mod:`.aio` made (never a user's own: it may carry hooks,
auth or mounts of its own) the async transport therefore asks :func:`direct_route` for the
aiohttp transport that would carry a URL and sends on its session itself, with what that
transport would have done: the same proxy, the same timeouts, and aiohttp's failures raised as
the same httpx errors (the transport's own mapping), so retries and error messages do not
change. Anything unexpected about the transport means no direct route: the request then goes
through the httpx client as before.
"""

from __future__ import annotations

import weakref
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractContextManager
from typing import Any

from telnyx_inference.transport.sdk_private import (
    AiohttpParts,
    aiohttp_parts,
    session_of,
    transport_for_url,
)

__all__ = ["AioResponse", "DirectRoute", "adopt", "direct_route"]

_adopted: weakref.WeakSet[Any] = weakref.WeakSet()
_routes: weakref.WeakKeyDictionary[Any, dict[str, DirectRoute | None]] = weakref.WeakKeyDictionary()


def adopt(http: Any) -> None:
    """Mark ``http`` (an SDK aiohttp client made here) as one whose session may be used."""
    _adopted.add(http)


def direct_route(http: Any, url: str, parsed_url: Any) -> DirectRoute | None:
    """How to send ``url`` straight on aiohttp under ``http``; None to go through ``http``."""
    try:
        per_client = _routes[http]
    except KeyError:
        if http not in _adopted:
            return None
        per_client = _routes[http] = {}
    try:
        return per_client[url]
    except KeyError:
        pass
    route = DirectRoute.of(transport_for_url(http, parsed_url))  # httpx's own choice of mount
    if len(per_client) > 256:  # bounded: a handful of base URLs and paths in practice
        per_client.clear()
    per_client[url] = route
    return route


class DirectRoute:
    """One aiohttp transport's session, proxy and error mapping, used without its wrapper."""

    __slots__ = ("_proxy", "_transport", "map_errors")

    def __init__(self, transport: Any, parts: AiohttpParts) -> None:
        self._transport = transport
        self.map_errors = parts.map_errors
        proxy = parts.proxy
        self._proxy: dict[str, Any] = {}
        if proxy is not None:
            import aiohttp

            self._proxy = {
                "proxy": str(proxy.url),
                "proxy_auth": aiohttp.BasicAuth(*proxy.auth) if proxy.auth else None,
                "proxy_headers": proxy.headers,
            }

    @classmethod
    def of(cls, transport: Any) -> DirectRoute | None:
        """A route over ``transport`` when it is the SDK's aiohttp transport, else None."""
        parts = None if transport is None else aiohttp_parts(transport)
        return None if parts is None else cls(transport, parts)

    async def send(
        self,
        method: str,
        url: str,
        headers: dict[str, str],
        content: bytes | None,
        timeout: Any,
        *,
        stream: bool,
    ) -> AioResponse:
        """Send; a non-streamed answer is read whole here, so a failure reading it is a
        failed send (retried), as it is through httpx."""
        with self.map_errors():
            raw = await session_of(self._transport).request(
                method,
                url,
                headers=headers,
                data=content,
                timeout=_client_timeout(timeout),
                **self._proxy,
            )
            body = None if stream else await raw.read()
        return AioResponse(raw, self.map_errors, body)


class AioResponse:
    """The few parts of an httpx response the transport reads, over an aiohttp response."""

    __slots__ = ("_map_errors", "_raw", "content", "headers", "status_code")

    def __init__(
        self,
        raw: Any,
        map_errors: Callable[[], AbstractContextManager[None]],
        content: bytes | None,
    ) -> None:
        self._raw = raw
        self._map_errors = map_errors
        self.status_code: int = raw.status
        self.headers = raw.headers  # case-insensitive, like httpx's
        self.content = content

    async def aread(self) -> bytes:
        with self._map_errors():
            self.content = await self._raw.read()
        return self.content

    async def aiter_bytes(self) -> AsyncIterator[bytes]:
        with self._map_errors():
            async for data in self._raw.content.iter_any():
                yield data

    async def aclose(self) -> None:
        """Give the connection back to the pool (it is closed instead when the answer was not
        read to its end)."""
        with self._map_errors():
            self._raw.release()
            await self._raw.wait_for_close()


_timeouts: dict[tuple[Any, ...], Any] = {}


def _client_timeout(timeout: Any) -> Any:
    """``timeout`` (seconds, None, or the SDK's httpx Timeout) as aiohttp's, mapped the way the
    SDK's aiohttp transport maps it: connect → ``sock_connect``, read → ``sock_read``,
    pool → ``connect`` (aiohttp's wait for a pooled connection plus the connect)."""
    if timeout is None or isinstance(timeout, int | float):
        key: tuple[Any, ...] = (timeout, timeout, timeout)
    else:
        key = (timeout.connect, timeout.read, timeout.pool)
    found = _timeouts.get(key)
    if found is None:
        import aiohttp

        if len(_timeouts) > 64:  # bounded: total_timeout shrinks make new values
            _timeouts.clear()
        found = _timeouts[key] = aiohttp.ClientTimeout(
            sock_connect=key[0], sock_read=key[1], connect=key[2]
        )
    return found
