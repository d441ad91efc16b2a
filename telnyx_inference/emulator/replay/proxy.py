"""The recorder's I/O shell: forward a request upstream and pass the answer back as it
arrives, noting what it was; and serve a recorded answer back the same way.

Streams are passed through chunk by chunk as the upstream sends them (never gathered
first), so recording adds only the proxy hop to the time to first chunk. The upstream client
is the HTTP library under the installed openai SDK (httpx, or httpx2 from openai 3), one
pooled client per event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import json
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from telnyx_inference.emulator import errors
from telnyx_inference.emulator.replay.cassettes import (
    Frame,
    FrameSplitter,
    Interaction,
    Stream,
    recorded_request_headers,
    recorded_response_headers,
)
from telnyx_inference.emulator.streaming import DropConnection

_HOP_BY_HOP = frozenset(
    {
        "host",
        "connection",
        "keep-alive",
        "proxy-connection",
        "transfer-encoding",
        "te",
        "trailer",
        "upgrade",
        "content-length",
        "accept-encoding",
        "content-encoding",
    }
)
DONE_FRAME = "data: [DONE]"
UPSTREAM_TIMEOUT = 600.0
"""Seconds the recorder waits on the upstream (long generations stream slowly)."""


def _lib() -> Any:
    # Imported when a recorder is made: the HTTP library comes with the openai SDK, which
    # costs half a second and is needed only when recording.
    from telnyx_inference.transport.sdk_http import http_module

    return http_module


def _prepare() -> None:
    """Import now, on the caller's thread, what recording imports on its first request (an
    import on the server's thread can race the caller's use of ``ast``; see Emulator.start):
    the HTTP library, its transport and TLS set-up (a client built and dropped), its asyncio
    network backend, and the codec that resolving a host name loads."""
    lib = _lib()
    lib.AsyncClient(trust_env=False)
    importlib.import_module(lib.__name__.replace("httpx", "httpcore") + "._backends.anyio")
    import encodings.idna  # noqa: F401


def json_or_none(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode("utf-8", "replace")


_SERVER_OWN = frozenset({"server", "date"})
"""Headers uvicorn adds to every answer itself; passing the upstream's too would double them."""


def _pass_headers(headers: Any, drop: frozenset[str] = frozenset()) -> dict[str, str]:
    return {k: v for k, v in headers.items() if k.lower() not in _HOP_BY_HOP | drop}


class Upstream:
    """Where the recorder sends requests: a URL root (``https://api.telnyx.com``)."""

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")
        self._client: Any = None
        self._loop: asyncio.AbstractEventLoop | None = None
        _prepare()

    def _http(self) -> Any:
        loop = asyncio.get_running_loop()
        if self._client is None or self._loop is not loop:
            self._client = _lib().AsyncClient(
                timeout=UPSTREAM_TIMEOUT, follow_redirects=False, trust_env=False
            )
            self._loop = loop
        return self._client

    def close(self) -> None:
        """Close the pooled client from any thread (its loop may already be gone)."""
        client, loop, self._client, self._loop = self._client, self._loop, None, None
        if client is None or loop is None or loop.is_closed():
            return
        with contextlib.suppress(Exception):  # the loop is stopping: nothing left to tidy
            asyncio.run_coroutine_threadsafe(client.aclose(), loop).result(timeout=2)

    async def forward(
        self, request: Request, raw: bytes, done: Callable[[Interaction], None]
    ) -> Response:
        """Send ``request`` upstream and answer with what comes back; ``done`` gets the
        interaction once the answer has been passed on completely (or was cut)."""
        client = self._http()
        query = request.url.query
        url = self.url + request.url.path + (f"?{query}" if query else "")
        headers = _pass_headers(request.headers)
        headers["accept-encoding"] = "identity"  # record bytes as sent, not compressed
        started = time.monotonic()
        try:
            upstream = await client.send(
                client.build_request(request.method, url, headers=headers, content=raw),
                stream=True,
            )
        except _lib().TransportError as exc:
            return errors.json_response(
                errors.telnyx_errors(
                    502, f"The recorder could not reach its upstream ({type(exc).__name__})."
                ),
                502,
            )
        item = Interaction(
            method=request.method,
            path=request.url.path,
            query=query,
            request_headers=recorded_request_headers(request.headers.items()),
            body=json_or_none(raw),
            status=upstream.status_code,
            headers=recorded_response_headers(upstream.headers.items()),
        )
        passed = _pass_headers(upstream.headers, _SERVER_OWN)
        if not upstream.headers.get("content-type", "").startswith("text/event-stream"):
            try:
                item.content = await upstream.aread()
            except _lib().TransportError:
                return errors.json_response(
                    errors.telnyx_errors(502, "The upstream cut its answer short."), 502
                )
            finally:
                await upstream.aclose()
            done(item)
            return Response(item.content, status_code=item.status, headers=passed)
        return StreamingResponse(
            self._relay(upstream, item, started, done), status_code=item.status, headers=passed
        )

    @staticmethod
    async def _relay(
        upstream: Any, item: Interaction, started: float, done: Callable[[Interaction], None]
    ) -> AsyncIterator[bytes]:
        """Pass the stream on as it arrives. The interaction is written when ``[DONE]``
        arrives, before the bytes that carry it go out (a client that has seen the end may
        stop the recorder at once), and again at the end only if anything changed."""
        splitter, stream = FrameSplitter(), Stream()
        item.stream = stream
        saved: tuple[int, str, bool] | None = None

        def save() -> tuple[int, str, bool]:
            stream.separator = splitter.separator or "\n\n"
            stream.tail = splitter.tail
            done(item)
            return len(stream.frames), stream.tail, stream.cut

        try:
            async for data in upstream.aiter_raw():
                now = time.monotonic() - started
                texts = splitter.feed(data)
                stream.frames.extend(Frame(now, text) for text in texts)
                if saved is None and any(text.strip() == DONE_FRAME for text in texts):
                    saved = save()
                yield data
        except _lib().TransportError as exc:
            stream.cut = True
            raise DropConnection("the upstream cut the stream") from exc
        except BaseException:
            if saved is None:
                stream.cut = True  # the client went away: what was recorded is incomplete
            raise
        finally:
            if saved != (len(stream.frames), splitter.tail, stream.cut):
                save()
            with contextlib.suppress(BaseException):  # after a cut or a cancellation
                await upstream.aclose()


def replay(item: Interaction, speed: float | None) -> Response:
    """A recorded answer served again: frames one by one, cut where the recording was cut.

    ``speed`` None (or 0) sends as fast as possible; otherwise the recorded gaps, divided by
    ``speed``, are kept (``1`` is real time, ``2`` twice as fast).
    """
    if item.stream is None:
        return Response(item.content, status_code=item.status, headers=item.headers)
    return StreamingResponse(
        _frames(item.stream, speed), status_code=item.status, headers=item.headers
    )


async def _frames(stream: Stream, speed: float | None) -> AsyncIterator[bytes]:
    sep, last = stream.separator.encode(), 0.0
    for frame in stream.frames:
        if speed:
            await asyncio.sleep(max(0.0, frame.t - last) / speed)
            last = frame.t
        yield frame.text.encode() + sep
    if stream.tail:
        yield stream.tail.encode()
    if stream.cut:
        raise DropConnection("the recorded stream was cut here")
