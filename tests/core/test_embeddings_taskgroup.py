"""A failing batch stops the others, and they have finished when ``embed`` raises: nothing is
left running or unawaited."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from telnyx_inference import AsyncEmbedder, ServerError, TelnyxSettings
from telnyx_inference.transport.shells import AsyncTransport


class _Batch:
    def __init__(self, body: Any) -> None:
        self.body = body


SLOW = 2


class _Transport(AsyncTransport):
    """Batch 0 fails once the others are in flight; they never finish on their own, and
    record how they ended."""

    def __init__(self) -> None:
        super().__init__(TelnyxSettings(api_key="k"))
        self.ended: list[str] = []
        self.in_flight = 0
        self.all_in_flight = asyncio.Event()

    def request_flow(
        self, method: str, path: str, body: Any = None, *, limited: Any = None, **send: Any
    ) -> Any:
        return (yield _Batch(body))

    async def _do(self, step: Any) -> Any:
        if not isinstance(step, _Batch):
            return await super()._do(step)
        body = step.body
        if body["input"] == ["fail"]:
            await self.all_in_flight.wait()
            raise ServerError("batch failed", status=500)
        self.in_flight += 1
        if self.in_flight == SLOW:
            self.all_in_flight.set()
        try:
            await asyncio.Event().wait()  # only a cancellation ends it
        except asyncio.CancelledError:
            await asyncio.sleep(0)  # cleanup that needs the loop once more
            self.ended.append("cancelled")
            raise
        return {"data": []}


class _Client:
    def __init__(self) -> None:
        self.transport = _Transport()

    def spend(self, body: Any, model: str, send: Any, usage_of: Any = None) -> Any:
        return send(None)  # no budget: the request flow as it is


async def test_siblings_are_cancelled_and_awaited_before_the_error() -> None:
    client = _Client()
    embedder = AsyncEmbedder(client, batch_size=1, max_concurrency=4)  # type: ignore[arg-type]
    async with asyncio.timeout(30):  # a hang guard
        with pytest.raises(ServerError, match="batch failed"):
            await embedder.embed(["fail", "slow one", "slow two"])
    assert client.transport.ended == ["cancelled", "cancelled"]  # already, not later
    pending = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    assert pending == []
