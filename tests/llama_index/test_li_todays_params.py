"""Today's chat contract through LlamaIndex's ``Telnyx``, checked on the request bodies the
emulator received: native reasoning_effort, region / mode, the catalog's output limit as
``num_output``, cost per answer (``additional_kwargs["cost"]``) and over a block, and the
warning for an answer whose budget went to reasoning."""

from __future__ import annotations

import asyncio
import warnings
from decimal import Decimal

import pytest
from li_support import chat_bodies, make_llm
from llama_index.core.base.llms.types import ChatMessage

from llama_index_telnyx import telnyx_usage
from telnyx_inference import InvalidParameterError, RegionUnavailableError, TelnyxWarning
from telnyx_inference.emulator import Emulator, ScriptedReply

HELLO = [ChatMessage(role="user", content="Hello")]
PRICED = "acme/priced-li"


@pytest.fixture
def emu(telnyx_emulator: Emulator) -> Emulator:
    """The session's emulator, with no catalog of it read yet in this process (the
    ``telnyx_emulator`` fixture sees to that)."""
    return telnyx_emulator


def test_reasoning_effort_xhigh_arrives_as_is(emu: Emulator) -> None:
    llm = make_llm(emu, model="zai-org/GLM-5.2", reasoning_effort="xhigh")
    with warnings.catch_warnings():
        warnings.simplefilter("error", TelnyxWarning)
        llm.chat(HELLO)
        list(llm.stream_chat(HELLO, reasoning_effort="max"))
    first, streamed = chat_bodies(emu)
    assert (first["reasoning_effort"], streamed["reasoning_effort"]) == ("xhigh", "max")
    assert "enable_thinking" not in first
    assert "enable_thinking" not in streamed


def test_mode_without_region_sends_nothing(emu: Emulator) -> None:
    with pytest.raises(InvalidParameterError) as at_construction:
        make_llm(emu, mode="strict")
    assert at_construction.value.param == "mode"
    llm = make_llm(emu, context_window=8_192, max_tokens=256)  # no catalog read for metadata
    with pytest.raises(InvalidParameterError) as per_call:
        llm.chat(HELLO, mode="strict")
    assert per_call.value.param == "mode"
    assert emu.journal == []


def test_strict_region_refusal_names_region_and_model(emu: Emulator) -> None:
    llm = make_llm(emu, model="moonshotai/Kimi-K3", region="AUS")
    assert llm.complete("Hello", mode="preferred").text
    with pytest.raises(RegionUnavailableError) as caught:
        llm.complete("Hello", mode="strict")
    assert (caught.value.region, caught.value.model) == ("AUS", "moonshotai/Kimi-K3")
    assert [b.get("mode") for b in chat_bodies(emu)] == ["preferred", "strict"]


def test_num_output_comes_from_the_catalog(emu: Emulator) -> None:
    metadata = make_llm(emu, model="zai-org/GLM-5.3").metadata
    assert (metadata.context_window, metadata.num_output) == (1_048_576, 131_072)


def test_two_calls_at_known_prices_cost_an_exact_total(emu: Emulator) -> None:
    emu.add_model(
        PRICED,
        32_768,
        pricing={
            "prompt": "1.00",
            "cached_prompt": "0.25",
            "completion": "4.00",
            "currency": "USD",
            "unit": "1M_tokens",
        },
    )
    emu.script(
        ScriptedReply(
            content="one",
            usage={
                "prompt_tokens": 300,
                "completion_tokens": 50,
                "prompt_tokens_details": {"cached_tokens": 100},
                "completion_tokens_details": {"reasoning_tokens": 20},
            },
        ),
        ScriptedReply(
            content="two",
            usage={
                "prompt_tokens": 700,
                "completion_tokens": 25,
                "prompt_tokens_details": {"cached_tokens": 0},
            },
        ),
    )
    llm = make_llm(emu, model=PRICED)
    with telnyx_usage() as usage:
        first = llm.chat(HELLO)
        second = asyncio.run(llm.acomplete("Hello again"))
    # 200 × 1.00 + 100 × 0.25 + 50 × 4.00 = 425, then 700 × 1.00 + 25 × 4.00 = 800 (per 1M)
    assert first.additional_kwargs["cost"]["total"] == "0.000425"
    assert first.raw.cost.total == Decimal("0.000425")
    assert second.additional_kwargs["cost"]["total"] == "0.0008"
    assert (
        first.additional_kwargs["cached_tokens"],
        first.additional_kwargs["reasoning_tokens"],
    ) == (100, 20)
    assert usage.total_cost == Decimal("0.001225")
    assert usage.currency == "USD"
    assert (usage.calls, usage.reasoning_tokens) == (2, 20)


def test_a_stream_carries_its_cost_on_the_last_response(emu: Emulator) -> None:
    llm = make_llm(emu, model="zai-org/GLM-5.2")
    llm.metadata  # noqa: B018  (reads the catalog, prices included)
    responses = list(llm.stream_chat(HELLO))
    cost = responses[-1].additional_kwargs["cost"]
    assert Decimal(cost["total"]) > 0
    assert cost["currency"] == "USD"
    assert responses[-1].raw.cost.total == Decimal(cost["total"])


def test_an_answer_cut_while_reasoning_warns_once_naming_the_default(emu: Emulator) -> None:
    emu.script(
        ScriptedReply(content="", reasoning="Thinking it over.", finish_reason="length"),
        ScriptedReply(content="", reasoning="Still thinking.", finish_reason="length"),
    )
    llm = make_llm(emu, model="deepseek-ai/DeepSeek-V4.1-Flash")
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        llm.complete("What is the meaning of life?")
        list(llm.stream_complete("And of everything else?"))
    ours = [w for w in seen if issubclass(w.category, TelnyxWarning)]
    assert len(ours) == 1
    assert ours[0].filename == __file__
    assert "max_tokens" in str(ours[0].message)
    assert "8192" in str(ours[0].message)
