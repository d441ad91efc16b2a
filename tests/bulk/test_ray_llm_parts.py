"""The ray.data.llm processor's parts without Ray: the body each row sends, the columns each
answer fills, and the worker's session carrying the key that never travels in a pickle."""

from __future__ import annotations

import json
import pickle

import pytest
from pydantic import BaseModel

from telnyx_inference.bulk.ray_llm import TelnyxSession, _Answer, _Request
from telnyx_inference.bulk.row_chat import RowChat
from telnyx_inference.settings import TelnyxSettings


class Person(BaseModel):
    name: str
    age: int


def _chat(schema: object = Person, **kw: object) -> RowChat:
    return RowChat(
        model="moonshotai/Kimi-K2.6",
        system=kw.get("system"),  # type: ignore[arg-type]
        schema=schema,
        field_prefix="",
        params={"temperature": 0.1},
        output_column="response",
    )


def _completion(text: str) -> dict[str, object]:
    return {
        "id": "c1",
        "object": "chat.completion",
        "model": "moonshotai/Kimi-K2.6",
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}
        ],
    }


def test_each_row_sends_the_body_our_client_would() -> None:
    request = _Request(_chat(system="Extract the person."), "text")
    body = request({"text": "Ada Lovelace was 36.", "id": 1})["payload"]
    assert body["messages"] == [
        {"role": "system", "content": "Extract the person."},
        {"role": "user", "content": "Ada Lovelace was 36."},
    ]
    assert body["temperature"] == 0.1
    assert body["response_format"]["json_schema"]["schema"]["required"] == ["name", "age"]


def test_an_answer_fills_one_column_per_field_and_keeps_the_rows_own() -> None:
    row = {
        "id": 7,
        "prompt": "p",
        "payload": {},
        "http_response": _completion(json.dumps({"name": "Ada", "age": 36})),
    }
    assert _Answer(_chat(), "error")(row) == {
        "id": 7,
        "prompt": "p",
        "name": "Ada",
        "age": 36,
        "error": None,
    }


def test_an_error_answer_or_a_bad_value_goes_to_the_error_column() -> None:
    answer = _Answer(_chat(), "error")
    telnyx_error = {"errors": [{"code": "10007", "title": "Unexpected error", "detail": "boom"}]}
    out = answer({"id": 1, "http_response": telnyx_error})
    assert (out["name"], out["age"]) == (None, None)
    assert out["error"] == "APIStatusError: Telnyx API error (code 10007): Unexpected error: boom"
    arrow_shaped = {
        "id": None,
        "choices": None,
        "usage": None,
        **telnyx_error,
    }  # keys of other rows
    assert answer({"id": 1, "http_response": arrow_shaped})["error"] == out["error"]
    out = answer({"id": 2, "http_response": _completion('{"name": "Ada", "age": 3')})
    assert out["error"].startswith("StructuredOutputError: ")
    out = answer({"id": 3, "http_response": _completion('{"name": "Ada"}')})
    assert out["error"].startswith("StructuredOutputError: ")
    assert "age" in out["error"]


def test_without_a_schema_the_text_goes_to_the_output_column() -> None:
    out = _Answer(_chat(schema=None), "failure")({"http_response": _completion("Bonjour")})
    assert out == {"response": "Bonjour", "failure": None}


async def test_the_worker_session_reads_the_key_where_it_runs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pytest.importorskip("aiohttp")
    settings = TelnyxSettings.resolve(
        api_key="driver-secret", base_url="https://api.telnyx.com/v2/ai/openai"
    )
    session_factory = pickle.loads(pickle.dumps(TelnyxSession(settings)))
    assert "driver-secret" not in repr(session_factory)
    assert b"driver-secret" not in pickle.dumps(TelnyxSession(settings))
    monkeypatch.setenv("TELNYX_API_KEY", "worker-key")
    async with session_factory() as session:
        assert session.headers["Authorization"] == "Bearer worker-key"


class Item(BaseModel):
    sku: str
    quantity: int


class Order(BaseModel):
    customer: str
    items: list[Item]


def test_nested_models_become_plain_data_that_arrow_can_store() -> None:
    answer = _Answer(_chat(schema=Order), "error")
    text = json.dumps({"customer": "Ada", "items": [{"sku": "SIP-1", "quantity": 5}]})
    out = answer({"http_response": _completion(text)})
    assert out == {"customer": "Ada", "items": [{"sku": "SIP-1", "quantity": 5}], "error": None}
