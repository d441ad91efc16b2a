"""Telnyx's validation layers: 401 errors[], 422 FastAPI detail[], 400 quirks, unknown fields."""

from __future__ import annotations

from typing import Any

import httpx
import openai
import pytest

from telnyx_inference.emulator import Emulator

from ._support import CHAT, HOSTED, KEY, MAGIC_TOOL, chat_body

USER = {"role": "user", "content": "hi"}

# (request body, expected type, expected loc) — one case per rule the issue lists, and more.
CASES_422: list[tuple[str, dict[str, Any], str, list[Any]]] = [
    ("tool_choice object", chat_body(tool_choice={"type": "function",
                                                  "function": {"name": "magic_function"}},
                                     tools=[MAGIC_TOOL]), "enum", ["body", "tool_choice"]),
    ("response_format xml", chat_body(response_format={"type": "xml"}),
     "enum", ["body", "response_format", "type"]),
    ("json_schema without its object", chat_body(response_format={"type": "json_schema"}),
     "missing", ["body", "response_format", "json_schema"]),
    ("json_schema without a name", chat_body(response_format={
        "type": "json_schema", "json_schema": {"schema": {"type": "object"}}}),
     "missing", ["body", "response_format", "json_schema", "name"]),
    ("json_schema strict not a bool", chat_body(response_format={
        "type": "json_schema", "json_schema": {"name": "x", "strict": "very"}}),
     "bool_parsing", ["body", "response_format", "json_schema", "strict"]),
    ("reasoning_effort unknown", chat_body(reasoning_effort="extreme"), "enum",
     ["body", "reasoning_effort"]),
    ("region unknown", chat_body(region="Mars"), "enum", ["body", "region"]),
    ("unknown role", {"model": HOSTED, "messages": [{"role": "developer", "content": "x"}]},
     "enum", ["body", "messages", 0, "role"]),
    ("min_p above 1", chat_body(min_p=1.5), "less_than_equal", ["body", "min_p"]),
    ("min_p below 0", chat_body(min_p=-0.1), "greater_than_equal", ["body", "min_p"]),
    ("image part not a string", {"model": HOSTED, "messages": [{"role": "user", "content": [
        {"type": "text", "text": "see"},
        {"type": "image_url", "image_url": {"url": "https://x/y.png"}}]}]},
     "string_type", ["body", "messages", 0, "content", "list[ChatCompletionContentPart]", 1,
                     "image_url"]),
    ("extra key in a content part", {"model": HOSTED, "messages": [{"role": "user", "content": [
        {"type": "text", "text": "a", "cache_control": {}}]}]},
     "extra_forbidden", ["body", "messages", 0, "content", "list[ChatCompletionContentPart]", 0,
                         "cache_control"]),
    ("guided_json not a schema", chat_body(guided_json={"type": "nonsense"}),
     "value_error", ["body", "guided_json"]),
    ("guided_json not an object", chat_body(guided_json=[1]), "dict_type",
     ["body", "guided_json"]),
    ("guided_regex invalid", chat_body(guided_regex="(unclosed"), "value_error",
     ["body", "guided_regex"]),
    ("content null beside tool calls", {"model": HOSTED, "messages": [USER, {
        "role": "assistant", "content": None, "tool_calls": []}]},
     "string_type", ["body", "messages", 1, "content", "str"]),
    ("content missing", {"model": HOSTED, "messages": [{"role": "user"}]},
     "missing", ["body", "messages", 0, "content"]),
    ("messages missing", {"model": HOSTED}, "missing", ["body", "messages"]),
    ("messages not a list", {"messages": "hi"}, "list_type", ["body", "messages"]),
    ("five stop sequences", chat_body(stop=["a", "b", "c", "d", "e"]), "too_long",
     ["body", "stop", "list[str]"]),
    ("top_logprobs above 20", chat_body(logprobs=True, top_logprobs=21), "less_than_equal",
     ["body", "top_logprobs"]),
    ("max_tokens fractional", chat_body(max_tokens=1.5), "int_from_float",
     ["body", "max_tokens"]),
    ("max_tokens text", chat_body(max_tokens="many"), "int_parsing", ["body", "max_tokens"]),
    ("temperature text", chat_body(temperature="hot"), "float_parsing", ["body", "temperature"]),
    ("stream not a bool", chat_body(stream="maybe"), "bool_parsing", ["body", "stream"]),
    ("tool without function", chat_body(tools=[{"type": "function"}]), "missing",
     ["body", "tools", 0, "function"]),
    ("unknown tool type", chat_body(tools=[{"type": "web_search"}]), "missing",
     ["body", "tools", 0, "ChatCompletionToolParam", "function"]),
    ("retrieval without bucket_ids", chat_body(tools=[{"type": "retrieval", "retrieval": {}}]),
     "missing", ["body", "tools", 0, "retrieval", "bucket_ids"]),
    ("body is a list", [USER], "model_attributes_type", ["body"]),  # type: ignore[list-item]
]


@pytest.mark.parametrize(("body", "kind", "loc"), [c[1:] for c in CASES_422],
                         ids=[c[0] for c in CASES_422])
def test_422_in_fastapi_shape(http: httpx.Client, body: Any, kind: str, loc: list[Any]) -> None:
    r = http.post(CHAT, json=body)
    assert r.status_code == 422, r.text
    detail = r.json()["detail"]
    assert isinstance(detail, list)
    assert detail
    for item in detail:
        assert {"type", "loc", "msg", "input"} <= set(item) <= {"type", "loc", "msg", "input", "ctx"}
        assert item["loc"][0] == "body"
        assert isinstance(item["msg"], str)
    assert any(i["type"] == kind and i["loc"] == loc for i in detail), detail


def test_422_input_is_the_offending_value(http: httpx.Client) -> None:
    item = http.post(CHAT, json=chat_body(min_p=1.5)).json()["detail"][0]
    assert item == {"type": "less_than_equal", "loc": ["body", "min_p"],
                    "msg": "Input should be less than or equal to 1", "input": 1.5,
                    "ctx": {"le": 1}}


def test_invalid_json_body(http: httpx.Client) -> None:
    r = http.post(CHAT, content=b'{"messages": [', headers={"content-type": "application/json"})
    item = r.json()["detail"][0]
    assert r.status_code == 422
    assert item["type"] == "json_invalid"
    assert item["loc"][0] == "body"
    assert isinstance(item["loc"][1], int)


def test_empty_body_is_missing(http: httpx.Client) -> None:
    r = http.post(CHAT)
    assert r.status_code == 422
    assert r.json()["detail"] == [{"type": "missing", "loc": ["body"], "msg": "Field required",
                                   "input": None}]


def test_sdk_raises_unprocessable(client: Any) -> None:
    with pytest.raises(openai.UnprocessableEntityError) as info:
        client.chat.completions.create(model=HOSTED, messages=[USER], tool_choice={  # type: ignore[arg-type]
            "type": "function", "function": {"name": "magic_function"}}, tools=[MAGIC_TOOL])
    assert info.value.body["detail"][0]["loc"] == ["body", "tool_choice"]  # type: ignore[index]


def test_lax_coercion_is_accepted(http: httpx.Client) -> None:
    r = http.post(CHAT, json=chat_body(max_tokens="5", temperature="0.2", stream="false", n=2.0))
    assert r.status_code == 200, r.text
    assert len(r.json()["choices"]) == 2


# --- 401 ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("header", [None, "", "Bearer", "Bearer:x", "Basic abc", "Token x"])
def test_missing_or_malformed_key_is_401(emu: Emulator, header: str | None) -> None:
    headers = {"Authorization": header} if header is not None else {}
    r = httpx.post(emu.root + CHAT, json=chat_body(), headers=headers)
    assert r.status_code == 401
    err = r.json()["errors"][0]
    assert set(err) == {"code", "title", "detail"}
    assert err["code"] == "10009"


def test_configured_key_must_match(emu: Emulator) -> None:
    emu.configure(api_key="right")
    wrong = httpx.post(emu.root + CHAT, json=chat_body(), headers={"Authorization": "Bearer no"})
    right = httpx.post(emu.root + CHAT, json=chat_body(), headers={"Authorization": "Bearer right"})
    assert (wrong.status_code, right.status_code) == (401, 200)


def test_sdk_raises_authentication_error(emu: Emulator) -> None:
    emu.configure(api_key="right")
    with openai.OpenAI(base_url=emu.base_url, api_key=KEY, max_retries=0) as c, \
            pytest.raises(openai.AuthenticationError):
        c.models.list()


def test_auth_comes_before_validation(emu: Emulator) -> None:
    r = httpx.post(emu.root + CHAT, json={"nonsense": True})
    assert r.status_code == 401


# --- 400 quirks and 404 ------------------------------------------------------------------------

def test_max_tokens_with_function_tools_on_hosted_model(http: httpx.Client) -> None:
    r = http.post(CHAT, json=chat_body(tools=[MAGIC_TOOL], max_tokens=50))
    assert r.status_code == 400
    err = r.json()["errors"][0]
    assert err["code"] == "10015"
    assert "max_tokens" in err["detail"]
    assert err["source"] == {"pointer": "/max_tokens"}


def test_max_tokens_with_tools_is_fine_on_proxied_model(emu: Emulator, http: httpx.Client) -> None:
    emu.add_model("openai/gpt-4o-mini", 128_000)
    body = chat_body(tools=[MAGIC_TOOL], max_tokens=50)
    body["model"] = "openai/gpt-4o-mini"
    assert http.post(CHAT, json=body).status_code == 200


def test_max_tokens_with_only_retrieval_tool_is_fine(emu: Emulator, http: httpx.Client) -> None:
    emu.seed_bucket("docs", texts={"a.txt": "alpha"})
    tool = {"type": "retrieval", "retrieval": {"bucket_ids": ["docs"]}}
    assert http.post(CHAT, json=chat_body(tools=[tool], max_tokens=50)).status_code == 200


@pytest.mark.parametrize("extra", [
    {"guided_choice": ["a"], "guided_regex": "a"},
    {"guided_choice": []},
    {"n": 0},
    {"top_logprobs": 2},
    {"tool_choice": "required"},
    {"service_tier": "turbo"},
    {"response_format": {"type": "json_schema", "json_schema": {"name": "x",
                                                                "schema": {"type": "nonsense"}}}},
    {"guided_choice": ["a"], "response_format": {"type": "json_schema",
                                                 "json_schema": {"name": "x"}}},
])
def test_other_400s_in_errors_shape(http: httpx.Client, extra: dict[str, Any]) -> None:
    r = http.post(CHAT, json=chat_body(**extra))
    assert r.status_code == 400
    assert set(r.json()["errors"][0]) >= {"code", "title", "detail"}


def test_unknown_model_is_404(http: httpx.Client) -> None:
    body = chat_body()
    body["model"] = "nobody/nothing"
    r = http.post(CHAT, json=body)
    assert r.status_code == 404
    assert "nobody/nothing" in r.json()["errors"][0]["detail"]


def test_embedding_model_cannot_chat(http: httpx.Client) -> None:
    body = chat_body()
    body["model"] = "thenlper/gte-large"
    assert http.post(CHAT, json=body).status_code == 400


# --- unknown fields ----------------------------------------------------------------------------

def test_unknown_fields_are_ignored_and_reported(http: httpx.Client) -> None:
    r = http.post(CHAT, json=chat_body(max_completion_tokens=5, user="u1"))
    assert r.status_code == 200
    assert r.headers["x-emulator-ignored-fields"] == "max_completion_tokens,user"


def test_known_fields_are_not_reported(http: httpx.Client) -> None:
    r = http.post(CHAT, json=chat_body(stream_options={"include_usage": True}, seed=1,
                                       enable_thinking=False, service_tier="flex"))
    assert r.status_code == 200
    assert "x-emulator-ignored-fields" not in r.headers


def test_strict_mode_rejects_unknown_fields(emu: Emulator, http: httpx.Client) -> None:
    emu.configure(strict=True)
    r = http.post(CHAT, json=chat_body(max_completion_tokens=5))
    assert r.status_code == 422
    assert r.json()["detail"] == [{"type": "extra_forbidden",
                                   "loc": ["body", "max_completion_tokens"],
                                   "msg": "Extra inputs are not permitted", "input": 5}]


def test_strict_header_rejects_unknown_fields(http: httpx.Client) -> None:
    r = http.post(CHAT, json=chat_body(user="x"), headers={"X-Emulator-Strict": "1"})
    assert r.status_code == 422


def test_embedding_validation(http: httpx.Client) -> None:
    tokens = http.post("/v2/ai/openai/embeddings", json={"model": "thenlper/gte-large",
                                                         "input": [[1, 2, 3]]})
    assert tokens.status_code == 422
    assert tokens.json()["detail"][0]["loc"][:2] == ["body", "input"]
    no_model = http.post("/v2/ai/openai/embeddings", json={"input": "x"})
    assert no_model.json()["detail"][0]["loc"] == ["body", "model"]
    dims = http.post("/v2/ai/openai/embeddings", json={"model": "thenlper/gte-large",
                                                       "input": "x", "dimensions": 4096})
    assert dims.status_code == 400
    chat_model = http.post("/v2/ai/openai/embeddings", json={"model": HOSTED, "input": "x"})
    assert chat_model.status_code == 400


def test_ignored_field_names_are_header_safe(http: httpx.Client) -> None:
    r = http.post(CHAT, json=chat_body(**{"naïve field": 1, "x\ny": 2}))
    assert r.status_code == 200
    assert r.headers["x-emulator-ignored-fields"] == "na%C3%AFve%20field,x%0Ay"
