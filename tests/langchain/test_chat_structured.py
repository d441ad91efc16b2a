"""with_structured_output: guided_json by default, the other methods, choices, regexes, include_raw."""

from __future__ import annotations

import enum
import json
from typing import Any, Literal

import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.exceptions import OutputParserException
from pydantic import BaseModel, Field
from typing_extensions import TypedDict

from langchain_telnyx import ChatTelnyx, Regex
from telnyx_inference.chat.structured import StructuredOutputError
from telnyx_inference.emulator import Emulator, ScriptedReply


class Person(BaseModel):
    """A person."""

    name: str = Field(description="Full name")
    age: int = Field(ge=0, le=150)


class PersonDict(TypedDict):
    name: str
    age: int


PERSON_SCHEMA = Person.model_json_schema()


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


@pytest.fixture
def llm(telnyx_emulator: Emulator) -> ChatTelnyx:
    return ChatTelnyx(api_key="k", base_url=telnyx_emulator.base_url, max_retries=0)


def body(emu: Emulator) -> dict[str, Any]:
    sent = emu.journal[-1].json
    assert isinstance(sent, dict)
    return sent


@pytest.mark.parametrize("method", ["guided_json", "json_schema"])
def test_pydantic_by_constrained_decoding(
    llm: ChatTelnyx, telnyx_emulator: Emulator, method: str
) -> None:
    person = llm.with_structured_output(Person, method=method).invoke("Ada Lovelace, 36")  # type: ignore[arg-type]
    assert person == Person(name="Ada Lovelace", age=36)
    sent = body(telnyx_emulator)
    assert sent["guided_json"]["properties"]["age"]["maximum"] == 150
    assert "response_format" not in sent
    assert "tools" not in sent


def test_typeddict_and_json_schema_give_dicts(llm: ChatTelnyx) -> None:
    for schema in (PersonDict, PERSON_SCHEMA):
        result = llm.with_structured_output(schema).invoke("Ada, 36")
        assert result == {"name": "Ada", "age": 36}


def test_streaming_yields_the_parsed_object(llm: ChatTelnyx) -> None:
    results = list(llm.with_structured_output(Person).stream("Ada, 36"))
    assert results == [Person(name="Ada", age=36)]


async def test_async(llm: ChatTelnyx) -> None:
    person = await llm.with_structured_output(Person).ainvoke("Ada, 36")
    assert person == Person(name="Ada", age=36)


def test_literal_enum_and_list_become_guided_choice(
    llm: ChatTelnyx, telnyx_emulator: Emulator
) -> None:
    answer = llm.with_structured_output(Literal["yes", "no"]).invoke("Is water wet?")
    assert answer in ("yes", "no")
    assert body(telnyx_emulator)["guided_choice"] == ["yes", "no"]
    color = llm.with_structured_output(Color).invoke("Paint it blue")
    assert color is Color.BLUE
    assert body(telnyx_emulator)["guided_choice"] == ["red", "blue"]
    assert llm.with_structured_output(["a", "b"]).invoke("Pick") in ("a", "b")


def test_regex_becomes_guided_regex(llm: ChatTelnyx, telnyx_emulator: Emulator) -> None:
    phone = llm.with_structured_output(Regex(r"\d{3}-\d{4}")).invoke("A phone number")
    assert isinstance(phone, str)
    assert len(phone) == 8
    assert phone[3] == "-"
    assert body(telnyx_emulator)["guided_regex"] == r"\d{3}-\d{4}"


def test_guided_options_bind_directly_too(llm: ChatTelnyx, telnyx_emulator: Emulator) -> None:
    reply = llm.bind(guided_regex="(cat|dog)").invoke("Pet?")
    assert reply.content in ("cat", "dog")


def test_json_mode(llm: ChatTelnyx, telnyx_emulator: Emulator) -> None:
    anything = llm.with_structured_output(method="json_mode").invoke("Reply in JSON")
    assert isinstance(anything, dict)
    assert body(telnyx_emulator)["response_format"] == {"type": "json_object"}
    person = llm.with_structured_output(Person, method="json_mode").invoke("Ada, 36")
    assert person == Person(name="Ada", age=36)
    sent = body(telnyx_emulator)
    assert "guided_json" in sent
    assert "response_format" not in sent  # vLLM refuses both kinds of guidance at once


def test_function_calling(llm: ChatTelnyx, telnyx_emulator: Emulator) -> None:
    person = llm.with_structured_output(Person, method="function_calling").invoke("Ada, 36")
    assert person == Person(name="Ada", age=36)
    sent = body(telnyx_emulator)
    assert sent["tool_choice"] == "required"
    assert [t["function"]["name"] for t in sent["tools"]] == ["Person"]
    as_dict = llm.with_structured_output(PERSON_SCHEMA, method="function_calling").invoke("Ada, 36")
    assert as_dict == {"name": "Ada", "age": 36}


def test_include_raw_catches_parsing_errors(llm: ChatTelnyx, telnyx_emulator: Emulator) -> None:
    telnyx_emulator.script(ScriptedReply(content='{"name": "Ada"}'))
    result = llm.with_structured_output(Person, include_raw=True).invoke("Ada")
    assert result["parsed"] is None
    assert result["raw"].content == '{"name": "Ada"}'
    error = result["parsing_error"]
    assert isinstance(error, OutputParserException)
    assert isinstance(error, StructuredOutputError)
    assert "age" in str(error)
    good = llm.with_structured_output(Person, include_raw=True).invoke("Ada, 36")
    assert good["parsed"] == Person(name="Ada", age=36)
    assert good["parsing_error"] is None


def test_without_include_raw_the_error_is_an_output_parser_exception(
    llm: ChatTelnyx, telnyx_emulator: Emulator
) -> None:
    telnyx_emulator.script(ScriptedReply(content="not json"))
    with pytest.raises(OutputParserException, match="not json"):
        llm.with_structured_output(Person).invoke("Ada")


def test_tracing_sees_the_schema(llm: ChatTelnyx) -> None:
    seen: list[dict[str, Any]] = []

    class Options(BaseCallbackHandler):
        def on_chat_model_start(self, *args: Any, **kwargs: Any) -> None:
            seen.append(kwargs.get("options") or {})

    llm.with_structured_output(Person).invoke("Ada, 36", config={"callbacks": [Options()]})
    fmt = seen[0]["ls_structured_output_format"]
    assert fmt["kwargs"]["method"] == "guided_json"
    assert fmt["schema"]["title"] == "Person"


def test_openai_style_response_format_becomes_guided_json(
    llm: ChatTelnyx, telnyx_emulator: Emulator
) -> None:
    fmt = {"type": "json_schema", "json_schema": {"name": "person", "schema": PERSON_SCHEMA}}
    reply = llm.invoke("Ada, 36", response_format=fmt)
    Person.model_validate(json.loads(str(reply.content)))
    sent = body(telnyx_emulator)
    assert sent["guided_json"] == PERSON_SCHEMA
    assert "response_format" not in sent


def test_pydantic_v1_models(llm: ChatTelnyx) -> None:
    from pydantic import v1

    class Old(v1.BaseModel):
        name: str
        age: int

    for method in ("guided_json", "function_calling"):
        assert isinstance(llm.with_structured_output(Old, method=method).invoke("Ada, 36"), Old)  # type: ignore[arg-type]


def test_bad_arguments(llm: ChatTelnyx) -> None:
    with pytest.raises(ValueError, match="method"):
        llm.with_structured_output(Person, method="xml")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="function_calling"):
        llm.with_structured_output(Literal["a", "b"], method="function_calling")
    with pytest.raises(ValueError, match="tools"):
        llm.with_structured_output(Person, tools=[])


class Reasoned(BaseModel):
    reasoning: str
    answer: str


def test_guided_json_keeps_the_schemas_property_order(
    llm: ChatTelnyx, telnyx_emulator: Emulator
) -> None:
    # A constrained decoder writes properties in the order given: "reasoning" must come first.
    llm.with_structured_output(Reasoned).invoke("Is 7 prime?")
    assert list(body(telnyx_emulator)["guided_json"]["properties"]) == ["reasoning", "answer"]
