"""The emulator speaks today's chat contract: the catalog's new fields (prices as strings),
reasoning_effort levels per model (400 in Telnyx's shape for a level a model lacks), region /
mode (strict → 422 where the model is not deployed), per-model service tiers, the 8192
max_tokens default and clamping, and usage with cached and reasoning token details."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import httpx
import pytest

from telnyx_inference._constants import DEFAULT_MAX_TOKENS, REASONING_EFFORTS
from telnyx_inference.chat.catalog import parse_models
from telnyx_inference.emulator import Emulator
from telnyx_inference.emulator.model.prefix_cache import BLOCK_TOKENS, PrefixCache
from telnyx_inference.emulator.serving.catalog import Catalog, token_limit

from ._support import CHAT, chat_body

MODELS = "/v2/ai/openai/models"
LONG = "Tell me about the long history of the Norwegian fjords and the glaciers that cut them. " * 4


def _entry(http: httpx.Client, model: str) -> dict[str, Any]:
    return next(m for m in http.get(MODELS).json()["data"] if m["id"] == model)


def test_catalog_has_todays_fields_with_prices_as_strings(http: httpx.Client) -> None:
    entry = _entry(http, "moonshotai/Kimi-K2.6")
    assert {
        "max_completion_tokens",
        "tier",
        "service_tiers",
        "regions",
        "pricing",
        "recommended_for_assistants",
        "base_model",
        "languages",
    } <= set(entry)
    assert entry["pricing"] == {
        "prompt": "0.60",
        "cached_prompt": "0.15",
        "completion": "2.50",
        "currency": "USD",
        "unit": "1M_tokens",
    }
    assert entry["tier"] == "medium"
    assert entry["regions"] == ["us-central-1", "eu-central-1"]
    for model in DEFAULT_MAX_TOKENS:  # the models with an 8192 default are listed
        assert _entry(http, model)["max_completion_tokens"] >= 8192
    facts = parse_models(http.get(MODELS).json())["zai-org/GLM-5.2"]
    assert facts.pricing is not None
    assert facts.pricing.completion == Decimal("2.20")


def test_a_model_that_lacks_an_effort_level_answers_400_in_telnyx_shape(
    http: httpx.Client,
) -> None:
    body = chat_body(reasoning_effort="xhigh")
    body["model"] = "MiniMaxAI/MiniMax-M3-MXFP8"
    refused = http.post(CHAT, json=body)
    assert refused.status_code == 400
    error = refused.json()["errors"][0]
    assert error["source"] == {"pointer": "/reasoning_effort"}
    assert "xhigh" in error["detail"]
    assert {"code", "title"} <= set(error)
    assert http.post(CHAT, json={**body, "reasoning_effort": "medium"}).status_code == 200
    for level in REASONING_EFFORTS:  # other models take all seven
        assert http.post(CHAT, json=chat_body(reasoning_effort=level)).status_code == 200


def test_effort_none_leaves_the_reasoning_out(http: httpx.Client) -> None:
    thinking = http.post(CHAT, json=chat_body(reasoning_effort="high")).json()
    quiet = http.post(CHAT, json=chat_body(reasoning_effort="none")).json()
    assert thinking["choices"][0]["message"]["reasoning_content"]
    assert quiet["choices"][0]["message"]["reasoning_content"] is None
    assert quiet["usage"]["completion_tokens_details"] == {"reasoning_tokens": 0}


@pytest.mark.parametrize(
    ("region", "mode", "status"),
    [
        ("EU", "strict", 200),
        ("USA", "strict", 200),
        ("UAE", "strict", 422),
        ("AUS", "strict", 200),
        ("UAE", "preferred", 200),
        ("UAE", None, 200),
    ],
)
def test_region_and_mode(http: httpx.Client, region: str, mode: str | None, status: int) -> None:
    extra = {"region": region} | ({"mode": mode} if mode else {})
    answer = http.post(CHAT, json=chat_body(**extra))  # GLM-5.2: us, eu and ap-southeast-2
    assert answer.status_code == status, answer.text
    if status == 422:
        detail = answer.json()["detail"][0]
        assert detail["loc"] == ["body", "region"]
        assert "zai-org/GLM-5.2" in detail["msg"]
        assert "UAE" in detail["msg"]


def test_region_on_a_proxied_model_is_refused(emu: Emulator, http: httpx.Client) -> None:
    emu.add_model("anthropic/claude-sonnet-5", 200_000)
    body = chat_body(region="EU")
    body["model"] = "anthropic/claude-sonnet-5"
    refused = http.post(CHAT, json=body)
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["source"] == {"pointer": "/region"}


def test_service_tiers_per_model(http: httpx.Client) -> None:
    body = chat_body(service_tier="flex")
    body["model"] = "moonshotai/Kimi-K3"  # default and priority only
    refused = http.post(CHAT, json=body)
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["source"] == {"pointer": "/service_tier"}
    assert http.post(CHAT, json={**body, "service_tier": "priority"}).status_code == 200


def test_the_8192_default_and_clamping() -> None:
    models = Catalog()
    glm = models.get("zai-org/GLM-5.3")
    kimi = models.get("moonshotai/Kimi-K2.6")
    assert glm is not None
    assert kimi is not None
    assert token_limit("zai-org/GLM-5.3", glm, None) == 8192
    assert token_limit("zai-org/GLM-5.3", glm, 10**9) == glm.max_completion_tokens
    assert token_limit("zai-org/GLM-5.3", glm, 50) == 50
    assert token_limit("moonshotai/Kimi-K2.6", kimi, None) is None  # left to the engine
    assert token_limit("moonshotai/Kimi-K2.6", kimi, 10**9) == kimi.max_completion_tokens


def test_a_cap_counts_reasoning_and_answer_together(http: httpx.Client) -> None:
    body = chat_body("Think about the meaning of life", max_tokens=4)
    body["model"] = "zai-org/GLM-5.3"
    answer = http.post(CHAT, json=body).json()
    choice, usage = answer["choices"][0], answer["usage"]
    assert choice["finish_reason"] == "length"
    assert choice["message"]["content"] == ""
    assert usage["completion_tokens"] == 4
    assert usage["completion_tokens_details"] == {"reasoning_tokens": 4}


def test_usage_reports_reasoning_and_a_repeated_prefix_as_cached(http: httpx.Client) -> None:
    first = http.post(CHAT, json=chat_body(LONG)).json()["usage"]
    again = http.post(CHAT, json=chat_body(LONG)).json()["usage"]
    longer = http.post(CHAT, json=chat_body(LONG + " And the Vikings?")).json()["usage"]
    assert first["prompt_tokens_details"] == {"cached_tokens": 0}
    cached = again["prompt_tokens_details"]["cached_tokens"]
    assert 0 < cached < again["prompt_tokens"]
    assert cached % BLOCK_TOKENS == 0
    assert longer["prompt_tokens_details"]["cached_tokens"] >= cached
    reasoning = first["completion_tokens_details"]["reasoning_tokens"]
    assert 0 < reasoning < first["completion_tokens"]
    assert first["total_tokens"] == first["prompt_tokens"] + first["completion_tokens"]


def test_streamed_usage_carries_the_details(http: httpx.Client) -> None:
    body = chat_body(LONG, stream=True, stream_options={"include_usage": True})
    http.post(CHAT, json=body)
    raw = http.post(CHAT, json=body).text
    last = [json.loads(line[6:]) for line in raw.splitlines() if line.startswith("data: {")][-1]
    assert last["choices"] == []
    assert last["usage"]["prompt_tokens_details"]["cached_tokens"] > 0
    assert "reasoning_tokens" in last["usage"]["completion_tokens_details"]


def test_prefix_cache_is_per_model_and_bounded() -> None:
    cache = PrefixCache()
    messages = [{"role": "user", "content": LONG}]
    assert cache.lookup("a", messages, 200) == 0
    assert cache.lookup("b", messages, 200) == 0  # another model: its own cache
    assert cache.lookup("a", messages, 200) > 0
    assert cache.lookup("a", messages, 10) == 9  # never the whole prompt
    cache.clear()
    assert cache.lookup("a", messages, 200) == 0
    tiny = PrefixCache(max_blocks=1)  # keeps only the last block: the prefix is gone
    tiny.lookup("a", messages, 200)
    assert tiny.lookup("a", messages, 200) == 0


def test_reset_forgets_the_cache_and_added_models(emu: Emulator, http: httpx.Client) -> None:
    http.post(CHAT, json=chat_body(LONG))
    emu.add_model(
        "acme/x",
        1000,
        pricing={"prompt": "1", "completion": "2"},
        reasoning_efforts=["low"],
        service_tiers=["default"],
        regions=["eu-west-1"],
    )
    assert _entry(http, "acme/x")["pricing"]["prompt"] == "1"
    emu.reset()
    assert http.post(CHAT, json=chat_body(LONG)).json()["usage"]["prompt_tokens_details"] == {
        "cached_tokens": 0
    }
    assert all(m["id"] != "acme/x" for m in http.get(MODELS).json()["data"])


def test_control_api_adds_a_model_with_todays_fields(emu: Emulator, http: httpx.Client) -> None:
    added = http.post(
        "/_emulator/models",
        json={
            "id": "acme/y",
            "context_length": 4096,
            "tier": "small",
            "regions": ["us-east-1"],
            "service_tiers": ["default"],
            "reasoning_efforts": ["low", "high"],
            "pricing": {"prompt": "0.5", "completion": "1.5", "currency": "EUR"},
        },
    )
    assert added.status_code == 200, added.text
    entry = _entry(http, "acme/y")
    assert entry["pricing"] == {
        "prompt": "0.5",
        "completion": "1.5",
        "currency": "EUR",
        "unit": "1M_tokens",
    }
    body = chat_body(reasoning_effort="xhigh")
    body["model"] = "acme/y"
    assert http.post(CHAT, json=body).status_code == 400
    bad = http.post(
        "/_emulator/models",
        json={"id": "acme/z", "context_length": 1, "pricing": {"prompt": "free"}},
    )
    assert bad.status_code == 400
    assert "pricing" in bad.json()["error"]
