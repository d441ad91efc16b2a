"""Messages for requests that never got an answer: which host, and why, in words a user can act on.

The HTTP libraries wrap the operating system's error two or three times
(``httpx2.ConnectError`` from ``httpcore2.ConnectError`` from ``ConnectionRefusedError``), and
their own message is often just the errno. The root cause is the ``OSError`` at the bottom
of the ``__cause__`` / ``__context__`` chain: "Name or service not known", "Connection
refused", a certificate problem. Only the host and port are named — never the path, the
query or any user info a URL may carry, and never the key.
"""

from __future__ import annotations

import os
import re
import socket
import ssl
from typing import Any
from urllib.parse import urlsplit

from telnyx_inference.transport.sdk_http import error_name

__all__ = ["describe_target", "failure_message", "root_cause"]

_DEFAULT_PORTS = {"http": 80, "https": 443}
_OWN_NUMBERS = (socket.gaierror, socket.herror, ssl.SSLError)
"""OSErrors whose numbers are not the system's errno: their own words are the cause."""
_ERRNO_PREFIX = re.compile(r"^\[Errno -?\d+\]\s*")


def describe_target(url: Any) -> str | None:
    """``host:port`` of a URL (a string or an httpx/httpx2 URL); ``None`` when it has no host."""
    if url is None:
        return None
    try:
        parts = urlsplit(str(url))
        host, port = parts.hostname, parts.port
    except ValueError:  # an unparsable port, say
        return None
    if not host:
        return None
    port = port or _DEFAULT_PORTS.get(parts.scheme.lower())
    shown = f"[{host}]" if ":" in host else host
    return f"{shown}:{port}" if port else shown


def _target_of(exc: BaseException) -> str | None:
    """The host the failed request went to, as far as the exception says."""
    for link in _chain(exc):
        try:  # httpx / httpx2 errors carry their request (the property raises when unset)
            request = link.request  # type: ignore[attr-defined]
        except (AttributeError, RuntimeError):
            request = None
        url = getattr(request, "url", None)
        if url is not None:
            return describe_target(url)
        host = getattr(link, "host", None)  # aiohttp's connector errors
        if isinstance(host, str) and host:
            port = getattr(link, "port", None)
            return f"{host}:{port}" if isinstance(port, int) else host
    return None


def _chain(exc: BaseException) -> list[BaseException]:
    """``exc`` and what caused it, outermost first, each once."""
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and all(current is not s for s in seen) and len(seen) < 20:
        seen.append(current)
        wrapped = getattr(current, "os_error", None)  # aiohttp keeps the OSError here
        current = (
            current.__cause__
            or current.__context__
            or (wrapped if isinstance(wrapped, BaseException) else None)
        )
    return seen


def root_cause(exc: BaseException) -> str | None:
    """The operating system's words for the failure under ``exc`` ("Connection refused")."""
    for link in reversed(_chain(exc)):
        if not isinstance(link, OSError) or isinstance(link, TimeoutError):
            continue
        text = link.strerror if isinstance(link.strerror, str) and link.strerror else None
        if isinstance(link.errno, int) and not isinstance(link, _OWN_NUMBERS):
            # asyncio words a refusal "Connect call failed ('127.0.0.1', 9)": the errno
            # says it plainly.
            text = os.strerror(link.errno)
        if text is None:
            text = _ERRNO_PREFIX.sub("", str(link)).strip()
        if text:
            return text
    return None


def failure_message(
    exc: BaseException, *, attempts: str, target: str | None, timed_out: bool
) -> str:
    """The message of a connection or timeout error for a request that got no answer."""
    where = target or _target_of(exc)
    at = f" at {where}" if where else ""
    if timed_out:
        return f"Telnyx{at} did not answer within the timeout ({attempts})"
    cause = root_cause(exc)
    reason = f"{cause}; {error_name(exc)}" if cause else error_name(exc)
    return f"could not reach Telnyx{at} ({reason}; {attempts})"
