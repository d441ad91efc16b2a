"""A response is closed on every failure path, so no connection is left checked out."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import openai
import pytest

from telnyx_inference import (
    AsyncTelnyxClient,
    StreamInterruptedError,
    TelnyxClient,
    build_chat_request,
)
from telnyx_inference.transport.sdk_http import http_module

STREAM_BODY = build_chat_request([{"role": "user", "content": "hi"}], stream=True)


class _BreakingBody(http_module.SyncByteStream, http_module.AsyncByteStream):  # type: ignore[misc]
    """An error answer whose body breaks off after the first bytes."""

    def __init__(self, closed: list[bool]) -> None:
        self.closed = closed

    def __iter__(self) -> Iterator[bytes]:
        yield b'{"errors": ['
        raise http_module.ReadError("connection reset")

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield b'{"errors": ['
        raise http_module.ReadError("connection reset")

    def close(self) -> None:
        self.closed.append(True)

    async def aclose(self) -> None:
        self.closed.append(True)


class _ReadsLikeHttpx028(http_module.Response):  # type: ignore[misc]
    """Reads its body as httpx 0.28 (under openai 2.x) does: a failure mid-body leaves the
    response open, so closing it is the caller's job."""

    def read(self) -> bytes:
        return b"".join(self.stream)

    async def aread(self) -> bytes:
        return b"".join([piece async for piece in self.stream])


def _handler(closed: list[bool]) -> Any:
    def handle(request: Any) -> Any:
        return _ReadsLikeHttpx028(503, stream=_BreakingBody(closed))

    return handle


def test_sync_stream_closed_when_reading_an_error_answer_fails() -> None:
    closed: list[bool] = []
    http = http_module.Client(transport=http_module.MockTransport(_handler(closed)))
    sdk = openai.OpenAI(api_key="k", base_url="http://127.0.0.1:9/v1", http_client=http)
    client = TelnyxClient(client=sdk, max_retries=0)
    with pytest.raises(StreamInterruptedError):
        list(client.stream_chat(STREAM_BODY))
    assert closed, "the response was left open"


async def test_async_stream_closed_when_reading_an_error_answer_fails() -> None:
    closed: list[bool] = []
    http = http_module.AsyncClient(transport=http_module.MockTransport(_handler(closed)))
    sdk = openai.AsyncOpenAI(api_key="k", base_url="http://127.0.0.1:9/v1", http_client=http)
    client = AsyncTelnyxClient(client=sdk, max_retries=0)
    with pytest.raises(StreamInterruptedError):
        [event async for event in client.stream_chat(STREAM_BODY)]
    assert closed, "the response was left open"


class _LongStream(http_module.SyncByteStream, http_module.AsyncByteStream):  # type: ignore[misc]
    """A healthy stream that the caller abandons after the first chunk."""

    CHUNK = (
        b'data: {"id":"c","model":"m","choices":[{"index":0,'
        b'"delta":{"role":"assistant","content":"a"}}]}\n\n'
    )

    def __init__(self, closed: list[bool]) -> None:
        self.closed = closed

    def __iter__(self) -> Iterator[bytes]:
        for _ in range(100):
            yield self.CHUNK

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for _ in range(100):
            yield self.CHUNK

    def close(self) -> None:
        self.closed.append(True)

    async def aclose(self) -> None:
        self.closed.append(True)


async def test_abandoned_async_stream_closes_its_response_at_once() -> None:
    closed: list[bool] = []

    def handle(request: Any) -> Any:
        return http_module.Response(
            200, headers={"content-type": "text/event-stream"}, stream=_LongStream(closed)
        )

    http = http_module.AsyncClient(transport=http_module.MockTransport(handle))
    sdk = openai.AsyncOpenAI(api_key="k", base_url="http://127.0.0.1:9/v1", http_client=http)
    events = AsyncTelnyxClient(client=sdk).stream_chat(STREAM_BODY)
    await events.__anext__()
    await events.aclose()
    assert closed, "the response stays open until the garbage collector gets to it"


def test_abandoned_sync_stream_closes_its_response_at_once() -> None:
    closed: list[bool] = []

    def handle(request: Any) -> Any:
        return http_module.Response(
            200, headers={"content-type": "text/event-stream"}, stream=_LongStream(closed)
        )

    http = http_module.Client(transport=http_module.MockTransport(handle))
    sdk = openai.OpenAI(api_key="k", base_url="http://127.0.0.1:9/v1", http_client=http)
    events = TelnyxClient(client=sdk).stream_chat(STREAM_BODY)
    next(events)
    events.close()
    assert closed
