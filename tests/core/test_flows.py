"""The one flow loop: a flow reads the same driven synchronously or with ``await``."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from telnyx_inference._flows import Flow, adrive, drive


def _retrying(log: list[str]) -> Flow[str, str]:
    """Asks twice; the first answer fails and is handled, the second is returned."""
    try:
        yield "first"
    except ValueError as err:
        log.append(f"handled {err}")
    try:
        return "got " + (yield "second")
    finally:
        log.append("flow ended")


def _answer(step: str) -> str:
    if step == "first":
        raise ValueError("boom")
    return step


async def _aanswer(step: str) -> str:
    await asyncio.sleep(0)
    return _answer(step)


def test_sync_and_async_drivers_agree() -> None:
    sync_log: list[str] = []
    async_log: list[str] = []
    assert drive(_retrying(sync_log), _answer) == "got second"
    assert asyncio.run(adrive(_retrying(async_log), _aanswer)) == "got second"
    assert sync_log == async_log == ["handled boom", "flow ended"]


def test_an_unhandled_step_error_leaves_through_the_driver() -> None:
    def flow() -> Flow[str, None]:
        yield "first"

    with pytest.raises(ValueError, match="boom"):
        drive(flow(), _answer)


async def test_the_sync_driver_runs_inside_a_running_loop() -> None:
    assert drive(_retrying([]), _answer) == "got second"


async def test_a_cancelled_step_closes_the_flow() -> None:
    log: list[str] = []
    started = asyncio.Event()

    async def slow(step: Any) -> Any:
        started.set()
        await asyncio.Event().wait()

    def flow() -> Flow[str, None]:
        try:
            yield "wait forever"
        finally:
            log.append("closed")

    task = asyncio.create_task(adrive(flow(), slow))
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert log == ["closed"]
