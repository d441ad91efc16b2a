"""LangChain agents and structured output on the emulator's unscripted model: each loop ends
within (tools + 2) model calls with an answer built from the tool results, and structured
output carries the values the prompt gives."""

from __future__ import annotations

from typing import Any, Literal

import pytest
from langchain.agents import create_agent
from langchain.agents.structured_output import ProviderStrategy, ToolStrategy
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.tools import tool
from pydantic import BaseModel, Field

from langchain_telnyx import ChatTelnyx
from telnyx_inference.emulator import Emulator


@tool
def get_weather(city: str) -> str:
    """The current weather in a city."""
    return {"Rome": "21 °C, sunny", "Paris": "18 °C, light rain"}.get(city, "no data")


@tool
def get_time(city: str) -> str:
    """The local time in a city."""
    return {"Tokyo": "05:40", "Rome": "21:40"}.get(city, "unknown")


TOOLS = [get_weather, get_time]


class Forecast(BaseModel):
    """The weather in one city."""

    city: str
    temperature_c: float
    conditions: str


class Counter(BaseCallbackHandler):
    def __init__(self) -> None:
        self.calls = 0

    def on_chat_model_start(self, *args: Any, **kwargs: Any) -> None:
        self.calls += 1


@pytest.fixture
def llm(telnyx_emulator: Emulator) -> ChatTelnyx:
    return ChatTelnyx(api_key="k", base_url=telnyx_emulator.base_url, max_retries=0)


def chat_calls(emu: Emulator) -> int:
    return sum(1 for e in emu.journal if e.path.endswith("chat/completions"))


def run(agent: Any, question: str) -> tuple[dict[str, Any], int]:
    counter = Counter()
    out = agent.invoke({"messages": [{"role": "user", "content": question}]},
                       {"callbacks": [counter], "recursion_limit": 2 * (len(TOOLS) + 2) + 1})
    return out, counter.calls


def test_create_agent_answers_from_the_tool_result(llm: ChatTelnyx,
                                                   telnyx_emulator: Emulator) -> None:
    out, calls = run(create_agent(llm, tools=TOOLS), "What is the weather in Rome?")
    assert calls == chat_calls(telnyx_emulator) == 2
    assert out["messages"][-1].content == 'get_weather(city="Rome") returned 21 °C, sunny.'


def test_create_agent_calls_two_tools_in_parallel(llm: ChatTelnyx,
                                                  telnyx_emulator: Emulator) -> None:
    out, calls = run(create_agent(llm, tools=TOOLS),
                     "What's the weather in Rome and the time in Tokyo?")
    assert calls == 2
    assert [m.type for m in out["messages"]] == ["human", "ai", "tool", "tool", "ai"]
    assert out["messages"][-1].content == (
        'get_weather(city="Rome") returned 21 °C, sunny; get_time(city="Tokyo") returned 05:40.')


@pytest.mark.parametrize("response_format", [Forecast, ToolStrategy(Forecast),
                                             ProviderStrategy(Forecast)],
                         ids=["schema", "tool-strategy", "provider-strategy"])
def test_create_agent_with_response_format_finishes(llm: ChatTelnyx, telnyx_emulator: Emulator,
                                                    response_format: Any) -> None:
    agent = create_agent(llm, tools=TOOLS, response_format=response_format)
    out, calls = run(agent, "weather in Rome?")
    assert calls == chat_calls(telnyx_emulator) == 2
    assert out["structured_response"] == Forecast(city="Rome", temperature_c=21,
                                                  conditions="sunny")


def test_a_bare_schema_takes_the_tool_strategy(llm: ChatTelnyx, telnyx_emulator: Emulator) -> None:
    # The profile says structured_output=False on purpose (see chat_models._profile): json_schema
    # beside the tools would hold every turn to the schema on a vLLM server.
    assert llm.profile is not None
    assert llm.profile["structured_output"] is False
    run(create_agent(llm, tools=TOOLS, response_format=Forecast), "weather in Rome?")
    bodies = [e.json for e in telnyx_emulator.journal if e.path.endswith("chat/completions")]
    assert all("response_format" not in b for b in bodies)
    assert all("Forecast" in [t["function"]["name"] for t in b["tools"]] for b in bodies)


def test_provider_strategy_sends_json_schema_as_is(llm: ChatTelnyx,
                                                   telnyx_emulator: Emulator) -> None:
    out, _ = run(create_agent(llm, tools=TOOLS, response_format=ProviderStrategy(Forecast)),
                 "weather in Rome?")
    assert out["structured_response"].city == "Rome"
    bodies = [e.json for e in telnyx_emulator.journal if e.path.endswith("chat/completions")]
    for sent in bodies:
        assert sent["response_format"]["type"] == "json_schema"
        assert sent["response_format"]["json_schema"]["schema"]["title"] == "Forecast"
        assert [t["function"]["name"] for t in sent["tools"]] == ["get_weather", "get_time"]
        assert not [k for k in sent if k.startswith("guided_")]


def test_tool_strategy_sends_required_every_turn(llm: ChatTelnyx,
                                                 telnyx_emulator: Emulator) -> None:
    run(create_agent(llm, tools=TOOLS, response_format=ToolStrategy(Forecast)), "weather in Rome?")
    bodies = [e.json for e in telnyx_emulator.journal if e.path.endswith("chat/completions")]
    assert [b["tool_choice"] for b in bodies] == ["required", "required"]


def test_langgraph_prebuilt_agent(llm: ChatTelnyx, telnyx_emulator: Emulator) -> None:
    prebuilt = pytest.importorskip("langgraph.prebuilt")
    with pytest.warns(Warning, match="create_react_agent has been moved"):
        agent = prebuilt.create_react_agent(llm, tools=TOOLS)
    out, calls = run(agent, "What is the weather in Paris?")
    assert calls == chat_calls(telnyx_emulator) == 2
    assert out["messages"][-1].content == 'get_weather(city="Paris") returned 18 °C, light rain.'


# --- structured output -------------------------------------------------------------------------


class Person(BaseModel):
    name: str
    age: int


class LineItem(BaseModel):
    description: str
    quantity: int = Field(ge=1)
    unit_price: float = Field(ge=0)


class Invoice(BaseModel):
    vendor: str
    invoice_number: str
    issued: str = Field(json_schema_extra={"format": "date"})
    line_items: list[LineItem] = Field(min_length=1)
    total: float
    status: Literal["paid", "due", "overdue"]


class Address(BaseModel):
    city: str
    state: str


class Resident(BaseModel):
    name: str
    age: int = Field(ge=0, le=130)
    address: Address


def test_person_from_the_prompt(llm: ChatTelnyx) -> None:
    assert llm.with_structured_output(Person).invoke("Ada Lovelace was 36.") == Person(
        name="Ada Lovelace", age=36)


@tool
def sky(city: str) -> str:
    """How the sky looks in a city."""
    return f"Sunny in {city}"


def test_a_capitalised_word_opening_a_tool_result_is_not_taken_for_a_name(
    llm: ChatTelnyx, telnyx_emulator: Emulator
) -> None:
    agent = create_agent(llm, tools=[sky], response_format=Person)
    out, calls = run(agent, "Ada Lovelace was 36. How is the sky in Paris?")
    assert calls == 2
    assert out["structured_response"] == Person(name="Ada Lovelace", age=36)


def test_invoice_with_line_items_and_an_enum(llm: ChatTelnyx) -> None:
    invoice = llm.with_structured_output(Invoice).invoke(
        "Acme Corp sent invoice INV-7 on 2026-03-01: 3 SIM cards at $5 each and 2 routers "
        "at $80 each, total $175, status paid.")
    assert invoice == Invoice(
        vendor="Acme Corp", invoice_number="INV-7", issued="2026-03-01",
        line_items=[LineItem(description="SIM cards", quantity=3, unit_price=5),
                    LineItem(description="routers", quantity=2, unit_price=80)],
        total=175, status="paid")


def test_nested_model(llm: ChatTelnyx) -> None:
    resident = llm.with_structured_output(Resident).invoke(
        "Grace Hopper, 85, lives in Arlington, Virginia.")
    assert resident == Resident(name="Grace Hopper", age=85,
                                address=Address(city="Arlington", state="Virginia"))


def test_function_calling_method_extracts_too(llm: ChatTelnyx) -> None:
    result = llm.with_structured_output(Person, method="function_calling").invoke(
        "Ada Lovelace was 36.")
    assert result == Person(name="Ada Lovelace", age=36)
