"""bind_tools: every tool shape, Telnyx retrieval tools, tool_choice mapping, streamed tool calls,
and tool-calling agent loops (one without LangGraph, one with ``langchain.agents.create_agent``)."""

from __future__ import annotations

import json
import warnings
from typing import Any

import pytest
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    HumanMessage,
    ToolMessage,
)
from langchain_core.tools import BaseTool, ToolException, tool
from pydantic import BaseModel, Field

from langchain_telnyx import ChatTelnyx, TelnyxRetrievalTool
from telnyx_inference import BadRequestError, TelnyxWarning
from telnyx_inference.emulator import Emulator, ScriptedReply


@tool
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


@tool
def multiply(a: int, b: int) -> int:
    """Multiply two integers."""
    return a * b


class GetWeather(BaseModel):
    """Get the weather in a city."""

    city: str = Field(description="City name")


def lookup(term: str) -> str:
    """Look a term up."""
    return term


@pytest.fixture
def llm(telnyx_emulator: Emulator) -> ChatTelnyx:
    return ChatTelnyx(api_key="k", base_url=telnyx_emulator.base_url, max_retries=0)


def sent_tools(emu: Emulator) -> list[dict[str, Any]]:
    return list(emu.journal[-1].json.get("tools") or [])


def test_every_tool_shape_is_accepted(llm: ChatTelnyx, telnyx_emulator: Emulator) -> None:
    telnyx_emulator.seed_bucket("docs", texts={"a.txt": "Telnyx runs a global IP network."})
    telnyx_emulator.seed_bucket("faq", texts={"b.txt": "Buckets hold documents."})
    raw_function = {
        "type": "function",
        "function": {
            "name": "ping",
            "description": "Ping.",
            "parameters": {"type": "object", "properties": {}},
        },
    }
    raw_retrieval = {"type": "retrieval", "retrieval": {"bucket_ids": ["faq"]}}
    bound = llm.bind_tools(
        [
            add,
            GetWeather,
            lookup,
            raw_function,
            TelnyxRetrievalTool(bucket_ids=["docs"], max_num_results=5),
            raw_retrieval,
        ]
    )
    bound.invoke("Hello")
    tools = sent_tools(telnyx_emulator)
    names = [t["function"]["name"] for t in tools if t["type"] == "function"]
    assert names == ["add", "GetWeather", "lookup", "ping"]
    retrieval = [t for t in tools if t["type"] == "retrieval"]
    assert retrieval == [
        {"type": "retrieval", "retrieval": {"bucket_ids": ["docs"], "max_num_results": 5}},
        raw_retrieval,
    ]


@pytest.mark.parametrize(
    ("choice", "sent_choice", "sent_names"),
    [
        ("multiply", "required", ["multiply"]),
        ({"type": "function", "function": {"name": "multiply"}}, "required", ["multiply"]),
        ("any", "required", ["add", "multiply"]),
        ("required", "required", ["add", "multiply"]),
        (True, "required", ["add", "multiply"]),
        ("auto", "auto", ["add", "multiply"]),
        ("none", "none", ["add", "multiply"]),
    ],
)
def test_tool_choice_is_mapped_to_what_telnyx_accepts(
    llm: ChatTelnyx, telnyx_emulator: Emulator, choice: Any, sent_choice: str, sent_names: list[str]
) -> None:
    llm.bind_tools([add, multiply], tool_choice=choice).invoke("Use a tool on 2 and 3")
    body = telnyx_emulator.journal[-1].json
    assert body["tool_choice"] == sent_choice
    assert [t["function"]["name"] for t in body["tools"]] == sent_names


def test_unknown_tool_choice_fails_at_bind_time(llm: ChatTelnyx) -> None:
    with pytest.raises(ValueError, match="divide"):
        llm.bind_tools([add], tool_choice="divide")


def test_named_choice_forces_that_call(llm: ChatTelnyx) -> None:
    message = llm.bind_tools([add, multiply], tool_choice="multiply").invoke("6 and 7")
    assert [c["name"] for c in message.tool_calls] == ["multiply"]


def test_max_tokens_beside_tools_is_sent_or_dropped_on_request(
    telnyx_emulator: Emulator,
) -> None:
    llm = ChatTelnyx(api_key="k", base_url=telnyx_emulator.base_url, max_tokens=50)
    with warnings.catch_warnings():
        warnings.simplefilter("error", TelnyxWarning)
        llm.bind_tools([add]).invoke("add(1, 2)")
        assert telnyx_emulator.journal[-1].json["max_tokens"] == 50
        llm.bind_tools([add], max_tokens_with_tools="drop").invoke("add(1, 2)")
    assert "max_tokens" not in telnyx_emulator.journal[-1].json
    telnyx_emulator.configure(refuse_max_tokens_with_tools=True)
    keep = llm.bind_tools([add], max_tokens_with_tools="keep")
    with pytest.raises(BadRequestError, match="code 10015"):
        keep.invoke("add(1, 2)")


def test_parallel_calls_stream_with_distinct_indexes(
    llm: ChatTelnyx, telnyx_emulator: Emulator
) -> None:
    calls = [
        {"name": "add", "arguments": {"a": 1, "b": 2}},
        {"name": "multiply", "arguments": {"a": 3, "b": 4}},
    ]
    telnyx_emulator.script(ScriptedReply(tool_calls=calls))
    chunks = list(llm.bind_tools([add, multiply]).stream("go"))
    tool_chunks = [tc for c in chunks for tc in c.tool_call_chunks]
    assert {tc["index"] for tc in tool_chunks} == {0, 1}
    assert sum(1 for tc in tool_chunks if tc["name"]) == 2  # each name once, never repeated
    full = chunks[0]
    for chunk in chunks[1:]:
        full = full + chunk
    assert isinstance(full, AIMessageChunk)
    assert [(c["name"], c["args"]) for c in full.tool_calls] == [
        ("add", {"a": 1, "b": 2}),
        ("multiply", {"a": 3, "b": 4}),
    ]
    assert full.response_metadata["finish_reason"] == "tool_calls"
    telnyx_emulator.script(ScriptedReply(tool_calls=calls))
    invoked = llm.bind_tools([add, multiply]).invoke("go")
    assert [c["args"] for c in invoked.tool_calls] == [c["args"] for c in full.tool_calls]


def test_bad_arguments_become_invalid_tool_calls(
    llm: ChatTelnyx, telnyx_emulator: Emulator
) -> None:
    telnyx_emulator.script(ScriptedReply(tool_calls=[{"name": "add", "arguments": '{"a": 1,'}]))
    message = llm.bind_tools([add]).invoke("go")
    assert message.tool_calls == []
    assert message.invalid_tool_calls[0]["args"] == '{"a": 1,'
    assert message.invalid_tool_calls[0]["name"] == "add"


def test_parallel_tool_calls_false_warns(llm: ChatTelnyx) -> None:
    with pytest.warns(TelnyxWarning, match="parallel_tool_calls"):
        llm.bind_tools([add], parallel_tool_calls=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        llm.bind_tools([add], strict=True)


def run_agent(
    llm: ChatTelnyx, tools: list[BaseTool], question: str, max_turns: int = 5
) -> list[BaseMessage]:
    """The smallest tool-calling loop: call the model, run the tools it asks for, repeat."""
    by_name = {t.name: t for t in tools}
    bound = llm.bind_tools(tools)
    messages: list[BaseMessage] = [HumanMessage(question)]
    for _ in range(max_turns):
        reply = bound.invoke(messages)
        messages.append(reply)
        if not isinstance(reply, AIMessage) or not reply.tool_calls:
            return messages
        messages.extend(by_name[call["name"]].invoke(call) for call in reply.tool_calls)
    raise AssertionError("the agent did not finish")


def test_agent_loop_without_langgraph(llm: ChatTelnyx, telnyx_emulator: Emulator) -> None:
    messages = run_agent(llm, [add, multiply], "What is add(2, 3)?")
    assert [type(m).__name__ for m in messages] == [
        "HumanMessage",
        "AIMessage",
        "ToolMessage",
        "AIMessage",
    ]
    tool_message = messages[2]
    assert isinstance(tool_message, ToolMessage)
    assert tool_message.content == "5"
    final = messages[-1]
    assert isinstance(final, AIMessage)
    assert final.content == "add(a=2, b=3) returned 5."
    assert not final.tool_calls
    second_request = telnyx_emulator.journal[-1].json["messages"]
    assert [m["role"] for m in second_request] == ["user", "assistant", "tool"]
    assert json.loads(second_request[1]["tool_calls"][0]["function"]["arguments"]) == {
        "a": 2,
        "b": 3,
    }


def test_agent_loop_reports_tool_errors(llm: ChatTelnyx, telnyx_emulator: Emulator) -> None:
    @tool
    def divide(a: int, b: int) -> float:
        """Divide a by b."""
        if b == 0:
            raise ToolException("division by zero")
        return a / b

    divide.handle_tool_error = True
    messages = run_agent(llm, [divide], "What is divide(1, 0)?")
    error = messages[2]
    assert isinstance(error, ToolMessage)
    assert error.status == "error"
    sent = telnyx_emulator.journal[-1].json["messages"][2]
    assert sent["content"].startswith("Error: ")


def test_create_agent(llm: ChatTelnyx, telnyx_emulator: Emulator) -> None:
    agents = pytest.importorskip("langchain.agents")
    agent = agents.create_agent(llm, tools=[add, multiply], system_prompt="Use the tools.")
    result = agent.invoke({"messages": [HumanMessage("What is multiply(6, 7)?")]})
    messages = result["messages"]
    tool_messages = [m for m in messages if isinstance(m, ToolMessage)]
    assert [m.content for m in tool_messages] == ["42"]
    assert isinstance(messages[-1], AIMessage)
    assert not messages[-1].tool_calls
    assert telnyx_emulator.journal[0].json["messages"][0] == {
        "role": "system",
        "content": "Use the tools.",
    }


def test_create_agent_with_structured_response(llm: ChatTelnyx, telnyx_emulator: Emulator) -> None:
    agents = pytest.importorskip("langchain.agents")

    class Answer(BaseModel):
        value: int

    # The emulator's model would keep calling add; script the turns a real model takes.
    telnyx_emulator.script(
        ScriptedReply(tool_calls=[{"name": "add", "arguments": {"a": 20, "b": 22}}]),
        ScriptedReply(tool_calls=[{"name": "Answer", "arguments": {"value": 42}}]),
    )
    agent = agents.create_agent(llm, tools=[add], response_format=Answer)
    result = agent.invoke({"messages": [HumanMessage("What is add(20, 22)?")]})
    assert result["structured_response"] == Answer(value=42)
    second = telnyx_emulator.journal[1].json
    assert second["tool_choice"] == "required"  # ToolStrategy forces a call
    assert second["messages"][-1] == {
        "role": "tool",
        "tool_call_id": second["messages"][-2]["tool_calls"][0]["id"],
        "content": "42",
    }
