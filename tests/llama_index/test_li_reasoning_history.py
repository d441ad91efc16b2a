"""ThinkingBlocks of an assistant tool-call turn go back as ``reasoning_content``, under the
core's ``reasoning_history`` setting; ``reasoning_effort`` maps onto ``enable_thinking``."""

from __future__ import annotations

import warnings
from typing import Any

import pytest
from li_support import HOSTED, chat_bodies, make_llm
from llama_index.core.base.llms.types import (
    ChatMessage,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
)
from llama_index.core.tools import FunctionTool

from telnyx_inference.emulator import Emulator, ScriptedReply


def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


def _assistant_turns(emu: Emulator) -> list[dict[str, Any]]:
    return [m for m in chat_bodies(emu)[-1]["messages"] if m["role"] == "assistant"]


def _history() -> list[ChatMessage]:
    return [
        ChatMessage(role="user", content="hi"),
        ChatMessage(
            role="assistant", blocks=[ThinkingBlock(content="greet"), TextBlock(text="Hello!")]
        ),
        ChatMessage(role="user", content="add 1 and 2"),
        ChatMessage(
            role="assistant",
            blocks=[
                ThinkingBlock(content="I should"),
                ThinkingBlock(content="call add."),
                ToolCallBlock(tool_call_id="c1", tool_name="add", tool_kwargs={"a": 1, "b": 2}),
            ],
        ),
        ChatMessage(role="tool", content="3", additional_kwargs={"tool_call_id": "c1"}),
    ]


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        (None, [None, "I should\ncall add."]),
        ("all", ["greet", "I should\ncall add."]),
        ("never", [None, None]),
    ],
)
def test_reasoning_history(emu: Emulator, policy: str | None, expected: list[str | None]) -> None:
    llm = make_llm(emu, **({"reasoning_history": policy} if policy else {}))
    llm.chat(_history())
    assert [m.get("reasoning_content") for m in _assistant_turns(emu)] == expected
    make_llm(emu).chat(_history(), **({"reasoning_history": policy} if policy else {}))
    assert [m.get("reasoning_content") for m in _assistant_turns(emu)] == expected


def test_a_real_tool_round_sends_the_models_reasoning_back(emu: Emulator) -> None:
    llm = make_llm(emu, model=HOSTED)
    tool = FunctionTool.from_defaults(add)
    emu.script(
        ScriptedReply(
            tool_calls=[{"name": "add", "arguments": {"a": 1, "b": 2}}], reasoning="Use add."
        )
    )
    first = llm.chat_with_tools([tool], user_msg="add 1 and 2")
    call = llm.get_tool_calls_from_response(first)[0]
    history = [
        ChatMessage(role="user", content="add 1 and 2"),
        first.message,
        ChatMessage(role="tool", content="3", additional_kwargs={"tool_call_id": call.tool_id}),
    ]
    llm.chat_with_tools([tool], chat_history=history)
    assert _assistant_turns(emu)[0]["reasoning_content"] == "Use add."


def test_reasoning_effort(emu: Emulator) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no notice: the levels are Telnyx's own
        make_llm(emu, reasoning_effort="minimal").complete("hi")
        assert chat_bodies(emu)[-1]["reasoning_effort"] == "minimal"
        make_llm(emu, enable_thinking=False).complete("hi", reasoning_effort="xhigh")
    body = chat_bodies(emu)[-1]
    assert body["reasoning_effort"] == "xhigh"
    assert body["enable_thinking"] is False  # its own switch, left as the model set it
