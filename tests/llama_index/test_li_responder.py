"""Telnyx (LlamaIndex) against a responder (the emulator's seam): a function of the test drives
a FunctionAgent's tool round and chat_with_tools, answers structured_predict in every flavour,
and its failures reach the caller naming the function."""

from __future__ import annotations

import pytest
from li_support import PLAIN, chat_bodies, make_llm
from llama_index.core.agent.workflow import FunctionAgent, ToolCallResult
from llama_index.core.llms import ChatMessage
from llama_index.core.prompts import PromptTemplate
from llama_index.core.tools import FunctionTool
from pydantic import BaseModel

from telnyx_inference import ServerError
from telnyx_inference.emulator import ChatRequest, Emulator, ToolCall


def get_weather(city: str) -> str:
    """The weather in a city."""
    return f"18 C in {city}"


WEATHER = FunctionTool.from_defaults(fn=get_weather)


class Person(BaseModel):
    """A person."""

    name: str
    age: int


PROMPT = PromptTemplate("Who is described here: {text}")


def weather_model(request: ChatRequest) -> object:
    if request.tool_results:
        return f"Weather: {request.tool_results[-1].content}."
    if "get_weather" in request.tools:
        return ToolCall("get_weather", {"city": request.prompt.rsplit(" ", 1)[-1].strip("?")})
    return None


def person_model(request: ChatRequest) -> object:
    assert request.schema is not None
    assert set(request.schema["properties"]) == {"name", "age"}
    return {"name": "Ada Lovelace", "age": 36}


async def test_a_function_agent_runs_on_a_per_emulator_responder() -> None:
    with Emulator(responder=weather_model) as emu:
        agent = FunctionAgent(tools=[WEATHER], llm=make_llm(emu))  # streams by default
        handler = agent.run(user_msg="Weather in Oslo?")
        events = [event async for event in handler.stream_events()]
        result = await handler
        assert str(result) == "Weather: 18 C in Oslo."
        (done,) = [e for e in events if isinstance(e, ToolCallResult)]
        assert (done.tool_name, done.tool_kwargs) == ("get_weather", {"city": "Oslo"})
        assert all(b["stream"] is True for b in chat_bodies(emu))


@pytest.mark.telnyx_responder(fn=weather_model)
def test_chat_with_tools_sync_and_streaming(telnyx_emulator: Emulator) -> None:
    llm = make_llm(telnyx_emulator)
    response = llm.chat_with_tools([WEATHER], user_msg="Weather in Rome?")
    (call,) = llm.get_tool_calls_from_response(response)
    assert (call.tool_name, call.tool_kwargs) == ("get_weather", {"city": "Rome"})
    last = list(llm.stream_chat_with_tools([WEATHER], user_msg="Weather in Lima?"))[-1]
    (call,) = llm.get_tool_calls_from_response(last)
    assert call.tool_kwargs == {"city": "Lima"}


async def test_async_chat_with_tools_from_a_queued_responder(telnyx_emulator: Emulator) -> None:
    telnyx_emulator.script(lambda request: ToolCall("get_weather", {"city": "Quito"}))
    llm = make_llm(telnyx_emulator)
    response = await llm.achat_with_tools([WEATHER], user_msg="anything")
    (call,) = llm.get_tool_calls_from_response(response)
    assert call.tool_kwargs == {"city": "Quito"}


def test_structured_predict_from_a_responder(telnyx_emulator: Emulator) -> None:
    telnyx_emulator.respond_with(person_model)
    llm = make_llm(telnyx_emulator)
    ada = Person(name="Ada Lovelace", age=36)
    assert llm.structured_predict(Person, PROMPT, text="the first programmer") == ada
    assert list(llm.stream_structured_predict(Person, PROMPT, text="x"))[-1] == ada


async def test_async_structured_predict_from_a_responder(telnyx_emulator: Emulator) -> None:
    telnyx_emulator.respond_with(person_model)
    llm = make_llm(telnyx_emulator)
    ada = Person(name="Ada Lovelace", age=36)
    assert await llm.astructured_predict(Person, PROMPT, text="x") == ada
    stream = await llm.astream_structured_predict(Person, PROMPT, text="x")
    assert [p async for p in stream][-1] == ada


def test_a_failing_responder_reaches_the_caller(telnyx_emulator: Emulator) -> None:
    def crashes(request: ChatRequest) -> str:
        raise ZeroDivisionError("division by zero")

    telnyx_emulator.respond_with(crashes)
    llm = make_llm(telnyx_emulator, model=PLAIN)
    with pytest.raises(ServerError, match="crashes raised ZeroDivisionError: division by zero"):
        llm.chat([ChatMessage(role="user", content="hi")])
    (error,) = telnyx_emulator.take_responder_errors()
    assert isinstance(error.__cause__, ZeroDivisionError)
