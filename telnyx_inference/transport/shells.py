"""The thin I/O shells: one sync, one async, on the official openai SDK's HTTP clients.

The SDK supplies the connection pool, the HTTP client (with the user's proxies, transports
and limits), the standard headers and authentication; a request is sent straight on that
client and its body read as plain JSON / SSE. (The SDK's typed path builds a pydantic object
per chunk, and even its raw ``post`` spends ~0.3 ms per request re-parsing URLs and copying
options.) The one retry loop is a flow here, with the SDK's rules (see :mod:`.retry`).

Every call is a flow (see :mod:`telnyx_inference._flows`) over the steps of :mod:`.steps`:
the retries here, the chat, catalog, embedding and bucket calls of the clients built on top.
A shell only performs steps — :meth:`SyncTransport.run` with plain calls,
:meth:`AsyncTransport.run` with ``await`` — and reads a stream's chunks in a tight loop of its
own. (On the shared async clients built over aiohttp, an attempt skips the httpx layer and
goes straight onto the aiohttp session underneath: see :mod:`.aio_send`.)
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections.abc import AsyncGenerator, Callable, Coroutine, Generator
from typing import Any, Generic, NamedTuple, TypeVar, Unpack

import openai

from telnyx_inference._flows import Flow, Invoke, ado_plain, adrive, do_plain, drive
from telnyx_inference.errors import TelnyxError
from telnyx_inference.settings import TelnyxSettings
from telnyx_inference.transport.aio_send import direct_route
from telnyx_inference.transport.attempt import Attempt, parsed_url, read_json
from telnyx_inference.transport.pools import Lease, lease_async, lease_sync, sdk_client_kwargs
from telnyx_inference.transport.retry import reset_seconds
from telnyx_inference.transport.sdk_http import SEND_ERRORS, translate_stream_errors
from telnyx_inference.transport.sdk_private import http_client_of
from telnyx_inference.transport.sse import SSEDecoder
from telnyx_inference.transport.steps import Drain, Pause, SendOptions, Step, Together

__all__ = ["AsyncTransport", "SyncTransport"]

T = TypeVar("T")
_SDK = TypeVar("_SDK", openai.OpenAI, openai.AsyncOpenAI)
_parsed_url = parsed_url  # the name the tests know


class _Shell(Generic[_SDK]):
    """What both shells share: the settings, the clients, and the flows of a request.

    A user's own SDK client is sent on as it is (and never closed here). Otherwise the shell
    leases a shared pool for its settings (see :mod:`.pools`) and sends on it with an SDK
    client of its own, which carries its key; :meth:`close` hands the lease back.
    """

    def __init__(self, settings: TelnyxSettings, client: _SDK | None = None) -> None:
        self.settings = settings
        self._given: _SDK | None = client
        self._closed = False
        self._lock = threading.Lock()
        self._pair: tuple[_SDK, Any] | None = None  # the SDK client and the HTTP client
        if client is not None:
            self._pair = (client, http_client_of(client))

    @property
    def client(self) -> _SDK:
        """The SDK client requests are sent for (its base URL, key, headers and limits)."""
        return self._endpoint()[0]

    def _endpoint(self) -> tuple[_SDK, Any]:
        raise NotImplementedError

    def _check_open(self) -> None:
        if self._closed:
            raise TelnyxError(
                "this client was closed (by close() or at the end of its `with` block) and "
                "sends nothing more; build a new one"
            )

    def open_flow(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        stream: bool,
        limited: Callable[[float], Flow[Step, None]] | None = None,
        **send: Unpack[SendOptions],
    ) -> Flow[Step, Any]:
        """Attempts until an answer below 400; returns it unread. An error answer that is not
        retried raises its exception (see :class:`~.retry.Attempts`). ``limited`` runs on
        every 429 with the seconds until the reset, before the retry's own wait (a token
        budget makes everyone holding it wait together)."""
        client, http = self._endpoint()
        attempt = Attempt(client, http, self.settings, method, path, body, stream, send)
        attempts = attempt.attempts
        while True:
            try:
                response = yield attempt
            except SEND_ERRORS as exc:
                yield Pause(attempts.after_failure(exc))
                continue
            if response.status_code < 400:
                return response
            content = yield Drain(response)
            if limited is not None and response.status_code == 429:
                yield from limited(reset_seconds(response.headers))
            yield Pause(attempts.after_status(response.status_code, response.headers, content))

    def request_flow(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        limited: Callable[[float], Flow[Step, None]] | None = None,
        **send: Unpack[SendOptions],
    ) -> Flow[Step, Any]:
        """One request; returns its parsed JSON body (``None`` when empty)."""
        opened = self.open_flow(method, path, body, stream=False, limited=limited, **send)
        return read_json((yield from opened))


class SyncTransport(_Shell[openai.OpenAI]):
    """Sends requests on a (shared or user-supplied) ``openai.OpenAI`` client's HTTP client."""

    _lease: Lease | None = None

    def _endpoint(self) -> tuple[openai.OpenAI, Any]:
        pair = self._pair
        if pair is None:
            with self._lock:
                pair = self._pair or self._lease_pool()
        return pair

    def _lease_pool(self) -> tuple[openai.OpenAI, Any]:
        self._check_open()  # under the lock
        lease = self._lease = lease_sync(self.settings, self)
        sdk = openai.OpenAI(**sdk_client_kwargs(self.settings), http_client=lease.http)
        self._pair = (sdk, lease.http)
        return self._pair

    def close(self) -> None:
        """Hand back the shared pool (closed when no other client holds it); a user's own
        SDK client is left open. The transport sends nothing afterwards."""
        with self._lock:
            self._closed, self._pair = True, None
            lease, self._lease = self._lease, None
        for http in lease.release() if lease is not None else []:
            http.close()

    def run(self, flow: Flow[Step, T]) -> T:
        """Run a flow of this transport's steps to its end."""
        return drive(flow, self._do)

    def _do(self, step: Step) -> Any:
        if isinstance(step, Attempt):
            return step.http.send(step.build(), stream=step.stream)
        if isinstance(step, Pause | Invoke):
            return do_plain(step)
        if isinstance(step, Together):
            return [self.run(flow) for flow in step.flows]
        try:
            with translate_stream_errors():
                return step.response.read()
        finally:
            step.response.close()

    def request(self, method: str, path: str, body: Any = None, **send: Unpack[SendOptions]) -> Any:
        """Send one request and return its parsed JSON body (``None`` when empty)."""
        return self.run(self.request_flow(method, path, body, **send))

    def stream(
        self, path: str, body: Any, **send: Unpack[SendOptions]
    ) -> Generator[dict[str, Any], None, None]:
        """POST and yield the stream's chunk dicts until ``[DONE]`` or the end of the body."""
        return self.chunks(self.open_flow("POST", path, body, stream=True, **send))

    def chunks(self, opening: Flow[Step, Any]) -> Generator[dict[str, Any], None, None]:
        """Run ``opening`` (a flow that returns an open streamed answer), then yield the
        answer's chunk dicts; the body is read to its end so the connection is reused."""
        response = self.run(opening)
        decoder = SSEDecoder()
        try:
            with translate_stream_errors():
                for data in response.iter_bytes():
                    yield from decoder.feed(data)
                yield from decoder.flush()
        finally:
            response.close()


class _LoopLease(NamedTuple):
    lease: Lease
    pair: tuple[openai.AsyncOpenAI, Any]


class AsyncTransport(_Shell[openai.AsyncOpenAI]):
    """The async twin of :class:`SyncTransport`: the same flows, steps performed with ``await``."""

    def __init__(self, settings: TelnyxSettings, client: openai.AsyncOpenAI | None = None) -> None:
        super().__init__(settings, client)
        self._leases: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LoopLease] = (
            weakref.WeakKeyDictionary()
        )
        self._last: tuple[weakref.ref[asyncio.AbstractEventLoop], _LoopLease] | None = None

    def _endpoint(self) -> tuple[openai.AsyncOpenAI, Any]:
        """Per event loop (pooled connections belong to one): the last loop's, remembered."""
        pair = self._pair
        if pair is not None:
            return pair
        loop, last = asyncio.get_running_loop(), self._last
        if last is not None and last[0]() is loop:
            return last[1].pair
        return self._lease_pool(loop).pair

    def _lease_pool(self, loop: asyncio.AbstractEventLoop) -> _LoopLease:
        with self._lock:
            self._check_open()
            found = self._leases.get(loop)
            if found is None:
                lease = lease_async(self.settings, self)
                sdk = openai.AsyncOpenAI(**sdk_client_kwargs(self.settings), http_client=lease.http)
                found = self._leases[loop] = _LoopLease(lease, (sdk, lease.http))
            self._last = (weakref.ref(loop), found)
        return found

    async def aclose(self) -> None:
        """Hand back the shared pools (this loop's closed when no other client holds it,
        other loops' closed when they shut down); a user's own SDK client is left open."""
        with self._lock:
            self._closed, self._pair, self._last = True, None, None
            leases, loop = list(self._leases.items()), asyncio.get_running_loop()
            self._leases.clear()
        for owner, held in leases:
            for http in held.lease.release(close=owner is loop):
                await http.aclose()

    def run(self, flow: Flow[Step, T]) -> Coroutine[Any, Any, T]:
        return adrive(flow, self._do)

    async def _do(self, step: Step) -> Any:
        if isinstance(step, Attempt):
            route = direct_route(step.http, step.url, parsed_url(step.http, step.url))
            if route is None:
                return await step.http.send(step.build(), stream=step.stream)
            return await route.send(*step.direct(), stream=step.stream)
        if isinstance(step, Pause | Invoke):
            return await ado_plain(step)
        if isinstance(step, Together):
            return await _together(self.run, step)
        try:
            with translate_stream_errors():
                return await step.response.aread()
        finally:
            await step.response.aclose()

    async def request(
        self, method: str, path: str, body: Any = None, **send: Unpack[SendOptions]
    ) -> Any:
        return await self.run(self.request_flow(method, path, body, **send))

    def stream(
        self, path: str, body: Any, **send: Unpack[SendOptions]
    ) -> AsyncGenerator[dict[str, Any], None]:
        return self.chunks(self.open_flow("POST", path, body, stream=True, **send))

    async def chunks(self, opening: Flow[Step, Any]) -> AsyncGenerator[dict[str, Any], None]:
        response = await self.run(opening)
        decoder = SSEDecoder()
        try:
            with translate_stream_errors():
                async for data in response.aiter_bytes():
                    for chunk in decoder.feed(data):
                        yield chunk
                for chunk in decoder.flush():
                    yield chunk
        finally:
            await response.aclose()


async def _together(
    run: Callable[[Flow[Step, Any]], Coroutine[Any, Any, Any]], step: Together
) -> list[Any]:
    """The flows at once, at most ``step.limit`` in flight. A failure cancels the others and
    waits for them to end, so nothing is left running (or unawaited) when this raises."""
    limit = asyncio.Semaphore(step.limit)

    async def one(flow: Flow[Step, Any]) -> Any:
        async with limit:
            return await run(flow)

    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(one(flow)) for flow in step.flows]
    except BaseExceptionGroup as failed:
        raise _first(failed) from None
    return [task.result() for task in tasks]


def _first(group: BaseExceptionGroup[BaseException]) -> BaseException:
    """The first real failure in a task group's exception group (the caller's own error)."""
    first = group.exceptions[0]
    return _first(first) if isinstance(first, BaseExceptionGroup) else first
