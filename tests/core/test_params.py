"""The parameter model refuses bad values before sending, naming the parameter."""

from __future__ import annotations

from typing import Any, TypedDict

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel

from telnyx_inference import ChatParams, InvalidParameterError, InvalidParameterTypeError


class Person(BaseModel):
    name: str
    age: int


class Point(TypedDict):
    x: int
    y: int


def test_render_keeps_only_what_is_set() -> None:
    params = ChatParams.build(temperature=0.2, max_tokens=None, min_p=0.05, stop="END")
    assert params.render() == {"temperature": 0.2, "min_p": 0.05, "stop": ["END"]}


@pytest.mark.parametrize(
    ("values", "param"),
    [
        ({"min_p": 1.5}, "min_p"),
        ({"min_p": -0.1}, "min_p"),
        ({"temperature": 3}, "temperature"),
        ({"top_p": 0}, "top_p"),
        ({"n": 0}, "n"),
        ({"max_tokens": 0}, "max_tokens"),
        ({"top_logprobs": 21, "logprobs": True}, "top_logprobs"),
        ({"top_logprobs": 2}, "top_logprobs"),
        ({"stop": ["a", "b", "c", "d", "e"]}, "stop"),
        ({"logit_bias": {"50256": 101}}, "logit_bias"),
        ({"guided_choice": []}, "guided_choice"),
        ({"guided_regex": "(unclosed"}, "guided_regex"),
        ({"guided_json": {"type": "objekt"}}, "guided_json.type"),
        ({"guided_json": {"properties": {"a": {"type": 5}}}}, "guided_json.properties.a.type"),
        ({"guided_choice": ["a"], "guided_regex": "a"}, "guided_choice"),
        ({"length_penalty": 0.5}, "length_penalty"),
        ({"early_stopping": True}, "early_stopping"),
        ({"use_beam_search": True, "best_of": 1, "n": 2}, "best_of"),
        ({"service_tier": "gold"}, "service_tier"),
        ({"response_format": {"type": "json_schema"}}, "response_format.json_schema"),
        ({"response_format": {"type": "xml"}}, "response_format.type"),
        (
            {"response_format": {"type": "json_schema", "json_schema": {"name": "a b"}}},
            "response_format.json_schema.name",
        ),
        (
            {"response_format": {"type": "json_schema", "json_schema": {"name": "a", "x": 1}}},
            "response_format.json_schema.x",
        ),
        (
            {
                "response_format": {
                    "type": "json_schema",
                    "json_schema": {"name": "a", "schema": {"type": "objekt"}},
                }
            },
            "response_format.json_schema.schema.type",
        ),
        (
            {"response_format": {"type": "json_schema", "json_schema": {"name": "a", "strict": 1}}},
            "response_format.json_schema.strict",
        ),
        (
            {"response_format": {"type": "json_object"}, "guided_choice": ["a"]},
            "guided_choice",
        ),
        ({"frequency_penalty": 2.5}, "frequency_penalty"),
        ({"max_completion_tokens": 5}, "max_completion_tokens"),
    ],
)
def test_bad_values_name_the_parameter(values: dict[str, Any], param: str) -> None:
    with pytest.raises(ValueError) as info:
        ChatParams.build(**values)
    assert isinstance(info.value, InvalidParameterError)
    assert info.value.param == param
    assert str(info.value).startswith(f"{param}: ")


def test_wrong_types_are_type_errors() -> None:
    with pytest.raises(InvalidParameterTypeError) as info:
        ChatParams.build(temperature="warm")
    assert info.value.param == "temperature"
    with pytest.raises(InvalidParameterTypeError) as info:
        ChatParams.build(guided_json=42)
    assert info.value.param == "guided_json"


def test_guided_json_accepts_models_typeddicts_and_dicts() -> None:
    from_model = ChatParams.build(guided_json=Person).render()["guided_json"]
    assert from_model["required"] == ["name", "age"]
    from_typed = ChatParams.build(guided_json=Point).render()["guided_json"]
    assert set(from_typed["properties"]) == {"x", "y"}
    schema = {"type": "object", "properties": {"ok": {"type": "boolean"}}}
    assert ChatParams.build(guided_json=schema).render()["guided_json"] == schema


def test_beam_search_knobs_go_together() -> None:
    body = ChatParams.build(
        use_beam_search=True, best_of=4, n=2, length_penalty=1.2, early_stopping=True
    ).render()
    assert body == {
        "use_beam_search": True,
        "best_of": 4,
        "n": 2,
        "length_penalty": 1.2,
        "early_stopping": True,
    }


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_min_p_accepted_exactly_in_unit_interval(value: float) -> None:
    if 0.0 <= value <= 1.0:
        assert ChatParams.build(min_p=value).render() == {"min_p": value}
    else:
        with pytest.raises(InvalidParameterError, match="min_p"):
            ChatParams.build(min_p=value)


@given(st.integers(min_value=-5, max_value=30))
def test_top_logprobs_range(value: int) -> None:
    if 0 <= value <= 20:
        assert ChatParams.build(logprobs=True, top_logprobs=value).render()["top_logprobs"] == value
    else:
        with pytest.raises(InvalidParameterError, match="top_logprobs"):
            ChatParams.build(logprobs=True, top_logprobs=value)


def test_an_openai_json_schema_format_is_sent_as_given() -> None:
    schema = {"type": "object", "properties": {"n": {"type": "integer"}}}
    fmt = {
        "type": "json_schema",
        "json_schema": {"name": "N", "description": "A number.", "schema": schema, "strict": True},
    }
    assert ChatParams.build(response_format=fmt).render() == {"response_format": fmt}
    with pytest.raises(InvalidParameterError, match="one constraint at a time") as info:
        ChatParams.build(response_format=fmt, guided_json=schema)
    assert info.value.param == "guided_json"


def test_a_call_guided_option_replaces_the_models() -> None:
    from telnyx_inference.chat.params import overlay_params

    base = {"temperature": 0.2, "guided_regex": "a+"}
    assert overlay_params(base, {"guided_choice": ["x"]}) == {
        "temperature": 0.2,
        "guided_choice": ["x"],
    }
    assert overlay_params(base, {"response_format": {"type": "json_object"}}) == {
        "temperature": 0.2,
        "response_format": {"type": "json_object"},
    }
    assert overlay_params(base, {"min_p": 0.1}) == {**base, "min_p": 0.1}
    fmt = {"type": "json_schema", "json_schema": {"name": "N"}}
    assert overlay_params({"response_format": fmt}, {"guided_regex": "b"}) == {"guided_regex": "b"}
