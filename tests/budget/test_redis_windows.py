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


def test_both_backends_book_settle_and_count_alike(windows: LocalWindows) -> None:
    first = windows.reserve("m|-", (100, 100, 90), LIMITS)
    assert first.wait == 0
    windows.settle("m|-", first.slot, (100, 100, 90), (50, 50, 30))  # the answer used less
    assert windows.reserve("m|-", (100, 100, 20), LIMITS).wait == 0
    later = windows.reserve("m|-", (0, 0, 60), LIMITS)  # 30 + 20 + 60 > 100: not now
    assert later.slot is None
    assert 0 < later.wait <= 61
    assert windows.totals("m|-") == (150, 150, 50)
    assert windows.totals("other|-") == (0, 0, 0), "scopes are apart"


def test_both_backends_refuse_what_can_never_fit(windows: LocalWindows) -> None:
    with pytest.raises(TooLarge, match="uncached input"):
        windows.reserve("m|-", (10, 501, 1), LIMITS)


def test_both_backends_block_everyone_until_the_reset(windows: LocalWindows) -> None:
    windows.block("m|-", 30)
    held = windows.reserve("m|-", (1, 1, 1), LIMITS)
    assert held.slot is None
    assert 29 <= held.wait <= 31
    assert windows.reserve("m|EU", (1, 1, 1), LIMITS).wait == 0


async def test_the_async_client_shares_the_same_windows(fresh_redis: str) -> None:
    windows = RedisWindows.from_url(fresh_redis, seconds=60)
    assert (await windows.areserve("m|-", (0, 0, 60), LIMITS)).wait == 0
    assert windows.reserve("m|-", (0, 0, 60), LIMITS).wait > 0
    await windows.aclose()
    windows.close()


def _hammer(url: str, results: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    windows = RedisWindows.from_url(url, seconds=60)
    now = sum(windows.reserve("m|-", (0, 0, 7), (0, 0, 700)).wait == 0 for _ in range(60))
    results.put(now)


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
    later = copy._windows().reserve("m|-", (0, 0, 60), Limits(output=100).as_usage(0.05))
    assert later.wait > 0, "the copy sees what the original reserved"
