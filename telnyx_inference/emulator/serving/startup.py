"""What starting an emulator needs besides the server itself: the listening socket, the event
loop's own imports (made on the caller's thread, never on the server's), and the meaning of
the constructor's replay options."""

from __future__ import annotations

import socket

from telnyx_inference._warnings import warn_once

__all__ = ["bind_socket", "import_event_loop_backends", "replay_strictness"]


def import_event_loop_backends() -> None:
    """What anyio and starlette import on their first use inside the event loop."""
    import anyio._backends._asyncio  # anyio's asyncio backend, imported by name
    import anyio.to_thread  # noqa: F401


def bind_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto must be IPPROTO_TCP (not 0): asyncio only turns on TCP_NODELAY for accepted
    # sockets that say so, and without it Nagle plus delayed ACKs cost ~40 ms per response.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def replay_strictness(replay: object, replay_strict: bool | None, strict: bool) -> bool:
    """Whether a replay miss is an error; ``strict`` decided it before ``replay_strict``."""
    if replay_strict is None and strict and replay is not None:
        warn_once(
            "emulator-strict-replay",
            "Emulator(strict=True) makes replay misses errors only until the next release: "
            "pass replay_strict=True for that (strict checks the request fields).",
            DeprecationWarning,
        )
        return True
    return bool(replay_strict)
