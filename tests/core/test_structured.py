"""Which guided option a schema asks for, and that answers are checked."""

from __future__ import annotations

import enum
import sys
from typing import Literal, TypedDict

import pytest
from pydantic import BaseModel

from telnyx_inference.chat.params import ChatParams
from telnyx_inference.chat.structured import (
    MissingDependencyError,
    Regex,
    StructuredOutputError,
    structured_spec,
)
from telnyx_inference.errors import InvalidParameterError, TelnyxError


class Person(BaseModel):
    name: str
    age: int


class Inner(TypedDict):
    z: str


class Outer(TypedDict, total=False):
    """An outer thing."""

    a: int
    inner: list[Inner]


class Mood(enum.Enum):
    HAPPY = "happy"
    SAD = "sad"


def test_pydantic_model_to_guided_json() -> None:
    spec = structured_spec(Person)
    assert spec.kind == "json"
    assert spec.params["guided_json"]["required"] == ["name", "age"]
    assert spec.parse('{"name": "Ada", "age": 36}') == Person(name="Ada", age=36)
    with pytest.raises(StructuredOutputError, match="age"):
        spec.parse('{"name": "Ada"}')


def test_typing_typeddict_on_311_nested() -> None:
    spec = structured_spec(Outer)
    assert spec.params["guided_json"]["description"] == "An outer thing."
    assert spec.params["guided_json"].get("required") is None
    assert spec.parse('{"inner": [{"z": "q"}]}') == {"inner": [{"z": "q"}]}
    with pytest.raises(StructuredOutputError):
        spec.parse('{"inner": [{}]}')


def test_json_schema_dict_validated() -> None:
    schema = {
        "title": "Answer",
        "type": "object",
        "properties": {"n": {"type": "integer"}},
        "required": ["n"],
    }
    spec = structured_spec(schema)
    assert spec.name == "Answer"
    assert spec.parse('```json\n{"n": 3}\n```') == {"n": 3}
    with pytest.raises(StructuredOutputError, match="'n' is a required property"):
        spec.parse("{}")
    with pytest.raises(StructuredOutputError, match="not valid JSON"):
        spec.parse("n = 3")


def test_a_dict_schema_without_jsonschema_fails_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    # Answers are promised to be validated: without the validator, say so before sending
    # rather than hand back whatever the model wrote.
    monkeypatch.setitem(sys.modules, "jsonschema", None)  # import jsonschema -> ImportError
    schema = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}
    with pytest.raises(MissingDependencyError, match=r"jsonschema.*pip install") as info:
        structured_spec(schema)
    assert isinstance(info.value, ImportError)
    assert isinstance(info.value, TelnyxError)
    assert structured_spec(Person).parse('{"name": "Ada", "age": 36}')  # pydantic still checks


def test_choices_from_literal_enum_and_list() -> None:
    assert structured_spec(Literal["yes", "no"]).params == {"guided_choice": ["yes", "no"]}
    mood = structured_spec(Mood)
    assert mood.params == {"guided_choice": ["happy", "sad"]}
    assert mood.parse(" sad\n") is Mood.SAD
    assert structured_spec(["a", "b"]).parse("b") == "b"
    with pytest.raises(StructuredOutputError, match="not one of"):
        structured_spec(["a", "b"]).parse("c")


def test_regex() -> None:
    spec = structured_spec(Regex(r"\d{3}-\d{4}"))
    assert spec.params == {"guided_regex": r"\d{3}-\d{4}"}
    assert spec.parse("555-1234") == "555-1234"
    with pytest.raises(StructuredOutputError, match="does not match"):
        spec.parse("555-12345")
    with pytest.raises(InvalidParameterError, match="guided_regex"):
        Regex("(")


def test_unusable_schema_named() -> None:
    with pytest.raises(InvalidParameterError, match="schema"):
        structured_spec(42)


def test_a_dangling_ref_is_refused_naming_where_it_is() -> None:
    dangling = {
        "type": "object",
        "properties": {"a": {"$ref": "#/$defs/Missing"}, "b": {"type": "string"}},
        "$defs": {"Here": {"type": "string"}},
    }
    with pytest.raises(InvalidParameterError, match=r"#/\$defs/Missing") as info:
        structured_spec(dangling)
    assert info.value.param == "schema.properties.a.$ref"
    with pytest.raises(InvalidParameterError) as info:
        ChatParams.build(guided_json={"items": {"$ref": "#/definitions/x"}, "type": "array"})
    assert info.value.param == "guided_json.items.$ref"
    with pytest.raises(InvalidParameterError, match="only references inside the schema"):
        structured_spec({"$ref": "https://example.com/schema.json"})


def test_refs_that_resolve_are_kept() -> None:
    class Node(BaseModel):
        name: str
        children: list[Node] = []

    class Tree(BaseModel):
        root: Node
        people: list[Person]

    assert structured_spec(Tree).kind == "json"  # $defs and a recursive $ref
    escaped = {
        "$defs": {"a/b": {"type": "integer"}, "c~d": {"type": "string"}},
        "properties": {"x": {"$ref": "#/$defs/a~1b"}, "y": {"$ref": "#/$defs/c~0d"}},
        "prefixItems": [{"$ref": "#"}],
        "anyOf": [{"$anchor": "top"}, {"$ref": "#top"}],
        "enum": [{"$ref": "#/not/a/schema"}],  # data, not a reference
    }
    assert structured_spec(escaped).schema == escaped
