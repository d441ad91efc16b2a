"""The eight endpoints against the emulator: answers, reasoning, usage, logprobs, errors."""

from __future__ import annotations

import pytest
from li_support import KEY, chat_bodies, make_llm
from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    CompletionResponse,
    LogProb,
    TextBlock,
    ThinkingBlock,
)

from llama_index_telnyx import Telnyx
from telnyx_inference import AuthenticationError, Completion, RateLimitError
from telnyx_inference.emulator import Emulator, Fault, ScriptedReply

HELLO = [ChatMessage(role="user", content="Hello there")]


def test_chat(llm: Telnyx, emu: Emulator) -> None:
    emu.script(ScriptedReply(content="Hi!", usage={"prompt_tokens": 5, "completion_tokens": 2}))
    response = llm.chat(HELLO)
    assert response.message.role == "assistant"
    assert response.message.content == "Hi!"
    assert response.delta is None
    assert response.additional_kwargs["prompt_tokens"] == 5
    assert response.additional_kwargs["completion_tokens"] == 2
    assert response.additional_kwargs["total_tokens"] == 7
    assert response.additional_kwargs["finish_reason"] == "stop"
    assert isinstance(response.raw, Completion)
    assert response.raw.usage is not None
    assert response.raw.usage.prompt_tokens == 5
    assert chat_bodies(emu)[-1]["messages"] == [{"role": "user", "content": "Hello there"}]


async def test_achat(llm: Telnyx, emu: Emulator) -> None:
    emu.script(ScriptedReply(content="Hi async"))
    response = await llm.achat(HELLO)
    assert response.message.content == "Hi async"


def test_complete_and_stream_complete(llm: Telnyx, emu: Emulator) -> None:
    emu.script(ScriptedReply(content="one two three"), ScriptedReply(content="one two three"))
    done = llm.complete("Hello there")
    assert isinstance(done, CompletionResponse)
    assert done.text == "one two three"
    assert done.additional_kwargs["total_tokens"] > 0
    chunks = list(llm.stream_complete("Hello there"))
    assert "".join(c.delta or "" for c in chunks) == "one two three"
    assert chunks[-1].text == "one two three"
    assert chunks[-1].additional_kwargs["total_tokens"] == done.additional_kwargs["total_tokens"]
    assert chat_bodies(emu)[-1]["stream_options"] == {"include_usage": True}


async def test_acomplete_and_astream_complete(llm: Telnyx, emu: Emulator) -> None:
    emu.script(ScriptedReply(content="alpha beta"), ScriptedReply(content="alpha beta"))
    assert (await llm.acomplete("Hello there")).text == "alpha beta"
    texts = [c.text async for c in await llm.astream_complete("Hello there")]
    assert texts[-1] == "alpha beta"
    assert len(texts) > 2


def test_stream_chat_deltas_add_up(llm: Telnyx, emu: Emulator) -> None:
    emu.script(ScriptedReply(content="The quick brown fox"))
    responses = list(llm.stream_chat(HELLO))
    assert all(isinstance(r, ChatResponse) for r in responses)
    assert "".join(r.delta or "" for r in responses) == "The quick brown fox"
    assert responses[-1].message.content == "The quick brown fox"
    assert responses[-1].additional_kwargs["finish_reason"] == "stop"
    assert isinstance(responses[-1].raw, Completion)


async def test_astream_chat_returns_an_async_generator(llm: Telnyx, emu: Emulator) -> None:
    emu.script(ScriptedReply(content="async stream"))
    gen = await llm.astream_chat(HELLO)
    deltas = [r.delta async for r in gen]
    assert "".join(d or "" for d in deltas) == "async stream"


def test_reasoning_comes_out_as_thinking_blocks(reasoning_llm: Telnyx, emu: Emulator) -> None:
    emu.script(ScriptedReply(content="4", reasoning="2+2 is 4"))
    response = reasoning_llm.chat([ChatMessage(role="user", content="2+2?")])
    thinking = [b for b in response.message.blocks if isinstance(b, ThinkingBlock)]
    assert [b.content for b in thinking] == ["2+2 is 4"]
    assert response.message.content == "4"  # reasoning stays out of the content

    emu.script(ScriptedReply(content="4", reasoning="2+2 is 4"))
    chunks = list(reasoning_llm.stream_chat([ChatMessage(role="user", content="2+2?")]))
    deltas = "".join(c.additional_kwargs.get("thinking_delta", "") for c in chunks)
    assert deltas == "2+2 is 4"
    assert chunks[-1].message == response.message


def test_reasoning_is_not_sent_back(reasoning_llm: Telnyx, emu: Emulator) -> None:
    history = [
        ChatMessage(role="user", content="2+2?"),
        ChatMessage(role="assistant", blocks=[ThinkingBlock(content="hmm"), TextBlock(text="4")]),
        ChatMessage(role="user", content="and 3+3?"),
    ]
    reasoning_llm.chat(history)
    assert chat_bodies(emu)[-1]["messages"][1] == {"role": "assistant", "content": "4"}


def test_logprobs_as_llama_index_logprobs(llm: Telnyx, emu: Emulator) -> None:
    response = llm.chat(HELLO, logprobs=True, top_logprobs=2)
    assert response.logprobs
    first = response.logprobs[0]
    assert all(isinstance(lp, LogProb) for lp in first)
    assert len(first) >= 1
    wire = response.raw.first.logprobs[0]
    assert first[0].token == wire["token"]
    assert first[0].logprob == wire["logprob"]
    assert len(response.logprobs) == len(response.raw.first.logprobs)

    streamed = list(llm.stream_chat(HELLO, logprobs=True, top_logprobs=2))
    assert streamed[-1].logprobs == response.logprobs
    assert any(r.logprobs for r in streamed[:-1])  # per-chunk logprobs while streaming


def test_several_choices_first_in_message_all_in_raw(llm: Telnyx, emu: Emulator) -> None:
    response = llm.chat(HELLO, n=2)
    assert len(response.raw.choices) == 2
    assert response.message.content == response.raw.choices[0].content


def test_errors_surface_as_core_errors(emu: Emulator) -> None:
    emu.configure(api_key="the-right-key")
    try:
        bad = Telnyx(api_key="wrong", base_url=emu.base_url, max_retries=0)
        with pytest.raises(AuthenticationError):
            bad.chat(HELLO)
        with pytest.raises(AuthenticationError):
            list(bad.stream_chat(HELLO))
    finally:
        emu.configure(api_key=None)
    llm = make_llm(emu)
    emu.fault(Fault(kind="status", status=429, times=1))
    with pytest.raises(RateLimitError):
        llm.chat(HELLO)
    assert KEY not in str(emu.journal[-1].headers)
