"""Today's chat contract through ChatTelnyx, checked on the request bodies the emulator received:
native reasoning_effort, data residency (region / mode), service tiers from the catalog, the
catalog's output limit in the profile, cost per answer and over a block, and the warning for
an answer whose budget went to reasoning."""

from __future__ import annotations

import asyncio
import warnings
from decimal import Decimal

import pytest
from langchain_core.load import dumps, loads
from langchain_core.messages import AIMessageChunk

from langchain_telnyx import ChatTelnyx, telnyx_usage
from telnyx_inference import InvalidParameterError, RegionUnavailableError, TelnyxWarning
from telnyx_inference.emulator import Emulator, ScriptedReply

PRICED = "acme/priced"


@pytest.fixture
def emu(telnyx_emulator: Emulator) -> Emulator:
    """The session's emulator, with no catalog of it read yet in this process (the
    ``telnyx_emulator`` fixture sees to that)."""
    return telnyx_emulator


def _llm(emu: Emulator, **kw: object) -> ChatTelnyx:
    return ChatTelnyx(api_key="k", base_url=emu.base_url, max_retries=0, **kw)  # type: ignore[arg-type]


def _chats(emu: Emulator) -> list[dict[str, object]]:
    return [e.json for e in emu.journal if e.path.endswith("chat/completions")]


def test_reasoning_effort_xhigh_arrives_as_is(emu: Emulator) -> None:
    llm = _llm(emu, reasoning_effort="xhigh")
    with warnings.catch_warnings():
        warnings.simplefilter("error", TelnyxWarning)
        llm.invoke("Hello")
        list(llm.stream("Hello", reasoning_effort="max"))
    first, streamed = _chats(emu)
    assert first["reasoning_effort"] == "xhigh"
    assert streamed["reasoning_effort"] == "max"
    assert "enable_thinking" not in first
    assert "enable_thinking" not in streamed


def test_a_level_the_model_lacks_is_the_servers_400_naming_the_field(emu: Emulator) -> None:
    llm = _llm(emu, model="MiniMaxAI/MiniMax-M3-MXFP8")
    with pytest.raises(ValueError, match="reasoning_effort"):
        _llm(emu, reasoning_effort="extreme")  # not a level at all: refused at construction
    with pytest.raises(Exception, match=r"reasoning_effort.*'xhigh' is not supported") as caught:
        llm.invoke("Hello", reasoning_effort="xhigh")
    assert getattr(caught.value, "status", None) == 400
    assert llm.invoke("Hello", reasoning_effort="low").content


def test_mode_without_region_sends_nothing(emu: Emulator) -> None:
    with pytest.raises(InvalidParameterError) as at_construction:
        _llm(emu, mode="strict")
    assert at_construction.value.param == "mode"
    llm = _llm(emu)
    with pytest.raises(InvalidParameterError) as per_call:
        llm.invoke("Hello", mode="preferred")
    assert per_call.value.param == "mode"
    with pytest.raises(InvalidParameterError):
        list(llm.stream("Hello", mode="strict"))
    assert emu.journal == []


def test_region_for_a_proxied_model_sends_nothing(emu: Emulator) -> None:
    emu.add_model("openai/gpt-5", 400_000)
    llm = _llm(emu, model="openai/gpt-5", api_key_ref="my-openai-secret", region="EU")
    with pytest.raises(InvalidParameterError, match="Telnyx-hosted models only") as caught:
        llm.invoke("Hello")
    assert caught.value.param == "region"
    assert emu.journal == []


def test_strict_region_refusal_names_region_and_model(emu: Emulator) -> None:
    llm = _llm(emu, model="moonshotai/Kimi-K3", region="EU")  # deployed in the US only
    assert llm.invoke("Hello", mode="preferred").content  # preferred: served from elsewhere
    with pytest.raises(RegionUnavailableError) as caught:
        llm.invoke("Hello", mode="strict")
    err = caught.value
    assert (err.region, err.model, err.status) == ("EU", "moonshotai/Kimi-K3", 422)
    assert "'EU'" in str(err)
    assert "moonshotai/Kimi-K3" in str(err)
    assert "strict" in str(err)
    assert [(b["region"], b["mode"]) for b in _chats(emu)] == [
        ("EU", "preferred"),
        ("EU", "strict"),
    ]
    assert _llm(emu, model="moonshotai/Kimi-K2.6", region="EU", mode="strict").invoke("Hi").content


def test_service_tier_the_model_lacks_is_refused_once_the_catalog_is_known(emu: Emulator) -> None:
    llm = _llm(emu, model="moonshotai/Kimi-K3")
    llm.load_profile()  # reads the catalog: Kimi-K3 offers default and priority
    with pytest.raises(InvalidParameterError, match="did you mean 'priority'") as caught:
        llm.invoke("Hello", service_tier="priorty")
    assert caught.value.param == "service_tier"
    assert _chats(emu) == []
    llm.invoke("Hello", service_tier="priority")
    assert _chats(emu)[-1]["service_tier"] == "priority"


def test_profile_takes_the_output_limit_from_the_catalog(emu: Emulator) -> None:
    profile = _llm(emu, model="zai-org/GLM-5.3").load_profile()
    assert profile["max_output_tokens"] == 131_072
    assert profile["max_input_tokens"] == 1_048_576


def test_two_calls_at_known_prices_cost_an_exact_total(emu: Emulator) -> None:
    emu.add_model(
        PRICED,
        32_768,
        max_completion_tokens=4_096,
        pricing={
            "prompt": "0.60",
            "cached_prompt": "0.15",
            "completion": "2.50",
            "currency": "EUR",
            "unit": "1M_tokens",
        },
    )
    emu.script(
        ScriptedReply(
            content="one",
            usage={
                "prompt_tokens": 1000,
                "completion_tokens": 200,
                "prompt_tokens_details": {"cached_tokens": 400},
            },
        ),
        ScriptedReply(
            content="two",
            usage={
                "prompt_tokens": 2000,
                "completion_tokens": 100,
                "prompt_tokens_details": {"cached_tokens": 0},
            },
        ),
    )
    llm = _llm(emu, model=PRICED)
    with telnyx_usage() as usage:
        first = llm.invoke("Hello")
        second = asyncio.run(llm.ainvoke("Hello again"))
    # 600 × 0.60 + 400 × 0.15 + 200 × 2.50 = 920, then 2000 × 0.60 + 100 × 2.50 = 1450 (per 1M)
    assert first.response_metadata["cost"] == {
        "total": "0.00092",  # exact decimal text: JSON, so the message survives dumps/loads
        "currency": "EUR",
        "prompt": "0.00036",
        "cached_prompt": "0.00006",
        "completion": "0.0005",
    }
    assert second.response_metadata["cost"]["total"] == "0.00145"
    assert usage.total_cost == Decimal("0.00237")
    assert isinstance(usage.total_cost, Decimal)
    assert usage.currency == "EUR"
    assert (usage.calls, usage.prompt_tokens, usage.cached_tokens) == (2, 3000, 400)
    assert first.usage_metadata is not None
    assert first.usage_metadata["input_token_details"] == {"cache_read": 400}


def test_unknown_prices_are_unknown_never_zero(emu: Emulator) -> None:
    emu.add_model("acme/unpriced", 32_768)
    llm = _llm(emu, model="acme/unpriced")
    with telnyx_usage() as usage:
        message = llm.invoke("Hello")
    assert message.response_metadata["cost"]["total"] == "unknown"
    assert usage.total_cost == "unknown"
    assert usage.unpriced_calls == 1


def test_totals_cover_threads_tasks_and_streams(emu: Emulator) -> None:
    llm = _llm(emu)  # moonshotai/Kimi-K2.6: a priced reasoning model in the emulator

    async def two_tasks() -> list[object]:
        return list(await asyncio.gather(llm.ainvoke("a"), llm.ainvoke("b")))

    prompt = "Summarise the history of the Norwegian fjords in three careful sentences. " * 3
    with telnyx_usage() as outer:
        messages = llm.batch(["one", "two", "three"])  # threads that copy the context
        messages += asyncio.run(two_tasks())  # type: ignore[arg-type]
        with telnyx_usage() as inner:
            chunks = list(llm.stream(prompt))
            repeat = list(llm.stream(prompt))
    streamed = chunks[0]
    for chunk in chunks[1:]:
        streamed += chunk
    assert isinstance(streamed, AIMessageChunk)
    assert outer.calls == 7
    assert inner.calls == 2
    costs = [Decimal(m.response_metadata["cost"]["total"]) for m in messages]
    costs.append(Decimal(streamed.response_metadata["cost"]["total"]))
    costs += [
        Decimal(c.response_metadata["cost"]["total"])
        for c in repeat
        if "cost" in c.response_metadata
    ]
    assert len(costs) == 7
    assert all(c > 0 for c in costs)
    assert outer.total_cost == sum(costs)
    assert streamed.usage_metadata is not None
    assert streamed.usage_metadata["output_token_details"]["reasoning"] > 0
    last = [c for c in repeat if c.usage_metadata][-1].usage_metadata
    assert last is not None
    assert last["input_token_details"]["cache_read"] > 0


def test_an_answer_cut_while_reasoning_warns_once_naming_the_default(emu: Emulator) -> None:
    emu.script(
        ScriptedReply(content="", reasoning="Let me think about this.", finish_reason="length"),
        ScriptedReply(content="", reasoning="Still thinking.", finish_reason="length"),
    )
    llm = _llm(emu, model="zai-org/GLM-5.3")
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        llm.invoke("What is the meaning of life?")
        llm.invoke("And of everything else?")
    ours = [w for w in seen if issubclass(w.category, TelnyxWarning)]
    assert len(ours) == 1
    assert ours[0].filename == __file__
    text = str(ours[0].message)
    assert "max_tokens" in text
    assert "8192" in text
    assert "zai-org/GLM-5.3" in text


def test_a_small_cap_really_cuts_the_answer_inside_the_reasoning(emu: Emulator) -> None:
    llm = _llm(emu, model="zai-org/GLM-5.3")
    with pytest.warns(TelnyxWarning, match="max_tokens=3"):
        message = llm.invoke("Think hard about the answer to life", max_tokens=3)
    assert message.content == ""
    assert message.response_metadata["finish_reason"] == "length"
    assert message.usage_metadata is not None
    assert message.usage_metadata["output_token_details"]["reasoning"] == 3


def test_a_priced_message_survives_langchains_serialisation(emu: Emulator) -> None:
    llm = _llm(emu)
    with telnyx_usage():
        message = llm.invoke("Hello")
    assert message.response_metadata["cost"]["currency"] == "USD"
    assert loads(dumps(message)).response_metadata["cost"] == message.response_metadata["cost"]
