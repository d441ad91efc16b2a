"""Values that mean something: guided_json, guided_choice, guided_regex and tool arguments
filled from the conversation (and from retrieved chunks), then from the schema, then
plausibly; and the opt-in adversarial mode (header, setting, CLI flag, pytest marker)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import httpx
import jsonschema
import pytest

from telnyx_inference._constants import EMULATOR_MODE_HEADER
from telnyx_inference.emulator import Emulator

from ._support import CHAT, KEY, PLAIN, chat_body

PERSON = {"type": "object", "properties": {"name": {"type": "string"},
                                           "age": {"type": "integer", "minimum": 0}},
          "required": ["name", "age"]}


def structured(http: httpx.Client, text: str, schema: Any, **extra: Any) -> Any:
    body = {**chat_body(text), "model": PLAIN, "guided_json": schema, **extra}
    r = http.post(CHAT, json=body)
    assert r.status_code == 200, r.text
    value = json.loads(r.json()["choices"][0]["message"]["content"])
    jsonschema.validate(value, schema)
    return value


def obj(**props: Any) -> dict[str, Any]:
    return {"type": "object", "properties": props, "required": list(props)}


INT, NUM, STR = {"type": "integer"}, {"type": "number"}, {"type": "string"}


@pytest.mark.parametrize(("text", "schema", "expected"), [
    ("Ada Lovelace was 36.", PERSON, {"name": "Ada Lovelace", "age": 36}),
    ("Then multiply 3 by 7.", obj(a=INT, b=INT), {"a": 3, "b": 7}),
    ("Is 7? And 8!", obj(x=INT, y=INT), {"x": 7, "y": 8}),
    ("ACME Telecom billed us $1,250.00 for March.", obj(vendor=STR, total_usd=NUM),
     {"vendor": "ACME Telecom", "total_usd": 1250.0}),
    ("Where is order T-1001?", obj(order_id=STR), {"order_id": "T-1001"}),
    ("Mail bob@example.org by March 3, 2026.",
     obj(email={"type": "string", "format": "email"}, when={"type": "string", "format": "date"}),
     {"email": "bob@example.org", "when": "2026-03-03"}),
    ('Title it "Quarterly numbers" please.', obj(title=STR), {"title": "Quarterly numbers"}),
    ("We need 12 seats for Analytical Engines.", obj(company=STR, seats=INT),
     {"company": "Analytical Engines", "seats": 12}),
    ("The order was not paid.", obj(paid={"type": "boolean"}), {"paid": False}),
    ("The order was paid.", obj(paid={"type": "boolean"}), {"paid": True}),
    ("Is it urgent? Reply when you can.", obj(urgent={"type": "boolean"}), {"urgent": False}),
    ("This is urgent: the line is down.", obj(urgent={"type": "boolean"}), {"urgent": True}),
    ("Ship it by express.", obj(speed={"enum": ["standard", "express"]}), {"speed": "express"}),
    ("Hi, Ada Lovelace from Analytical Engines here; we need 12 seats.",
     {"type": "object", "properties": {"company": STR, "name": STR, "seats": INT},
      "required": ["name", "company", "seats"]},  # properties sorted, as some clients send
     {"company": "Analytical Engines", "name": "Ada Lovelace", "seats": 12}),
])
def test_values_come_from_the_conversation(http: httpx.Client, text: str, schema: Any,
                                           expected: Any) -> None:
    assert structured(http, text, schema) == expected


def test_constraints_win_over_the_conversation(http: httpx.Client) -> None:
    schema = obj(age={"type": "integer", "minimum": 0, "maximum": 120},
                 code={"type": "string", "pattern": "^[A-Z]{3}-\\d{2}$"},
                 tags={"type": "array", "items": STR, "minItems": 2, "uniqueItems": True})
    value = structured(http, "Bob is -5 and 999 years old", schema)
    assert 0 <= value["age"] <= 120
    assert len(set(value["tags"])) == len(value["tags"]) >= 2


def test_without_evidence_values_are_plausible(http: httpx.Client) -> None:
    schema = obj(n={"type": "integer", "minimum": 5, "maximum": 9}, price=NUM,
                 count={"type": "integer", "multipleOf": 7, "minimum": 10}, city=STR,
                 email={"type": "string", "format": "email"}, ok={"type": "boolean"},
                 when={"type": "string", "format": "date-time"},
                 size={"type": "string", "enum": ["s", "m", "l"], "default": "m"})
    assert structured(http, "Make something up", schema) == {
        "n": 5, "price": 10, "count": 14, "city": "Paris", "email": "user@example.com",
        "ok": False, "when": "2026-01-01T09:00:00Z", "size": "m"}


def test_refs_any_of_and_defaults(http: httpx.Client) -> None:
    schema = {"$defs": {"Pet": {"type": "object", "properties": {
        "name": STR, "species": {"enum": ["cat", "dog"]}}, "required": ["name", "species"]}},
        "type": "object",
        "properties": {"owner": STR, "pets": {"type": "array", "items": {"$ref": "#/$defs/Pet"}},
                       "note": {"anyOf": [STR, {"type": "null"}], "default": None}},
        "required": ["owner", "pets"]}
    value = structured(http, "Grace Hopper has a dog called Rex.", schema)
    assert value["owner"] == "Grace Hopper"
    assert value["pets"] == [{"name": "Rex", "species": "dog"}]
    assert "note" not in value  # optional, and nothing in the prompt fills it


def test_grounded_structured_output_reads_the_retrieved_chunks(
        emu: Emulator, http: httpx.Client) -> None:
    emu.seed_bucket("hr", texts={"leave.txt": "Employees get 25 vacation days per year.",
                                 "office.txt": "The office opens at 9 on weekdays."})
    retrieval = {"type": "retrieval", "retrieval": {"bucket_ids": ["hr"], "max_num_results": 1}}
    value = structured(http, "How many vacation days?", obj(days=INT), tools=[retrieval])
    assert value == {"days": 25}


def test_tool_arguments_use_earlier_results(http: httpx.Client) -> None:
    tool = {"type": "function", "function": {"name": "Summary", "parameters": obj(
        city=STR, temperature_c=NUM, answer=STR)}}
    messages = [{"role": "user", "content": "weather in Rome?"},
                {"role": "assistant", "content": "", "tool_calls": [{"id": "c1", "type": "function",
                 "function": {"name": "get_weather", "arguments": '{"city": "Rome"}'}}]},
                {"role": "tool", "tool_call_id": "c1", "content": "21 °C, sunny"}]
    r = http.post(CHAT, json={"model": PLAIN, "messages": messages, "tools": [tool],
                              "tool_choice": "required"})
    call = r.json()["choices"][0]["message"]["tool_calls"][0]["function"]
    assert json.loads(call["arguments"]) == {
        "city": "Rome", "temperature_c": 21,
        "answer": 'get_weather(city="Rome") returned 21 °C, sunny.'}


@pytest.mark.parametrize(("text", "choices", "expected"), [
    ("Route this to billing please", ["sales", "billing", "support"], "billing"),
    ("The call quality was excellent!", ["positive", "neutral", "negative"], "positive"),
    ("The line dropped twice, terrible.", ["positive", "neutral", "negative"], "negative"),
    ("Nothing to say", ["yes", "no"], "yes"),
])
def test_guided_choice_picks_what_the_text_points_at(http: httpx.Client, text: str,
                                                     choices: list[str], expected: str) -> None:
    r = http.post(CHAT, json={**chat_body(text), "guided_choice": choices})
    assert r.json()["choices"][0]["message"]["content"] == expected


def test_guided_regex_prefers_a_match_from_the_conversation(http: httpx.Client) -> None:
    r = http.post(CHAT, json={**chat_body("Call me on +1 312-555-0142 tomorrow."), "model": PLAIN,
                              "guided_regex": r"\+1 \d{3}-\d{3}-\d{4}"})
    assert r.json()["choices"][0]["message"]["content"] == "+1 312-555-0142"


# --- adversarial mode --------------------------------------------------------------------------


def _person(http: httpx.Client, **headers: str) -> Any:
    r = http.post(CHAT, json={**chat_body("Ada Lovelace was 36."), "model": PLAIN,
                              "guided_json": PERSON}, headers=headers)
    assert r.status_code == 200, r.text
    return json.loads(r.json()["choices"][0]["message"]["content"])


def test_adversarial_header_swaps_in_edge_cases(http: httpx.Client) -> None:
    realistic = _person(http)
    adversarial = _person(http, **{EMULATOR_MODE_HEADER: "adversarial"})
    assert realistic == {"name": "Ada Lovelace", "age": 36}
    assert adversarial != realistic
    jsonschema.validate(adversarial, PERSON)
    assert _person(http, **{EMULATOR_MODE_HEADER: "realistic"}) == realistic
    bad = http.post(CHAT, json=chat_body("x"), headers={EMULATOR_MODE_HEADER: "chaos"})
    assert bad.status_code == 400
    assert EMULATOR_MODE_HEADER in bad.json()["errors"][0]["detail"]


def test_adversarial_setting_is_per_emulator_and_reset_undoes_it(
        emu: Emulator, http: httpx.Client) -> None:
    emu.configure(adversarial=True)
    assert _person(http) != {"name": "Ada Lovelace", "age": 36}
    emu.reset()
    assert _person(http) == {"name": "Ada Lovelace", "age": 36}
    with Emulator(adversarial=True) as own, httpx.Client(
            base_url=own.root, headers={"Authorization": f"Bearer {KEY}"}) as c:
        assert _person(c) != {"name": "Ada Lovelace", "age": 36}


@pytest.mark.telnyx_adversarial
def test_the_pytest_marker_turns_it_on(http: httpx.Client) -> None:
    assert _person(http) != {"name": "Ada Lovelace", "age": 36}


def test_adversarial_tool_calls_still_end_the_loop(http: httpx.Client) -> None:
    tool = {"type": "function", "function": {"name": "lookup", "parameters": PERSON}}
    headers = {EMULATOR_MODE_HEADER: "adversarial"}
    first = http.post(CHAT, json={**chat_body("Use lookup for Ada Lovelace, 36"), "model": PLAIN,
                                  "tools": [tool]}, headers=headers).json()["choices"][0]
    (call,) = first["message"]["tool_calls"]
    jsonschema.validate(json.loads(call["function"]["arguments"]), PERSON)
    messages = [{"role": "user", "content": "Use lookup for Ada Lovelace, 36"},
                {"role": "assistant", "content": "", "tool_calls": [call]},
                {"role": "tool", "tool_call_id": call["id"], "content": "found"}]
    done = http.post(CHAT, json={"model": PLAIN, "messages": messages, "tools": [tool]},
                     headers=headers).json()["choices"][0]
    assert done["message"]["tool_calls"] == []
    assert done["finish_reason"] == "stop"


def test_cli_adversarial_flag() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "telnyx_inference.emulator", "--port", "0", "--adversarial"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        root = url.removesuffix("/v2/ai/openai")
        with httpx.Client(base_url=root, headers={"Authorization": f"Bearer {KEY}"}) as c:
            assert _person(c) != {"name": "Ada Lovelace", "age": 36}
            assert _person(c, **{EMULATOR_MODE_HEADER: "realistic"}) == {
                "name": "Ada Lovelace", "age": 36}
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_a_booking_takes_each_value_once(http: httpx.Client) -> None:
    tool = {"type": "function", "function": {"name": "book_table", "parameters": obj(
        party_size=INT, date=STR, time=STR, name=STR)}}
    r = http.post(CHAT, json={**chat_body(
        "Please book a table for 4 on March 3 at 19:00 under Grace Hopper."), "tools": [tool]})
    call = r.json()["choices"][0]["message"]["tool_calls"][0]["function"]
    assert json.loads(call["arguments"]) == {
        "party_size": 4, "date": "2026-03-03", "time": "19:00", "name": "Grace Hopper"}
