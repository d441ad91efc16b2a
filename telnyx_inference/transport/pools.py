"""The shared SDK clients and their connection pools: one per distinct settings, shared by every
caller; the async ones per event loop (pooled connections belong to one loop), closed when that
loop shuts down.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import threading
import weakref
from collections.abc import AsyncIterator
from typing import Any

import openai

from telnyx_inference.settings import TelnyxSettings
from telnyx_inference.transport.aio import discard_sessions, new_async_http_client

__all__ = ["built_http_client", "shared_async_client", "shared_sync_client"]


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


_built: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()
"""The HTTP client under each SDK client built here (kept, not read back from the SDK)."""


def built_http_client(sdk_client: Any) -> Any | None:
    """The HTTP client this module built ``sdk_client`` on; None for a user's own client."""
    return _built.get(sdk_client)


def shared_sync_client(settings: TelnyxSettings) -> openai.OpenAI:
    """One client (and connection pool) per distinct settings, shared by every caller."""
    key = _client_key(settings)
    client = _sync_clients.get(key)
    if client is None:
        with _lock:
            client = _sync_clients.get(key)
            if client is None:
                http = openai.DefaultHttpxClient()
                client = openai.OpenAI(**_client_kwargs(settings), http_client=http)
                _built[client] = http
                _sync_clients[key] = client
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
        http = new_async_http_client(settings.async_transport) or openai.DefaultAsyncHttpxClient()
        client = per_loop[key] = openai.AsyncOpenAI(**_client_kwargs(settings), http_client=http)
        _built[client] = http
    return client
