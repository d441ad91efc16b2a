"""TelnyxIndex on the emulator: build, retrieve, query, insert, update, delete a ref doc."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from li_support import chat_bodies, make_llm
from llama_index.core.base.response.schema import PydanticResponse
from llama_index.core.schema import Document, NodeRelationship, TextNode
from pydantic import BaseModel

from llama_index_telnyx import TelnyxIndex
from telnyx_inference.emulator import Emulator
from telnyx_inference.errors import BucketNotFoundError, InvalidParameterError

DOCS = [
    Document(
        text="Vacation policy: every employee gets 25 vacation days per year.",
        id_="leave",
        metadata={"section": "leave", "page": 4, "tags": ["hr", "time off"]},
    ),
    Document(
        text="Expense reports are due by the fifth business day of each month.",
        id_="expenses",
        metadata={"section": "finance", "page": 9},
    ),
    Document(
        text="The office coffee machine is cleaned every Friday afternoon.",
        id_="coffee",
        metadata={"section": "office"},
    ),
]


class Leave(BaseModel):
    days: int


def _index(emu: Emulator, **kw: Any) -> TelnyxIndex:
    return TelnyxIndex.from_documents(
        DOCS,
        bucket_name=f"li-{uuid.uuid4().hex[:12]}",
        api_key="test-key",
        base_url=emu.base_url,
        storage_url=emu.storage_url,
        poll_interval=0.01,
        **kw,
    )


@pytest.fixture
def index(emu: Emulator) -> TelnyxIndex:
    return _index(emu)


def test_from_documents_uploads_whole_documents_and_retrieves_them(
    index: TelnyxIndex, emu: Emulator
) -> None:
    nodes = index.as_retriever(similarity_top_k=2).retrieve("How many vacation days?")
    assert len(nodes) == 2
    top = nodes[0]
    assert top.node.ref_doc_id == "leave"
    assert top.node.metadata == DOCS[0].metadata  # exactly, list included
    assert top.node.get_content() == DOCS[0].text
    assert top.score is not None
    assert top.score >= nodes[1].score
    assert sorted(index.documents.ids()) == ["coffee", "expenses", "leave"]


def test_query_engine_answers_with_sources(index: TelnyxIndex, emu: Emulator) -> None:
    engine = index.as_query_engine(llm=make_llm(emu), similarity_top_k=1)
    response = engine.query("How many vacation days do employees get?")
    assert [n.node.ref_doc_id for n in response.source_nodes] == ["leave"]
    prompt = chat_bodies(emu)[-1]["messages"][-1]["content"]
    assert "25 vacation days" in prompt  # the chunk reached the LLM as context
    assert str(response)


def test_insert_then_delete_ref_doc(index: TelnyxIndex, emu: Emulator) -> None:
    index.insert(Document(text="Parking spots are assigned by lottery.", id_="parking"))
    retriever = index.as_retriever(similarity_top_k=1)
    assert retriever.retrieve("parking lottery")[0].node.ref_doc_id == "parking"
    index.delete_ref_doc("leave")
    engine = index.as_query_engine(llm=make_llm(emu), similarity_top_k=3)
    response = engine.query("How many vacation days?")
    sources = {n.node.ref_doc_id for n in response.source_nodes}
    assert "leave" not in sources
    assert sources <= {"parking", "expenses", "coffee"}
    assert "25 vacation days" not in chat_bodies(emu)[-1]["messages"][-1]["content"]


def test_update_ref_doc_replaces_the_text(index: TelnyxIndex) -> None:
    index.update_ref_doc(
        Document(text="Vacation policy: 30 vacation days per year.", id_="leave", metadata={})
    )
    top = index.as_retriever(similarity_top_k=1).retrieve("vacation days")[0]
    assert (top.node.ref_doc_id, top.node.get_content(), top.node.metadata) == (
        "leave",
        "Vacation policy: 30 vacation days per year.",
        {},
    )


def test_nodes_keep_their_ids_and_go_with_their_ref_doc(index: TelnyxIndex) -> None:
    source = Document(text="unused", id_="manual")
    nodes = [
        TextNode(text="Printers are on the second floor.", id_="n-1", metadata={"n": 1}),
        TextNode(text="Badges open the garage door.", id_="n-2", metadata={"n": 2}),
    ]
    for node in nodes:
        node.relationships[NodeRelationship.SOURCE] = source.as_related_node_info()
    index.insert_nodes(nodes)
    assert sorted(index.ref_doc_info["manual"].node_ids) == ["n-1", "n-2"]
    assert index.ref_doc_info["leave"].node_ids == ["leave"]
    top = index.as_retriever(similarity_top_k=1).retrieve("Where are the printers?")[0]
    assert (top.node.node_id, top.node.ref_doc_id, top.node.metadata) == ("n-1", "manual", {"n": 1})
    index.delete_ref_doc("manual")
    assert "manual" not in index.ref_doc_info
    found = index.as_retriever(similarity_top_k=5).retrieve("printers badges garage")
    assert {n.node.ref_doc_id for n in found} == {"leave", "expenses", "coffee"}


async def test_async_insert_retrieve_query_delete(emu: Emulator) -> None:
    index = _index(emu)
    await index.ainsert(Document(text="Lunch is served at noon.", id_="lunch", metadata={"a": 1}))
    retriever = index.as_retriever(similarity_top_k=1)
    top = (await retriever.aretrieve("When is lunch?"))[0]
    assert (top.node.ref_doc_id, top.node.metadata) == ("lunch", {"a": 1})
    response = await index.as_query_engine(llm=make_llm(emu)).aquery("When is lunch?")
    assert "lunch" in {n.node.ref_doc_id for n in response.source_nodes}
    await index.adelete_ref_doc("lunch")
    after = await index.as_retriever(similarity_top_k=5).aretrieve("When is lunch?")
    assert "lunch" not in {n.node.ref_doc_id for n in after}


def test_chat_engine(index: TelnyxIndex, emu: Emulator) -> None:
    engine = index.as_chat_engine(llm=make_llm(emu), similarity_top_k=1)
    reply = engine.chat("How many vacation days do we get?")
    assert [n.node.ref_doc_id for n in reply.source_nodes] == ["leave"]
    assert any(
        "25 vacation days" in str(m.get("content")) for m in chat_bodies(emu)[-1]["messages"]
    )


def test_grounded_query_engine_sends_one_request(index: TelnyxIndex, emu: Emulator) -> None:
    emu_journal_before = len(chat_bodies(emu))
    engine = index.as_query_engine(
        llm=make_llm(emu), output_cls=Leave, use_retrieval_tool=True, similarity_top_k=2
    )
    response = engine.query("How many vacation days?")
    assert isinstance(response, PydanticResponse)
    assert isinstance(response.response, Leave)
    bodies = chat_bodies(emu)[emu_journal_before:]
    assert len(bodies) == 1
    assert bodies[0]["tools"] == [
        {
            "type": "retrieval",
            "retrieval": {"bucket_ids": [index.bucket_name], "max_num_results": 2},
        }
    ]
    assert bodies[0]["response_format"]["json_schema"]["schema"] == Leave.model_json_schema()
    assert not [k for k in bodies[0] if k.startswith("guided_")]


def test_grounded_query_engine_value_comes_from_the_bucket(
    index: TelnyxIndex, emu: Emulator
) -> None:
    engine = index.as_query_engine(llm=make_llm(emu), output_cls=Leave, use_retrieval_tool=True)
    assert engine.query("How many vacation days?").response == Leave(days=25)


def test_grounded_query_engine_needs_a_telnyx_llm(index: TelnyxIndex) -> None:
    from llama_index.core.llms import MockLLM

    with pytest.raises(InvalidParameterError, match="llm"):
        index.as_query_engine(llm=MockLLM(), use_retrieval_tool=True)


def test_bad_documents_are_refused_naming_them(emu: Emulator) -> None:
    with pytest.raises(InvalidParameterError, match=r"documents\[1\]: is empty"):
        TelnyxIndex.from_documents(
            [Document(text="ok"), Document(text="  ")],
            bucket_name="li-bad-docs",
            api_key="test-key",
            base_url=emu.base_url,
            storage_url=emu.storage_url,
        )
    assert not [e for e in emu.journal if "li-bad-docs" in e.path]


def test_missing_bucket_is_named(emu: Emulator) -> None:
    index = TelnyxIndex(
        "li-never-created",
        api_key="test-key",
        base_url=emu.base_url,
        storage_url=emu.storage_url,
    )
    with pytest.raises(BucketNotFoundError, match="li-never-created"):
        index.as_retriever().retrieve("anything")


async def test_a_new_index_asks_the_bucket_region_once(emu: Emulator) -> None:
    # TelnyxIndex(bucket) opens an existing bucket: its first retrieval is one search plus
    # one HEAD per hit, with the bucket's region asked once, sync and async alike.
    built = _index(emu)
    for run in ("sync", "async"):
        emu.clear_journal()
        index = TelnyxIndex(
            built.bucket_name,
            api_key="test-key",
            base_url=emu.base_url,
            storage_url=emu.storage_url,
        )
        retriever = index.as_retriever(similarity_top_k=3)
        if run == "sync":
            nodes = retriever.retrieve("vacation days")
        else:
            nodes = await retriever.aretrieve("vacation days")
        assert len(nodes) == 3
        heads = [e for e in emu.journal if e.method == "HEAD"]
        where = [e for e in emu.journal if e.method == "GET" and "location" in e.query]
        assert (run, len(heads), len(where)) == (run, 3, 1)


def test_an_invalid_bucket_name_is_refused_at_construction(emu: Emulator) -> None:
    with pytest.raises(InvalidParameterError) as info:
        TelnyxIndex("Not A Bucket", api_key="test-key", base_url=emu.base_url)
    assert info.value.param == "bucket_name"
    assert not emu.journal
