"""Grounded structured output for LlamaIndex: json_schema and the retrieval tool in one request."""

from __future__ import annotations

from typing import Any

import pytest
from li_support import chat_bodies, make_llm
from llama_index.core.base.llms.types import ChatMessage
from llama_index.core.prompts import PromptTemplate
from pydantic import BaseModel, Field

from llama_index_telnyx import TelnyxRetrievalTool
from telnyx_inference.emulator import Emulator
from telnyx_inference.errors import InvalidParameterError

HANDBOOK = "Vacation policy: every employee gets 25 vacation days per year."
RETRIEVAL = {"type": "retrieval", "retrieval": {"bucket_ids": ["handbook"]}}
ASK = PromptTemplate("{question}")


class Leave(BaseModel):
    """Paid leave per year."""

    days: int = Field(description="vacation days per year")


@pytest.fixture
def emu(telnyx_emulator: Emulator) -> Emulator:
    telnyx_emulator.seed_bucket(
        "handbook", texts={"leave.txt": HANDBOOK, "pets.txt": "Dogs are welcome on Fridays."}
    )
    return telnyx_emulator


def _one_grounded_request(emu: Emulator, tools: list[dict[str, Any]]) -> None:
    bodies = chat_bodies(emu)
    assert len(bodies) == 1
    assert bodies[0]["tools"] == tools
    fmt = bodies[0]["response_format"]
    assert fmt["type"] == "json_schema"
    assert fmt["json_schema"]["name"] == "Leave"
    assert fmt["json_schema"]["schema"] == Leave.model_json_schema()
    assert not [k for k in bodies[0] if k.startswith("guided_")]


def test_structured_predict_with_retrieval(emu: Emulator) -> None:
    answer = make_llm(emu).structured_predict(
        Leave, ASK, llm_kwargs={"retrieval": "handbook"}, question="How many vacation days?"
    )
    assert isinstance(answer, Leave)
    _one_grounded_request(emu, [RETRIEVAL])


async def test_astructured_predict_with_a_retrieval_tool(emu: Emulator) -> None:
    tool = TelnyxRetrievalTool(bucket_ids=["handbook"], max_num_results=2)
    answer = await make_llm(emu).astructured_predict(
        Leave, ASK, llm_kwargs={"retrieval": tool}, question="How many vacation days?"
    )
    assert isinstance(answer, Leave)
    _one_grounded_request(
        emu,
        [{"type": "retrieval", "retrieval": {"bucket_ids": ["handbook"], "max_num_results": 2}}],
    )


def test_as_structured_llm_with_retrieval(emu: Emulator) -> None:
    llm = make_llm(emu)
    structured = llm.as_structured_llm(Leave, retrieval="handbook")
    response = structured.chat([ChatMessage(role="user", content="How many vacation days?")])
    assert isinstance(response.raw, Leave)
    _one_grounded_request(emu, [RETRIEVAL])
    assert llm.retrieval is None  # the original LLM is unchanged


def test_retrieval_field_goes_with_every_request(emu: Emulator) -> None:
    llm = make_llm(emu, retrieval=["handbook"])
    llm.complete("How many vacation days?")
    assert chat_bodies(emu)[0]["tools"] == [RETRIEVAL]


def test_grounded_value_is_taken_from_the_bucket(emu: Emulator) -> None:
    answer = make_llm(emu).structured_predict(
        Leave, ASK, llm_kwargs={"retrieval": "handbook"}, question="How many vacation days?"
    )
    assert answer == Leave(days=25)


def test_grounded_value_does_not_depend_on_guided_fields(emu: Emulator) -> None:
    emu.configure(guided="ignore")
    answer = make_llm(emu).structured_predict(
        Leave, ASK, llm_kwargs={"retrieval": "handbook"}, question="How many vacation days?"
    )
    assert answer == Leave(days=25)


def test_grounded_guided_json_on_request(emu: Emulator) -> None:
    llm = make_llm(emu, structured_method="guided_json")
    answer = llm.structured_predict(
        Leave, ASK, llm_kwargs={"retrieval": "handbook"}, question="How many vacation days?"
    )
    assert answer == Leave(days=25)
    body = chat_bodies(emu)[0]
    assert body["tools"] == [RETRIEVAL]
    assert body["guided_json"] == Leave.model_json_schema()
    assert "response_format" not in body


def test_function_tools_are_refused_beside_structured_output(emu: Emulator) -> None:
    def get_weather(city: str) -> str:
        """Weather in a city."""
        return "sunny"

    from llama_index.core.tools import FunctionTool

    with pytest.raises(InvalidParameterError, match=r"llm_kwargs\.tools.*get_weather"):
        make_llm(emu).structured_predict(
            Leave,
            ASK,
            llm_kwargs={"tools": [FunctionTool.from_defaults(get_weather)]},
            question="Days?",
        )
    assert chat_bodies(emu) == []


def test_bad_retrieval_is_refused_naming_it(emu: Emulator) -> None:
    with pytest.raises(InvalidParameterError, match=r"llm_kwargs\.retrieval"):
        make_llm(emu).structured_predict(Leave, ASK, llm_kwargs={"retrieval": []}, question="Days?")
    with pytest.raises(ValueError, match="retrieval: a bucket name must not be empty"):
        make_llm(emu, retrieval=[""])
