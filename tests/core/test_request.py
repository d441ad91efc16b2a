"""Building request bodies: messages, tools, tool_choice and the Telnyx quirks."""

from __future__ import annotations

import warnings

import pytest

from telnyx_inference import InvalidParameterError, RetrievalTool, build_chat_request
from telnyx_inference.chat.messages import normalize_messages
from telnyx_inference.chat.tools import map_tool_choice, normalize_tools

WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather for a city",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    },
}
CLOCK = {"name": "get_time", "parameters": {"type": "object", "properties": {}}}
USER = [{"role": "user", "content": "hi"}]


def test_messages_follow_telnyx_rules() -> None:
    out = normalize_messages(
        [
            {"role": "developer", "content": "be brief"},
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "what is this?"},
                    {
                        "type": "image_url",
                        "image_url": {"url": "data:image/png;base64,AAA", "detail": "low"},
                    },
                ],
            },
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "c1",
                        "type": "function",
                        "function": {"name": "f", "arguments": {"a": 1}},
                    }
                ],
            },
            {"role": "tool", "content": "42", "tool_call_id": "c1"},
        ]
    )
    assert out[0] == {"role": "system", "content": "be brief"}
    assert out[1]["content"][1] == {"type": "image_url", "image_url": "data:image/png;base64,AAA"}
    assert out[2]["content"] == ""
    assert out[2]["tool_calls"][0]["function"]["arguments"] == '{"a": 1}'
    assert out[3] == {"role": "tool", "content": "42", "tool_call_id": "c1"}


@pytest.mark.parametrize(
    ("messages", "param"),
    [
        ([], "messages"),
        ([{"role": "robot", "content": "x"}], "messages[0].role"),
        (
            [{"role": "user", "content": [{"type": "input_audio", "data": "x"}]}],
            "messages[0].content[0].type",
        ),
        (
            [{"role": "user", "content": [{"type": "image_url", "image_url": {}}]}],
            "messages[0].content[0].image_url",
        ),
        ([{"role": "tool", "content": "x"}], "messages[0].tool_call_id"),
        (
            [
                {
                    "role": "user",
                    "content": "x",
                    "tool_calls": [{"id": "a", "function": {"name": "f"}}],
                }
            ],
            "messages[0].tool_calls",
        ),
        ([{"role": "user", "content": 5}], "messages[0].content"),
    ],
)
def test_bad_messages_named(messages: list[object], param: str) -> None:
    with pytest.raises((ValueError, TypeError)) as info:
        normalize_messages(messages)
    assert getattr(info.value, "param", None) == param


def test_tools_normalised_and_retrieval_passed_through() -> None:
    tools = normalize_tools(
        [
            WEATHER,
            CLOCK,
            RetrievalTool(bucket_ids=["docs"], max_num_results=3),
            {"type": "retrieval", "retrieval": {"bucket_ids": ["faq"]}},
        ]
    )
    assert tools[1] == {"type": "function", "function": CLOCK}
    assert tools[2] == {
        "type": "retrieval",
        "retrieval": {"bucket_ids": ["docs"], "max_num_results": 3},
    }
    assert tools[3] == {"type": "retrieval", "retrieval": {"bucket_ids": ["faq"]}}


@pytest.mark.parametrize(
    ("tool", "param"),
    [
        ({"type": "retrieval", "retrieval": {"bucket_ids": []}}, "tools[0].retrieval"),
        ({"type": "function", "function": {"description": "no name"}}, "tools[0]"),
        (
            {"type": "function", "function": {"name": "f", "parameters": {"type": "thing"}}},
            "tools[0].function.parameters.type",
        ),
    ],
)
def test_bad_tools_named(tool: dict[str, object], param: str) -> None:
    with pytest.raises(InvalidParameterError) as info:
        normalize_tools([tool])
    assert info.value.param == param


@pytest.mark.parametrize(
    ("choice", "expected", "names"),
    [
        (None, None, ["get_weather", "get_time"]),
        ("auto", "auto", ["get_weather", "get_time"]),
        ("none", "none", ["get_weather", "get_time"]),
        ("any", "required", ["get_weather", "get_time"]),
        (True, "required", ["get_weather", "get_time"]),
        ("required", "required", ["get_weather", "get_time"]),
        ("get_time", "required", ["get_time"]),
        ({"type": "function", "function": {"name": "get_weather"}}, "required", ["get_weather"]),
    ],
)
def test_tool_choice_mapped_to_what_telnyx_accepts(
    choice: object, expected: str | None, names: list[str]
) -> None:
    sent_choice, sent = map_tool_choice(choice, normalize_tools([WEATHER, CLOCK]))  # type: ignore[arg-type]
    assert sent_choice == expected
    assert [t["function"]["name"] for t in sent] == names


def test_unknown_tool_name_refused() -> None:
    with pytest.raises(InvalidParameterError, match="tool_choice"):
        map_tool_choice("nope", normalize_tools([WEATHER]))


def test_max_tokens_is_kept_beside_function_tools_unless_dropped_on_request() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        kept = build_chat_request(USER, params={"max_tokens": 50}, tools=[WEATHER])
        assert kept["max_tokens"] == 50
        dropped = build_chat_request(
            USER, params={"max_tokens": 50}, tools=[WEATHER], max_tokens_with_tools="drop"
        )
        assert "max_tokens" not in dropped
        only_retrieval = build_chat_request(
            USER,
            params={"max_tokens": 50},
            tools=[RetrievalTool(bucket_ids=["b"])],
            max_tokens_with_tools="drop",
        )
        assert only_retrieval["max_tokens"] == 50


def test_stream_body_asks_for_usage() -> None:
    body = build_chat_request(USER, model="zai-org/GLM-5.2", stream=True)
    assert body == {
        "model": "zai-org/GLM-5.2",
        "messages": USER,
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    assert "stream_options" not in build_chat_request(USER, stream=True, include_usage=False)


def test_extra_body_merges_but_cannot_override_core_fields() -> None:
    body = build_chat_request(USER, extra_body={"top_k": 5})
    assert body["top_k"] == 5
    with pytest.raises(InvalidParameterError, match="extra_body"):
        build_chat_request(USER, extra_body={"messages": []})


def test_default_model_always_sent() -> None:
    assert build_chat_request(USER)["model"] == "moonshotai/Kimi-K2.6"
