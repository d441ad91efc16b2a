"""Every place this package reaches past the public surface of the openai SDK and the HTTP
client under it, named once.

Each function here reads or sets something the SDK (or httpx / httpx2, or the SDK's aiohttp
transport) does not document, so an upgrade may move it. Each has a test of its own in
``tests/core/test_sdk_private.py``, run on openai 2.x (httpx, ``httpx_aiohttp``) and 3.x
(httpx2, the SDK's vendored copy): when an upgrade moves one, that test names it. Nothing
else in the package touches a private name of these libraries.

- ``OpenAI._client`` / ``AsyncOpenAI._client``: the HTTP client under a user's own SDK client
  (the clients this package builds keep their own reference instead).
- ``httpx.Client._transport`` / ``._mounts``: the transports under an HTTP client, to find the
  aiohttp sessions to close when a loop has gone.
- ``httpx.Client._transport_for_url``: the transport (proxy mount) that would carry a URL.
- The aiohttp transport's ``client`` (the session, or a factory of it until first use),
  ``get_client()``, ``proxy`` and its module's ``map_aiohttp_exceptions``: sending straight on
  the session (see :mod:`.aio_send`).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any, NamedTuple

__all__ = [
    "AiohttpParts",
    "aiohttp_parts",
    "http_client_of",
    "session_of",
    "transport_for_url",
    "transports_of",
]

AIOHTTP_TRANSPORT = "AiohttpTransport"
"""The class name of the SDK's aiohttp transport (``httpx_aiohttp`` on openai 2.x, the SDK's
vendored copy on 3.x)."""


def http_client_of(sdk_client: Any) -> Any:
    """The httpx / httpx2 client a user's ``openai.OpenAI`` / ``AsyncOpenAI`` sends on."""
    return sdk_client._client


def transports_of(http: Any) -> list[Any]:
    """The transports under an HTTP client: its default one, then its mounts (proxies)."""
    mounts = getattr(http, "_mounts", None) or {}
    return [getattr(http, "_transport", None), *mounts.values()]


def transport_for_url(http: Any, url: Any) -> Any | None:
    """The transport the HTTP client would pick for ``url`` (its own parsed URL type); None
    when the client cannot say."""
    pick = getattr(http, "_transport_for_url", None)
    return None if pick is None else pick(url)


class AiohttpParts(NamedTuple):
    """What sending straight on the SDK's aiohttp transport needs from it."""

    map_errors: Callable[[], AbstractContextManager[None]]
    """Turns aiohttp's failures into the HTTP library's (the transport's own mapping)."""
    proxy: Any
    """The transport's proxy (``url``, ``auth``, ``headers``), or None."""


def aiohttp_parts(transport: Any) -> AiohttpParts | None:
    """The parts of the SDK's aiohttp transport, or None when ``transport`` is not one (or not
    shaped as expected: then requests go through the HTTP client as usual)."""
    if type(transport).__name__ != AIOHTTP_TRANSPORT:
        return None
    module = sys.modules.get(type(transport).__module__)
    map_errors = getattr(module, "map_aiohttp_exceptions", None)
    if map_errors is None or not all(
        hasattr(transport, name) for name in ("client", "proxy", "get_client")
    ):
        return None
    return AiohttpParts(map_errors, transport.proxy)


def session_of(transport: Any) -> Any:
    """The aiohttp session of the SDK's aiohttp transport, made the way the transport makes it
    on first use (``client`` holds a factory until then)."""
    import aiohttp

    if not isinstance(transport.client, aiohttp.ClientSession):
        transport.client = transport.get_client()
    return transport.client


def open_session_of(transport: Any) -> Any | None:
    """The transport's aiohttp session if one was made, without making one."""
    import aiohttp

    session = getattr(transport, "client", None)
    return session if isinstance(session, aiohttp.ClientSession) else None
