"""What a schema sends (json_schema by default, guided_* on request), and that answers are checked."""

from __future__ import annotations

import enum
import re
import sys
from typing import Any, Literal, TypedDict

import pytest
from pydantic import BaseModel

from telnyx_inference.chat.formats import format_name
from telnyx_inference.chat.params import ChatParams
from telnyx_inference.chat.structured import (
    MissingDependencyError,
    Regex,
    StructuredOutputError,
    StructuredSpec,
    structured_spec,
)
from telnyx_inference.errors import InvalidParameterError, TelnyxError


class Person(BaseModel):
    """A person."""

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


def sent_schema(spec: StructuredSpec) -> dict[str, Any]:
    fmt = spec.params["response_format"]
    assert fmt["type"] == "json_schema"
    return fmt["json_schema"]["schema"]


def test_pydantic_model_to_json_schema_format() -> None:
    spec = structured_spec(Person)
    assert spec.kind == "json"
    assert spec.method == "json_schema"
    fmt = spec.params["response_format"]["json_schema"]
    assert fmt["name"] == "Person"
    assert fmt["description"] == "A person."
    assert "strict" not in fmt
    assert fmt["schema"] == Person.model_json_schema()
    assert list(spec.params) == ["response_format"]
    assert spec.parse('{"name": "Ada", "age": 36}') == Person(name="Ada", age=36)
    with pytest.raises(StructuredOutputError, match="age"):
        spec.parse('{"name": "Ada"}')


def test_strict_becomes_json_schema_strict() -> None:
    assert structured_spec(Person, strict=True).params["response_format"]["json_schema"][
        "strict"
    ] is True
    with pytest.raises(InvalidParameterError, match="strict"):
        structured_spec(Person, "guided", strict=True)


def test_pydantic_model_to_guided_json_on_request() -> None:
    spec = structured_spec(Person, "guided")
    assert spec.params == {"guided_json": Person.model_json_schema()}
    assert spec.parse('{"name": "Ada", "age": 36}') == Person(name="Ada", age=36)
    with pytest.raises(StructuredOutputError, match="guided_json was probably ignored upstream"):
        spec.parse("Ada is 36")


@pytest.mark.parametrize(
    ("title", "name"),
    [
        ("Person", "Person"),
        ("A person (v2)", "A_person_v2"),
        ("Größe", "Gr_e"),
        ("x" * 80, "x" * 64),
        ("", "output"),
        ("!!!", "output"),
    ],
)
def test_format_name_follows_openais_rule(title: str, name: str) -> None:
    assert format_name(title) == name
    assert re.fullmatch(r"^[a-zA-Z0-9_-]{1,64}$", format_name(title))
    schema = {"title": title, "type": "object", "properties": {}}
    assert structured_spec(schema).params["response_format"]["json_schema"]["name"] == name


def test_typing_typeddict_on_311_nested() -> None:
    spec = structured_spec(Outer)
    assert sent_schema(spec)["description"] == "An outer thing."
    assert sent_schema(spec).get("required") is None
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


def test_choices_go_in_a_one_field_object_under_json_schema() -> None:
    spec = structured_spec(Literal["yes", "no"])
    assert sent_schema(spec) == {
        "type": "object",
        "properties": {"value": {"title": "choice", "type": "string", "enum": ["yes", "no"]}},
        "required": ["value"],
        "additionalProperties": False,
        "title": "choice",
    }
    assert spec.parse('{"value": "no"}') == "no"
    with pytest.raises(StructuredOutputError, match="not one of"):
        spec.parse('{"value": "maybe"}')
    assert spec.parse('"no"') == spec.parse("no") == "no"  # the envelope is forgiven...
    with pytest.raises(StructuredOutputError, match="not one of"):
        spec.parse("maybe")  # ...the value never is
    with pytest.raises(StructuredOutputError, match="not one of"):
        spec.parse('{"answer": "no"}')
    mood = structured_spec(Mood)
    assert mood.params["response_format"]["json_schema"]["name"] == "Mood"
    assert mood.parse('{"value": "sad"}') is Mood.SAD
    assert structured_spec(["a", "b"]).parse('{"value": "b"}') == "b"


def test_choices_by_guided_choice_on_request() -> None:
    assert structured_spec(Literal["yes", "no"], "guided").params == {
        "guided_choice": ["yes", "no"]
    }
    mood = structured_spec(Mood, "guided")
    assert mood.params == {"guided_choice": ["happy", "sad"]}
    assert mood.parse(" sad\n") is Mood.SAD
    assert structured_spec(["a", "b"], "guided").parse("b") == "b"
    with pytest.raises(StructuredOutputError, match=r"not one of.*guided_choice was probably"):
        structured_spec(["a", "b"], "guided").parse("c")


def test_regex_as_an_anchored_pattern_or_guided_regex() -> None:
    spec = structured_spec(Regex(r"\d{3}-\d{4}"))
    assert sent_schema(spec)["properties"]["value"]["pattern"] == r"^(?:\d{3}-\d{4})$"
    assert spec.parse('{"value": "555-1234"}') == "555-1234"
    with pytest.raises(StructuredOutputError, match="does not match"):
        spec.parse('{"value": "555-12345"}')
    guided = structured_spec(Regex(r"\d{3}-\d{4}"), "guided")
    assert guided.params == {"guided_regex": r"\d{3}-\d{4}"}
    assert guided.parse("555-1234") == "555-1234"
    with pytest.raises(StructuredOutputError, match="does not match"):
        guided.parse("555-12345")
    with pytest.raises(InvalidParameterError, match="guided_regex"):
        Regex("(")


def test_non_object_roots_are_wrapped_with_their_defs_at_the_root() -> None:
    spec = structured_spec(list[Person])
    sent = sent_schema(spec)
    assert sent["properties"]["value"]["items"] == {"$ref": "#/$defs/Person"}
    assert "Person" in sent["$defs"]
    assert "$defs" not in sent["properties"]["value"]
    people = spec.parse('{"value": [{"name": "Ada", "age": 36}]}')
    assert people == [Person(name="Ada", age=36)]
    assert spec.schema["type"] == "array"  # the user's schema, not the wrapper


def test_unusable_schema_named() -> None:
    with pytest.raises(InvalidParameterError, match="schema"):
        structured_spec(42)


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
