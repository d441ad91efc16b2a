"""TelnyxBucketRetriever and the retrieval-tool helper, against buckets seeded in the emulator."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.documents import Document
from langchain_core.runnables import RunnableLambda

from langchain_telnyx.retrievers import (
    TelnyxBucketRetriever,
    abucket_retrieval_tool,
    bucket_retrieval_tool,
)
from telnyx_inference.emulator import Emulator
from telnyx_inference.errors import BucketNotFoundError

TEXTS = {
    "network.txt": "Telnyx runs a private global IP network for voice and messaging.",
    "refunds.txt": "Refunds are issued within five business days of the request.",
    "pets.txt": "Cats sleep most of the day; dogs like long walks.",
}


@pytest.fixture
def emu(telnyx_emulator: Emulator) -> Emulator:
    telnyx_emulator.seed_bucket("kb", texts=TEXTS)
    return telnyx_emulator


def retriever(emu: Emulator, **kw: Any) -> TelnyxBucketRetriever:
    args: dict[str, Any] = {"bucket_name": "kb", "api_key": "test-key", "base_url": emu.base_url}
    return TelnyxBucketRetriever(**{**args, **kw})


def test_documents_carry_chunk_and_provenance(emu: Emulator) -> None:
    docs = retriever(emu, k=2).invoke("When will my refund arrive?")
    assert len(docs) == 2
    top = docs[0]
    assert isinstance(top, Document)
    assert top.page_content == TEXTS["refunds.txt"]
    meta = top.metadata
    assert meta["filename"] == "refunds.txt"
    assert "refunds.txt" in meta["source"]
    assert meta["bucket_name"] == "kb"
    assert 0 <= meta["distance"] <= docs[1].metadata["distance"]
    assert meta["certainty"] >= docs[1].metadata["certainty"]
    sent = [e.json for e in emu.journal if e.path.endswith("similarity-search")]
    assert sent == [{"bucket_name": "kb", "query": "When will my refund arrive?", "num_of_docs": 2}]


async def test_async_matches_sync(emu: Emulator) -> None:
    r = retriever(emu, k=3)
    assert await r.ainvoke("global network") == r.invoke("global network")
    assert len(await r.ainvoke("global network", k=1)) == 1


def test_k_per_call_and_unknown_arguments(emu: Emulator) -> None:
    r = retriever(emu)
    assert r.k == 3
    assert len(r.invoke("network", k=1)) == 1
    with pytest.raises(TypeError, match="num_docs"):
        r.invoke("network", num_docs=1)


def test_bad_input(emu: Emulator) -> None:
    with pytest.raises(ValueError, match="query"):
        retriever(emu).invoke("")
    with pytest.raises(BucketNotFoundError, match="'missing-bucket'") as info:
        retriever(emu, bucket_name="missing-bucket").invoke("anything")
    assert info.value.bucket == "missing-bucket"
    with pytest.raises(ValueError, match="k"):
        retriever(emu, k=0)
    with pytest.raises(ValueError, match="bucket_name"):
        retriever(emu, bucket_name="")


async def test_async_unknown_bucket(emu: Emulator) -> None:
    with pytest.raises(BucketNotFoundError, match="'nope'"):
        await retriever(emu, bucket_name="nope").ainvoke("anything")


def test_in_a_chain_with_citations(emu: Emulator) -> None:
    def cite(docs: list[Document]) -> str:
        return "; ".join(f"{d.metadata['filename']}: {d.page_content}" for d in docs)

    chain = retriever(emu, k=1) | RunnableLambda(cite)
    assert chain.invoke("refund timing") == f"refunds.txt: {TEXTS['refunds.txt']}"


def test_retrieval_tool_helper(emu: Emulator) -> None:
    assert bucket_retrieval_tool("kb", max_num_results=2).to_dict() == {
        "type": "retrieval",
        "retrieval": {"bucket_ids": ["kb"], "max_num_results": 2},
    }
    checked = bucket_retrieval_tool("kb", validate=True, api_key="k", base_url=emu.base_url)
    assert checked.bucket_ids == ["kb"]
    with pytest.raises(BucketNotFoundError, match="'other'"):
        bucket_retrieval_tool(["kb", "other"], validate=True, api_key="k", base_url=emu.base_url)


async def test_async_retrieval_tool_helper(emu: Emulator) -> None:
    tool = await abucket_retrieval_tool("kb", validate=True, api_key="k", base_url=emu.base_url)
    assert tool.bucket_ids == ["kb"]


def test_key_never_shown(emu: Emulator) -> None:
    r = retriever(emu, api_key="sk-retriever-secret-9")
    assert "sk-retriever-secret-9" not in repr(r)
    assert "sk-retriever-secret-9" not in r.model_dump_json()
