"""Text that cannot be sent as UTF-8 is refused while the request is built, naming the field."""

from __future__ import annotations

import json

import pytest

from telnyx_inference.chat.request import build_chat_request
from telnyx_inference.errors import InvalidParameterError

LONE = b"caf\xff".decode("utf-8", "surrogateescape")  # what a lenient file read gives


@pytest.mark.parametrize(
    ("content", "where"),
    [
        (LONE, "messages[0].content"),
        (["ok", LONE], "messages[0].content[1]"),
        ([{"type": "text", "text": LONE}], "messages[0].content[0].text"),
    ],
)
def test_lone_surrogates_are_refused(content: object, where: str) -> None:
    with pytest.raises(InvalidParameterError) as info:
        build_chat_request([{"role": "user", "content": content}])
    assert info.value.param == where


def test_lone_surrogates_in_tool_arguments_are_refused() -> None:
    call = {"id": "c1", "function": {"name": "f", "arguments": {"city": LONE}}}
    with pytest.raises(InvalidParameterError) as info:
        build_chat_request([{"role": "assistant", "content": None, "tool_calls": [call]}])
    assert info.value.param == "messages[0].tool_calls[0].function.arguments"


@pytest.mark.parametrize(
    ("message", "where"),
    [
        ({"role": "user", "content": "hi", "name": LONE}, "messages[0].name"),
        ({"role": "tool", "content": "1", "tool_call_id": LONE}, "messages[0].tool_call_id"),
        (
            {"role": "assistant", "content": "", "tool_calls": [
                {"id": LONE, "function": {"name": "f", "arguments": "{}"}}]},
            "messages[0].tool_calls[0].id",
        ),
        (
            {"role": "assistant", "content": "", "tool_calls": [
                {"id": "c1", "function": {"name": LONE, "arguments": "{}"}}]},
            "messages[0].tool_calls[0].function.name",
        ),
    ],
)
def test_lone_surrogates_in_names_and_ids_are_refused(message: dict[str, object], where: str) -> None:
    # Found by fuzzing LlamaIndex messages: additional_kwargs["name"] reached the send.
    with pytest.raises(InvalidParameterError) as info:
        build_chat_request([message])
    assert info.value.param == where


def test_any_other_text_is_kept_and_encodable() -> None:
    text = "héllo 😀 \u0000 \u2028 ﷽"
    body = build_chat_request([{"role": "user", "content": text}])
    assert body["messages"][0]["content"] == text
    json.dumps(body, ensure_ascii=False).encode("utf-8")
