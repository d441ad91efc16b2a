"""Shared HTTP connection pools, keyed by connection settings — never by API key.

A pool is an HTTP client this module builds (the SDK's ``DefaultHttpxClient``, or for async work
its aiohttp or httpx client, see :mod:`.aio`); every transport whose settings name the same
endpoint sends on the same pool, each with its own key in its own ``Authorization`` header. So
200 keys make one pool, and no key is kept here.

Each transport *leases* the pool it uses. ``close()`` hands the lease back and closes the pool
when no other holder is left; a transport collected without ``close()`` hands it back too, but
leaves the pool open for the next one to come (a client built per call keeps reusing
connections). At most :data:`IDLE_POOLS` pools without a holder stay open per table, the one
left longest closed first. Sync pools share one table; async pools belong to an event loop
(pooled connections do), one table per loop, all closed when that loop shuts down.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import threading
import weakref
from collections import OrderedDict, deque
from collections.abc import AsyncIterator, Callable, Hashable
from typing import Any

import openai

from telnyx_inference.settings import TelnyxSettings
from telnyx_inference.transport.aio import discard_sessions, new_async_http_client

__all__ = [
    "IDLE_POOLS",
    "Lease",
    "PoolTable",
    "lease_async",
    "lease_sync",
    "sdk_client_kwargs",
    "shared_http_clients",
]

IDLE_POOLS = 4
"""Pools kept open with no holder, per table (the one left longest is closed first)."""


class _Pool:
    __slots__ = ("holders", "http")

    def __init__(self, http: Any) -> None:
        self.http = http
        self.holders = 0


class PoolTable:
    """Pools by key, each counting its holders; pure bookkeeping (the caller closes what it is
    handed back, with ``close()`` or ``await aclose()``)."""

    def __init__(self, idle_limit: int = IDLE_POOLS) -> None:
        self.idle_limit = idle_limit
        self._pools: dict[Hashable, _Pool] = {}
        self._idle: OrderedDict[Hashable, None] = OrderedDict()  # no holder; oldest first
        self._collected: deque[Hashable] = deque()  # holders the garbage collector took
        self._lock = threading.Lock()

    def lease(self, key: Hashable, build: Callable[[], Any]) -> tuple[Any, list[Any]]:
        """The pool for ``key`` (built when there is none), with one holder more; and the
        pools to close now (idle ones past the limit)."""
        with self._lock:
            pool = self._pools.get(key)
            if pool is None:
                pool = self._pools[key] = _Pool(build())
            pool.holders += 1
            self._idle.pop(key, None)
            return pool.http, self._settle()

    def release(self, key: Hashable, *, close: bool) -> list[Any]:
        """One holder less; the pools to close now: this one if ``close`` and nobody else
        holds it, and idle ones past the limit."""
        with self._lock:
            return self._drop(key, close) + self._settle()

    def collected(self, key: Hashable) -> None:
        """A holder was garbage-collected: no lock here (the collector may run while this
        thread holds it), the next lease or release settles it."""
        self._collected.append(key)

    def drain(self) -> list[Any]:
        """Every pool, for closing: the table is empty afterwards."""
        with self._lock:
            found = [pool.http for pool in self._pools.values()]
            self._pools.clear()
            self._idle.clear()
            self._collected.clear()
            return found

    def clients(self) -> list[Any]:
        with self._lock:
            return [pool.http for pool in self._pools.values()]

    def _drop(self, key: Hashable, close: bool) -> list[Any]:
        pool = self._pools.get(key)
        if pool is None:  # drained meanwhile (its loop shut down)
            return []
        pool.holders -= 1
        if pool.holders > 0:
            return []
        if close:
            del self._pools[key]
            return [pool.http]
        self._idle[key] = None
        return []

    def _settle(self) -> list[Any]:
        closing: list[Any] = []
        while self._collected:
            closing += self._drop(self._collected.popleft(), close=False)
        while len(self._idle) > self.idle_limit:
            key, _ = self._idle.popitem(last=False)
            closing.append(self._pools.pop(key).http)
        return closing


class Lease:
    """One holder's hold on a shared pool: handed back by :meth:`release`, or when the holder
    is garbage-collected."""

    __slots__ = ("_finalizer", "_key", "_table", "http")

    def __init__(self, table: PoolTable, key: Hashable, http: Any, holder: object) -> None:
        self.http = http
        self._table, self._key = table, key
        self._finalizer = weakref.finalize(holder, table.collected, key)
        self._finalizer.atexit = False

    def release(self, *, close: bool = True) -> list[Any]:
        """Hand the pool back (once); the pools to close now."""
        if self._finalizer.detach() is None:
            return []
        return self._table.release(self._key, close=close)


def sdk_client_kwargs(settings: TelnyxSettings) -> dict[str, Any]:
    """A holder's own SDK client over a shared pool: its key, base URL, limits and headers."""
    return {
        "api_key": settings.require_key(),
        "base_url": settings.base_url,
        "timeout": settings.timeout,
        "max_retries": settings.max_retries,
        "default_headers": dict(settings.default_headers or {}),
    }


_sync_table = PoolTable()


def lease_sync(settings: TelnyxSettings, holder: object) -> Lease:
    """A lease on the shared sync pool for ``settings``' endpoint."""
    key = settings.base_url
    http, closing = _sync_table.lease(key, lambda: openai.DefaultHttpxClient(base_url=key))
    for old in closing:
        old.close()
    return Lease(_sync_table, key, http, holder)


_loop_tables: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, PoolTable] = (
    weakref.WeakKeyDictionary()
)
_closers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, AsyncIterator[None]] = (
    weakref.WeakKeyDictionary()
)
_closing: set[asyncio.Task[None]] = set()


def lease_async(settings: TelnyxSettings, holder: object) -> Lease:
    """A lease on the running loop's shared async pool for ``settings``' endpoint and
    ``async_transport`` (aiohttp by default where installed, see :mod:`.aio`)."""
    loop = asyncio.get_running_loop()
    table = _loop_tables.get(loop) or _table_for(loop)
    key = (settings.base_url, settings.async_transport)

    def build() -> Any:
        base_url = settings.base_url  # for the record: requests carry absolute URLs
        found = new_async_http_client(settings.async_transport, base_url=base_url)
        return found or openai.DefaultAsyncHttpxClient(base_url=base_url)

    http, closing = table.lease(key, build)
    for old in closing:  # idle pools past the limit: closed on this loop, in the background
        task = loop.create_task(old.aclose())
        _closing.add(task)
        task.add_done_callback(_closing.discard)
    return Lease(table, key, http, holder)


def shared_http_clients() -> list[Any]:
    """The shared pools open now: the sync ones and the running loop's (for leak checks)."""
    found = _sync_table.clients()
    try:
        table = _loop_tables.get(asyncio.get_running_loop())
    except RuntimeError:
        table = None
    return found + (table.clients() if table is not None else [])


def _table_for(loop: asyncio.AbstractEventLoop) -> PoolTable:
    """A new table of pools for ``loop``, closed when the loop shuts down.

    Pooled sockets hold their loop, so a table would otherwise keep every finished loop and
    its keep-alive sockets for good (one more per ``asyncio.run``). asyncio's one shutdown
    hook is ``shutdown_asyncgens()`` (``asyncio.run`` and ``asyncio.Runner`` call it): a parked
    async generator registered with the loop is closed there and closes the pools while the
    loop still runs. Tables of loops closed without that hook are dropped here, for the GC.
    """
    for old in [known for known in _loop_tables if known.is_closed()]:
        for http in _loop_tables.pop(old).drain():
            discard_sessions(http)  # aiohttp would complain when the GC finds them open
        _closers.pop(old, None)
    table = _loop_tables[loop] = PoolTable()
    closer = _close_at_shutdown(table)
    with contextlib.suppress(StopIteration):  # registers it with the loop and parks it
        closer.__anext__().send(None)  # type: ignore[attr-defined]
    _closers[loop] = closer
    return table


async def _close_at_shutdown(table: PoolTable) -> AsyncIterator[None]:
    try:
        yield
    finally:
        loop = asyncio.get_running_loop()
        if _loop_tables.get(loop) is table:
            _loop_tables.pop(loop, None)
            _closers.pop(loop, None)
        for http in table.drain():
            with contextlib.suppress(Exception):  # best effort: the loop is going away
                await http.aclose()


@atexit.register
def _close_at_exit() -> None:
    """Close the pools of loops still alive at exit (a notebook kernel's, a loop left
    unclosed): run their closer on a stopped loop, else drop their sessions quietly."""
    for loop, table in list(_loop_tables.items()):
        closer = _closers.get(loop)
        if not table.clients():
            continue
        if closer is not None and not loop.is_closed() and not loop.is_running():
            with contextlib.suppress(Exception):
                loop.run_until_complete(closer.aclose())  # type: ignore[attr-defined]
        for http in table.drain():
            discard_sessions(http)
