"""From local documents to answers on Telnyx, in LlamaIndex: build a ``TelnyxIndex`` (upload,
embed, wait), answer with a query engine that cites its source nodes, then let Telnyx search
the bucket itself in one request (its retrieval tool, with a structured answer). Mirrors
``notebooks/llamaindex_rag.ipynb``.

    python examples/llamaindex_rag.py       # offline unless TELNYX_API_KEY is set

With a key, set ``TELNYX_BUCKET`` to a bucket name of your own (names are global).
"""

from __future__ import annotations

import os

from _connection import telnyx_or_emulator
from llama_index.core import Document
from pydantic import BaseModel, Field

from llama_index_telnyx import Telnyx, TelnyxIndex

BUCKET = os.environ.get("TELNYX_BUCKET", "acme-handbook")
HANDBOOK = {
    "refunds": "Refunds are issued to the original card within 5 business days.",
    "shipping": "Orders ship from Chicago and arrive in 2 to 4 business days.",
    "support": "Support answers by chat and phone around the clock, every day.",
}
QUESTION = "How long do refunds take?"


class RefundPolicy(BaseModel):
    business_days: int = Field(description="business days until the refund arrives")


def main() -> None:
    documents = [
        Document(text=text, id_=name, metadata={"filename": f"{name}.md"})
        for name, text in HANDBOOK.items()
    ]
    with telnyx_or_emulator() as target:
        index = TelnyxIndex.from_documents(documents, bucket_name=BUCKET, **target.connection)
        llm = Telnyx(**target.connection, temperature=0, enable_thinking=False)

        response = index.as_query_engine(llm=llm, similarity_top_k=2).query(QUESTION)
        print(f"query engine: {response}")
        for node in response.source_nodes:
            print(f"  {node.node.metadata['filename']} (ref_doc_id {node.node.ref_doc_id})")

        one_request = index.as_query_engine(llm=llm, use_retrieval_tool=True)
        print(f"\nretrieval tool: {one_request.query(QUESTION)}")
        grounded = index.as_query_engine(llm=llm, output_cls=RefundPolicy, use_retrieval_tool=True)
        print(f"grounded structured answer: {grounded.query(QUESTION).response!r}")

        index.delete_ref_doc("refunds")
        left = [
            n.node.ref_doc_id for n in index.as_retriever(similarity_top_k=3).retrieve(QUESTION)
        ]
        print(f"\nafter delete_ref_doc('refunds'): {left}")


if __name__ == "__main__":
    main()
