"""invoke / stream / ainvoke / astream / batch against the emulator: what is sent, what comes back."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage

from langchain_telnyx import ChatTelnyx
from telnyx_inference.emulator import Emulator, ScriptedReply


@pytest.fixture
def llm(telnyx_emulator: Emulator) -> ChatTelnyx:
    return ChatTelnyx(api_key="test-key", base_url=telnyx_emulator.base_url, max_retries=0)


def last_body(emu: Emulator) -> dict[str, Any]:
    body = emu.journal[-1].json
    assert isinstance(body, dict)
    return body


def collect(chunks: list[AIMessageChunk]) -> AIMessageChunk:
    full = chunks[0]
    for chunk in chunks[1:]:
        full = full + chunk
    return full


def test_invoke_returns_text_usage_and_metadata(llm: ChatTelnyx, telnyx_emulator: Emulator) -> None:
    message = llm.invoke("Hello")
    assert isinstance(message, AIMessage)
    assert message.content
    assert message.usage_metadata is not None
    assert message.usage_metadata["total_tokens"] == (
        message.usage_metadata["input_tokens"] + message.usage_metadata["output_tokens"]
    )
    meta = message.response_metadata
    assert meta["model_name"] == "moonshotai/Kimi-K2.6"
    assert meta["model_provider"] == "telnyx"
    assert meta["finish_reason"] == "stop"
    body = last_body(telnyx_emulator)
    assert body == {
        "model": "moonshotai/Kimi-K2.6",
        "messages": [{"role": "user", "content": "Hello"}],
    }


def test_stream_matches_invoke_and_marks_metadata_once(
    llm: ChatTelnyx, telnyx_emulator: Emulator
) -> None:
    invoked = llm.invoke("Tell me about cats")
    chunks = list(llm.stream("Tell me about cats"))
    assert len(chunks) > 3
    full = collect(chunks)
    assert full.content == invoked.content
    assert chunks[-1].chunk_position == "last"
    assert sum(1 for c in chunks if c.usage_metadata) == 1
    assert sum(1 for c in chunks if "model_name" in c.response_metadata) == 1
    assert sum(1 for c in chunks if "finish_reason" in c.response_metadata) == 1
    assert full.response_metadata["model_name"] == "moonshotai/Kimi-K2.6"
    assert full.response_metadata["model_provider"] == "telnyx"
    assert full.usage_metadata == invoked.usage_metadata
    body = last_body(telnyx_emulator)
    assert body["stream"] is True
    assert body["stream_options"] == {"include_usage": True}


def test_stream_usage_can_be_turned_off(telnyx_emulator: Emulator) -> None:
    llm = ChatTelnyx(api_key="k", base_url=telnyx_emulator.base_url, stream_usage=False)
    chunks = list(llm.stream("Hello"))
    assert not any(c.usage_metadata for c in chunks)
    assert "stream_options" not in last_body(telnyx_emulator)
    list(llm.stream("Hello", stream_usage=True))
    assert last_body(telnyx_emulator)["stream_options"] == {"include_usage": True}


async def test_async_twins(llm: ChatTelnyx) -> None:
    message = await llm.ainvoke("Hello")
    chunks = [chunk async for chunk in llm.astream("Hello")]
    assert collect(chunks).content == message.content
    assert chunks[-1].chunk_position == "last"
    results = await llm.abatch(["one", "two"])
    assert [isinstance(r, AIMessage) for r in results] == [True, True]


def test_batch(llm: ChatTelnyx) -> None:
    results = llm.batch(["first question", "second question"])
    assert len(results) == 2
    assert "first" in str(results[0].content)
    assert "second" in str(results[1].content)


def test_every_parameter_can_be_given_per_call(llm: ChatTelnyx, telnyx_emulator: Emulator) -> None:
    llm.invoke(
        "Pick",
        model="zai-org/GLM-5.2",
        temperature=0.7,
        max_tokens=20,
        top_p=0.9,
        min_p=0.1,
        seed=3,
        stop=["END"],
        guided_choice=["red", "blue"],
        enable_thinking=False,
        service_tier="priority",
        api_key_ref="ref-1",
    )
    body = last_body(telnyx_emulator)
    assert body["model"] == "zai-org/GLM-5.2"
    assert body["temperature"] == 0.7
    assert body["max_tokens"] == 20
    assert body["min_p"] == 0.1
    assert body["stop"] == ["END"]
    assert body["guided_choice"] == ["red", "blue"]
    assert body["enable_thinking"] is False
    assert body["service_tier"] == "priority"
    assert body["api_key_ref"] == "ref-1"


def test_per_call_values_replace_and_unset_the_models(telnyx_emulator: Emulator) -> None:
    llm = ChatTelnyx(
        api_key="k", base_url=telnyx_emulator.base_url, temperature=0.2, guided_regex="[ab]"
    )
    message = llm.invoke("Pick", guided_choice=["yes", "no"], temperature=None)
    body = last_body(telnyx_emulator)
    assert "temperature" not in body
    assert "guided_regex" not in body  # a per-call guided option replaces the model's
    assert message.content in ("yes", "no")


def test_bad_per_call_values_fail_before_sending(
    llm: ChatTelnyx, telnyx_emulator: Emulator
) -> None:
    with pytest.raises(ValueError, match="min_p"):
        llm.invoke("x", min_p=2)
    with pytest.raises(ValueError, match="api_key"):
        llm.invoke("x", api_key="other")
    assert telnyx_emulator.journal == []


def test_model_kwargs_and_extra_body_reach_the_body(telnyx_emulator: Emulator) -> None:
    llm = ChatTelnyx(
        api_key="k",
        base_url=telnyx_emulator.base_url,
        model_kwargs={"top_p": 0.5, "custom_flag": 1},
        extra_body={"another": "x"},
    )
    llm.invoke("Hello", extra_body={"per_call": True})
    body = last_body(telnyx_emulator)
    assert body["top_p"] == 0.5
    assert body["custom_flag"] == 1
    assert body["another"] == "x"
    assert body["per_call"] is True
    with pytest.raises(ValueError, match="top_p"):
        ChatTelnyx(api_key="k", model_kwargs={"top_p": 5}).invoke("x")


def test_streaming_true_makes_invoke_stream(telnyx_emulator: Emulator) -> None:
    tokens: list[str] = []

    class Tokens(BaseCallbackHandler):
        def on_llm_new_token(self, token: str, **kwargs: Any) -> None:
            tokens.append(token)

    llm = ChatTelnyx(api_key="k", base_url=telnyx_emulator.base_url, streaming=True)
    message = llm.invoke("Hello", config={"callbacks": [Tokens()]})
    assert last_body(telnyx_emulator)["stream"] is True
    assert len(tokens) > 2
    assert "".join(tokens) == message.content
    assert message.usage_metadata is not None


def test_n_gives_several_generations(llm: ChatTelnyx) -> None:
    result = llm.generate([[HumanMessage("Hello")]], n=3)
    assert len(result.generations[0]) == 3
    assert all(g.message.content for g in result.generations[0])


def test_logprobs_in_response_metadata(llm: ChatTelnyx) -> None:
    message = llm.invoke("Hello", logprobs=True, top_logprobs=2)
    content = message.response_metadata["logprobs"]["content"]
    assert content
    assert {"token", "logprob"} <= set(content[0])
    chunks = list(llm.stream("Hello", logprobs=True))
    streamed = collect(chunks).response_metadata["logprobs"]["content"]
    assert [e["token"] for e in streamed] == [e["token"] for e in content]


def test_reasoning_is_kept(llm: ChatTelnyx, telnyx_emulator: Emulator) -> None:
    telnyx_emulator.script(ScriptedReply(content="42", reasoning="Six times seven."))
    message = llm.invoke("What is six times seven?")
    assert message.additional_kwargs["reasoning_content"] == "Six times seven."
    assert message.content_blocks[0] == {"type": "reasoning", "reasoning": "Six times seven."}
    telnyx_emulator.script(ScriptedReply(content="42", reasoning="Six times seven."))
    full = collect(list(llm.stream("What is six times seven?")))
    assert full.additional_kwargs["reasoning_content"] == "Six times seven."
    kinds = [b["type"] for b in full.content_blocks]
    assert kinds == ["reasoning", "text"]


def test_output_version_v1_gives_standard_blocks(telnyx_emulator: Emulator) -> None:
    llm = ChatTelnyx(api_key="k", base_url=telnyx_emulator.base_url, output_version="v1")
    telnyx_emulator.script(ScriptedReply(content="42", reasoning="Think."))
    message = llm.invoke("Q")
    assert [b["type"] for b in message.content] == ["reasoning", "text"]  # type: ignore[index]
    telnyx_emulator.script(ScriptedReply(content="42", reasoning="Think."))
    full = collect(list(llm.stream("Q")))
    assert [b["type"] for b in full.content] == ["reasoning", "text"]  # type: ignore[index]


def test_stop_sequence_is_sent(llm: ChatTelnyx, telnyx_emulator: Emulator) -> None:
    llm.invoke("Hello", stop=["you"])
    assert last_body(telnyx_emulator)["stop"] == ["you"]
    llm.invoke("Hello", stop=[])
    assert "stop" not in last_body(telnyx_emulator)


def test_timeout_and_headers_per_call(llm: ChatTelnyx, telnyx_emulator: Emulator) -> None:
    llm.invoke("Hello", timeout=30, extra_headers={"x-trace": "abc"})
    assert telnyx_emulator.journal[-1].headers["x-trace"] == "abc"


def test_user_supplied_openai_client(telnyx_emulator: Emulator) -> None:
    import openai

    client = openai.OpenAI(api_key="from-client", base_url=telnyx_emulator.base_url)
    llm = ChatTelnyx(client=client)
    assert llm.invoke("Hello").content
    assert llm.telnyx_client().transport.client is client


def test_user_supplied_http_clients(telnyx_emulator: Emulator) -> None:
    import openai

    sync_http = openai.DefaultHttpxClient()
    async_http = openai.DefaultAsyncHttpxClient()
    llm = ChatTelnyx(
        api_key="k",
        base_url=telnyx_emulator.base_url,
        http_client=sync_http,
        http_async_client=async_http,
    )
    assert llm.invoke("Hello").content
    assert llm.telnyx_client().transport.client._client is sync_http
    sync_http.close()


async def test_user_supplied_async_http_client(telnyx_emulator: Emulator) -> None:
    import openai

    async_http = openai.DefaultAsyncHttpxClient()
    llm = ChatTelnyx(api_key="k", base_url=telnyx_emulator.base_url, http_async_client=async_http)
    assert (await llm.ainvoke("Hello")).content
    assert llm.telnyx_async_client().transport.client._client is async_http
    await async_http.aclose()
