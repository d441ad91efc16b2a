"""The emulator's token limits, counter by counter, on a clock the test holds."""

from __future__ import annotations

import pytest

from telnyx_inference.emulator.serving.limits import TokenLimits


class Clock:
    def __init__(self) -> None:
        self.now = 500.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def _limits(clock: Clock) -> TokenLimits:
    limits = TokenLimits(clock=clock)
    limits.configure(models={"m": {"input": 1000, "uncached_input": 400, "output": 100}})
    return limits


def test_defaults_follow_the_catalog_tier_times_the_scale() -> None:
    limits = TokenLimits(scale=0.001)
    assert limits.limits("x", "large") == (20_000, 4_000, 200)
    assert limits.limits("x", "small") == (100_000, 20_000, 1_000)
    assert limits.limits("x", None) == (40_000, 8_000, 400)


def test_total_input_is_refused_when_this_request_would_pass_it(clock: Clock) -> None:
    limits = _limits(clock)
    assert limits.admit("k", "m", None, None, (600, 100, 10)) is None
    clock.now += 10
    refusal = limits.admit("k", "m", None, None, (500, 100, 10))
    assert refusal is not None
    assert (refusal.counter, refusal.limit, refusal.remaining) == ("input", 1000, 400)
    assert refusal.reset == pytest.approx(50.0)
    assert "input tokens per minute for m (limit 1,000)" in refusal.detail


def test_uncached_input_has_its_own_limit(clock: Clock) -> None:
    limits = _limits(clock)
    assert limits.admit("k", "m", None, None, (300, 300, 1)) is None
    assert limits.admit("k", "m", None, None, (300, 20, 1)) is None, "mostly cached: fits"
    refusal = limits.admit("k", "m", None, None, (200, 200, 1))
    assert refusal is not None
    assert (refusal.counter, refusal.remaining) == ("uncached_input", 80)


def test_output_is_refused_only_once_it_is_used_up(clock: Clock) -> None:
    limits = _limits(clock)
    assert limits.admit("k", "m", None, None, (1, 1, 90)) is None
    assert limits.admit("k", "m", None, None, (1, 1, 50)) is None, "output is not known ahead"
    clock.now += 30
    refusal = limits.admit("k", "m", None, None, (1, 1, 1))
    assert refusal is not None
    assert (refusal.counter, refusal.remaining) == ("output", 0)
    assert refusal.reset == pytest.approx(30.0)
    clock.now += 30
    assert limits.admit("k", "m", None, None, (1, 1, 1)) is None, "the window rolled on"


def test_organizations_models_and_regions_count_apart(clock: Clock) -> None:
    limits = _limits(clock)
    limits.configure(organizations={"key-b": "org-b"})
    assert limits.admit("key-a", "m", None, None, (1, 1, 100)) is None
    assert limits.admit("key-a", "m", None, None, (1, 1, 1)) is not None
    assert limits.admit("key-c", "m", None, None, (1, 1, 1)) is not None, "same organization"
    assert limits.admit("key-b", "m", None, None, (1, 1, 1)) is None
    assert limits.admit("key-a", "m", "EU", None, (1, 1, 1)) is None
    assert limits.admit("key-a", "other", None, None, (1, 1, 1)) is None


def test_state_shows_each_scope_and_its_use(clock: Clock) -> None:
    limits = _limits(clock)
    limits.admit("k", "m", "EU", None, (10, 5, 3))
    state = limits.state()
    assert state["scopes"] == [
        {
            "organization": "default",
            "model": "m",
            "region": "EU",
            "used": {"input": 10, "uncached_input": 5, "output": 3},
        }
    ]
    assert state["models"]["m"] == {"input": 1000, "uncached_input": 400, "output": 100}


def test_bad_settings_name_what_was_wrong(clock: Clock) -> None:
    limits = TokenLimits(clock=clock)
    with pytest.raises(ValueError, match="unknown counters"):
        limits.configure(models={"m": {"tokens": 5}})
    with pytest.raises(ValueError, match="scale"):
        limits.configure(scale=0)
