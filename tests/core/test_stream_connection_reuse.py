"""A finished stream is read to its end, so its connection goes back to the pool."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from telnyx_inference import AsyncTelnyxClient, TelnyxClient, build_chat_request
from telnyx_inference.emulator import Emulator

BODY = build_chat_request([{"role": "user", "content": "Hello"}], stream=True)


@pytest.fixture
def connects(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    seen: list[Any] = []
    real = socket.socket.connect

    def connect(self: socket.socket, address: Any) -> Any:
        seen.append(address)
        return real(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    return seen


def test_sync_streams_share_one_connection(telnyx_emulator: Emulator, connects: list[Any]) -> None:
    import openai

    own = openai.OpenAI(api_key="k", base_url=telnyx_emulator.base_url)  # a fresh pool
    client = TelnyxClient(api_key="k", base_url=telnyx_emulator.base_url, client=own)
    for _ in range(3):
        events = list(client.stream_chat(BODY))
        assert events
    assert len(connects) == 1


async def test_async_streams_share_one_connection(
    telnyx_emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    import asyncio

    import openai

    connects: list[Any] = []
    real = asyncio.BaseEventLoop.create_connection

    async def create_connection(self: Any, *args: Any, **kwargs: Any) -> Any:
        connects.append(args)
        return await real(self, *args, **kwargs)

    monkeypatch.setattr(asyncio.BaseEventLoop, "create_connection", create_connection)

    own = openai.AsyncOpenAI(api_key="k", base_url=telnyx_emulator.base_url)
    client = AsyncTelnyxClient(api_key="k", base_url=telnyx_emulator.base_url, client=own)
    for _ in range(3):
        events = [event async for event in client.stream_chat(BODY)]
        assert events
    await own.close()
    assert len(connects) == 1
