"""Leak checks: open sockets and file descriptors of this process, and the shared HTTP pools.

The emulator runs in this process too, so a *client* socket is one whose remote port is the
emulator's (the server's own ends have it as their local port). A client socket is legitimate
only while an idle connection in one of the shared pools owns it; a request still checked out
of a pool after a call has finished, or a socket no pool knows about, is a leak.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import psutil

from telnyx_inference.transport import pools as transport

__all__ = ["PoolState", "assert_no_leak", "client_sockets", "open_fds", "pool_state"]

_PROCESS = psutil.Process()


def client_sockets(port: int) -> int:
    """Sockets of this process connected to ``port`` (any state that still holds an fd)."""
    return sum(1 for c in _PROCESS.net_connections("tcp") if c.raddr and c.raddr.port == port)


def open_fds() -> int:
    return _PROCESS.num_fds()


@dataclass(frozen=True)
class PoolState:
    idle: int
    busy: int
    waiting: int


def _http(client: Any) -> Any:
    """An HTTP client as it is; the one under an SDK client."""
    return getattr(client, "_client", client)


def _pool(client: Any) -> Any:
    return getattr(getattr(_http(client), "_transport", None), "_pool", None)


def _connector(client: Any) -> Any:
    """The aiohttp connector under an HTTP (or SDK) client on aiohttp (None before use)."""
    transport = getattr(_http(client), "_transport", None)
    session = getattr(transport, "client", None)
    return getattr(session, "connector", None) if session is not None else None


def _httpx_counts(pool: Any) -> tuple[int, int, int]:
    idle = busy = 0
    for conn in list(pool.connections):
        if conn.is_closed():
            continue
        if conn.is_idle():
            idle += 1
        else:
            busy += 1
    return idle, busy, len(getattr(pool, "_requests", ()))


def _aiohttp_counts(connector: Any) -> tuple[int, int, int]:
    if connector.closed:
        return 0, 0, 0
    idle = sum(
        1 for conns in connector._conns.values() for proto, _ in conns if proto.is_connected()
    )
    busy = len(connector._acquired)
    waiting = sum(len(w) for w in connector._waiters.values())
    return idle, busy, waiting


def _shared_clients(port: int) -> list[Any]:
    clients = transport.shared_http_clients()  # the sync pools and this loop's
    return [c for c in clients if f":{port}/" in str(c.base_url)]


def pool_state(port: int, also: Sequence[Any] = ()) -> PoolState:
    """Connections of the shared pools (sync, and this loop's async ones) and of the SDK
    clients in ``also`` (a user's own) that talk to ``port``."""
    idle = busy = waiting = 0
    for client in [*_shared_clients(port), *also]:
        pool, connector = _pool(client), _connector(client)
        if pool is not None:
            counts = _httpx_counts(pool)
        elif connector is not None:
            counts = _aiohttp_counts(connector)
        else:
            continue
        idle, busy, waiting = idle + counts[0], busy + counts[1], waiting + counts[2]
    return PoolState(idle, busy, waiting)


def _problems(port: int, also: Sequence[Any] = ()) -> str | None:
    state = pool_state(port, also)
    sockets = client_sockets(port)
    if state.busy or state.waiting:
        return f"{state.busy} pooled connection(s) still in use, {state.waiting} request(s) queued"
    if sockets > state.idle:
        return f"{sockets} socket(s) open to the server but only {state.idle} idle in the pools"
    return None


SETTLE = 10.0
"""How long a leak may take to clear before it counts: a hang guard, not a wait (the check
returns as soon as everything is back in the pools)."""


def assert_no_leak(port: int, settle: float = SETTLE) -> None:
    """Fail unless every client socket to ``port`` belongs to an idle pooled connection.

    Looks again every 20 ms for up to ``settle`` seconds: a cancelled task closes its socket
    on later turns of the loop, and a socket the client closed leaves this process's table
    once the kernel says so — soon, but not at once on a busy machine.
    """
    deadline = time.monotonic() + settle
    problem = _problems(port)
    while problem is not None and time.monotonic() < deadline:
        time.sleep(0.02)
        problem = _problems(port)
    assert problem is None, f"connection leak: {problem}"


async def assert_no_leak_async(
    port: int, settle: float = SETTLE, also: Sequence[Any] = ()
) -> None:
    """:func:`assert_no_leak` from inside a running loop (lets the loop close sockets)."""
    deadline = time.monotonic() + settle
    problem = _problems(port, also)
    while problem is not None and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
        problem = _problems(port, also)
    assert problem is None, f"connection leak: {problem}"
