"""Retrieval over a Telnyx bucket in LangChain: embed the bucket, answer with a retriever chain
that cites its sources, then ask through Telnyx's retrieval tool. Mirrors
``notebooks/langchain_rag.ipynb``.

    python examples/langchain_rag.py        # offline unless TELNYX_API_KEY is set

With a key, set ``TELNYX_BUCKET`` to a Telnyx Storage bucket holding your files.
"""

from __future__ import annotations

import os
from typing import Any

from _connection import telnyx_or_emulator
from langchain_core.documents import Document
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import RunnableParallel, RunnablePassthrough

from langchain_telnyx import ChatTelnyx, TelnyxBucketRetriever, bucket_retrieval_tool
from telnyx_inference import Buckets

BUCKET = os.environ.get("TELNYX_BUCKET", "acme-handbook")
HANDBOOK = {
    "refunds.md": "Refunds are issued to the original card within five business days.",
    "shipping.md": "Orders ship from Chicago and arrive in two to four business days.",
    "support.md": "Support answers by chat and phone around the clock, every day.",
}
QUESTION = "How long do refunds take?"

PROMPT = ChatPromptTemplate.from_messages(
    [
        ("system", "Answer only from these sources, citing them like [1].\n\n{sources}"),
        ("human", "{question}"),
    ]
)


def numbered(docs: list[Document]) -> str:
    return "\n".join(f"[{i}] {d.page_content}" for i, d in enumerate(docs, 1))


def main() -> None:
    with telnyx_or_emulator() as target:
        if target.emulator:  # Telnyx would already hold these files in storage
            target.emulator.seed_bucket(BUCKET, texts=HANDBOOK, embed=False)

        buckets = Buckets(**target.connection)
        job = buckets.wait(buckets.embed(BUCKET), progress=True)
        print(f"embedding job: {job.status}")

        llm = ChatTelnyx(**target.connection, temperature=0, enable_thinking=False)
        retriever = TelnyxBucketRetriever(bucket_name=BUCKET, k=2, **target.connection)

        def prompt_input(x: dict[str, Any]) -> dict[str, str]:
            return {"sources": numbered(x["docs"]), "question": x["question"]}

        answer = prompt_input | PROMPT | llm | StrOutputParser()
        rag = RunnableParallel(docs=retriever, question=RunnablePassthrough()).assign(answer=answer)
        result = rag.invoke(QUESTION)
        print(f"\nretriever chain: {result['answer']}")
        for i, doc in enumerate(result["docs"], 1):
            print(f"  [{i}] {doc.metadata['filename']} (score {doc.metadata['score']:.2f})")

        tool = bucket_retrieval_tool(BUCKET, max_num_results=2, validate=True, **target.connection)
        print(f"\nretrieval tool: {llm.bind_tools([tool]).invoke(QUESTION).text}")


if __name__ == "__main__":
    main()
