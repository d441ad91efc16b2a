"""The deterministic model: tool calls, arguments from the conversation, stop, length,
reasoning, n, scripted replies and retrieval answers."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from telnyx_inference.emulator import Emulator, ScriptedReply

from ._support import CHAT, HOSTED, MAGIC_TOOL, PLAIN, chat_body


def tool(name: str, properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    params = {"type": "object", "properties": properties, "required": required or []}
    return {"type": "function", "function": {"name": name, "parameters": params}}


WEATHER = tool("get_weather", {"city": {"type": "string"},
                               "unit": {"type": "string", "enum": ["c", "f"]}}, ["city"])
ADD = tool("add", {"a": {"type": "integer"}, "b": {"type": "integer"}}, ["a", "b"])
NO_ARGS = tool("magic_function_no_args", {})


def post(http: httpx.Client, body: dict[str, Any]) -> dict[str, Any]:
    r = http.post(CHAT, json=body)
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def calls(answer: dict[str, Any]) -> list[tuple[str, Any]]:
    return [(c["function"]["name"], json.loads(c["function"]["arguments"]))
            for c in answer["choices"][0]["message"]["tool_calls"]]


@pytest.mark.parametrize(("text", "tools", "expected"), [
    ("What is the value of magic_function(3)? Use the tool.", [MAGIC_TOOL],
     [("magic_function", {"input": 3})]),
    ("What is the value of magic_function_no_args()? Use the tool.", [NO_ARGS],
     [("magic_function_no_args", {})]),
    ("Call add(2, 40) please", [ADD], [("add", {"a": 2, "b": 40})]),
    ("add(b=5, a=1)", [ADD], [("add", {"a": 1, "b": 5})]),
    ("Use get_weather for Paris", [WEATHER], [("get_weather", {"city": "Paris"})]),
    ('get_weather(city="Oslo", unit="f")', [WEATHER], [("get_weather",
                                                       {"city": "Oslo", "unit": "f"})]),
    ("first add(1, 2) then add(3, 4)", [ADD], [("add", {"a": 1, "b": 2}),
                                               ("add", {"a": 3, "b": 4})]),
    ("get_weather in Rome and magic_function(7)", [WEATHER, MAGIC_TOOL],
     [("get_weather", {"city": "Rome"}), ("magic_function", {"input": 7})]),
])
def test_named_tools_are_called_with_conversation_values(
        http: httpx.Client, text: str, tools: list[dict[str, Any]],
        expected: list[tuple[str, Any]]) -> None:
    answer = post(http, chat_body(text, tools=tools))
    assert calls(answer) == expected
    assert answer["choices"][0]["finish_reason"] == "tool_calls"
    ids = [c["id"] for c in answer["choices"][0]["message"]["tool_calls"]]
    assert len(set(ids)) == len(ids)


def test_unmentioned_tool_is_not_called(http: httpx.Client) -> None:
    answer = post(http, chat_body("Just chat with me", tools=[MAGIC_TOOL]))
    assert answer["choices"][0]["message"]["tool_calls"] == []
    assert answer["choices"][0]["finish_reason"] == "stop"


def test_required_calls_the_first_tool_with_valid_arguments(http: httpx.Client) -> None:
    answer = post(http, chat_body("no hints here", tools=[ADD, WEATHER], tool_choice="required"))
    ((name, args),) = calls(answer)
    assert name == "add"
    assert set(args) == {"a", "b"}
    assert all(isinstance(v, int) for v in args.values())


def test_tool_choice_none_never_calls(http: httpx.Client) -> None:
    answer = post(http, chat_body("magic_function(3)", tools=[MAGIC_TOOL], tool_choice="none"))
    assert answer["choices"][0]["message"]["tool_calls"] == []


def test_tool_result_gets_a_text_answer(http: httpx.Client) -> None:
    messages = [
        {"role": "user", "content": "What is magic_function(3)?"},
        {"role": "assistant", "content": "", "tool_calls": [{
            "id": "c1", "type": "function",
            "function": {"name": "magic_function", "arguments": '{"input": 3}'}}]},
        {"role": "tool", "tool_call_id": "c1", "content": "5"},
    ]
    answer = post(http, {"model": HOSTED, "messages": messages, "tools": [MAGIC_TOOL]})
    choice = answer["choices"][0]
    assert choice["message"]["tool_calls"] == []
    assert "5" in choice["message"]["content"]


def test_same_request_same_answer_and_seed_changes_it(emu: Emulator, http: httpx.Client) -> None:
    body = chat_body("Tell me something", guided_regex=r"[a-z]{3,8}-\d{2}")
    first, again = post(http, body), post(http, body)
    assert first["choices"] == again["choices"]
    outputs = {post(http, {**body, "seed": s})["choices"][0]["message"]["content"]
               for s in range(6)}
    assert len(outputs) > 1


def test_reasoning_models_think_unless_told_not_to(http: httpx.Client) -> None:
    thinking = post(http, chat_body("hi"))["choices"][0]["message"]
    quiet = post(http, chat_body("hi", enable_thinking=False))["choices"][0]["message"]
    plain = post(http, {**chat_body("hi"), "model": PLAIN})["choices"][0]["message"]
    assert thinking["reasoning_content"]
    assert quiet["reasoning_content"] is None
    assert plain["reasoning_content"] is None


def test_max_tokens_cuts_with_finish_reason_length(http: httpx.Client) -> None:
    full = post(http, {**chat_body("one two three four five six"), "model": PLAIN})
    cut = post(http, {**chat_body("one two three four five six"), "model": PLAIN,
                      "max_tokens": 3})
    text = cut["choices"][0]["message"]["content"]
    assert cut["choices"][0]["finish_reason"] == "length"
    assert full["choices"][0]["message"]["content"].startswith(text)
    assert cut["usage"]["completion_tokens"] == 3


def test_reasoning_counts_against_max_tokens(http: httpx.Client) -> None:
    cut = post(http, chat_body("hello", max_tokens=2))
    choice = cut["choices"][0]
    assert choice["finish_reason"] == "length"
    assert choice["message"]["content"] == ""
    assert cut["usage"]["completion_tokens"] == 2


def test_stop_sequence_cuts_the_text(http: httpx.Client) -> None:
    emu_text = post(http, {**chat_body("alpha beta gamma"), "model": PLAIN})
    content = emu_text["choices"][0]["message"]["content"]
    word = content.split()[2]
    cut = post(http, {**chat_body("alpha beta gamma"), "model": PLAIN, "stop": [word]})
    choice = cut["choices"][0]
    assert choice["message"]["content"] == content[: content.index(word)]
    assert (choice["finish_reason"], choice["stop_reason"]) == ("stop", word)


def test_usage_counts_add_up(http: httpx.Client) -> None:
    answer = post(http, chat_body("count me", n=2))
    usage = answer["usage"]
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    assert usage["prompt_tokens"] > 2


def test_scripted_replies_are_fifo_and_verbatim(emu: Emulator, http: httpx.Client) -> None:
    emu.script(ScriptedReply(content="first"),
               ScriptedReply(tool_calls=[{"name": "magic_function", "arguments": {"input": 9},
                                          "id": "call_x"}], reasoning="thinking hard"))
    one = post(http, chat_body("a"))["choices"][0]
    two = post(http, chat_body("b"))["choices"][0]
    three = post(http, chat_body("c"))["choices"][0]
    assert one["message"]["content"] == "first"
    assert one["finish_reason"] == "stop"
    assert two["message"]["tool_calls"] == [{"id": "call_x", "type": "function", "function": {
        "name": "magic_function", "arguments": '{"input": 9}'}}]
    assert two["message"]["reasoning_content"] == "thinking hard"
    assert two["finish_reason"] == "tool_calls"
    assert three["message"]["content"] not in ("first", None)


def test_scripted_finish_reason_and_openai_shaped_calls(emu: Emulator, http: httpx.Client) -> None:
    emu.script(ScriptedReply(content="trunc", finish_reason="length", tool_calls=[{
        "id": "c9", "type": "function", "function": {"name": "f", "arguments": "{}"}}]))
    choice = post(http, chat_body("x"))["choices"][0]
    assert choice["finish_reason"] == "length"
    assert choice["message"]["content"] == "trunc"
    assert choice["message"]["tool_calls"][0]["id"] == "c9"


def test_json_object_mode_returns_an_object(http: httpx.Client) -> None:
    content = post(http, chat_body("give json", response_format={"type": "json_object"}))
    assert isinstance(json.loads(content["choices"][0]["message"]["content"]), dict)


def test_retrieval_tool_answers_from_the_bucket(emu: Emulator, http: httpx.Client) -> None:
    emu.seed_bucket("kb", texts={
        "porting.txt": "Number porting moves your phone number to Telnyx in days.",
        "fax.txt": "Programmable fax sends documents over the internet."})
    tool_ = {"type": "retrieval", "retrieval": {"bucket_ids": ["kb"], "max_num_results": 1}}
    answer = post(http, chat_body("How does number porting work?", tools=[tool_]))
    content = answer["choices"][0]["message"]["content"]
    assert "porting.txt" in content
    assert "Number porting" in content


def test_retrieval_tool_with_unknown_bucket_is_404(http: httpx.Client) -> None:
    tool_ = {"type": "retrieval", "retrieval": {"bucket_ids": ["missing"]}}
    r = http.post(CHAT, json=chat_body("hi", tools=[tool_]))
    assert r.status_code == 404
    assert "missing" in r.json()["detail"][0]["detail"]
