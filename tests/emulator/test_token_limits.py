"""The emulator's token limits, counter by counter, on a clock the test holds."""

from __future__ import annotations

import math
import time

import httpx
import pytest

from telnyx_inference.emulator import Emulator
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
    limits = TokenLimits()
    assert limits.limits("x", "large", 0.001) == (20_000, 4_000, 200)
    assert limits.limits("x", "small", 0.001) == (100_000, 20_000, 1_000)
    assert limits.limits("x", None, 0.001) == (40_000, 8_000, 400)


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
    assert state["organizations"] == {}
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
    with pytest.raises(ValueError, match="whole numbers"):
        limits.configure(models={"m": {"output": -1}})


def test_a_shorter_window_rolls_sooner(clock: Clock) -> None:
    limits = _limits(clock)
    assert limits.admit("k", "m", None, None, (1, 1, 100), window_seconds=6.0) is None
    refusal = limits.admit("k", "m", None, None, (1, 1, 1), window_seconds=6.0)
    assert refusal is not None
    assert refusal.reset == pytest.approx(6.0)
    clock.now += 6
    assert limits.admit("k", "m", None, None, (1, 1, 1), window_seconds=6.0) is None


# --- over HTTP: the 429 a client sees -----------------------------------------------------------


def _chat(base_url: str, key: str, text: str, **extra: object) -> httpx.Response:
    body = {"model": "zai-org/GLM-5.2", "messages": [{"role": "user", "content": text}], **extra}
    return httpx.post(
        f"{base_url}/chat/completions", json=body, headers={"Authorization": f"Bearer {key}"}
    )


@pytest.fixture
def limited(telnyx_emulator: Emulator) -> Emulator:
    telnyx_emulator.configure(token_limits=True)
    return telnyx_emulator


def test_input_limit_answers_telnyxs_429_with_the_headers(limited: Emulator) -> None:
    limited.token_limits(models={"zai-org/GLM-5.2": {"input": 60}})
    first = _chat(limited.base_url, "k", "one two three four five six seven eight nine ten " * 3)
    assert first.status_code == 200
    used = first.json()["usage"]["prompt_tokens"]
    second = _chat(limited.base_url, "k", "one two three four five six seven eight nine ten " * 3)
    assert second.status_code == 429
    assert second.json() == {
        "errors": [
            {
                "code": "10011",
                "title": "Too many requests",
                "detail": "Token rate limit reached: input tokens per minute for zai-org/GLM-5.2 "
                f"(limit 60); retry in {second_reset(second)} s",
            }
        ]
    }
    assert second.headers["x-ratelimit-limit"] == "60"
    assert second.headers["x-ratelimit-remaining"] == str(60 - used)
    assert 0 < int(second.headers["x-ratelimit-reset"]) - time.time() <= 61


def second_reset(response: httpx.Response) -> int:
    return math.ceil(float(response.headers["x-ratelimit-reset"]) - time.time()) or 1


def test_uncached_input_counts_a_repeated_prefix_as_cached(limited: Emulator) -> None:
    prefix = "Background: " + "the quick brown fox jumps over the lazy dog " * 12
    limited.token_limits(models={"zai-org/GLM-5.2": {"uncached_input": 150}})
    first = _chat(limited.base_url, "k", prefix + "Question one?")
    assert first.status_code == 200
    again = _chat(limited.base_url, "k", prefix + "Question two?")
    assert again.status_code == 200, "mostly cached: it fits the uncached counter"
    assert again.json()["usage"]["prompt_tokens_details"]["cached_tokens"] > 0
    fresh = _chat(limited.base_url, "k", "Unrelated: " + "lorem ipsum dolor sit amet " * 20)
    assert fresh.status_code == 429
    assert "uncached input tokens per minute" in fresh.json()["errors"][0]["detail"]


def test_output_limit_refuses_once_used_up_and_the_state_shows_it(limited: Emulator) -> None:
    limited.token_limits(models={"zai-org/GLM-5.2": {"output": 5}})
    assert _chat(limited.base_url, "k", "Say something long about Paris.").status_code == 200
    refused = _chat(limited.base_url, "k", "And again?")
    assert refused.status_code == 429
    assert refused.headers["x-ratelimit-remaining"] == "0"
    state = httpx.get(f"{limited.root}/_emulator/limits").json()
    assert state["enabled"] is True
    assert state["models"] == {"zai-org/GLM-5.2": {"input": 0, "uncached_input": 0, "output": 5}}
    [scope] = state["scopes"]
    assert scope["organization"] == "default"
    assert scope["used"]["output"] >= 5


def test_limits_are_off_unless_asked_and_reset_clears_them(telnyx_emulator: Emulator) -> None:
    telnyx_emulator.token_limits(models={"zai-org/GLM-5.2": {"output": 1}})
    for _ in range(3):
        assert _chat(telnyx_emulator.base_url, "k", "hello").status_code == 200
    telnyx_emulator.configure(token_limits=True)
    telnyx_emulator.reset()
    assert telnyx_emulator.token_limits()["models"] == {}
    assert telnyx_emulator.token_limits()["enabled"] is False


def test_scaled_tier_defaults_apply_to_embeddings_too(limited: Emulator) -> None:
    limited.configure(token_budget_scale=1e-6)  # medium tier: 40 input, 8 uncached a minute
    url = f"{limited.base_url}/embeddings"
    body = {"model": "thenlper/gte-large", "input": ["word " * 6]}
    assert httpx.post(url, json=body, headers={"Authorization": "Bearer k"}).status_code == 200
    again = httpx.post(url, json=body, headers={"Authorization": "Bearer k"})
    assert again.status_code == 429
    assert again.headers["x-ratelimit-limit"] == "8"
    alone = httpx.post(
        url, json={**body, "input": ["word " * 20]}, headers={"Authorization": "Bearer k"}
    )
    assert "this request alone needs 21" in alone.json()["errors"][0]["detail"]
