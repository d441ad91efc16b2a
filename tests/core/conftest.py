"""Fixtures of the core's tests."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import psutil
import pytest

from telnyx_inference.emulator import Emulator
from telnyx_inference.transport import pools


def _anything_reaches(port: int) -> bool:
    """Whether a shared pool, or a socket of this process, still points at ``port``."""
    if any(f":{port}/" in str(http.base_url) for http in pools.shared_http_clients()):
        return True
    return any(c.raddr and c.raddr.port == port for c in psutil.Process().net_connections("tcp"))


@pytest.fixture
def own_emulator() -> Iterator[Emulator]:
    """An emulator of this test's own, for tests that count pools or sockets.

    The session's emulator would do, but earlier tests leave idle pools and keep-alive sockets
    to it (a client dropped without ``close()`` leaves its pool for the next, by design), and
    the counts would depend on which tests ran first in this process. A port that an earlier
    emulator used, and that a pool or socket still points at, is passed over.
    """
    with contextlib.ExitStack() as stack:
        emu = stack.enter_context(Emulator())
        while _anything_reaches(emu.port):
            emu = stack.enter_context(Emulator())  # the used one stays up: a new port
        yield emu
