"""Guided outputs conform: fixed corpora of schemas and regexes, plus Hypothesis-generated ones.

Every answer is checked here independently (jsonschema / re.fullmatch) of the emulator's own
check, through the HTTP API, both plain and streamed, in both value modes: realistic (values
from the conversation) and adversarial (Hypothesis edge cases).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import httpx
import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from telnyx_inference._constants import EMULATOR_MODE_HEADER

from ._support import CHAT, KEY, PLAIN, chat_body, sse_payloads


@pytest.fixture(scope="module")
def own_process() -> Iterator[str]:
    """The root of an emulator in its own process. Hypothesis runs on both sides of these
    tests, and CPython 3.11's ast module is not safe across threads (gh-106905: a spurious
    "AST constructor recursion depth mismatch"), so the two are kept in separate processes."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "telnyx_inference.emulator", "--port", "0"],
        stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        assert proc.stdout is not None
        yield proc.stdout.readline().strip().removesuffix("/v2/ai/openai")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(params=["realistic", "adversarial"])
def http(request: pytest.FixtureRequest, own_process: str) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {KEY}", EMULATOR_MODE_HEADER: request.param}
    with httpx.Client(base_url=own_process, headers=headers, timeout=30) as c:
        yield c

SCHEMAS: list[dict[str, Any]] = [
    {"type": "object", "properties": {"setup": {"type": "string"},
                                      "punchline": {"type": "string"}},
     "required": ["setup", "punchline"]},
    {"type": "object", "properties": {"n": {"type": "integer", "minimum": 5, "maximum": 9}},
     "required": ["n"], "additionalProperties": False},
    {"type": "array", "items": {"type": "number", "exclusiveMinimum": 0}, "minItems": 2,
     "maxItems": 4},
    {"type": "string", "enum": ["red", "green", "blue"]},
    {"const": {"fixed": True}},
    {"anyOf": [{"type": "string", "maxLength": 3}, {"type": "null"}]},
    {"oneOf": [{"type": "integer", "multipleOf": 7}, {"type": "boolean"}]},
    {"allOf": [{"type": "object", "required": ["a"]},
               {"properties": {"a": {"type": "string", "minLength": 2}}}]},
    {"type": "object", "properties": {"email": {"type": "string", "format": "email"},
                                      "when": {"type": "string", "format": "date"}},
     "required": ["email", "when"]},
    {"type": "object", "properties": {"code": {"type": "string", "pattern": "^[A-Z]{3}-\\d{2}$"}},
     "required": ["code"]},
    {"$defs": {"person": {"type": "object", "properties": {
        "name": {"type": "string"}, "age": {"type": "integer", "minimum": 0}},
        "required": ["name", "age"]}},
     "type": "object", "properties": {"people": {"type": "array", "items": {"$ref": "#/$defs/person"},
                                                 "minItems": 1}},
     "required": ["people"]},
    {"type": "object", "properties": {"tags": {"type": "array", "items": {"type": "string"},
                                               "uniqueItems": True, "minItems": 2}},
     "required": ["tags"]},
    {"type": "object", "patternProperties": {"^x_": {"type": "integer"}},
     "additionalProperties": False, "minProperties": 1},
    {"type": "object", "properties": {"kind": {"enum": ["a", "b"]},
                                      "deep": {"type": "object", "properties": {
                                          "deeper": {"type": "array", "items": {
                                              "type": "object", "properties": {
                                                  "v": {"type": ["number", "null"]}},
                                              "required": ["v"]}}},
                                          "required": ["deeper"]}},
     "required": ["kind", "deep"]},
    {"title": "Pydantic-style", "type": "object", "properties": {
        "answer": {"title": "Answer", "type": "string"},
        "justification": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": None}},
     "required": ["answer"]},
]

REGEXES = [
    r"\d{3}-\d{4}", r"[A-Z][a-z]+ [A-Z][a-z]+", r"(yes|no|maybe)", r"[a-f0-9]{8}",
    r"\w+@\w+\.(com|org)", r"(ab)+c?", r"[^\s]{1,5}", r"-?\d+(\.\d{1,2})?", r"\(\d{3}\) \d{3}",
    r"[αβγ]{2}", r"x*", r"(?i)hello", r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", r"[A-Z]{2}\d{2}[A-Z0-9]{4}",
]


def guided(http: httpx.Client, stream: bool = False, **extra: Any) -> str:
    body = {**chat_body("generate"), "model": PLAIN, **extra}
    if not stream:
        r = http.post(CHAT, json=body)
        assert r.status_code == 200, r.text
        return r.json()["choices"][0]["message"]["content"]  # type: ignore[no-any-return]
    r = http.post(CHAT, json={**body, "stream": True})
    return "".join(json.loads(p)["choices"][0]["delta"].get("content") or ""
                   for p in sse_payloads(r.content)[:-1] if json.loads(p)["choices"])


@pytest.mark.parametrize("schema", SCHEMAS, ids=[f"schema{i}" for i in range(len(SCHEMAS))])
def test_guided_json_conforms(http: httpx.Client, schema: dict[str, Any]) -> None:
    for seed in range(3):
        jsonschema.validate(json.loads(guided(http, guided_json=schema, seed=seed)), schema)
    jsonschema.validate(json.loads(guided(http, stream=True, guided_json=schema)), schema)


@pytest.mark.parametrize("pattern", REGEXES)
def test_guided_regex_fully_matches(http: httpx.Client, pattern: str) -> None:
    for seed in range(3):
        out = guided(http, guided_regex=pattern, seed=seed)
        assert re.fullmatch(pattern, out), (pattern, out)
    assert re.fullmatch(pattern, guided(http, stream=True, guided_regex=pattern))


def test_unsatisfiable_schema_is_a_400(http: httpx.Client) -> None:
    r = http.post(CHAT, json=chat_body(guided_json={"allOf": [{"type": "string"},
                                                              {"type": "integer"}]}))
    assert r.status_code == 400
    assert "guided" in r.json()["errors"][0]["detail"].lower()


# --- Hypothesis-generated constraints -----------------------------------------------------------

_leaf = st.one_of(
    st.builds(lambda lo, span: {"type": "integer", "minimum": lo, "maximum": lo + span},
              st.integers(-50, 50), st.integers(0, 100)),
    st.builds(lambda lo, n: {"type": "string", "minLength": lo, "maxLength": lo + n},
              st.integers(0, 4), st.integers(0, 8)),
    st.just({"type": "boolean"}),
    st.just({"type": "null"}),
    st.just({"type": "number"}),
    st.lists(st.text("abcxyz", min_size=1, max_size=4), min_size=1, max_size=4, unique=True)
    .map(lambda vs: {"enum": vs}),
)
_names = st.text("abcdefghij_", min_size=1, max_size=6)
schemas = st.recursive(
    _leaf,
    lambda inner: st.one_of(
        st.builds(lambda item, lo: {"type": "array", "items": item, "minItems": lo,
                                    "maxItems": lo + 3}, inner, st.integers(0, 2)),
        st.dictionaries(_names, inner, min_size=1, max_size=4).flatmap(
            lambda props: st.builds(
                lambda req, closed: {"type": "object", "properties": props,
                                     "required": sorted(req), "additionalProperties": not closed},
                st.sets(st.sampled_from(sorted(props))), st.booleans())),
        st.lists(inner, min_size=2, max_size=3).map(lambda alts: {"anyOf": alts}),
    ),
    max_leaves=6,
)

_atom = st.one_of(
    st.sampled_from([r"\d", r"[a-z]", r"[A-Z0-9]", r"\w", r"x", r"\.", r"[^a-z\s]", r"é"]),
)
regexes = st.recursive(
    _atom,
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(["", "?", "*", "+", "{2}", "{1,3}"]))
        .map(lambda t: f"(?:{t[0]}){t[1]}"),
        st.lists(inner, min_size=2, max_size=3).map("".join),
        st.lists(inner, min_size=2, max_size=3).map(lambda xs: "(" + "|".join(xs) + ")"),
    ),
    max_leaves=5,
)

_settings = settings(max_examples=20, deadline=None,
                     suppress_health_check=[HealthCheck.function_scoped_fixture,
                                            HealthCheck.too_slow])


@_settings
@given(schema=schemas)
def test_generated_schemas_conform(http: httpx.Client, schema: dict[str, Any]) -> None:
    jsonschema.validate(json.loads(guided(http, guided_json=schema)), schema)


@_settings
@given(pattern=regexes)
def test_generated_regexes_match(http: httpx.Client, pattern: str) -> None:
    out = guided(http, guided_regex=pattern)
    assert re.fullmatch(pattern, out), (pattern, out)


@_settings
@given(choices=st.lists(st.text(min_size=1, max_size=10), min_size=1, max_size=6))
def test_guided_choice_is_one_of_the_choices(http: httpx.Client, choices: list[str]) -> None:
    assert guided(http, guided_choice=choices) in choices
