"""with_structured_output: response_format json_schema by default, guided_json on request, the
other methods, choices, regexes, include_raw; request bodies read from the emulator's journal."""

from __future__ import annotations

import enum
import json
import warnings
from typing import Any, Literal

import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.exceptions import OutputParserException
from langchain_core.utils.function_calling import convert_to_json_schema
from pydantic import BaseModel, Field
from typing_extensions import TypedDict

from langchain_telnyx import ChatTelnyx, Regex
from telnyx_inference.chat.structured import StructuredOutputError
from telnyx_inference.emulator import Emulator, ScriptedReply
from telnyx_inference.errors import TelnyxWarning


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


def assert_json_schema_format(sent: dict[str, Any], schema: dict[str, Any], name: str) -> None:
    assert sent["response_format"]["type"] == "json_schema"
    assert sent["response_format"]["json_schema"]["name"] == name
    assert sent["response_format"]["json_schema"]["schema"] == schema
    assert not [k for k in sent if k.startswith("guided_")]


def test_default_is_response_format_json_schema(llm: ChatTelnyx, telnyx_emulator: Emulator) -> None:
    person = llm.with_structured_output(Person).invoke("Ada Lovelace, 36")
    assert person == Person(name="Ada Lovelace", age=36)
    sent = body(telnyx_emulator)
    assert_json_schema_format(sent, PERSON_SCHEMA, "Person")
    assert sent["response_format"]["json_schema"]["description"] == "A person."
    assert "strict" not in sent["response_format"]["json_schema"]
    assert "tools" not in sent


def test_strict_maps_to_json_schema_strict(llm: ChatTelnyx, telnyx_emulator: Emulator) -> None:
    llm.with_structured_output(Person, strict=True).invoke("Ada Lovelace, 36")
    assert body(telnyx_emulator)["response_format"]["json_schema"]["strict"] is True
    with pytest.raises(ValueError, match="strict"):
        llm.with_structured_output(Person, method="guided_json", strict=True)


def test_guided_json_on_request(llm: ChatTelnyx, telnyx_emulator: Emulator) -> None:
    person = llm.with_structured_output(Person, method="guided_json").invoke("Ada Lovelace, 36")
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


def test_literal_enum_and_list_go_as_string_enums_under_json_schema(
    llm: ChatTelnyx, telnyx_emulator: Emulator
) -> None:
    answer = llm.with_structured_output(Literal["yes", "no"]).invoke("Is water wet?")
    assert answer in ("yes", "no")
    value = body(telnyx_emulator)["response_format"]["json_schema"]["schema"]["properties"]
    assert value["value"]["enum"] == ["yes", "no"]
    color = llm.with_structured_output(Color).invoke("Paint it blue")
    assert color is Color.BLUE
    fmt = body(telnyx_emulator)["response_format"]["json_schema"]
    assert fmt["name"] == "Color"
    assert fmt["schema"]["properties"]["value"]["enum"] == ["red", "blue"]
    assert llm.with_structured_output(["a", "b"]).invoke("Pick") in ("a", "b")


def test_choices_by_guided_choice_on_request(llm: ChatTelnyx, telnyx_emulator: Emulator) -> None:
    color = llm.with_structured_output(Color, method="guided_json").invoke("Paint it blue")
    assert color is Color.BLUE
    sent = body(telnyx_emulator)
    assert sent["guided_choice"] == ["red", "blue"]
    assert "response_format" not in sent


def test_regex_as_a_pattern_or_guided_regex(llm: ChatTelnyx, telnyx_emulator: Emulator) -> None:
    phone = llm.with_structured_output(Regex(r"\d{3}-\d{4}")).invoke("A phone number")
    assert isinstance(phone, str)
    assert len(phone) == 8
    assert phone[3] == "-"
    fmt = body(telnyx_emulator)["response_format"]["json_schema"]
    assert fmt["schema"]["properties"]["value"]["pattern"] == r"^(?:\d{3}-\d{4})$"
    guided = llm.with_structured_output(Regex(r"\d{3}-\d{4}"), method="guided_json")
    assert len(guided.invoke("A phone number")) == 8
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
    # Given a schema, Telnyx can enforce it: sent as json_schema, never with a guided field.
    assert_json_schema_format(body(telnyx_emulator), PERSON_SCHEMA, "Person")


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
    assert fmt["kwargs"] == {"method": "json_schema", "strict": None}
    assert fmt["schema"] == convert_to_json_schema(Person)
    llm.with_structured_output(Color).invoke("Blue", config={"callbacks": [Options()]})
    value = seen[1]["ls_structured_output_format"]["schema"]["properties"]["value"]
    assert value["enum"] == ["red", "blue"]


def test_openai_style_response_format_is_sent_as_is(
    llm: ChatTelnyx, telnyx_emulator: Emulator
) -> None:
    fmt = {
        "type": "json_schema",
        "json_schema": {"name": "person", "schema": PERSON_SCHEMA, "strict": True},
    }
    reply = llm.invoke("Ada, 36", response_format=fmt)
    Person.model_validate(json.loads(str(reply.content)))
    sent = body(telnyx_emulator)
    assert sent["response_format"] == fmt
    assert not [k for k in sent if k.startswith("guided_")]


def test_pydantic_v1_models(llm: ChatTelnyx) -> None:
    from pydantic import v1

    class Old(v1.BaseModel):
        name: str
        age: int

    for method in ("json_schema", "guided_json", "function_calling"):
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


def test_the_schemas_property_order_is_kept(llm: ChatTelnyx, telnyx_emulator: Emulator) -> None:
    # A constrained decoder writes properties in the order given: "reasoning" must come first.
    llm.with_structured_output(Reasoned).invoke("Is 7 prime?")
    schema = body(telnyx_emulator)["response_format"]["json_schema"]["schema"]
    assert list(schema["properties"]) == ["reasoning", "answer"]
    llm.with_structured_output(Reasoned, method="guided_json").invoke("Is 7 prime?")
    assert list(body(telnyx_emulator)["guided_json"]["properties"]) == ["reasoning", "answer"]


# --- fail closed: when the guided fields are ignored upstream ---------------------------------


@pytest.fixture
def ignoring(telnyx_emulator: Emulator) -> Emulator:
    """An emulator that accepts guided_* but ignores them, as vLLM ≥ 0.12 does."""
    telnyx_emulator.configure(guided="ignore")
    return telnyx_emulator


@pytest.mark.parametrize("schema", [Person, PersonDict, Literal["yes", "no"], Color])
def test_default_structured_output_does_not_depend_on_guided_fields(
    llm: ChatTelnyx, ignoring: Emulator, schema: Any
) -> None:
    result = llm.with_structured_output(schema).invoke("Ada Lovelace, 36. Blue? yes")
    if schema is Person:
        assert result == Person(name="Ada Lovelace", age=36)
    elif schema is PersonDict:
        assert result == {"name": "Ada Lovelace", "age": 36}
    elif schema is Color:
        assert isinstance(result, Color)
    else:
        assert result in ("yes", "no")


async def test_default_streams_schema_valid_values_when_guided_is_ignored(
    llm: ChatTelnyx, ignoring: Emulator
) -> None:
    chunks = [c async for c in llm.with_structured_output(Person).astream("Ada, 36")]
    assert chunks[-1] == Person(name="Ada", age=36)


def test_guided_method_fails_closed_when_ignored(llm: ChatTelnyx, ignoring: Emulator) -> None:
    with pytest.raises(OutputParserException, match="guided_json was probably ignored upstream"):
        llm.with_structured_output(Person, method="guided_json").invoke("Ada, 36")
    assert ignoring.journal[-1].json["guided_json"]["title"] == "Person"
    raw = llm.with_structured_output(Color, method="guided_json", include_raw=True).invoke("Blue")
    assert raw["parsed"] is None
    assert "guided_choice was probably ignored" in str(raw["parsing_error"])


def test_guided_method_raises_without_a_warning(llm: ChatTelnyx, ignoring: Emulator) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the parser's error says it all: no warning on top
        with pytest.raises(OutputParserException):
            llm.with_structured_output(Person, method="guided_json").invoke("Ada, 36")


def test_plain_call_with_a_guided_field_warns_once(llm: ChatTelnyx, ignoring: Emulator) -> None:
    with pytest.warns(TelnyxWarning, match="does not follow the guided_choice") as caught:
        reply = llm.invoke("Is the sky blue?", guided_choice=["yes", "no"])
    assert reply.content not in ("yes", "no")
    assert caught[0].filename == __file__  # points at the user's line
    assert "json_schema" in str(caught[0].message)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        llm.invoke("Is the sky blue?", guided_choice=["yes", "no"])  # said once
        list(llm.stream("Is it?", guided_choice=["yes", "no"]))


def test_plain_call_streamed_warns_and_can_raise(llm: ChatTelnyx, ignoring: Emulator) -> None:
    with pytest.warns(TelnyxWarning, match="guided_regex"):
        list(llm.stream("A number", guided_regex=r"\d+"))
    with pytest.raises(StructuredOutputError, match="guided_regex was probably ignored"):
        llm.invoke("A number", guided_regex=r"\d+", guided_check="error")


def test_honoured_guided_fields_say_nothing(llm: ChatTelnyx, telnyx_emulator: Emulator) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert llm.invoke("Is the sky blue?", guided_choice=["yes", "no"]).content in ("yes", "no")


def test_guided_check_is_checked_before_sending(llm: ChatTelnyx, telnyx_emulator: Emulator) -> None:
    with pytest.raises(ValueError, match="guided_check"):
        llm.invoke("Hi", guided_check="loud")
    assert telnyx_emulator.journal == []
