"""LlamaIndex agents on the emulator's unscripted model: FunctionAgent, AgentWorkflow and
ReActAgent finish within (tools + 2) model calls with an answer built from the tool results;
structured_predict carries the values the prompt gives."""

from __future__ import annotations

from typing import Any, Literal

import pytest
from li_support import chat_bodies
from llama_index.core.agent.workflow import AgentWorkflow, FunctionAgent, ReActAgent
from llama_index.core.prompts import PromptTemplate
from pydantic import BaseModel, Field

from llama_index_telnyx import Telnyx
from telnyx_inference.emulator import Emulator


def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


def multiply(a: int, b: int) -> int:
    """Multiply two integers."""
    return a * b


TOOLS = [add, multiply]
AGENTS = {
    "function": lambda llm: FunctionAgent(tools=TOOLS, llm=llm),
    "function-no-stream": lambda llm: FunctionAgent(tools=TOOLS, llm=llm, streaming=False),
    "workflow": lambda llm: AgentWorkflow.from_tools_or_functions(TOOLS, llm=llm),
    "react": lambda llm: ReActAgent(tools=TOOLS, llm=llm),
}
CASES = [
    ("Use multiply: what is 6 times 7?", 2, "multiply(a=6, b=7) returned 42."),
    ("Add 2 and 3, then multiply the result by 4.", 3,
     "add(a=2, b=3) returned 5; multiply(a=5, b=4) returned 20."),
    ("Hello there", 1, "Hello! How can I help?"),
]


@pytest.mark.parametrize("kind", sorted(AGENTS))
@pytest.mark.parametrize(("question", "calls", "answer"), CASES)
async def test_agent_finishes_with_the_results(llm: Telnyx, emu: Emulator, kind: str,
                                               question: str, calls: int, answer: str) -> None:
    result = await AGENTS[kind](llm).run(user_msg=question)
    assert str(result) == answer
    assert len(chat_bodies(emu)) == calls <= len(TOOLS) + 2


async def test_parallel_calls_in_one_step(llm: Telnyx, emu: Emulator) -> None:
    result = await FunctionAgent(tools=TOOLS, llm=llm).run(
        user_msg="Use add to add 2 and 3. Then multiply 3 by 7.")
    assert str(result) == "add(a=2, b=3) returned 5; multiply(a=3, b=7) returned 21."
    bodies = chat_bodies(emu)
    assert len(bodies) == 2
    *_, assistant, first, second = bodies[1]["messages"]
    assert [c["function"]["name"] for c in assistant["tool_calls"]] == ["add", "multiply"]
    # LlamaIndex runs the two tools concurrently and sends their results in the order they
    # finish; the ids tie each result to its call.
    answered = {m["tool_call_id"]: m["content"] for m in (first, second)}
    assert answered == {assistant["tool_calls"][0]["id"]: "5", assistant["tool_calls"][1]["id"]: "21"}


async def test_react_agent_speaks_the_text_protocol(llm: Telnyx, emu: Emulator) -> None:
    await ReActAgent(tools=TOOLS, llm=llm).run(user_msg="Use multiply: what is 6 times 7?")
    first, second = chat_bodies(emu)
    assert "tools" not in first  # the tools are described in the system prompt
    assert second["messages"][-1] == {"role": "user", "content": "Observation: 42"}


class LineItem(BaseModel):
    description: str
    quantity: int = Field(ge=1)
    unit_price: float = Field(ge=0)


class Invoice(BaseModel):
    vendor: str
    line_items: list[LineItem]
    total_usd: float = Field(ge=0)
    status: Literal["paid", "due", "overdue"]


def test_structured_predict_extracts_an_invoice(llm: Telnyx) -> None:
    invoice = llm.structured_predict(
        Invoice, PromptTemplate("Extract the invoice: {text}"),
        text="ACME Telecom billed us $1,250.00 for 5 SIP trunks at $250 each; it is overdue.")
    assert invoice == Invoice(vendor="ACME Telecom", total_usd=1250.0, status="overdue",
                              line_items=[LineItem(description="SIP trunks", quantity=5,
                                                   unit_price=250)])


class Person(BaseModel):
    name: str
    age: int


async def test_as_structured_llm_person(llm: Telnyx) -> None:
    from llama_index.core.llms import ChatMessage

    sllm: Any = llm.as_structured_llm(Person)
    response = await sllm.achat([ChatMessage(role="user", content="Ada Lovelace was 36.")])
    assert response.raw == Person(name="Ada Lovelace", age=36)
