"""Streams, byte for byte: vLLM's framing, chunk order and what each delta carries."""

from __future__ import annotations

import json
from typing import Any

import httpx

from ._support import CHAT, MAGIC_TOOL, PLAIN, chat_body, sse_payloads


def stream(http: httpx.Client, body: dict[str, Any], **headers: str) -> tuple[bytes, list[Any]]:
    r = http.post(CHAT, json={**body, "stream": True}, headers=headers)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/event-stream")
    payloads = sse_payloads(r.content)
    return r.content, [p if p == "[DONE]" else json.loads(p) for p in payloads]


def test_frames_are_data_lines_separated_by_blank_lines(http: httpx.Client) -> None:
    raw, _ = stream(http, chat_body("hi"))
    frames = raw.split(b"\n\n")
    assert frames[-1] == b""
    assert frames[-2] == b"data: [DONE]"
    assert all(f.startswith(b"data: ") and b"\n" not in f for f in frames[:-1])
    assert b": " not in raw.split(b"data: ")[0]


def test_chunk_order_role_content_finish_usage_done(http: httpx.Client) -> None:
    _, chunks = stream(http, {**chat_body("hello"), "model": PLAIN,
                              "stream_options": {"include_usage": True}})
    assert chunks[-1] == "[DONE]"
    usage, finish, first = chunks[-2], chunks[-3], chunks[0]
    assert first["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    assert finish["choices"][0]["finish_reason"] == "stop"
    assert usage["choices"] == []
    assert usage["usage"]["total_tokens"] > 0
    ids = {c["id"] for c in chunks[:-1]}
    assert len(ids) == 1
    assert all(c["object"] == "chat.completion.chunk" for c in chunks[:-1])
    middle = chunks[1:-3]
    assert middle
    assert all(set(c["choices"][0]["delta"]) == {"content"} for c in middle)


def test_no_usage_chunk_without_include_usage(http: httpx.Client) -> None:
    _, chunks = stream(http, chat_body("hello"))
    assert all(c == "[DONE]" or c["choices"] for c in chunks)


def test_reasoning_deltas_come_before_content(http: httpx.Client) -> None:
    _, chunks = stream(http, chat_body("hello"))
    kinds = [next(iter(c["choices"][0]["delta"]), None) for c in chunks[1:-2]]
    assert "reasoning_content" in kinds
    assert "content" in kinds
    assert kinds.index("content") > max(i for i, k in enumerate(kinds) if k == "reasoning_content")


def test_tool_call_deltas(http: httpx.Client) -> None:
    _, chunks = stream(http, chat_body("magic_function(3) and magic_function(4)",
                                       tools=[MAGIC_TOOL], enable_thinking=False))
    deltas = [c["choices"][0]["delta"]["tool_calls"][0] for c in chunks[:-1]
              if c["choices"] and "tool_calls" in c["choices"][0]["delta"]]
    by_index: dict[int, list[dict[str, Any]]] = {}
    for d in deltas:
        by_index.setdefault(d["index"], []).append(d)
    assert sorted(by_index) == [0, 1]
    for pieces in by_index.values():
        head, *rest = pieces
        assert head["id"].startswith("chatcmpl-tool-")
        assert head["function"]["name"] == "magic_function"
        assert len(rest) >= 2, "arguments arrive in several pieces"
        assert all("id" not in p and "name" not in p["function"] for p in rest)
    args = ["".join(p["function"]["arguments"] for p in by_index[i]) for i in (0, 1)]
    assert [json.loads(a) for a in args] == [{"input": 3}, {"input": 4}]
    assert chunks[-2]["choices"][0]["finish_reason"] == "tool_calls"


def test_n_choices_interleave_and_each_finishes(http: httpx.Client) -> None:
    _, chunks = stream(http, {**chat_body("hello"), "model": PLAIN, "n": 2})
    indices = [c["choices"][0]["index"] for c in chunks[:-1]]
    assert indices[:2] == [0, 1]
    finishes = [c["choices"][0]["index"] for c in chunks[:-1]
                if c["choices"][0]["finish_reason"]]
    assert sorted(finishes) == [0, 1]


def test_logprobs_ride_on_content_deltas(http: httpx.Client) -> None:
    _, chunks = stream(http, {**chat_body("hello"), "model": PLAIN, "logprobs": True,
                              "top_logprobs": 3})
    content = [c["choices"][0] for c in chunks[1:-2]]
    assert all(len(c["logprobs"]["content"]) == 1 for c in content)
    assert all(c["logprobs"]["content"][0]["token"] == c["delta"]["content"] for c in content)
    assert all(len(c["logprobs"]["content"][0]["top_logprobs"]) == 3 for c in content)


def test_utf8_content_survives(emu: Any, http: httpx.Client) -> None:
    from telnyx_inference.emulator import ScriptedReply

    emu.script(ScriptedReply(content="héllo wörld ✓ 日本"))
    _, chunks = stream(http, chat_body("x"))
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks[:-1])
    assert text == "héllo wörld ✓ 日本"
