"""Bucket RAG with ChatTelnyx, both ways: the server-side retrieval tool and the retriever."""

from __future__ import annotations

import pytest
from langchain_core.documents import Document
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import RunnablePassthrough

from langchain_telnyx import ChatTelnyx
from langchain_telnyx.retrievers import TelnyxBucketRetriever, bucket_retrieval_tool
from telnyx_inference.emulator import Emulator
from telnyx_inference.errors import BucketNotFoundError

REFUNDS = "Refunds are issued within five business days of the request."


@pytest.fixture
def emu(telnyx_emulator: Emulator) -> Emulator:
    telnyx_emulator.seed_bucket(
        "kb", texts={"refunds.txt": REFUNDS, "pets.txt": "Cats sleep most of the day."}
    )
    return telnyx_emulator


def chat(emu: Emulator) -> ChatTelnyx:
    return ChatTelnyx(api_key="test-key", base_url=emu.base_url)


def test_retrieval_tool_answers_from_the_bucket(emu: Emulator) -> None:
    tool = bucket_retrieval_tool(
        "kb",
        max_num_results=1,
        validate=True,
        api_key="test-key",
        base_url=emu.base_url,
    )
    answer = chat(emu).bind_tools([tool]).invoke("How long do refunds take?")
    assert "five business days" in answer.content
    assert answer.tool_calls == []
    sent = emu.journal[-1].json
    assert sent["tools"] == [
        {"type": "retrieval", "retrieval": {"bucket_ids": ["kb"], "max_num_results": 1}}
    ]


def test_retrieval_tool_validation_catches_a_typo(emu: Emulator) -> None:
    with pytest.raises(BucketNotFoundError, match="'kbb'"):
        bucket_retrieval_tool("kbb", validate=True, api_key="test-key", base_url=emu.base_url)


def test_retriever_chain_keeps_citations(emu: Emulator) -> None:
    retriever = TelnyxBucketRetriever(
        bucket_name="kb", k=1, api_key="test-key", base_url=emu.base_url
    )

    def context(docs: list[Document]) -> str:
        return "\n".join(f"[{d.metadata['filename']}] {d.page_content}" for d in docs)

    prompt = ChatPromptTemplate.from_messages(
        [("system", "Answer from this context:\n{context}"), ("human", "{question}")]
    )
    chain = (
        {"context": retriever | context, "question": RunnablePassthrough()}
        | prompt
        | chat(emu)
        | StrOutputParser()
    )
    assert chain.invoke("How long do refunds take?")
    system = emu.journal[-1].json["messages"][0]["content"]
    assert f"[refunds.txt] {REFUNDS}" in system
