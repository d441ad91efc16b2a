"""TelnyxEmbeddings: the official package's constructor, batching, validation, secrets."""

from __future__ import annotations

import pickle
from typing import Any

import openai
import pytest
from pydantic import SecretStr

from langchain_telnyx.embeddings import TelnyxEmbeddings
from telnyx_inference.emulator import Emulator

SECRET = "sk-lc-embeddings-secret-77"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TELNYX_API_KEY", raising=False)
    monkeypatch.delenv("TELNYX_API_BASE", raising=False)


def emb(emu: Emulator, **kw: Any) -> TelnyxEmbeddings:
    return TelnyxEmbeddings(api_key="test-key", base_url=emu.base_url, **kw)


def bodies(emu: Emulator) -> list[Any]:
    return [e.json for e in emu.journal if e.path.endswith("/openai/embeddings")]


def test_drop_in_constructor(monkeypatch: pytest.MonkeyPatch) -> None:
    default = TelnyxEmbeddings()
    assert default.model == "thenlper/gte-large"
    assert default.base_url == "https://api.telnyx.com/v2/ai/openai"
    official = TelnyxEmbeddings(telnyx_api_key="k", telnyx_api_base="https://custom.example/v1")
    assert official.telnyx_api_key == SecretStr("k")
    assert official.telnyx_api_base == "https://custom.example/v1"
    assert TelnyxEmbeddings(chunk_size=16).batch_size == 16
    assert TelnyxEmbeddings(model="custom-embedding-model").model == "custom-embedding-model"
    monkeypatch.setenv("TELNYX_API_KEY", "env-key")
    assert TelnyxEmbeddings().api_key == SecretStr("env-key")
    assert TelnyxEmbeddings()._llm_type == "telnyx-embedding"


def test_documents_batched_in_order(telnyx_emulator: Emulator) -> None:
    texts = [f"document number {i}" for i in range(5)]
    vectors = emb(telnyx_emulator, batch_size=2).embed_documents(texts)
    assert len(vectors) == 5
    assert [len(b["input"]) for b in bodies(telnyx_emulator)] == [2, 2, 1]
    assert vectors[3] == emb(telnyx_emulator).embed_query(texts[3])
    assert vectors[3] != vectors[4]


def test_dimensions_and_float_encoding_sent(telnyx_emulator: Emulator) -> None:
    vector = emb(telnyx_emulator, dimensions=128).embed_query("a query about networks")
    assert len(vector) == 128
    (body,) = bodies(telnyx_emulator)
    assert body["dimensions"] == 128
    assert body["encoding_format"] == "float"
    assert body["model"] == "thenlper/gte-large"


def test_empty_inputs(telnyx_emulator: Emulator) -> None:
    e = emb(telnyx_emulator)
    assert e.embed_documents([]) == []
    with pytest.raises(ValueError, match="text"):
        e.embed_query("")
    with pytest.raises(ValueError, match=r"input\[1\]"):
        e.embed_documents(["fine", ""])
    assert bodies(telnyx_emulator) == []


async def test_async(telnyx_emulator: Emulator) -> None:
    e = emb(telnyx_emulator, batch_size=2)
    texts = ["one", "two", "three"]
    assert await e.aembed_documents(texts) == e.embed_documents(texts)
    assert await e.aembed_query("one") == e.embed_query("one")
    assert await e.aembed_documents([]) == []
    with pytest.raises(ValueError, match="text"):
        await e.aembed_query("  ")


def test_user_clients_are_used(telnyx_emulator: Emulator) -> None:
    sync = openai.OpenAI(api_key="client-key", base_url=telnyx_emulator.base_url)
    e = TelnyxEmbeddings(client=sync)
    assert e.api_key == SecretStr("client-key")
    assert e.telnyx_client().transport.client is sync
    assert e.embed_query("hello")


def test_missing_key_is_reported_at_first_call(telnyx_emulator: Emulator) -> None:
    e = TelnyxEmbeddings(base_url=telnyx_emulator.base_url)
    with pytest.raises(ValueError, match="TELNYX_API_KEY"):
        e.embed_query("hello")


def test_key_never_shown_or_serialised() -> None:
    e = TelnyxEmbeddings(api_key=SECRET)
    for text in (repr(e), str(e), e.model_dump_json(), str(e.model_dump())):
        assert SECRET not in text
    assert SECRET.encode() not in pickle.dumps(e)
