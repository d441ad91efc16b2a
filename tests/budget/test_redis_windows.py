"""The Redis backend keeps the window's rules, atomically, on a real Redis server."""

from __future__ import annotations

import multiprocessing
import pickle

import pytest

from telnyx_inference.budget import Limits, TokenBudget, TooLarge
from telnyx_inference.budget.local_backend import LocalWindows
from telnyx_inference.budget.redis_backend import RedisWindows

LIMITS = (1000, 500, 100)


@pytest.fixture(params=["local", "redis"])
def windows(request: pytest.FixtureRequest, fresh_redis: str) -> object:
    if request.param == "local":
        return LocalWindows(seconds=60)
    return RedisWindows.from_url(fresh_redis, seconds=60)


def test_both_backends_grant_refuse_and_correct_alike(windows: LocalWindows) -> None:
    first = windows.reserve("m|-", (100, 100, 90), LIMITS)
    assert first.granted
    refused = windows.reserve("m|-", (100, 100, 20), LIMITS)
    assert not refused.granted
    assert 0 < refused.wait <= 60
    assert windows.totals("m|-") == (100, 100, 90)
    assert first.slot is not None
    windows.settle("m|-", first.slot, (100, 100, 90), (50, 50, 30))
    assert windows.reserve("m|-", (100, 100, 20), LIMITS).granted
    assert windows.totals("m|-") == (150, 150, 50)
    assert windows.totals("other|-") == (0, 0, 0), "scopes are apart"


def test_both_backends_refuse_what_can_never_fit(windows: LocalWindows) -> None:
    with pytest.raises(TooLarge, match="uncached input"):
        windows.reserve("m|-", (10, 501, 1), LIMITS)


def test_both_backends_block_everyone_until_the_reset(windows: LocalWindows) -> None:
    windows.block("m|-", 30)
    refused = windows.reserve("m|-", (1, 1, 1), LIMITS)
    assert not refused.granted
    assert 29 <= refused.wait <= 30
    assert windows.reserve("m|EU", (1, 1, 1), LIMITS).granted


async def test_the_async_client_shares_the_same_windows(fresh_redis: str) -> None:
    windows = RedisWindows.from_url(fresh_redis, seconds=60)
    assert (await windows.areserve("m|-", (0, 0, 60), LIMITS)).granted
    assert not windows.reserve("m|-", (0, 0, 60), LIMITS).granted
    await windows.aclose()
    windows.close()


def _hammer(url: str, results: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    windows = RedisWindows.from_url(url, seconds=60)
    granted = sum(windows.reserve("m|-", (0, 0, 7), (0, 0, 700)).granted for _ in range(60))
    results.put(granted)


def test_four_processes_never_overshoot_the_shared_window(fresh_redis: str) -> None:
    ctx = multiprocessing.get_context("spawn")
    results: multiprocessing.Queue = ctx.Queue()  # type: ignore[type-arg]
    workers = [ctx.Process(target=_hammer, args=(fresh_redis, results)) for _ in range(4)]
    for w in workers:
        w.start()
    granted = [results.get(timeout=60) for _ in workers]
    for w in workers:
        w.join(timeout=30)
    assert sum(granted) == 100, granted  # exactly 700 / 7, across 240 attempts
    assert RedisWindows.from_url(fresh_redis).totals("m|-") == (0, 0, 700)


def test_a_budget_on_redis_pickles_as_its_url(fresh_redis: str) -> None:
    budget = TokenBudget(Limits(output=100), redis=fresh_redis)
    copy = pickle.loads(pickle.dumps(budget))
    body = {"messages": [{"role": "user", "content": "hi"}], "max_tokens": 60}
    budget.reserve(body, model="m")
    refused = copy._windows().reserve("m|-", (0, 0, 60), Limits(output=100).as_usage(0.05))
    assert not refused.granted, "the copy sees what the original reserved"
