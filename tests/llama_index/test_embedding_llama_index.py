"""TelnyxEmbedding for LlamaIndex: query/text/batch/async, batching, secrets, an index on it."""

from __future__ import annotations

import pickle
from typing import Any

import pytest
from llama_index.core import Document, VectorStoreIndex

from llama_index_telnyx.embeddings import TelnyxEmbedding
from telnyx_inference.emulator import Emulator

SECRET = "sk-li-embedding-secret-31"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TELNYX_API_KEY", raising=False)
    monkeypatch.delenv("TELNYX_API_BASE", raising=False)


def emb(emu: Emulator, **kw: Any) -> TelnyxEmbedding:
    return TelnyxEmbedding(api_key="test-key", base_url=emu.base_url, **kw)


def bodies(emu: Emulator) -> list[Any]:
    return [e.json for e in emu.journal if e.path.endswith("/openai/embeddings")]


def test_defaults() -> None:
    e = TelnyxEmbedding()
    assert e.model_name == "thenlper/gte-large"
    assert e.class_name() == "TelnyxEmbedding"
    assert e.base_url == "https://api.telnyx.com/v2/ai/openai"


def test_query_text_and_batch_agree(telnyx_emulator: Emulator) -> None:
    e = emb(telnyx_emulator, embed_batch_size=2)
    texts = ["alpha text", "beta text", "gamma text"]
    batch = e.get_text_embedding_batch(texts)
    assert [len(b["input"]) for b in bodies(telnyx_emulator)] == [2, 1]
    assert batch[1] == e.get_text_embedding("beta text") == e.get_query_embedding("beta text")
    assert len(batch[0]) == 1024


async def test_async_agrees_with_sync(telnyx_emulator: Emulator) -> None:
    e = emb(telnyx_emulator, embed_batch_size=2, dimensions=64)
    texts = ["one", "two", "three"]
    assert await e.aget_text_embedding_batch(texts) == e.get_text_embedding_batch(texts)
    assert await e.aget_query_embedding("two") == e.get_query_embedding("two")
    assert await e.aget_text_embedding("three") == e.get_text_embedding("three")
    assert {b["dimensions"] for b in bodies(telnyx_emulator)} == {64}


def test_empty_query_is_a_value_error(telnyx_emulator: Emulator) -> None:
    with pytest.raises(ValueError, match="query"):
        emb(telnyx_emulator).get_query_embedding(" ")
    assert bodies(telnyx_emulator) == []


def test_bad_batch_size_refused() -> None:
    with pytest.raises(ValueError, match="embed_batch_size"):
        TelnyxEmbedding(embed_batch_size=0)


def test_key_never_in_dicts_payloads_or_pickles(monkeypatch: pytest.MonkeyPatch) -> None:
    e = TelnyxEmbedding(api_key=SECRET)
    for text in (repr(e), e.to_json(), str(e.to_dict()), str(e.to_payload())):
        assert SECRET not in text
    blob = pickle.dumps(e)
    assert SECRET.encode() not in blob
    monkeypatch.setenv("TELNYX_API_KEY", "env-key")
    restored = pickle.loads(blob)
    assert restored.model_name == e.model_name
    assert restored.telnyx_settings().require_key() == "env-key"


def test_round_trips_through_to_dict() -> None:
    e = TelnyxEmbedding(api_key="k", model_name="intfloat/multilingual-e5-large", dimensions=32)
    again = TelnyxEmbedding.from_dict(e.to_dict())
    assert (again.model_name, again.dimensions) == ("intfloat/multilingual-e5-large", 32)


def test_vector_index_built_on_it(telnyx_emulator: Emulator) -> None:
    docs = [
        Document(text="Refunds are issued within five business days.", metadata={"f": "r"}),
        Document(text="Cats sleep most of the day.", metadata={"f": "c"}),
    ]
    index = VectorStoreIndex.from_documents(docs, embed_model=emb(telnyx_emulator))
    (hit,) = index.as_retriever(similarity_top_k=1).retrieve("when are refunds issued")
    assert hit.node.metadata["f"] == "r"
