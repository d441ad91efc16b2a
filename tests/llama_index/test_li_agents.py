"""End to end on the emulator: FunctionAgent, AgentWorkflow, ReActAgent, structured agents."""

from __future__ import annotations

import json
from typing import Any

from li_support import chat_bodies
from llama_index.core.agent.workflow import (
    AgentOutput,
    AgentStream,
    AgentWorkflow,
    FunctionAgent,
    ReActAgent,
    ToolCall,
    ToolCallResult,
)
from pydantic import BaseModel

from llama_index_telnyx import Telnyx, TelnyxRetrievalTool
from telnyx_inference.emulator import Emulator, ScriptedReply


def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


def multiply(a: int, b: int) -> int:
    """Multiply two integers."""
    return a * b


TWO_STEPS = (
    ScriptedReply(tool_calls=[{"id": "call_add", "name": "add", "arguments": {"a": 2, "b": 3}}]),
    ScriptedReply(
        content="Now multiply.",
        tool_calls=[{"id": "call_mul", "name": "multiply", "arguments": {"a": 5, "b": 4}}],
    ),
    ScriptedReply(content="(2 + 3) × 4 = 20"),
)


async def _run(workflow: Any, question: str) -> tuple[Any, list[Any]]:
    handler = workflow.run(user_msg=question)
    events = [event async for event in handler.stream_events()]
    return await handler, events


def _check_two_step_run(emu: Emulator, result: Any, events: list[Any]) -> None:
    assert "20" in str(result)
    calls = [e for e in events if isinstance(e, ToolCall) and not isinstance(e, ToolCallResult)]
    results = [e for e in events if isinstance(e, ToolCallResult)]
    assert [(c.tool_name, c.tool_kwargs) for c in calls] == [
        ("add", {"a": 2, "b": 3}),
        ("multiply", {"a": 5, "b": 4}),
    ]
    assert [r.tool_output.content for r in results] == ["5", "20"]
    deltas = "".join(e.delta for e in events if isinstance(e, AgentStream))
    assert "(2 + 3) × 4 = 20" in deltas
    assert [e for e in events if isinstance(e, AgentOutput)]
    bodies = chat_bodies(emu)
    assert len(bodies) == 3
    assert all(b["stream"] is True for b in bodies)
    assert {t["function"]["name"] for t in bodies[0]["tools"]} == {"add", "multiply"}
    # the second request carries the first call and its result, linked by id
    second = bodies[1]["messages"]
    assert second[-2]["tool_calls"][0]["id"] == "call_add"
    assert second[-1] == {"role": "tool", "content": "5", "tool_call_id": "call_add"}
    assert bodies[2]["messages"][-1]["tool_call_id"] == "call_mul"


async def test_function_agent_two_tools_streaming(llm: Telnyx, emu: Emulator) -> None:
    emu.script(*TWO_STEPS)
    agent = FunctionAgent(tools=[add, multiply], llm=llm, system_prompt="Use the tools.")
    result, events = await _run(agent, "What is (2 + 3) * 4?")
    _check_two_step_run(emu, result, events)
    assert chat_bodies(emu)[0]["messages"][0] == {"role": "system", "content": "Use the tools."}


async def test_function_agent_without_streaming(llm: Telnyx, emu: Emulator) -> None:
    emu.script(*TWO_STEPS)
    agent = FunctionAgent(tools=[add, multiply], llm=llm, streaming=False)
    result = await agent.run(user_msg="What is (2 + 3) * 4?")
    assert "20" in str(result)
    assert all("stream" not in b for b in chat_bodies(emu))


async def test_agent_workflow_two_tools(llm: Telnyx, emu: Emulator) -> None:
    emu.script(*TWO_STEPS)
    workflow = AgentWorkflow.from_tools_or_functions([add, multiply], llm=llm)
    result, events = await _run(workflow, "What is (2 + 3) * 4?")
    _check_two_step_run(emu, result, events)


async def test_agent_workflow_hands_off_between_agents(llm: Telnyx, emu: Emulator) -> None:
    adder = FunctionAgent(
        name="adder",
        description="Adds numbers.",
        tools=[add],
        llm=llm,
        can_handoff_to=["multiplier"],
    )
    multiplier = FunctionAgent(
        name="multiplier", description="Multiplies numbers.", tools=[multiply], llm=llm
    )
    emu.script(
        ScriptedReply(tool_calls=[{"id": "h1", "name": "add", "arguments": {"a": 1, "b": 2}}]),
        ScriptedReply(
            tool_calls=[
                {
                    "id": "h2",
                    "name": "handoff",
                    "arguments": {"to_agent": "multiplier", "reason": "needs a product"},
                }
            ]
        ),
        ScriptedReply(tool_calls=[{"id": "h3", "name": "multiply", "arguments": {"a": 3, "b": 3}}]),
        ScriptedReply(content="The result is 9."),
    )
    workflow = AgentWorkflow(agents=[adder, multiplier], root_agent="adder")
    result, events = await _run(workflow, "Add 1 and 2, then square it.")
    assert "9" in str(result)
    names = [e.current_agent_name for e in events if isinstance(e, AgentOutput)]
    assert names[0] == "adder"
    assert names[-1] == "multiplier"


async def test_react_agent(llm: Telnyx, emu: Emulator) -> None:
    emu.script(
        ScriptedReply(
            content='Thought: I need to add.\nAction: add\nAction Input: {"a": 20, "b": 22}'
        ),
        ScriptedReply(content="Thought: I can answer without using any more tools.\nAnswer: 42"),
    )
    agent = ReActAgent(tools=[add, multiply], llm=llm)
    result, events = await _run(agent, "What is 20 + 22?")
    assert "42" in str(result)
    results = [e for e in events if isinstance(e, ToolCallResult)]
    assert [(r.tool_name, r.tool_output.content) for r in results] == [("add", "42")]
    bodies = chat_bodies(emu)
    assert "tools" not in bodies[0]  # ReAct describes tools in the prompt
    assert "add" in bodies[0]["messages"][0]["content"]


class Answer(BaseModel):
    """The final answer."""

    value: int
    explanation: str


async def test_function_agent_with_output_cls(llm: Telnyx, emu: Emulator) -> None:
    emu.script(*TWO_STEPS)
    agent = FunctionAgent(tools=[add, multiply], llm=llm, output_cls=Answer)
    result = await agent.run(user_msg="What is (2 + 3) * 4?")
    assert isinstance(result.get_pydantic_model(Answer), Answer)
    last = chat_bodies(emu)[-1]
    assert "tools" not in last
    schema = last["response_format"]["json_schema"]["schema"]
    assert set(schema["properties"]) == {"value", "explanation"}
    assert not [k for k in last if k.startswith("guided_")]
    json.dumps(result.structured_response)


async def test_function_agent_with_a_retrieval_tool(llm: Telnyx, emu: Emulator) -> None:
    emu.seed_bucket("handbook", texts={"leave.txt": "Employees get 25 days of paid leave."})
    docs = TelnyxRetrievalTool(bucket_ids=["handbook"])
    agent = FunctionAgent(tools=[add, docs], llm=llm)
    result = await agent.run(user_msg="How many days of paid leave do employees get?")
    assert "According to leave.txt" in str(result)
    tools = chat_bodies(emu)[0]["tools"]
    assert {"type": "retrieval", "retrieval": {"bucket_ids": ["handbook"]}} in tools
    assert any(t["type"] == "function" and t["function"]["name"] == "add" for t in tools)
