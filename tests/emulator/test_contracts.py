"""The chat contracts the emulator serves: today's published schema by default (json_schema
honoured, guided_* switchable), strict = exactly that schema, and the seed's contract on request.
Bodies drawn from the published schema (a copy in tests/emulator/data) are never refused as
malformed; in strict mode any other top-level field is."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from telnyx_inference.emulator import Emulator
from telnyx_inference.emulator.__main__ import parser
from telnyx_inference.emulator.serving.validation import CURRENT_CHAT_FIELDS

from ._support import CHAT, HOSTED, PLAIN, chat_body

PUBLISHED = json.loads(
    (Path(__file__).parent / "data" / "telnyx-chat-request-2026-12.json").read_text()
)
PERSON = {
    "title": "Person",
    "type": "object",
    "properties": {"name": {"type": "string"}, "age": {"type": "integer", "minimum": 0}},
    "required": ["name", "age"],
}


def json_schema_format(schema: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": "json_schema", "json_schema": {"name": "Person", "schema": schema, **extra}}


# --- today's contract (the default) -----------------------------------------------------------


def test_the_emulator_knows_exactly_the_published_fields() -> None:
    published = set(PUBLISHED["properties"])
    # stream_options is not in the published schema but accepted live: the one addition.
    assert set(CURRENT_CHAT_FIELDS) == published | {"stream_options"}


def test_json_schema_is_honoured_with_values_from_the_conversation(http: httpx.Client) -> None:
    body = chat_body("Ada Lovelace is 36.", response_format=json_schema_format(PERSON))
    r = http.post(CHAT, json=body)
    assert r.status_code == 200, r.text
    assert "x-emulator-ignored-fields" not in r.headers
    assert json.loads(r.json()["choices"][0]["message"]["content"]) == {
        "name": "Ada Lovelace",
        "age": 36,
    }


def test_json_schema_streams_the_same_answer(http: httpx.Client) -> None:
    body = chat_body("Ada Lovelace is 36.", response_format=json_schema_format(PERSON))
    whole = http.post(CHAT, json=body).json()["choices"][0]["message"]["content"]
    with http.stream("POST", CHAT, json={**body, "stream": True}) as r:
        lines = [line[6:] for line in r.iter_lines() if line.startswith("data: {")]
    pieces = [json.loads(line)["choices"] for line in lines]
    streamed = "".join(c[0]["delta"].get("content") or "" for c in pieces if c)
    assert streamed == whole


@pytest.mark.telnyx_adversarial
def test_adversarial_json_schema_values_still_conform(http: httpx.Client) -> None:
    from jsonschema import validate

    for text in ("Ada", "Grace is 85", "nobody"):
        body = chat_body(text, response_format=json_schema_format(PERSON))
        validate(json.loads(http.post(CHAT, json=body).json()["choices"][0]["message"]["content"]),
                 PERSON)


UNSATISFIABLE = {"type": "object", "properties": {"a": {"type": "integer", "minimum": 5,
                                                        "maximum": 1}}, "required": ["a"]}


def test_strict_json_schema_fails_instead_of_answering_off_schema(http: httpx.Client) -> None:
    strict = http.post(CHAT, json=chat_body(
        response_format=json_schema_format(UNSATISFIABLE, strict=True)))
    assert strict.status_code == 400
    assert "strict" in strict.json()["errors"][0]["detail"]
    loose = http.post(CHAT, json=chat_body(response_format=json_schema_format(UNSATISFIABLE)))
    assert loose.status_code == 200  # not strict: an answer that does not follow the schema
    assert "a" not in json.loads(loose.json()["choices"][0]["message"]["content"])


def test_a_json_schema_without_a_schema_answers_json(http: httpx.Client) -> None:
    body = chat_body(response_format={"type": "json_schema", "json_schema": {"name": "any"}})
    content = http.post(CHAT, json=body).json()["choices"][0]["message"]["content"]
    assert isinstance(json.loads(content), dict)


@pytest.mark.parametrize("extra", [
    {"reasoning_effort": "max"}, {"region": "EU", "mode": "preferred"},
    {"max_tokens": None}, {"service_tier": "priority"},
])
def test_todays_new_fields_are_known(http: httpx.Client, extra: dict[str, Any]) -> None:
    r = http.post(CHAT, json=chat_body(**extra))
    assert r.status_code == 200, r.text
    assert "x-emulator-ignored-fields" not in r.headers


# --- what the current contract does with guided_* ---------------------------------------------


def test_guided_fields_are_honoured_by_default(http: httpx.Client) -> None:
    r = http.post(CHAT, json=chat_body("Is water wet?", guided_choice=["yes", "no"]))
    assert r.json()["choices"][0]["message"]["content"] in ("yes", "no")


def test_ignored_guided_fields_get_unconstrained_answers(emu: Emulator,
                                                         http: httpx.Client) -> None:
    emu.configure(guided="ignore")
    r = http.post(CHAT, json=chat_body("Is water wet?", guided_choice=["yes", "no"]))
    assert r.status_code == 200
    assert r.headers["x-emulator-ignored-fields"] == "guided_choice"
    assert r.json()["choices"][0]["message"]["content"] not in ("yes", "no")
    schema = http.post(CHAT, json=chat_body("Ada is 36", guided_json=PERSON)).json()
    with pytest.raises(ValueError):
        json.loads(schema["choices"][0]["message"]["content"])
    # json_schema does not depend on them
    r = http.post(CHAT, json=chat_body("Ada is 36", response_format=json_schema_format(PERSON)))
    assert json.loads(r.json()["choices"][0]["message"]["content"]) == {"name": "Ada", "age": 36}


def test_ignored_guided_fields_are_not_even_checked(emu: Emulator, http: httpx.Client) -> None:
    emu.configure(guided="ignore")
    assert http.post(CHAT, json=chat_body(guided_regex="(unclosed")).status_code == 200


def test_rejected_guided_fields_are_422(emu: Emulator, http: httpx.Client) -> None:
    emu.configure(guided="reject")
    r = http.post(CHAT, json=chat_body(guided_json=PERSON, user="u"))
    assert r.status_code == 422
    assert r.json()["detail"] == [{"type": "extra_forbidden", "loc": ["body", "guided_json"],
                                   "msg": "Extra inputs are not permitted", "input": PERSON}]


# --- strict: exactly today's schema -----------------------------------------------------------


@pytest.mark.parametrize("field", ["guided_json", "guided_choice", "logit_bias", "user"])
def test_strict_refuses_fields_outside_todays_schema(emu: Emulator, http: httpx.Client,
                                                     field: str) -> None:
    emu.configure(strict=True)  # guided="honour" (the default) does not matter under strict
    value = {"guided_json": PERSON, "guided_choice": ["a"], "logit_bias": {"1": 2}}.get(field, "x")
    r = http.post(CHAT, json=chat_body(**{field: value}))
    assert r.status_code == 422
    assert [d["loc"] for d in r.json()["detail"]] == [["body", field]]


def test_strict_accepts_stream_options(emu: Emulator, http: httpx.Client) -> None:
    emu.configure(strict=True)
    body = chat_body(stream=True, stream_options={"include_usage": True},
                     response_format=json_schema_format(PERSON, strict=True))
    with http.stream("POST", CHAT, json=body) as r:
        assert r.status_code == 200


# --- the seed's contract ----------------------------------------------------------------------


def test_the_seed_contract_refuses_json_schema_and_honours_guided(
    emu: Emulator, http: httpx.Client
) -> None:
    emu.configure(contract="seed")
    r = http.post(CHAT, json=chat_body(response_format=json_schema_format(PERSON)))
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "response_format", "type"]
    assert r.json()["detail"][0]["msg"] == "Input should be 'text' or 'json_object'"
    ok = http.post(CHAT, json=chat_body("Is water wet?", guided_choice=["yes", "no"]))
    assert ok.json()["choices"][0]["message"]["content"] in ("yes", "no")
    assert http.post(CHAT, json=chat_body(logit_bias={"1": 2})).status_code == 200
    emu.configure(strict=True)
    assert http.post(CHAT, json=chat_body(reasoning_effort="high")).status_code == 422


def test_the_seed_contract_from_the_constructor() -> None:
    with Emulator(contract="seed") as emu:
        assert emu.snapshot()["settings"]["contract"] == "seed"
        emu.configure(contract="current")
        emu.reset()
        assert emu.snapshot()["settings"]["contract"] == "seed"  # reset returns to the start


# --- the switches -----------------------------------------------------------------------------


def test_bad_switch_values_are_refused_naming_them(emu: Emulator, http: httpx.Client) -> None:
    with pytest.raises(ValueError, match="guided must be one of"):
        emu.configure(guided="sometimes")
    with pytest.raises(ValueError, match="contract must be one of"):
        Emulator(contract="2025")
    r = http.post("/_emulator/settings", json={"contract": "old"})
    assert r.status_code == 400
    assert "contract" in r.json()["error"]
    assert http.post("/_emulator/settings", json={"guided": "ignore"}).json() == {"ok": True}
    assert http.get("/_emulator/state").json()["settings"]["guided"] == "ignore"


def test_cli_flags() -> None:
    args = parser().parse_args(["--contract", "seed", "--guided", "reject", "--strict"])
    assert (args.contract, args.guided, args.strict) == ("seed", "reject", True)
    defaults = parser().parse_args([])
    assert (defaults.contract, defaults.guided, defaults.strict) == ("current", "honour", False)
    with pytest.raises(SystemExit):
        parser().parse_args(["--guided", "maybe"])


# --- every body of today's schema is accepted; in strict mode, nothing else ------------------

_VALID_SCHEMAS = [PERSON, {"type": "object"}, {"type": "string", "enum": ["a", "b"]}]


def _drawable(schema: dict[str, Any]) -> dict[str, Any]:
    """The published schema, narrowed where a free value would only make the test slow: the
    model is one the emulator serves, counts stay small, and the schema-valued fields hold
    valid JSON Schemas (any object fits the published type; an invalid one is a 400). Content
    parts take no other keys: the OpenAPI spec says so, the SDK's types cannot."""
    narrowed = copy.deepcopy(schema)
    props = narrowed["properties"]
    props["model"] = {"enum": [HOSTED, PLAIN]}
    props["messages"].update(minItems=1, maxItems=3)
    content = props["messages"]["items"]["properties"]["content"]
    content["anyOf"][1]["items"]["additionalProperties"] = False
    for name in ("n", "best_of"):
        props[name] = {"type": "integer", "minimum": 1, "maximum": 2}
    props["max_tokens"] = {"type": ["integer", "null"], "minimum": 1, "maximum": 64}
    json_schema = props["response_format"]["oneOf"][2]["properties"]["json_schema"]
    json_schema["properties"]["schema"] = {"enum": _VALID_SCHEMAS}
    json_schema["properties"]["name"]["maxLength"] = 64
    tools = props["tools"]
    tools["maxItems"] = 2
    tools["items"]["oneOf"][0]["properties"]["function"]["properties"]["parameters"] = {
        "enum": [_VALID_SCHEMAS[0]]
    }
    tools["items"]["oneOf"][1]["properties"]["retrieval"]["properties"]["bucket_ids"] = {
        "type": "array", "items": {"const": "kb"}
    }
    narrowed["required"] = ["messages", "model"]
    return narrowed


BODIES = from_schema(_drawable(PUBLISHED), allow_x00=False, codec="utf-8")
FAST = settings(max_examples=25, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                       HealthCheck.filter_too_much, HealthCheck.data_too_large])


@pytest.fixture
def kb(emu: Emulator) -> Emulator:
    emu.seed_bucket("kb", texts={"a.txt": "Alpha is the first letter."})
    return emu


@FAST
@given(body=BODIES)
def test_every_body_of_todays_schema_is_accepted(kb: Emulator, body: dict[str, Any]) -> None:
    with httpx.Client(base_url=kb.root, headers={"Authorization": "Bearer k"}, timeout=30) as c:
        r = c.post(CHAT, json=body)
    # 400s are documented refusals of valid shapes (max_tokens beside tools, a guided answer
    # that cannot exist...); a 422 would say the emulator misreads the published schema.
    assert r.status_code in (200, 400), (r.status_code, r.text, body)


@FAST
@given(body=BODIES, extra=st.text("abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12))
def test_strict_refuses_any_field_outside_todays_schema(
    emu: Emulator, body: dict[str, Any], extra: str
) -> None:
    if extra in PUBLISHED["properties"] or extra == "stream_options":
        return
    emu.configure(strict=True)
    with httpx.Client(base_url=emu.root, headers={"Authorization": "Bearer k"}, timeout=30) as c:
        r = c.post(CHAT, json={**body, extra: 1})
    assert r.status_code == 422, r.text
    assert ["body", extra] in [d["loc"] for d in r.json()["detail"]]
