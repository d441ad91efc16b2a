"""LangChain messages → what Telnyx receives (the converters and one emulator round trip)."""

from __future__ import annotations

import pytest
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    ChatMessage,
    FunctionMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)

from langchain_telnyx import ChatTelnyx
from langchain_telnyx._messages import to_wire_messages
from telnyx_inference.chat.request import build_chat_request
from telnyx_inference.emulator import Emulator
from telnyx_inference.errors import InvalidParameterTypeError

PNG_B64 = "iVBORw0KGgo="


def test_each_kind_and_name() -> None:
    wire = to_wire_messages(
        [
            SystemMessage("Be brief.", name="rules"),
            HumanMessage("Hi", name="ada"),
            AIMessage("Hello", name="bot"),
            ChatMessage(role="developer", content="Extra rule"),
            HumanMessage("Again"),
            HumanMessage("And again"),  # consecutive same-role messages stay separate
        ]
    )
    assert wire == [
        {"role": "system", "content": "Be brief.", "name": "rules"},
        {"role": "user", "content": "Hi", "name": "ada"},
        {"role": "assistant", "content": "Hello", "name": "bot"},
        {"role": "developer", "content": "Extra rule"},
        {"role": "user", "content": "Again"},
        {"role": "user", "content": "And again"},
    ]


def test_images_in_every_spelling_become_parts() -> None:
    message = HumanMessage(
        content=[
            {"type": "text", "text": "What is this?"},
            {"type": "image_url", "image_url": {"url": "https://x.test/a.png"}},
            {"type": "image_url", "image_url": "https://x.test/b.png"},
            {"type": "image", "url": "https://x.test/c.png"},
            {"type": "image", "base64": PNG_B64, "mime_type": "image/png"},
            {"type": "image", "source_type": "base64", "data": PNG_B64, "mime_type": "image/jpeg"},
        ]
    )
    parts = to_wire_messages([message])[0]["content"]
    assert parts[0] == {"type": "text", "text": "What is this?"}
    assert [p["image_url"] for p in parts[1:]] == [
        "https://x.test/a.png",
        "https://x.test/b.png",
        "https://x.test/c.png",
        f"data:image/png;base64,{PNG_B64}",
        f"data:image/jpeg;base64,{PNG_B64}",
    ]


def test_ai_message_with_tool_calls_invalid_calls_and_v1_blocks() -> None:
    message = AIMessage(
        content=[
            {"type": "reasoning", "reasoning": "thinking"},
            {"type": "text", "text": "Let me check."},
            {"type": "tool_call", "id": "c1", "name": "add", "args": {"a": 1}},
        ],
        tool_calls=[{"id": "c1", "name": "add", "args": {"a": 1}, "type": "tool_call"}],
        invalid_tool_calls=[
            {
                "id": "c2",
                "name": "add",
                "args": "{oops",
                "error": "bad",
                "type": "invalid_tool_call",
            }
        ],
    )
    wire = to_wire_messages([message])[0]
    assert wire["content"] == "Let me check."
    assert wire["tool_calls"] == [
        {"id": "c1", "type": "function", "function": {"name": "add", "arguments": '{"a": 1}'}},
        {"id": "c2", "type": "function", "function": {"name": "add", "arguments": "{oops"}},
    ]


def test_tool_messages_and_error_status() -> None:
    wire = to_wire_messages(
        [
            ToolMessage("3", tool_call_id="c1"),
            ToolMessage("division by zero", tool_call_id="c2", status="error"),
            ToolMessage([{"type": "text", "text": "a"}, "b"], tool_call_id="c3"),
        ]
    )
    assert wire == [
        {"role": "tool", "tool_call_id": "c1", "content": "3"},
        {"role": "tool", "tool_call_id": "c2", "content": "Error: division by zero"},
        {"role": "tool", "tool_call_id": "c3", "content": "a\nb"},  # the core's join rule
    ]


def test_chunks_convert_like_messages() -> None:
    assert to_wire_messages([AIMessageChunk(content="hi")]) == [
        {"role": "assistant", "content": "hi"}
    ]


def test_unsupported_content_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match=r"messages\[0\].*'audio'"):
        to_wire_messages(
            [HumanMessage(content=[{"type": "audio", "base64": "AA", "mime_type": "audio/wav"}])]
        )
    with pytest.raises(TypeError, match="FunctionMessage"):
        to_wire_messages([FunctionMessage(content="x", name="f")])


@pytest.mark.parametrize("kind", [SystemMessage, HumanMessage, AIMessage, ToolMessage])
def test_a_text_block_without_text_is_refused_in_every_role(kind: type) -> None:
    extra = {"tool_call_id": "c1"} if kind is ToolMessage else {}
    message = kind(content=[{"type": "text", "text": None}], **extra)
    with pytest.raises(InvalidParameterTypeError, match=r"messages\[0\]\.content\[0\]\.text"):
        build_chat_request(to_wire_messages([message]))


def test_huge_text_is_sent_whole() -> None:
    # The fuzz tests keep their strings short (a failure prints them); size is checked here.
    huge = "x" * 500_000
    body = build_chat_request(
        to_wire_messages([SystemMessage(content=[{"type": "text", "text": huge}])])
    )
    assert body["messages"][0]["content"] == huge


def test_a_whole_conversation_reaches_telnyx(telnyx_emulator: Emulator) -> None:
    llm = ChatTelnyx(api_key="k", base_url=telnyx_emulator.base_url)
    history = [
        SystemMessage("You add numbers."),
        HumanMessage("add(2, 3)"),
        AIMessage("", tool_calls=[{"id": "c1", "name": "add", "args": {"a": 2, "b": 3}}]),
        ToolMessage("5", tool_call_id="c1"),
        HumanMessage(
            content=[
                {"type": "text", "text": "And this picture?"},
                {"type": "image", "base64": PNG_B64, "mime_type": "image/png"},
            ]
        ),
    ]
    assert llm.invoke(history).content
    sent = telnyx_emulator.journal[-1].json["messages"]
    assert [m["role"] for m in sent] == ["system", "user", "assistant", "tool", "user"]
    assert sent[2]["content"] == ""
    assert sent[2]["tool_calls"][0]["function"]["arguments"] == '{"a": 2, "b": 3}'
    assert sent[4]["content"][1] == {
        "type": "image_url",
        "image_url": f"data:image/png;base64,{PNG_B64}",
    }
