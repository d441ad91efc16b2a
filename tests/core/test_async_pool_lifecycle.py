"""Shared async clients die with their event loop; a broken stream reports its partial answer."""

from __future__ import annotations

import asyncio

import psutil
import pytest

from telnyx_inference.chat.client import AsyncTelnyxClient, TelnyxClient
from telnyx_inference.chat.request import build_chat_request
from telnyx_inference.emulator import Emulator, Fault
from telnyx_inference.errors import StreamInterruptedError
from telnyx_inference.transport import pools as transport

BODY = build_chat_request([{"role": "user", "content": "Say hello"}])
STREAM_BODY = build_chat_request([{"role": "user", "content": "Say hello"}], stream=True)


def _client_sockets(port: int) -> int:
    """Sockets of this process connected *to* the emulator (not the server's own ends)."""
    conns = psutil.Process().net_connections("tcp")
    return sum(1 for c in conns if c.raddr and c.raddr.port == port)


@pytest.mark.parametrize("async_transport", ["aiohttp", "httpx"])
def test_each_asyncio_run_closes_its_pooled_sockets(
    async_transport: str, own_emulator: Emulator
) -> None:
    client = AsyncTelnyxClient(
        api_key="k", base_url=own_emulator.base_url, async_transport=async_transport
    )

    async def call() -> int:
        await client.chat(BODY)
        return _client_sockets(own_emulator.port)

    before = _client_sockets(own_emulator.port)
    for _ in range(3):
        assert asyncio.run(call()) == before + 1  # kept alive in the pool while the loop runs
        assert _client_sockets(own_emulator.port) == before  # closed at loop shutdown
    assert all(not loop.is_closed() for loop in list(transport._loop_tables))


def test_dropped_stream_carries_the_partial_answer(telnyx_emulator: Emulator) -> None:
    telnyx_emulator.fault(Fault(kind="drop_after", after=15))
    client = TelnyxClient(api_key="k", base_url=telnyx_emulator.base_url, max_retries=0)
    seen: list[str] = []

    def read() -> None:
        for event in client.stream_chat(STREAM_BODY):
            seen.extend(d.content for d in event.deltas)

    with pytest.raises(StreamInterruptedError) as info:
        read()
    partial = info.value.partial
    assert partial is not None
    assert partial.first.content == "".join(seen)
    assert partial.first.finish_reason is None  # not presented as a finished answer


async def test_dropped_async_stream_carries_the_partial_answer(
    telnyx_emulator: Emulator,
) -> None:
    telnyx_emulator.fault(Fault(kind="drop_after", after=15))
    client = AsyncTelnyxClient(api_key="k", base_url=telnyx_emulator.base_url, max_retries=0)
    seen: list[str] = []

    async def read() -> None:
        async for event in client.stream_chat(STREAM_BODY):
            seen.extend(d.content for d in event.deltas)

    with pytest.raises(StreamInterruptedError) as info:
        await read()
    assert info.value.partial is not None
    assert info.value.partial.first.content == "".join(seen)
