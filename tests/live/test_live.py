"""A few calls against the real Telnyx API. Skipped unless TELNYX_API_KEY is set.

    TELNYX_API_KEY=... python -m pytest -m live tests/live
"""

from __future__ import annotations

import os

import pytest

from telnyx_inference import StreamAccumulator, TelnyxClient, build_chat_request

pytestmark = pytest.mark.live

MODEL = os.environ.get("TELNYX_LIVE_MODEL", "moonshotai/Kimi-K2.6")


def test_chat_and_stream() -> None:
    client = TelnyxClient()
    messages = [{"role": "user", "content": "Reply with the single word: pong"}]
    completion = client.chat(build_chat_request(messages, model=MODEL, params={"max_tokens": 20}))
    assert completion.first.content.strip()
    acc = StreamAccumulator()
    list(client.stream_chat(build_chat_request(messages, model=MODEL, stream=True), accumulator=acc))
    assert acc.result().first.finish_reason in {"stop", "length"}


def test_guided_choice_is_honoured() -> None:
    messages = [{"role": "user", "content": "Is the sky blue on a clear day? Answer yes or no."}]
    body = build_chat_request(messages, model=MODEL, params={"guided_choice": ["yes", "no"]})
    assert TelnyxClient().chat(body).first.content.strip() in {"yes", "no"}


def test_model_catalog_answers() -> None:
    facts = TelnyxClient().model_facts(MODEL, refresh=True)
    assert facts.context_length > 8_000


def test_langchain_and_llama_index() -> None:
    pytest.importorskip("langchain_telnyx")
    pytest.importorskip("llama_index_telnyx")
    from langchain_telnyx import ChatTelnyx
    from llama_index_telnyx import Telnyx

    assert ChatTelnyx(model=MODEL).invoke("Say hi").content
    assert Telnyx(model=MODEL).complete("Say hi").text
