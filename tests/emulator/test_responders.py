"""The seam: a function answers chat requests — per emulator, per test (marker or fixture
method), per request (queued) — in every answer form, rendered exactly like a scripted reply."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import openai
import pytest
from openai.types.chat import ChatCompletion
from pydantic import BaseModel

from telnyx_inference.emulator import (
    ChatRequest,
    Emulator,
    ScriptedReply,
    ToolCall,
    ToolResult,
)

from ._support import CHAT, HOSTED, KEY, MAGIC_TOOL, PLAIN, chat_body, sse_payloads

WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    },
}


def hello(request: ChatRequest) -> str:
    return f"You said: {request.prompt}"


def text_of(client: openai.OpenAI, text: str = "Hi", **extra: Any) -> str | None:
    done = client.chat.completions.create(
        model=PLAIN, messages=[{"role": "user", "content": text}], **extra
    )
    return done.choices[0].message.content


def test_an_emulator_of_its_own_answers_with_its_responder() -> None:
    with Emulator(responder=hello) as emu:
        client = openai.OpenAI(base_url=emu.base_url, api_key=KEY, max_retries=0)
        assert text_of(client, "ping") == "You said: ping"
        emu.reset()  # the constructor's responder is the baseline
        assert text_of(client, "pong") == "You said: pong"
        assert emu.snapshot()["responder"] == f"{__name__}.hello"


def test_respond_with_lasts_until_reset(emu: Emulator, client: openai.OpenAI) -> None:
    emu.respond_with(hello)
    assert text_of(client, "one") == "You said: one"
    assert text_of(client, "two") == "You said: two"
    emu.reset()
    assert emu.snapshot()["responder"] is None
    assert text_of(client, "three") != "You said: three"  # the heuristic model again


@pytest.mark.telnyx_responder(fn=hello)
def test_the_marker_sets_the_responder_for_one_test(client: openai.OpenAI) -> None:
    assert text_of(client, "marked") == "You said: marked"


def test_a_queued_function_answers_one_request_in_order(
    emu: Emulator, client: openai.OpenAI
) -> None:
    emu.script(ScriptedReply(content="first, verbatim"), hello, lambda request: "third")
    assert [text_of(client, str(i)) for i in range(3)] == ["first, verbatim", "You said: 1", "third"]
    assert text_of(client, "after") != "third"
    # a queued function goes before the emulator's responder, for one request
    emu.respond_with(lambda request: "from the emulator's responder")
    emu.script(hello)
    assert text_of(client, "q") == "You said: q"
    assert text_of(client, "q") == "from the emulator's responder"


def test_none_lets_the_heuristic_model_answer(emu: Emulator, client: openai.OpenAI) -> None:
    seen: list[str] = []

    def only_greetings(request: ChatRequest) -> str | None:
        seen.append(request.prompt)
        return "Hello!" if request.prompt.startswith("Hello") else None

    emu.respond_with(only_greetings)
    assert text_of(client, "Hello you") == "Hello!"
    other = text_of(client, "What is the capital of Norway?")
    assert other
    assert other != "Hello!"
    assert seen == ["Hello you", "What is the capital of Norway?"]


async def test_an_async_responder_runs_on_the_server_loop(
    emu: Emulator, aclient: openai.AsyncOpenAI
) -> None:
    async def slow_echo(request: ChatRequest) -> str:
        await asyncio.sleep(0)
        return request.prompt.upper()

    emu.respond_with(slow_echo)
    answers = await asyncio.gather(
        *(
            aclient.chat.completions.create(
                model=PLAIN, messages=[{"role": "user", "content": f"n{i}"}]
            )
            for i in range(4)
        )
    )
    assert sorted(a.choices[0].message.content or "" for a in answers) == [
        "N0",
        "N1",
        "N2",
        "N3",
    ]


def test_the_request_view(emu: Emulator, http: httpx.Client) -> None:
    views: list[ChatRequest] = []
    emu.respond_with(lambda request: views.append(request) or "ok")
    messages = [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": [{"type": "text", "text": "Weather in Oslo?"}]},
        {
            "role": "assistant",
            "content": "",
            "tool_calls": [
                {
                    "id": "c1",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city": "Oslo"}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "c1", "content": "18 C"},
    ]
    body = {"model": PLAIN, "messages": messages, "tools": [WEATHER], "tool_choice": "auto",
            "stream": True, "n": 2}
    http.post(CHAT, json=body, headers={"X-Test-Case": "view"}).raise_for_status()
    (view,) = views
    assert view.prompt == "Weather in Oslo?"
    assert view.system == "Be brief."
    assert view.tools == {"get_weather": WEATHER["function"]["parameters"]}
    assert view.tool_choice == "auto"
    assert view.tool_results == [ToolResult("get_weather", "18 C", "c1")]
    assert (view.model, view.stream, view.n) == (PLAIN, True, 2)
    assert view.schema is None
    assert not view.json_object
    assert view.headers["x-test-case"] == "view"
    assert view.headers["authorization"] == "Bearer [REDACTED]"
    assert view.messages == messages


class Person(BaseModel):
    name: str
    age: int


PERSON = Person.model_json_schema()


@pytest.mark.parametrize(
    "answer",
    [{"name": "Ada", "age": 36}, Person(name="Ada", age=36), '{"name": "Ada", "age": 36}'],
    ids=["dict", "pydantic", "json-text"],
)
def test_a_structured_answer_is_sent_as_json(
    emu: Emulator, client: openai.OpenAI, answer: Any
) -> None:
    emu.respond_with(lambda request: answer if request.schema == PERSON else None)
    content = text_of(client, "Ada is 36", extra_body={"guided_json": PERSON})
    assert json.loads(content or "") == {"name": "Ada", "age": 36}


def test_tool_calls_one_or_parallel(emu: Emulator, client: openai.OpenAI) -> None:
    emu.script(
        lambda request: ToolCall("get_weather", {"city": "Oslo"}, id="call_1"),
        lambda request: [ToolCall("get_weather", {"city": c}) for c in ("Rome", "Tokyo")],
    )
    ids = []
    for expected in (["Oslo"], ["Rome", "Tokyo"]):
        done = client.chat.completions.create(
            model=PLAIN, messages=[{"role": "user", "content": "w"}], tools=[WEATHER]  # type: ignore[list-item]
        )
        calls = done.choices[0].message.tool_calls or []
        assert [json.loads(c.function.arguments)["city"] for c in calls] == expected  # type: ignore[union-attr]
        assert done.choices[0].finish_reason == "tool_calls"
        ids.append([c.id for c in calls])
    assert ids[0] == ["call_1"]
    assert len(set(ids[1])) == 2
    assert all(i.startswith("chatcmpl-tool-") for i in ids[1])


def test_a_scripted_reply_from_a_function_carries_reasoning_and_usage(
    emu: Emulator, client: openai.OpenAI
) -> None:
    emu.respond_with(
        lambda request: ScriptedReply(
            content="",
            reasoning="The magic function will know.",
            tool_calls=[ToolCall("magic_function", '{"input": 3}')],  # type: ignore[list-item]
            usage={"prompt_tokens": 5},
        )
    )
    done = client.chat.completions.create(
        model=HOSTED, messages=[{"role": "user", "content": "m"}], tools=[MAGIC_TOOL]  # type: ignore[list-item]
    )
    message = done.choices[0].message
    assert message.model_extra
    assert message.model_extra["reasoning_content"].startswith("The magic")
    assert message.tool_calls
    assert message.tool_calls[0].function.arguments == '{"input": 3}'
    assert done.usage
    assert done.usage.prompt_tokens == 5
    assert done.usage.total_tokens == 5 + done.usage.completion_tokens


def _completion(contents: list[str]) -> dict[str, Any]:
    return {
        "id": "chatcmpl-x",
        "object": "chat.completion",
        "created": 0,
        "model": PLAIN,
        "choices": [
            {"index": i, "message": {"role": "assistant", "content": c}, "finish_reason": "stop"}
            for i, c in enumerate(contents)
        ],
    }


@pytest.mark.parametrize("as_sdk_object", [False, True])
def test_a_whole_chat_completion_is_rendered(
    emu: Emulator, client: openai.OpenAI, as_sdk_object: bool
) -> None:
    full = _completion(["red", "blue"])
    emu.respond_with(lambda request: ChatCompletion.model_validate(full) if as_sdk_object else full)
    done = client.chat.completions.create(
        model=PLAIN, messages=[{"role": "user", "content": "colour?"}], n=2
    )
    assert [c.message.content for c in done.choices] == ["red", "blue"]
    assert done.id != "chatcmpl-x"  # the emulator's own id, like every answer
    assert done.usage
    assert done.usage.completion_tokens == 2


def _without_ids(payload: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in payload.items() if k not in ("id", "created")}


@pytest.mark.parametrize("stream", [False, True])
def test_rendered_exactly_like_the_same_scripted_reply(
    emu: Emulator, http: httpx.Client, stream: bool
) -> None:
    body = chat_body("Weather in Oslo?", tools=[WEATHER])
    if stream:
        body.update(stream=True, stream_options={"include_usage": True})
    reply = ScriptedReply(content="Checking.", tool_calls=[{"name": "get_weather",
                                                             "arguments": {"city": "Oslo"}}])
    emu.script(reply, lambda request: reply)
    first, second = (http.post(CHAT, json=body) for _ in range(2))
    if stream:
        a, b = sse_payloads(first.content), sse_payloads(second.content)
        assert a[-1] == b[-1] == "[DONE]"
        assert [_without_ids(json.loads(p)) for p in a[:-1]] == [
            _without_ids(json.loads(p)) for p in b[:-1]
        ]
    else:
        assert _without_ids(first.json()) == _without_ids(second.json())
