"""TokenBudget: what it reserves, how it learns, how it waits, and what it does without Redis."""

from __future__ import annotations

import asyncio
import logging
import tempfile
import threading
from pathlib import Path
from typing import Any

import pytest
from redis_server import require_redis, running_redis

from telnyx_inference._flows import Invoke, Pause
from telnyx_inference.budget import Limits, TokenBudget
from telnyx_inference.budget.local_backend import LocalWindows

CHAT = {"messages": [{"role": "user", "content": "x" * 400}]}  # ~100 tokens + 4


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _budget(limits: Limits, clock: Clock, **kw: Any) -> TokenBudget:
    budget = TokenBudget(limits, **kw)
    budget._local = LocalWindows(clock=clock)
    return budget


def _drive_once(budget: TokenBudget, body: dict[str, Any]) -> list[object]:
    """The steps one reservation takes until its first sleep (or its end)."""
    steps = budget.reserving(body, "m", None, None)
    seen: list[object] = []
    reply: Any = None
    while True:
        try:
            step = steps.send(reply)
        except StopIteration as done:
            seen.append(done.value)
            return seen
        seen.append(step)
        if isinstance(step, Pause):
            return seen
        assert isinstance(step, Invoke)
        reply = getattr(step.target, step.method)(*step.args)


def test_the_estimate_reads_the_body() -> None:
    budget = TokenBudget(Limits())
    assert budget.estimate(CHAT, "m") == (104, 104, 512)
    capped = {**CHAT, "max_tokens": 50}
    assert budget.estimate(capped, "m") == (104, 104, 50)
    assert budget.estimate({"input": ["abcd" * 10, "abcd"]}, "e") == (11, 11, 0)


def test_settling_learns_output_length_and_the_cached_share() -> None:
    budget = TokenBudget(Limits())
    r = budget.reserve(CHAT, model="m")
    usage = {
        "prompt_tokens": 100,
        "completion_tokens": 40,
        "prompt_tokens_details": {"cached_tokens": 75},
    }
    budget.settle(r, usage)
    assert budget.estimate(CHAT, "m") == (104, 26, 40)
    assert budget.used("m") == {"input": 100, "uncached_input": 25, "output": 40}
    budget.settle(r, usage)  # a second settle of the same reservation changes nothing
    assert budget.used("m") == {"input": 100, "uncached_input": 25, "output": 40}


def test_a_full_window_means_a_wait_until_it_frees() -> None:
    clock = Clock()
    budget = _budget(Limits(output=1000), clock, headroom=0.0, default_output_tokens=5000)
    body = {**CHAT, "max_tokens": 600}
    assert not isinstance(_drive_once(budget, body)[-1], Pause)
    clock.now += 20
    steps = _drive_once(budget, body)
    assert isinstance(steps[-1], Pause)
    assert 40 <= steps[-1].seconds <= 40.1  # the first 600 leave the window 60 s after they came


def test_headroom_keeps_a_margin_under_the_limit() -> None:
    clock = Clock()
    budget = _budget(Limits(output=1000), clock, headroom=0.1, default_output_tokens=5000)
    assert not isinstance(_drive_once(budget, {**CHAT, "max_tokens": 900})[-1], Pause)
    assert isinstance(_drive_once(budget, {**CHAT, "max_tokens": 1})[-1], Pause)


def test_after_a_429_every_holder_waits_for_the_reset() -> None:
    clock = Clock()
    budget = _budget(Limits(output=1000), clock)
    budget.penalise("m", 7.5)
    steps = _drive_once(budget, CHAT)
    assert isinstance(steps[-1], Pause)
    assert 7.5 <= steps[-1].seconds <= 8.5  # from the first slot after the reset


def test_limits_by_model_and_by_tier() -> None:
    budget = TokenBudget({"a": Limits(output=5)}, scale=0.001)
    assert budget.limits_for("a") == Limits(output=5)
    assert budget.limits_for("b", "large") == Limits(20_000, 4_000, 200)
    assert budget.limits_for("b", None) == Limits(40_000, 8_000, 400)  # medium when unknown


async def test_async_reserve_and_settle_share_the_windows_with_sync() -> None:
    budget = TokenBudget(Limits(output=100), headroom=0.0)
    r = await budget.areserve({**CHAT, "max_tokens": 60}, model="m")
    assert budget.used("m")["output"] == 60
    await budget.asettle(r, {"prompt_tokens": 10, "completion_tokens": 10})
    assert budget.used("m")["output"] == 10


class _Seen(logging.Handler):
    def __init__(self, text: str) -> None:
        super().__init__()
        self.text, self.event = text, threading.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if self.text in record.getMessage():
            self.event.set()


def test_redis_going_away_falls_back_to_local_windows(caplog: pytest.LogCaptureFixture) -> None:
    require_redis()
    with running_redis() as (url, _):
        budget = TokenBudget(Limits(output=1000), redis=url)
        granted_by_redis = budget.reserve({**CHAT, "max_tokens": 10}, model="m")
    # the server is gone now: nothing fails, and the reservation from Redis settles quietly
    with caplog.at_level(logging.WARNING, "telnyx_inference.budget"):
        r = budget.reserve({**CHAT, "max_tokens": 10}, model="m")
        budget.settle(granted_by_redis, {"prompt_tokens": 1, "completion_tokens": 1})
    assert r.backend is budget._local
    assert "keeps to its own token windows" in caplog.text
    assert budget.used("m")["output"] == 10


def test_with_wait_a_reservation_waits_for_redis_to_come_back() -> None:
    require_redis()
    folder = Path(tempfile.mkdtemp(prefix="telnyx-redis-"))
    with running_redis(folder) as (url, _):
        budget = TokenBudget(Limits(output=1000), redis=url, on_redis_error="wait")
        budget.reserve(CHAT, model="m")
    seen = _Seen("waiting")
    logging.getLogger("telnyx_inference.budget").addHandler(seen)
    done: list[object] = []
    worker = threading.Thread(target=lambda: done.append(budget.reserve(CHAT, model="m")))
    try:
        worker.start()
        assert seen.event.wait(30), "the reservation should be waiting for Redis"
        assert not done
        with running_redis(folder):
            worker.join(timeout=30)
            assert done
            assert done[0].backend is budget._shared
    finally:
        logging.getLogger("telnyx_inference.budget").removeHandler(seen)


async def test_callers_are_served_in_the_order_they_asked() -> None:
    """A caller answered a moment ago does not jump ahead of callers already waiting."""
    budget = TokenBudget(Limits(output=100), window_seconds=0.6, headroom=0.0)
    order: list[int] = []

    async def call(i: int) -> None:
        held = await budget.areserve({**CHAT, "max_tokens": 40}, model="m")
        order.append(i)
        await budget.asettle(held, {"prompt_tokens": 1, "completion_tokens": 40})

    first = [asyncio.create_task(call(i)) for i in range(5)]
    await asyncio.wait_for(asyncio.gather(*first), timeout=30)  # a hang guard
    assert order == [0, 1, 2, 3, 4]


def test_a_cancelled_wait_gives_its_turn_back() -> None:
    budget = TokenBudget(Limits(output=100), headroom=0.0)
    budget.reserve({**CHAT, "max_tokens": 100}, model="m")  # the window is full
    steps = budget.reserving({**CHAT, "max_tokens": 10}, "m", None, None)
    step = next(steps)
    while isinstance(step, Invoke):
        step = steps.send(getattr(step.target, step.method)(*step.args))
    assert isinstance(step, Pause)
    steps.close()  # the caller gave up while waiting
    turn = budget._turns._threads["m|-"]
    assert turn.acquire(blocking=False), "the turn was given back"
    turn.release()
