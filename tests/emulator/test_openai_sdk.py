"""The official openai SDK reads everything the emulator serves: sync, async, streaming."""

from __future__ import annotations

import base64
import json
import struct
from typing import Any

import openai
import pytest

from telnyx_inference.emulator import Emulator, ScriptedReply

from ._support import HOSTED, KEY, MAGIC_TOOL, PLAIN

MESSAGES = [{"role": "user", "content": "What is the value of magic_function(3)?"}]


def _accumulate(stream: Any) -> dict[str, Any]:
    content, reasoning, finish, usage = "", "", None, None
    calls: dict[int, dict[str, Any]] = {}
    for chunk in stream:
        usage = chunk.usage or usage  # type: ignore[attr-defined]
        for choice in chunk.choices:  # type: ignore[attr-defined]
            delta = choice.delta
            content += delta.content or ""
            reasoning += getattr(delta, "reasoning_content", None) or ""
            for tc in delta.tool_calls or []:
                entry = calls.setdefault(tc.index, {"id": None, "name": "", "arguments": ""})
                entry["id"] = entry["id"] or tc.id
                if tc.function and tc.function.name:
                    entry["name"] += tc.function.name
                if tc.function and tc.function.arguments:
                    entry["arguments"] += tc.function.arguments
            finish = choice.finish_reason or finish
    return {"content": content, "reasoning": reasoning, "calls": calls, "finish": finish,
            "usage": usage}


def test_plain_completion_has_content_reasoning_and_usage(client: Any) -> None:
    r = client.chat.completions.create(model=HOSTED, messages=[{"role": "user", "content": "Hi"}])
    msg = r.choices[0].message
    assert r.object == "chat.completion"
    assert r.model == HOSTED
    assert msg.role == "assistant"
    assert msg.content
    assert getattr(msg, "reasoning_content", None)
    assert r.choices[0].finish_reason == "stop"
    assert r.usage is not None
    assert r.usage.total_tokens == r.usage.prompt_tokens + r.usage.completion_tokens > 0


def test_tool_call_is_parsed(client: Any) -> None:
    r = client.chat.completions.create(model=HOSTED, messages=MESSAGES, tools=[MAGIC_TOOL])
    call = r.choices[0].message.tool_calls[0]  # type: ignore[index]
    assert call.function.name == "magic_function"  # type: ignore[union-attr]
    assert json.loads(call.function.arguments) == {"input": 3}  # type: ignore[union-attr]
    assert r.choices[0].finish_reason == "tool_calls"


def test_stream_accumulates_to_the_same_answer(client: Any) -> None:
    whole = client.chat.completions.create(model=HOSTED, messages=MESSAGES, tools=[MAGIC_TOOL])
    stream = client.chat.completions.create(model=HOSTED, messages=MESSAGES, tools=[MAGIC_TOOL],
                                            stream=True, stream_options={"include_usage": True})
    got = _accumulate(stream)
    call = whole.choices[0].message.tool_calls[0]  # type: ignore[index]
    assert got["calls"] == {0: {"id": call.id, "name": "magic_function",
                                "arguments": call.function.arguments}}  # type: ignore[union-attr]
    assert got["reasoning"] == getattr(whole.choices[0].message, "reasoning_content", None)
    assert got["finish"] == "tool_calls"
    assert got["usage"] is not None
    assert got["usage"].total_tokens == whole.usage.total_tokens  # type: ignore[attr-defined,union-attr]


def test_stream_text_equals_completion_text(client: Any) -> None:
    kwargs = {"model": PLAIN, "messages": [{"role": "user", "content": "Tell me about SIP."}]}
    whole = client.chat.completions.create(**kwargs)  # type: ignore[call-overload]
    got = _accumulate(client.chat.completions.create(stream=True, **kwargs))  # type: ignore[call-overload]
    assert got["content"] == whole.choices[0].message.content
    assert got["reasoning"] == ""
    assert got["usage"] is None  # no include_usage, no usage chunk


def test_n_and_logprobs(client: Any) -> None:
    r = client.chat.completions.create(model=PLAIN, messages=[{"role": "user", "content": "hey"}],
                                       n=3, logprobs=True, top_logprobs=2)
    assert [c.index for c in r.choices] == [0, 1, 2]
    assert len({c.message.content for c in r.choices}) > 1
    for c in r.choices:
        entries = c.logprobs.content  # type: ignore[union-attr]
        assert "".join(e.token for e in entries) == c.message.content
        assert all(len(e.top_logprobs) == 2 and e.logprob <= 0 for e in entries)
        assert all(bytes(e.bytes) == e.token.encode() for e in entries)  # type: ignore[arg-type]


def test_scripted_reply_reaches_the_sdk(emu: Emulator, client: Any) -> None:
    emu.script(ScriptedReply(content="scripted!", usage={"prompt_tokens": 7,
                                                       "completion_tokens": 2}))
    r = client.chat.completions.create(model=HOSTED, messages=[{"role": "user", "content": "x"}])
    assert r.choices[0].message.content == "scripted!"
    assert (r.usage.prompt_tokens, r.usage.total_tokens) == (7, 9)  # type: ignore[union-attr]


async def test_async_client_and_stream(aclient: Any) -> None:
    r = await aclient.chat.completions.create(model=HOSTED, messages=MESSAGES, tools=[MAGIC_TOOL])
    assert r.choices[0].message.tool_calls
    stream = await aclient.chat.completions.create(
        model=PLAIN, messages=[{"role": "user", "content": "Say something?"}], stream=True)
    text = ""
    async for chunk in stream:
        for choice in chunk.choices:
            text += choice.delta.content or ""
    assert text == "You asked: Say something? This is the Telnyx emulator's offline answer."


def test_legacy_base_serves_chat_and_models(emu: Emulator) -> None:
    with openai.OpenAI(base_url=emu.legacy_base_url, api_key=KEY, max_retries=0) as legacy:
        r = legacy.chat.completions.create(model=PLAIN, messages=[{"role": "user", "content": "a"}])
        assert r.choices[0].message.content
        assert any(m.id == HOSTED for m in legacy.models.list())


def test_models_list_carries_telnyx_fields(client: Any) -> None:
    models = {m.id: m for m in client.models.list()}
    assert {"moonshotai/Kimi-K2.6", "thenlper/gte-large", PLAIN} <= set(models)
    kimi = models["moonshotai/Kimi-K2.6"].model_extra or {}
    assert kimi["context_length"] == 262_144
    assert isinstance(models["moonshotai/Kimi-K2.6"].created, str)  # Telnyx sends ISO strings
    assert kimi["is_vision_supported"] is True
    assert kimi["task"] == "text-generation"


def _decode(embedding: Any) -> list[float]:
    # Asked for base64 explicitly, the SDK hands the string back undecoded.
    if isinstance(embedding, str):
        raw = base64.b64decode(embedding)
        return list(struct.unpack(f"<{len(raw) // 4}f", raw))
    return list(embedding)  # type: ignore[call-overload]


@pytest.mark.parametrize("encoding", ["float", "base64", None])
def test_embeddings_in_each_encoding(client: Any, encoding: str | None) -> None:
    kwargs = {"encoding_format": encoding} if encoding else {}
    r = client.embeddings.create(model="thenlper/gte-large", input=["a cat", "a dog"], **kwargs)  # type: ignore[arg-type]
    assert [d.index for d in r.data] == [0, 1]
    vectors = [_decode(d.embedding) for d in r.data]
    assert all(len(v) == 1024 for v in vectors)
    norm = sum(x * x for x in vectors[0])
    assert norm == pytest.approx(1.0, abs=1e-4)
    assert r.usage.total_tokens == 4


async def test_async_embeddings_with_dimensions(aclient: Any) -> None:
    r = await aclient.embeddings.create(model="thenlper/gte-large", input="hi", dimensions=64)
    assert len(r.data[0].embedding) == 64
