"""TelnyxBucketRetriever for LlamaIndex: nodes with higher-is-better scores, errors, async."""

from __future__ import annotations

from typing import Any

import pytest
from llama_index.core.schema import MetadataMode, NodeWithScore

from llama_index_telnyx.retrievers import (
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


def retriever(emu: Emulator, bucket: str = "kb", **kw: Any) -> TelnyxBucketRetriever:
    return TelnyxBucketRetriever(bucket, api_key="test-key", base_url=emu.base_url, **kw)


def test_nodes_scored_higher_is_better(emu: Emulator) -> None:
    nodes = retriever(emu, similarity_top_k=3).retrieve("When will my refund arrive?")
    assert len(nodes) == 3
    assert all(isinstance(n, NodeWithScore) for n in nodes)
    scores = [n.score for n in nodes]
    assert scores == sorted(scores, reverse=True)
    top = nodes[0]
    assert top.node.get_content() == TEXTS["refunds.txt"]
    meta = top.node.metadata
    assert meta["filename"] == "refunds.txt"
    assert top.score == meta["certainty"]
    assert meta["distance"] < nodes[1].node.metadata["distance"]
    # provenance reaches the LLM prompt, the scores do not
    llm_view = top.node.get_content(metadata_mode=MetadataMode.LLM)
    assert "refunds.txt" in llm_view
    assert "certainty" not in llm_view
    sent = [e.json for e in emu.journal if e.path.endswith("similarity-search")]
    assert sent[-1]["num_of_docs"] == 3


def test_node_ids_are_stable(emu: Emulator) -> None:
    r = retriever(emu, similarity_top_k=2)
    first = [n.node.node_id for n in r.retrieve("network")]
    assert first == [n.node.node_id for n in r.retrieve("network")]
    assert len(set(first)) == 2


async def test_async_matches_sync(emu: Emulator) -> None:
    r = retriever(emu, similarity_top_k=2)
    sync = r.retrieve("global network")
    asynced = await r.aretrieve("global network")
    assert [(n.node.node_id, n.score) for n in asynced] == [(n.node.node_id, n.score) for n in sync]


def test_bad_input(emu: Emulator) -> None:
    with pytest.raises(ValueError, match="query"):
        retriever(emu).retrieve("")
    with pytest.raises(BucketNotFoundError, match="'missing'") as info:
        retriever(emu, "missing").retrieve("anything")
    assert info.value.bucket == "missing"
    with pytest.raises(ValueError, match="similarity_top_k"):
        retriever(emu, similarity_top_k=0)
    with pytest.raises(ValueError, match="bucket_name"):
        retriever(emu, "")


async def test_async_unknown_bucket(emu: Emulator) -> None:
    with pytest.raises(BucketNotFoundError, match="'missing'"):
        await retriever(emu, "missing").aretrieve("anything")


def test_repr_hides_the_key(emu: Emulator) -> None:
    r = TelnyxBucketRetriever("kb", api_key="sk-li-retriever-secret", base_url=emu.base_url)
    assert "sk-li-retriever-secret" not in repr(r)
    assert "'kb'" in repr(r)


async def test_retrieval_tool_helpers_reexported(emu: Emulator) -> None:
    assert bucket_retrieval_tool("kb").bucket_ids == ["kb"]
    tool = await abucket_retrieval_tool("kb", validate=True, api_key="k", base_url=emu.base_url)
    assert tool.to_dict()["retrieval"]["bucket_ids"] == ["kb"]


def test_hits_carry_the_same_metadata_as_in_langchain() -> None:
    # One fact, built once in the core: what a search hit says about where it came from.
    from langchain_telnyx.retrievers import result_to_document
    from llama_index_telnyx.retrievers import result_to_node
    from telnyx_inference.buckets.bucket_wire import read_search_results

    (result,) = read_search_results(
        {
            "data": [
                {
                    "document_chunk": "Refunds take five days.",
                    "distance": 0.25,
                    "metadata": {
                        "source": "s3://kb/refunds.txt",
                        "filename": "refunds.txt",
                        "certainty": 0.8,
                        "checksum": "abc",
                        "embedding": "thenlper/gte-large",
                        "loader_metadata": {"title": "Refunds", "url": "https://help.example"},
                    },
                }
            ]
        }
    )
    node = result_to_node(result, "kb").node.metadata
    document = result_to_document(result, "kb").metadata
    assert node == document
    assert node["loader_metadata"] == {"title": "Refunds", "url": "https://help.example"}
    assert node["bucket_name"] == "kb"
    assert node["score"] == 0.8
