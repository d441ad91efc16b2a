"""``TelnyxBucketRetriever``: LlamaIndex retrieval from an embedded Telnyx Storage bucket.

Use it in a ``RetrieverQueryEngine`` to answer with citations (each node names its file and
score). The alternative, :func:`bucket_retrieval_tool`, hands the bucket to Telnyx's
server-side ``retrieval`` chat tool: less code, but no record of which chunks were used.
"""

from __future__ import annotations

import uuid
from typing import Any

from llama_index.core.base.base_retriever import BaseRetriever
from llama_index.core.callbacks import CallbackManager
from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode

from telnyx_inference._constants import DEFAULT_NUM_OF_DOCS
from telnyx_inference.buckets.bucket_api import (
    AsyncBuckets,
    Buckets,
    SearchResult,
    abucket_retrieval_tool,
    bucket_retrieval_tool,
)
from telnyx_inference.buckets.bucket_wire import check_bucket_name, hit_metadata
from telnyx_inference.connection import ConnectionFields
from telnyx_inference.errors import InvalidParameterError

__all__ = [
    "TelnyxBucketRetriever",
    "abucket_retrieval_tool",
    "bucket_retrieval_tool",
    "result_to_node",
]

_NOT_FOR_MODELS = ["distance", "certainty", "score", "bucket_name", "checksum", "embedding_model"]
"""Metadata kept on the node for the caller but left out of the LLM prompt and embeddings."""


def result_to_node(result: SearchResult, bucket_name: str) -> NodeWithScore:
    """A node whose score is higher-is-better (certainty, or ``1 - distance``)."""
    key = f"{bucket_name}\x00{result.source}\x00{result.checksum}\x00{result.chunk}"
    node = TextNode(
        id_=str(uuid.uuid5(uuid.NAMESPACE_URL, key)),
        text=result.chunk,
        metadata=hit_metadata(result, bucket_name),
        excluded_llm_metadata_keys=list(_NOT_FOR_MODELS),
        excluded_embed_metadata_keys=list(_NOT_FOR_MODELS),
    )
    return NodeWithScore(node=node, score=result.score)


class TelnyxBucketRetriever(BaseRetriever):
    """Retrieves the ``similarity_top_k`` chunks of a Telnyx bucket closest to the query.

    ::

        retriever = TelnyxBucketRetriever("docs", similarity_top_k=4)
        engine = RetrieverQueryEngine.from_args(retriever, llm=Telnyx())
        answer = engine.query("How long do refunds take?")
        [n.node.metadata["filename"] for n in answer.source_nodes]
    """

    def __init__(
        self,
        bucket_name: str,
        similarity_top_k: int = DEFAULT_NUM_OF_DOCS,
        *,
        callback_manager: CallbackManager | None = None,
        verbose: bool = False,
        **connection: Any,
    ) -> None:
        """``connection``: the connection settings every Telnyx class takes (``api_key``,
        ``base_url``, ``total_timeout``, ``http_client``, …; see ``ConnectionFields``)."""
        if isinstance(similarity_top_k, bool) or not isinstance(similarity_top_k, int):
            raise InvalidParameterError(
                "similarity_top_k", f"expected an int, got {similarity_top_k!r}"
            )
        if similarity_top_k < 1:
            raise InvalidParameterError(
                "similarity_top_k", f"must be at least 1, got {similarity_top_k}"
            )
        self.bucket_name = check_bucket_name(bucket_name)
        self.similarity_top_k = similarity_top_k
        self._connection = ConnectionFields.from_settings(**connection)
        super().__init__(callback_manager=callback_manager, verbose=verbose)

    @property
    def base_url(self) -> str | None:
        return self._connection.base_url

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        buckets = Buckets(self._connection.telnyx_client())
        found = buckets.search(
            self.bucket_name, query_bundle.query_str, num_of_docs=self.similarity_top_k
        )
        return [result_to_node(r, self.bucket_name) for r in found]

    async def _aretrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        buckets = AsyncBuckets(self._connection.telnyx_async_client())
        found = await buckets.search(
            self.bucket_name, query_bundle.query_str, num_of_docs=self.similarity_top_k
        )
        return [result_to_node(r, self.bucket_name) for r in found]

    def __repr__(self) -> str:
        return (
            f"TelnyxBucketRetriever(bucket_name={self.bucket_name!r}, "
            f"similarity_top_k={self.similarity_top_k}, base_url={self.base_url!r})"
        )
