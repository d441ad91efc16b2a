"""A reasoning model's thoughts go back with its tool calls (Kimi / GLM tool loops), and
``reasoning_effort`` is sent as it is."""

from __future__ import annotations

import warnings
from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langchain_core.tools import tool

from langchain_telnyx import ChatTelnyx
from telnyx_inference.emulator import Emulator, ScriptedReply


@tool
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


def _assistant_turns(emu: Emulator) -> list[dict[str, Any]]:
    body = emu.journal[-1].json
    assert isinstance(body, dict)
    return [m for m in body["messages"] if m["role"] == "assistant"]


def _loop(llm: ChatTelnyx, emu: Emulator, **call: Any) -> AIMessage:
    """One finished tool round after a plain answer, sent back to the model."""
    emu.script(ScriptedReply(content="Hello!", reasoning="Greet the user."))
    first = llm.invoke("hi")
    emu.script(
        ScriptedReply(
            tool_calls=[{"name": "add", "arguments": {"a": 1, "b": 2}}],
            reasoning="I should call add.",
        )
    )
    history = [HumanMessage("hi"), first, HumanMessage("add 1 and 2")]
    asked = llm.bind_tools([add]).invoke(history)
    assert asked.tool_calls
    result = ToolMessage("3", tool_call_id=asked.tool_calls[0]["id"])
    return llm.bind_tools([add]).invoke([*history, asked, result], **call)


def test_tool_turns_send_their_reasoning_back_by_default(telnyx_emulator: Emulator) -> None:
    llm = ChatTelnyx(model="zai-org/GLM-5.2", api_key="k", base_url=telnyx_emulator.base_url)
    _loop(llm, telnyx_emulator)
    plain, tool_turn = _assistant_turns(telnyx_emulator)
    assert "reasoning_content" not in plain
    assert tool_turn["reasoning_content"] == "I should call add."
    assert tool_turn["tool_calls"]


@pytest.mark.parametrize(
    ("policy", "expected"),
    [("all", ["Greet the user.", "I should call add."]), ("never", [None, None])],
)
def test_reasoning_history_setting(
    telnyx_emulator: Emulator, policy: str, expected: list[str | None]
) -> None:
    llm = ChatTelnyx(
        model="zai-org/GLM-5.2",
        api_key="k",
        base_url=telnyx_emulator.base_url,
        reasoning_history=policy,
    )
    _loop(llm, telnyx_emulator)
    assert [m.get("reasoning_content") for m in _assistant_turns(telnyx_emulator)] == expected
    _loop(
        ChatTelnyx(api_key="k", base_url=telnyx_emulator.base_url),
        telnyx_emulator,
        reasoning_history=policy,
    )  # the same per call
    assert [m.get("reasoning_content") for m in _assistant_turns(telnyx_emulator)] == expected


def test_reasoning_blocks_and_streamed_turns_count_too(telnyx_emulator: Emulator) -> None:
    llm = ChatTelnyx(api_key="k", base_url=telnyx_emulator.base_url, output_version="v1")
    call = {"name": "add", "args": {"a": 1, "b": 2}, "id": "c1", "type": "tool_call"}
    v1 = AIMessage(content=[{"type": "reasoning", "reasoning": "from a block"}], tool_calls=[call])
    llm.invoke([HumanMessage("x"), v1, ToolMessage("3", tool_call_id="c1")])
    assert _assistant_turns(telnyx_emulator)[0]["reasoning_content"] == "from a block"
    telnyx_emulator.script(
        ScriptedReply(tool_calls=[{"name": "add", "arguments": {"a": 1}}], reasoning="streamed")
    )
    chunks = list(
        ChatTelnyx(api_key="k", base_url=telnyx_emulator.base_url).bind_tools([add]).stream("x")
    )
    full = chunks[0]
    for chunk in chunks[1:]:
        full = full + chunk
    llm.invoke([HumanMessage("x"), full, ToolMessage("3", tool_call_id=full.tool_calls[0]["id"])])
    assert _assistant_turns(telnyx_emulator)[0]["reasoning_content"] == "streamed"


def test_reasoning_effort_is_sent_as_is(telnyx_emulator: Emulator) -> None:
    llm = ChatTelnyx(api_key="k", base_url=telnyx_emulator.base_url, reasoning_effort="none")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no notice: the levels are Telnyx's own
        llm.invoke("hi")
        assert telnyx_emulator.journal[-1].json["reasoning_effort"] == "none"
        llm.invoke("hi", reasoning_effort="high")  # a call's level replaces the model's
    body = telnyx_emulator.journal[-1].json
    assert body["reasoning_effort"] == "high"
    assert "enable_thinking" not in body
