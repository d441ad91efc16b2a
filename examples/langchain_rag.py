"""From local documents to answers on Telnyx, in LangChain: build a ``TelnyxVectorStore``
(upload, embed, wait), answer with a retriever chain that cites its sources, then let Telnyx
search the bucket itself — its retrieval tool, and a grounded structured answer in one
request. Mirrors ``notebooks/langchain_rag.ipynb``.

    python examples/langchain_rag.py        # offline unless TELNYX_API_KEY is set

With a key, set ``TELNYX_BUCKET`` to a bucket name of your own (names are global).
"""

from __future__ import annotations

import os
from typing import Any

from _connection import telnyx_or_emulator
from langchain_core.documents import Document
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import RunnableParallel, RunnablePassthrough
from pydantic import BaseModel, Field

from langchain_telnyx import ChatTelnyx, TelnyxVectorStore

BUCKET = os.environ.get("TELNYX_BUCKET", "acme-handbook")
HANDBOOK = {
    "refunds": "Refunds are issued to the original card within 5 business days.",
    "shipping": "Orders ship from Chicago and arrive in 2 to 4 business days.",
    "support": "Support answers by chat and phone around the clock, every day.",
}
QUESTION = "How long do refunds take?"

PROMPT = ChatPromptTemplate.from_messages(
    [
        ("system", "Answer only from these sources, citing them like [1].\n\n{sources}"),
        ("human", "{question}"),
    ]
)


class RefundPolicy(BaseModel):
    business_days: int = Field(description="business days until the refund arrives")


def numbered(docs: list[Document]) -> str:
    return "\n".join(f"[{i}] {d.page_content}" for i, d in enumerate(docs, 1))


def main() -> None:
    documents = [
        Document(id=name, page_content=text, metadata={"source": f"{name}.md"})
        for name, text in HANDBOOK.items()
    ]
    with telnyx_or_emulator() as target:
        store = TelnyxVectorStore.from_documents(
            documents, bucket_name=BUCKET, progress=False, **target.connection
        )
        print(f"store: {len(store.get_by_ids(list(HANDBOOK)))} documents in {BUCKET!r}")

        llm = ChatTelnyx(**target.connection, temperature=0, enable_thinking=False)

        def prompt_input(x: dict[str, Any]) -> dict[str, str]:
            return {"sources": numbered(x["docs"]), "question": x["question"]}

        retriever = store.as_retriever(search_kwargs={"k": 2})
        answer = prompt_input | PROMPT | llm | StrOutputParser()
        rag = RunnableParallel(docs=retriever, question=RunnablePassthrough()).assign(answer=answer)
        result = rag.invoke(QUESTION)
        print(f"\nretriever chain: {result['answer']}")
        for i, doc in enumerate(result["docs"], 1):
            print(f"  [{i}] {doc.metadata['source']} (id {doc.id})")

        tool = store.retrieval_tool(max_num_results=2)
        print(f"\nretrieval tool: {llm.bind_tools([tool]).invoke(QUESTION).text}")
        grounded = llm.with_structured_output(RefundPolicy, retrieval=tool).invoke(QUESTION)
        print(f"grounded structured answer: {grounded!r}")


if __name__ == "__main__":
    main()
