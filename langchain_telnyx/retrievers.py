"""``TelnyxBucketRetriever``: similarity search over an embedded Telnyx Storage bucket.

Two ways to ground a chat model in a bucket:

* the retriever below returns ``Document``s you put in the prompt yourself — you see (and
  can cite) every chunk, its file and its distance;
* the chat ``retrieval`` tool (:func:`bucket_retrieval_tool`, bound with
  ``ChatTelnyx.bind_tools``) lets Telnyx search and add the chunks server-side — simpler,
  but the answer does not say which documents were used.
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import (
    AsyncCallbackManagerForRetrieverRun,
    CallbackManagerForRetrieverRun,
)
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, Field

from telnyx_inference._constants import DEFAULT_NUM_OF_DOCS
from telnyx_inference.buckets.bucket_api import (
    AsyncBuckets,
    Buckets,
    SearchResult,
    abucket_retrieval_tool,
    bucket_retrieval_tool,
)
from telnyx_inference.buckets.bucket_wire import hit_metadata
from telnyx_inference.connection import ConnectionFields

__all__ = [
    "TelnyxBucketRetriever",
    "abucket_retrieval_tool",
    "bucket_retrieval_tool",
    "result_to_document",
]


def result_to_document(result: SearchResult, bucket_name: str) -> Document:
    """The chunk as ``page_content``; where it came from and how close it is in ``metadata``."""
    return Document(page_content=result.chunk, metadata=hit_metadata(result, bucket_name))


class TelnyxBucketRetriever(ConnectionFields, BaseRetriever):
    """Retrieves the chunks of an embedded Telnyx bucket closest to the query.

    ::

        retriever = TelnyxBucketRetriever(bucket_name="docs", k=4)
        docs = retriever.invoke("How long do refunds take?")
        docs[0].metadata["filename"], docs[0].metadata["certainty"]
        retriever.invoke("refunds", k=1)                  # per-call override

    Unknown buckets raise :class:`~telnyx_inference.errors.BucketNotFoundError` naming the
    bucket; an empty query raises ``ValueError``.
    """

    model_config = ConfigDict(populate_by_name=True, extra="forbid")

    bucket_name: str = Field(min_length=1)
    k: int = Field(default=DEFAULT_NUM_OF_DOCS, ge=1)
    """How many chunks to return (sent as Telnyx's ``num_of_docs``)."""

    def _k(self, kwargs: dict[str, Any]) -> int:
        unknown = set(kwargs) - {"k"}
        if unknown:
            raise TypeError(f"unexpected arguments {sorted(unknown)}; only k may be given per call")
        k: int = kwargs.get("k", self.k)
        return k

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, **kwargs: Any
    ) -> list[Document]:
        k = self._k(kwargs)
        found = Buckets(self.telnyx_client()).search(self.bucket_name, query, num_of_docs=k)
        return [result_to_document(r, self.bucket_name) for r in found]

    async def _aget_relevant_documents(
        self, query: str, *, run_manager: AsyncCallbackManagerForRetrieverRun, **kwargs: Any
    ) -> list[Document]:
        k = self._k(kwargs)
        buckets = AsyncBuckets(self.telnyx_async_client())
        found = await buckets.search(self.bucket_name, query, num_of_docs=k)
        return [result_to_document(r, self.bucket_name) for r in found]
