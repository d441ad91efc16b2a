"""ChatMessage → core message dicts: every role, every block kind, tool calls and results."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from llama_index.core.base.llms.types import (
    AudioBlock,
    CacheControl,
    CachePoint,
    ChatMessage,
    CitableBlock,
    ImageBlock,
    MessageRole,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
)

from llama_index_telnyx._messages import to_wire_messages
from telnyx_inference import InvalidParameterError, build_chat_request

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def wire(*messages: ChatMessage) -> list[dict[str, object]]:
    """What Telnyx receives: our conversion, then the core's normalisation."""
    return build_chat_request(to_wire_messages(list(messages)))["messages"]  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("role", "sent"),
    [
        (MessageRole.SYSTEM, "system"),
        (MessageRole.DEVELOPER, "system"),
        (MessageRole.USER, "user"),
        (MessageRole.ASSISTANT, "assistant"),
        (MessageRole.CHATBOT, "assistant"),
        (MessageRole.MODEL, "assistant"),
    ],
)
def test_text_roles(role: MessageRole, sent: str) -> None:
    assert wire(ChatMessage(role=role, content="hi")) == [{"role": sent, "content": "hi"}]


@pytest.mark.parametrize("role", [MessageRole.TOOL, MessageRole.FUNCTION])
def test_tool_results_carry_the_call_id(role: MessageRole) -> None:
    msg = ChatMessage(role=role, content="42", additional_kwargs={"tool_call_id": "call_1"})
    assert wire(msg) == [{"role": "tool", "content": "42", "tool_call_id": "call_1"}]


def test_a_tool_result_without_id_is_refused_naming_the_field() -> None:
    with pytest.raises(InvalidParameterError, match=r"messages\[0\]\.tool_call_id"):
        wire(ChatMessage(role="tool", content="42"))


def test_every_message_kind_is_covered() -> None:
    assert set(MessageRole) == {
        MessageRole.SYSTEM,
        MessageRole.DEVELOPER,
        MessageRole.USER,
        MessageRole.ASSISTANT,
        MessageRole.FUNCTION,
        MessageRole.TOOL,
        MessageRole.CHATBOT,
        MessageRole.MODEL,
    }


def test_several_text_blocks_join_like_content() -> None:
    msg = ChatMessage(role="user", blocks=[TextBlock(text="a"), TextBlock(text="b")])
    assert wire(msg)[0]["content"] == msg.content == "a\nb"


def test_images_become_telnyx_string_parts(tmp_path: Path) -> None:
    path = tmp_path / "dot.png"
    path.write_bytes(PNG)
    msg = ChatMessage(
        role="user",
        blocks=[
            TextBlock(text="What is this?"),
            ImageBlock(url="https://example.com/cat.jpg"),
            ImageBlock(image=PNG),
            ImageBlock(path=path),
        ],
    )
    parts = wire(msg)[0]["content"]
    data_url = "data:image/png;base64," + base64.b64encode(PNG).decode()
    assert parts == [
        {"type": "text", "text": "What is this?"},
        {"type": "image_url", "image_url": "https://example.com/cat.jpg"},
        {"type": "image_url", "image_url": data_url},
        {"type": "image_url", "image_url": data_url},
    ]


def test_tool_call_blocks_become_tool_calls() -> None:
    msg = ChatMessage(
        role="assistant",
        blocks=[
            ThinkingBlock(content="let me add"),  # sent back on a tool-call turn
            ToolCallBlock(tool_call_id="c1", tool_name="add", tool_kwargs={"a": 1, "b": 2}),
            ToolCallBlock(tool_call_id="c2", tool_name="neg", tool_kwargs='{"x": 3}'),
        ],
    )
    assert wire(msg) == [
        {
            "role": "assistant",
            "content": "",
            "tool_calls": [
                {
                    "id": "c1",
                    "type": "function",
                    "function": {"name": "add", "arguments": '{"a": 1, "b": 2}'},
                },
                {
                    "id": "c2",
                    "type": "function",
                    "function": {"name": "neg", "arguments": '{"x": 3}'},
                },
            ],
            "reasoning_content": "let me add",
        }
    ]


def test_tool_calls_from_additional_kwargs() -> None:
    call = {"id": "c9", "type": "function", "function": {"name": "f", "arguments": "{}"}}
    msg = ChatMessage(role="assistant", content="", additional_kwargs={"tool_calls": [call]})
    assert wire(msg)[0]["tool_calls"] == [call]


def test_blocks_and_kwargs_are_not_sent_twice() -> None:
    call = {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
    msg = ChatMessage(
        role="assistant",
        blocks=[ToolCallBlock(tool_call_id="c1", tool_name="f", tool_kwargs={})],
        additional_kwargs={"tool_calls": [call]},
    )
    assert len(wire(msg)[0]["tool_calls"]) == 1


def test_citable_blocks_send_their_text_and_cache_points_are_skipped() -> None:
    msg = ChatMessage(
        role="user",
        blocks=[
            CitableBlock(title="doc", source="s", content=[TextBlock(text="quoted")]),
            CachePoint(cache_control=CacheControl(type="ephemeral")),
        ],
    )
    assert wire(msg) == [{"role": "user", "content": "quoted"}]


def test_unsupported_blocks_raise_naming_the_message() -> None:
    msg = ChatMessage(role="user", blocks=[AudioBlock(audio=b"RIFF....WAVE")])
    with pytest.raises(InvalidParameterError, match=r"messages\[0\]\.blocks.*audio"):
        to_wire_messages([msg])


def test_name_is_kept() -> None:
    msg = ChatMessage(role="user", content="hi", additional_kwargs={"name": "ada"})
    assert wire(msg) == [{"role": "user", "content": "hi", "name": "ada"}]
