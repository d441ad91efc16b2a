"""Retrieval with Telnyx in LlamaIndex: a bucket retriever in a query engine, and a local
VectorStoreIndex on Telnyx embeddings. Mirrors ``notebooks/llamaindex_rag.ipynb``.

    python examples/llamaindex_rag.py       # offline unless TELNYX_API_KEY is set

With a key, set ``TELNYX_BUCKET`` to an embedded Telnyx Storage bucket.
"""

from __future__ import annotations

import os

from _connection import telnyx_or_emulator
from llama_index.core import Document, VectorStoreIndex
from llama_index.core.base.response.schema import RESPONSE_TYPE
from llama_index.core.query_engine import RetrieverQueryEngine

from llama_index_telnyx import Telnyx, TelnyxBucketRetriever, TelnyxEmbedding

BUCKET = os.environ.get("TELNYX_BUCKET", "acme-handbook")
HANDBOOK = {
    "refunds.md": "Refunds are issued to the original card within five business days.",
    "shipping.md": "Orders ship from Chicago and arrive in two to four business days.",
    "support.md": "Support answers by chat and phone around the clock, every day.",
}
QUESTION = "How long do refunds take?"


def show(title: str, response: RESPONSE_TYPE) -> None:
    print(f"{title}: {response}")
    for node in response.source_nodes:
        print(f"  {node.node.metadata['filename']} (score {node.score or 0:.2f})")


def main() -> None:
    with telnyx_or_emulator() as target:
        if target.emulator:  # Telnyx would already hold this embedded bucket
            target.emulator.seed_bucket(BUCKET, texts=HANDBOOK)
        llm = Telnyx(**target.connection, temperature=0, enable_thinking=False)

        retriever = TelnyxBucketRetriever(BUCKET, similarity_top_k=2, **target.connection)
        show("bucket", RetrieverQueryEngine.from_args(retriever, llm=llm).query(QUESTION))

        documents = [Document(text=t, metadata={"filename": n}) for n, t in HANDBOOK.items()]
        index = VectorStoreIndex.from_documents(
            documents, embed_model=TelnyxEmbedding(**target.connection)
        )
        show("local index", index.as_query_engine(llm=llm, similarity_top_k=2).query(QUESTION))


if __name__ == "__main__":
    main()
