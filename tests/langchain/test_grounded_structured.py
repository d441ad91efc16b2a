"""Grounded structured output: response_format json_schema and the retrieval tool in one request."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, Field

from langchain_telnyx import ChatTelnyx, TelnyxRetrievalTool
from telnyx_inference.emulator import Emulator
from telnyx_inference.errors import InvalidParameterError

HANDBOOK = "Vacation policy: every employee gets 25 vacation days per year."
RETRIEVAL = {"type": "retrieval", "retrieval": {"bucket_ids": ["handbook"]}}


class Leave(BaseModel):
    """Paid leave per year."""

    days: int = Field(description="vacation days per year")


@pytest.fixture
def emu(telnyx_emulator: Emulator) -> Emulator:
    telnyx_emulator.seed_bucket(
        "handbook", texts={"leave.txt": HANDBOOK, "pets.txt": "Dogs are welcome on Fridays."}
    )
    return telnyx_emulator


def chat(emu: Emulator) -> ChatTelnyx:
    return ChatTelnyx(api_key="test-key", base_url=emu.base_url, max_retries=0)


def chat_bodies(emu: Emulator) -> list[dict[str, object]]:
    return [e.json for e in emu.journal if e.path.endswith("chat/completions")]


def _one_grounded_request(emu: Emulator, tools: list[dict[str, object]]) -> None:
    bodies = chat_bodies(emu)
    assert len(bodies) == 1
    assert bodies[0]["tools"] == tools
    fmt = bodies[0]["response_format"]
    assert fmt["type"] == "json_schema"  # type: ignore[index]
    assert fmt["json_schema"]["name"] == "Leave"  # type: ignore[index]
    assert fmt["json_schema"]["schema"] == Leave.model_json_schema()  # type: ignore[index]
    assert not [k for k in bodies[0] if k.startswith("guided_")]


def test_retrieval_option_takes_a_bucket_name(emu: Emulator) -> None:
    answer = (
        chat(emu)
        .with_structured_output(Leave, retrieval="handbook")
        .invoke("How many vacation days?")
    )
    assert isinstance(answer, Leave)
    _one_grounded_request(emu, [RETRIEVAL])


def test_grounded_value_is_taken_from_the_bucket(emu: Emulator) -> None:
    structured = chat(emu).with_structured_output(Leave, retrieval="handbook")
    assert structured.invoke("How many vacation days?") == Leave(days=25)


def test_grounded_value_does_not_depend_on_guided_fields(emu: Emulator) -> None:
    emu.configure(guided="ignore")
    structured = chat(emu).with_structured_output(Leave, retrieval="handbook")
    assert structured.invoke("How many vacation days?") == Leave(days=25)


def test_grounded_guided_json_on_request(emu: Emulator) -> None:
    structured = chat(emu).with_structured_output(Leave, method="guided_json", retrieval="handbook")
    assert structured.invoke("How many vacation days?") == Leave(days=25)
    body = chat_bodies(emu)[0]
    assert body["tools"] == [RETRIEVAL]
    assert body["guided_json"] == Leave.model_json_schema()
    assert "response_format" not in body


async def test_retrieval_option_takes_a_tool_async(emu: Emulator) -> None:
    tool = TelnyxRetrievalTool(bucket_ids=["handbook"], max_num_results=2)
    structured = chat(emu).with_structured_output(Leave, retrieval=tool)
    answer = await structured.ainvoke("How many vacation days?")
    assert isinstance(answer, Leave)
    _one_grounded_request(
        emu,
        [{"type": "retrieval", "retrieval": {"bucket_ids": ["handbook"], "max_num_results": 2}}],
    )


def test_bind_tools_then_structured_output_keeps_the_retrieval_tool(emu: Emulator) -> None:
    llm = chat(emu).bind_tools([TelnyxRetrievalTool(bucket_ids=["handbook"])])
    answer = llm.with_structured_output(Leave, include_raw=True).invoke("How many vacation days?")
    assert isinstance(answer["parsed"], Leave)
    _one_grounded_request(emu, [RETRIEVAL])


def test_json_mode_goes_with_retrieval(emu: Emulator) -> None:
    chat(emu).with_structured_output(method="json_mode", retrieval=["handbook"]).invoke("Days?")
    body = chat_bodies(emu)[0]
    assert body["response_format"] == {"type": "json_object"}
    assert body["tools"] == [RETRIEVAL]


def test_bound_function_tools_are_refused_not_dropped(emu: Emulator) -> None:
    def get_weather(city: str) -> str:
        """Weather in a city."""
        return "sunny"

    llm = chat(emu).bind_tools([get_weather, TelnyxRetrievalTool(bucket_ids=["handbook"])])
    with pytest.raises(InvalidParameterError, match=r"tools.*function tools \['get_weather'\]"):
        llm.with_structured_output(Leave)
    assert chat_bodies(emu) == []


def test_function_calling_with_retrieval_is_refused(emu: Emulator) -> None:
    with pytest.raises(InvalidParameterError, match=r"retrieval.*json_schema"):
        chat(emu).with_structured_output(Leave, method="function_calling", retrieval="handbook")


@pytest.mark.parametrize(
    ("retrieval", "match"),
    [([], "retrieval: must name at least one bucket"), (42, r"retrieval\b"), ([""], "empty")],
)
def test_bad_retrieval_is_refused_naming_it(emu: Emulator, retrieval: object, match: str) -> None:
    with pytest.raises((InvalidParameterError, TypeError), match=match):
        chat(emu).with_structured_output(Leave, retrieval=retrieval)  # type: ignore[arg-type]


def test_binding_config_and_other_kwargs_survive(emu: Emulator) -> None:
    llm = chat(emu).bind_tools([RETRIEVAL], temperature=0.0).with_config(tags=["grounded"])
    structured = llm.with_structured_output(Leave)
    structured.invoke("How many vacation days?")
    body = chat_bodies(emu)[0]
    assert body["temperature"] == 0.0
    assert body["tools"] == [RETRIEVAL]
