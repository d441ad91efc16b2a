"""What differs between openai 2.x (httpx) and 3.x (httpx2), and the mid-stream error seam."""

from __future__ import annotations

import contextlib
import importlib
import ssl
from collections.abc import Iterator
from typing import Any

import anyio
import openai

from telnyx_inference.errors import StreamInterruptedError, TelnyxError, TelnyxTimeoutError

__all__ = [
    "OPENAI_MAJOR",
    "SEND_ERRORS",
    "TIMEOUT_ERRORS",
    "error_name",
    "http_module",
    "is_timeout",
    "translate_stream_errors",
]

OPENAI_MAJOR = int(openai.__version__.split(".", 1)[0])
http_module: Any = importlib.import_module("httpx2" if OPENAI_MAJOR >= 3 else "httpx")
"""The HTTP library under the installed SDK (``httpx2`` from openai 3.0 on)."""


def _exception_types(name: str) -> tuple[type[BaseException], ...]:
    found: list[type[BaseException]] = []
    for module_name in ("httpx2", "httpx"):
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        found.append(getattr(module, name))
    return tuple(found)


TIMEOUT_ERRORS = _exception_types("TimeoutException")
SEND_ERRORS: tuple[type[BaseException], ...] = (
    *_exception_types("RequestError"),
    ssl.SSLError,
    anyio.EndOfStream,  # TLS failures httpx2 does not wrap yet (as the SDK notes)
)
"""A request that failed before any answer: worth retrying."""
_STREAM_ERRORS = (*_exception_types("TransportError"), *_exception_types("StreamError"))


def _aiohttp_cause(err: BaseException) -> BaseException | None:
    cause = err.__cause__
    return cause if cause is not None and type(cause).__module__.startswith("aiohttp") else None


def is_timeout(err: BaseException) -> bool:
    """True for a real timeout. The aiohttp transport maps every lost connection to a
    ``ConnectTimeout`` (a server that hangs up is not slow), so its cause decides there."""
    if not isinstance(err, TIMEOUT_ERRORS):
        return False
    cause = _aiohttp_cause(err)
    return cause is None or isinstance(cause, TimeoutError)


def error_name(err: BaseException) -> str:
    """The failure's own name: the aiohttp error behind a mapped one, else the error's."""
    return type(_aiohttp_cause(err) or err).__name__


@contextlib.contextmanager
def translate_stream_errors() -> Iterator[None]:
    """Turn the HTTP library's failures while reading an answer into this package's types.

    A failure after the status line is not retried (the answer may be half delivered): a
    stall is a :class:`TelnyxTimeoutError`, anything else a :class:`StreamInterruptedError`.
    """
    try:
        yield
    except TelnyxError:
        raise
    except _STREAM_ERRORS as err:
        if is_timeout(err):
            raise TelnyxTimeoutError(
                "the answer stalled: no data from Telnyx within the timeout"
            ) from err
        raise StreamInterruptedError(
            f"the connection broke mid-answer ({error_name(err)}); the answer is incomplete"
        ) from err
