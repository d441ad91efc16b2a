"""Which HTTP client the shared async SDK clients run on: the SDK's aiohttp one when it can.

The openai SDK ships ``DefaultAioHttpClient`` — its own httpx (2.x) / httpx2 (3.x) client with
an aiohttp transport underneath — for work with many requests in flight: measured at
concurrency 100 it costs a third (httpx2) to a seventh (httpx, whose pool scans every
connection per request) of the CPU per request. It needs the ``openai[aiohttp]`` extra, which
the framework extras of this package bring. So the shared async clients use it by default
and fall back to the SDK's plain client where aiohttp is missing::

    TELNYX_ASYNC_TRANSPORT=httpx python app.py     # force the SDK's plain httpx client
    ChatTelnyx(async_transport="httpx")              # the same, per model

``"aiohttp"`` insists (an error names the missing extra); ``"auto"`` (the default) picks aiohttp
when installed. A user's own ``async_client`` or ``http_async_client`` always wins: nothing
here touches it. Proxies, certificates and ``*_PROXY`` / ``SSL_CERT_FILE`` variables are read
by the SDK's client exactly as the SDK documents for ``DefaultAioHttpClient``.

For these clients the transport skips the httpx layer and sends on the aiohttp session
underneath (see :mod:`.aio_send`); a user's own client is always sent through as it is.

aiohttp warns ("Unclosed client session") about a session left open when it is collected,
which plain httpx does not; :func:`discard_sessions` closes what the loop can no longer close.
"""

from __future__ import annotations

import contextlib
import warnings
from typing import Any

from telnyx_inference.settings import AsyncTransportName
from telnyx_inference.transport.aio_send import adopt
from telnyx_inference.transport.sdk_private import (
    aiohttp_parts,
    http_client_of,
    open_session_of,
    transports_of,
)

__all__ = [
    "aiohttp_installed",
    "discard_sessions",
    "new_async_http_client",
    "uses_aiohttp",
]

_MISSING = (
    "the aiohttp transport needs the openai SDK's aiohttp extra: "
    "pip install 'openai[aiohttp]' (or this package's langchain / llama-index extra)"
)
_installed: bool | None = None


def _aiohttp_client(**kwargs: Any) -> Any | None:
    """A new ``openai.DefaultAioHttpClient``, or None when the extra is not installed."""
    import openai

    try:
        return openai.DefaultAioHttpClient(**kwargs)
    except RuntimeError:  # the SDK's stand-in when aiohttp / httpx-aiohttp are missing
        return None


def aiohttp_installed() -> bool:
    """True when the SDK's aiohttp-backed client can be built here (checked once)."""
    global _installed
    if _installed is None:
        client = _aiohttp_client()
        _installed = client is not None
        # Nothing was opened yet (aiohttp's session is made on the first request).
    return _installed


def new_async_http_client(choice: AsyncTransportName, **kwargs: Any) -> Any | None:
    """A new shared async pool: the SDK's aiohttp client (``kwargs`` go to it); None means
    the SDK's plain httpx client."""
    if choice == "httpx":
        return None
    client = _aiohttp_client(**kwargs) if aiohttp_installed() else None
    if client is None and choice == "aiohttp":
        from telnyx_inference.errors import InvalidParameterError

        raise InvalidParameterError("async_transport", _MISSING)
    if client is not None:
        adopt(client)  # ours: requests may go straight onto its aiohttp session
    return client


def _http(client: Any) -> Any:
    """An HTTP client as it is; the HTTP client under an SDK client."""
    return client if hasattr(client, "build_request") else http_client_of(client)


def uses_aiohttp(client: Any) -> bool:
    """True when the HTTP client (or the SDK client's) sends through aiohttp."""
    found = transports_of(_http(client))
    return any(t is not None and aiohttp_parts(t) is not None for t in found)


def discard_sessions(client: Any) -> None:
    """Close, without a running loop, the aiohttp sessions of a client whose loop has closed
    (an HTTP client, or the one under an SDK client; proxy mounts included).

    ``session.close()`` is a coroutine, but with the loop closed it has nothing to wait for:
    stepped once by hand it marks the session and its connector closed (so the collector
    finds nothing to warn about). Should it want to wait after all, it is dropped there.
    """
    if not uses_aiohttp(client):
        return
    for transport in transports_of(_http(client)):
        session = open_session_of(transport)
        if session is None or session.closed:
            continue
        closing = session.close()
        with warnings.catch_warnings(), contextlib.suppress(BaseException):
            warnings.simplefilter("ignore")
            closing.send(None)
        closing.close()
