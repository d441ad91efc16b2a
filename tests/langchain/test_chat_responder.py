"""ChatTelnyx against a responder (the emulator's seam): a function of the test answers tool
calls and structured output, streaming or not, sync and async; its failures reach the caller
as a ServerError naming the function."""

from __future__ import annotations

import pytest
from langchain_core.messages import AIMessageChunk, HumanMessage, ToolMessage
from langchain_core.tools import tool
from pydantic import BaseModel

from langchain_telnyx import ChatTelnyx
from telnyx_inference import ServerError
from telnyx_inference.emulator import ChatRequest, Emulator, ToolCall


@tool
def get_weather(city: str) -> str:
    """The weather in a city."""
    return f"18 C in {city}"


class Person(BaseModel):
    """A person."""

    name: str
    age: int


def weather_model(request: ChatRequest) -> object:
    """Calls get_weather for the city the user names, then reports its result."""
    if request.tool_results:
        return f"Weather: {request.tool_results[-1].content}."
    if "get_weather" in request.tools:
        city = request.prompt.rsplit(" ", 1)[-1].strip("?")
        return ToolCall("get_weather", {"city": city})
    return None


def person_model(request: ChatRequest) -> object:
    assert request.schema is not None
    assert set(request.schema["properties"]) == {"name", "age"}
    return Person(name="Grace Hopper", age=85)


def make(emu: Emulator) -> ChatTelnyx:
    return ChatTelnyx(api_key="k", base_url=emu.base_url, max_retries=0)


def test_a_per_emulator_responder_answers_a_tool_round() -> None:
    with Emulator(responder=weather_model) as emu:
        llm = make(emu).bind_tools([get_weather])
        first = llm.invoke("Weather in Oslo?")
        assert [(c["name"], c["args"]) for c in first.tool_calls] == [
            ("get_weather", {"city": "Oslo"})
        ]
        call = first.tool_calls[0]
        final = llm.invoke(
            [
                HumanMessage("Weather in Oslo?"),
                first,
                ToolMessage(get_weather.invoke(call["args"]), tool_call_id=call["id"]),
            ]
        )
        assert final.content == "Weather: 18 C in Oslo."
        assert final.usage_metadata
        assert final.usage_metadata["output_tokens"] > 0


@pytest.mark.telnyx_responder(fn=weather_model)
def test_streamed_tool_call_from_the_marked_responder(telnyx_emulator: Emulator) -> None:
    chunks = list(make(telnyx_emulator).bind_tools([get_weather]).stream("Weather in Rome?"))
    merged = chunks[0]
    for chunk in chunks[1:]:
        merged += chunk
    assert isinstance(merged, AIMessageChunk)
    assert [(c["name"], c["args"]) for c in merged.tool_calls] == [
        ("get_weather", {"city": "Rome"})
    ]
    assert len(chunks) > 3  # arguments arrive in pieces, as vLLM streams them


async def test_async_tool_call_from_a_queued_responder(telnyx_emulator: Emulator) -> None:
    async def once(request: ChatRequest) -> ToolCall:
        return ToolCall("get_weather", {"city": "Lima"}, id="call_lima")

    telnyx_emulator.script(once)
    message = await make(telnyx_emulator).bind_tools([get_weather]).ainvoke("anything")
    assert message.tool_calls[0]["id"] == "call_lima"
    assert message.tool_calls[0]["args"] == {"city": "Lima"}
    # the queue held one function: the next request is the heuristic model's again
    assert telnyx_emulator.snapshot()["scripts"] == 0


@pytest.mark.parametrize("method", ["json_schema", "guided_json"])
def test_structured_output_from_a_responder(telnyx_emulator: Emulator, method: str) -> None:
    telnyx_emulator.respond_with(person_model)
    structured = make(telnyx_emulator).with_structured_output(Person, method=method)  # type: ignore[arg-type]
    assert structured.invoke("Who wrote the first compiler?") == Person(
        name="Grace Hopper", age=85
    )
    assert list(structured.stream("Again?"))[-1] == Person(name="Grace Hopper", age=85)


async def test_async_structured_output_from_a_responder(telnyx_emulator: Emulator) -> None:
    telnyx_emulator.respond_with(person_model)
    structured = make(telnyx_emulator).with_structured_output(Person)
    assert await structured.ainvoke("Who?") == Person(name="Grace Hopper", age=85)
    assert [p async for p in structured.astream("Who?")][-1] == Person(
        name="Grace Hopper", age=85
    )


def test_a_failing_responder_reaches_the_caller(telnyx_emulator: Emulator) -> None:
    def wrong_type(request: ChatRequest) -> dict[str, object]:
        return {"name": "Grace Hopper", "age": "eighty-five"}

    def crashes(request: ChatRequest) -> str:
        raise RuntimeError("model offline")

    structured = make(telnyx_emulator).with_structured_output(Person)
    telnyx_emulator.respond_with(wrong_type)
    with pytest.raises(ServerError, match=r"wrong_type answered a value that does not "
                       r"match the request's \w+: at \$\.age: 'eighty-five' is not of type"):
        structured.invoke("Who?")
    telnyx_emulator.respond_with(crashes)
    with pytest.raises(ServerError, match="crashes raised RuntimeError: model offline"):
        list(make(telnyx_emulator).stream("hi"))
    assert [e.responder.rsplit(".", 1)[-1] for e in telnyx_emulator.take_responder_errors()] == [
        "wrong_type",
        "crashes",
    ]
