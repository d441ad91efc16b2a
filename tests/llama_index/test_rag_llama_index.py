"""Bucket RAG with the LlamaIndex ``Telnyx`` LLM, both ways: a query engine over the retriever
(answers cite their sources) and Telnyx's server-side retrieval tool (no citations)."""

from __future__ import annotations

import pytest
from llama_index.core.query_engine import RetrieverQueryEngine

from llama_index_telnyx import Telnyx
from llama_index_telnyx.retrievers import TelnyxBucketRetriever, bucket_retrieval_tool
from telnyx_inference.emulator import Emulator

REFUNDS = "Refunds are issued within five business days of the request."
TEXTS = {"refunds.txt": REFUNDS, "pets.txt": "Cats sleep most of the day; dogs like walks."}


@pytest.fixture
def emu(telnyx_emulator: Emulator) -> Emulator:
    telnyx_emulator.seed_bucket("kb", texts=TEXTS)
    return telnyx_emulator


def llm(emu: Emulator) -> Telnyx:
    return Telnyx(api_key="test-key", base_url=emu.base_url)


def engine(emu: Emulator) -> RetrieverQueryEngine:
    retriever = TelnyxBucketRetriever(
        "kb", similarity_top_k=1, api_key="test-key", base_url=emu.base_url
    )
    return RetrieverQueryEngine.from_args(retriever, llm=llm(emu))


def _chat_prompts(emu: Emulator) -> list[str]:
    return [
        str(e.json["messages"])
        for e in emu.journal
        if e.path.endswith("chat/completions") and e.json
    ]


def test_query_engine_answers_with_sources(emu: Emulator) -> None:
    response = engine(emu).query("How long do refunds take?")
    assert str(response).strip()
    (source,) = response.source_nodes
    assert source.node.metadata["filename"] == "refunds.txt"
    assert source.score is not None
    assert 0 < source.score <= 1
    assert any(REFUNDS in p and "refunds.txt" in p for p in _chat_prompts(emu))


async def test_query_engine_async(emu: Emulator) -> None:
    response = await engine(emu).aquery("How long do refunds take?")
    assert str(response).strip()
    assert [n.node.metadata["filename"] for n in response.source_nodes] == ["refunds.txt"]


def test_retrieval_tool_answers_without_citations(emu: Emulator) -> None:
    tool = bucket_retrieval_tool("kb", validate=True, api_key="test-key", base_url=emu.base_url)
    answer = llm(emu).chat_with_tools([tool], user_msg="How long do refunds take?")
    assert "five business days" in (answer.message.content or "")
    sent = [e.json for e in emu.journal if e.path.endswith("chat/completions")][-1]
    assert sent["tools"] == [{"type": "retrieval", "retrieval": {"bucket_ids": ["kb"]}}]
