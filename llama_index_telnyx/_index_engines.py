"""What ``TelnyxIndex`` hands out: its retriever, and the one-request grounded query engine."""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING, Any

from llama_index.core.base.base_query_engine import BaseQueryEngine
from llama_index.core.base.base_retriever import BaseRetriever
from llama_index.core.base.llms.types import ChatMessage, MessageRole
from llama_index.core.base.response.schema import PydanticResponse, Response
from llama_index.core.bridge.pydantic import BaseModel
from llama_index.core.callbacks import CallbackManager
from llama_index.core.prompts import PromptTemplate
from llama_index.core.prompts.mixin import PromptMixinType
from llama_index.core.schema import (
    NodeRelationship,
    NodeWithScore,
    QueryBundle,
    RelatedNodeInfo,
    TextNode,
)

from telnyx_inference.buckets.documents import DocumentHit
from telnyx_inference.chat.tools import RetrievalTool
from telnyx_inference.errors import InvalidParameterError

if TYPE_CHECKING:
    from llama_index_telnyx.indices import TelnyxIndex
    from llama_index_telnyx.llm import Telnyx

__all__ = ["TelnyxGroundedQueryEngine", "TelnyxIndexRetriever", "hits_to_nodes"]

_QUESTION = PromptTemplate("{query_str}")


def hits_to_nodes(hits: list[DocumentHit]) -> list[NodeWithScore]:
    """Nodes with the stored metadata and ``ref_doc_id``; score = certainty (higher is closer).

    A node's id is the stored id; a second chunk of the same document gets ``#2``, ``#3``...
    """
    seen: dict[str, int] = {}
    out = []
    for hit in hits:
        base = hit.id or str(
            uuid.uuid5(uuid.NAMESPACE_URL, f"{hit.result.filename}\x00{hit.chunk}")
        )
        seen[base] = seen.get(base, 0) + 1
        node = TextNode(
            id_=base if seen[base] == 1 else f"{base}#{seen[base]}",
            text=hit.chunk,
            metadata=dict(hit.metadata),
        )
        if hit.ref_id is not None:
            node.relationships[NodeRelationship.SOURCE] = RelatedNodeInfo(node_id=hit.ref_id)
        out.append(NodeWithScore(node=node, score=hit.score))
    return out


class TelnyxIndexRetriever(BaseRetriever):
    """Similarity search over a :class:`TelnyxIndex`'s bucket, run by Telnyx."""

    def __init__(
        self,
        index: TelnyxIndex,
        similarity_top_k: int,
        callback_manager: CallbackManager | None = None,
    ) -> None:
        if isinstance(similarity_top_k, bool) or not isinstance(similarity_top_k, int):
            raise InvalidParameterError("similarity_top_k", "must be an int")
        if similarity_top_k < 1:
            raise InvalidParameterError("similarity_top_k", "must be at least 1")
        self._index = index
        self.similarity_top_k = similarity_top_k
        super().__init__(callback_manager=callback_manager)

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        hits = self._index.documents.search(query_bundle.query_str, self.similarity_top_k)
        return hits_to_nodes(hits)

    async def _aretrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        hits = await self._index.adocuments.search(query_bundle.query_str, self.similarity_top_k)
        return hits_to_nodes(hits)


def _response(result: Any) -> Response | PydanticResponse:
    if isinstance(result, BaseModel):
        return PydanticResponse(response=result)
    return Response(response=result if isinstance(result, str) else json.dumps(result))


class TelnyxGroundedQueryEngine(BaseQueryEngine):
    """Answers in one request: Telnyx searches the bucket (its ``retrieval`` tool) and, with
    an ``output_cls``, ``response_format: json_schema`` shapes the answer (the LLM's
    ``structured_method`` decides). No source nodes: Telnyx does not say which chunks it used
    (use the index's ordinary query engine for citations)."""

    def __init__(
        self,
        llm: Telnyx,
        retrieval: RetrievalTool,
        output_cls: Any = None,
        callback_manager: CallbackManager | None = None,
    ) -> None:
        from llama_index_telnyx.llm import Telnyx

        if not isinstance(llm, Telnyx):
            raise InvalidParameterError(
                "llm", "the retrieval tool runs on Telnyx: pass llm=Telnyx(...)"
            )
        self._llm = llm
        self._retrieval = retrieval
        self._output_cls = output_cls
        super().__init__(callback_manager=callback_manager)

    def _get_prompt_modules(self) -> PromptMixinType:
        return {}

    def _query(self, query_bundle: QueryBundle) -> Response | PydanticResponse:
        if self._output_cls is not None:
            result = self._llm.structured_predict(
                self._output_cls,
                _QUESTION,
                llm_kwargs={"retrieval": self._retrieval},
                query_str=query_bundle.query_str,
            )
            return _response(result)
        answer = self._llm.chat(self._messages(query_bundle), retrieval=self._retrieval)
        return Response(response=answer.message.content or "")

    async def _aquery(self, query_bundle: QueryBundle) -> Response | PydanticResponse:
        if self._output_cls is not None:
            result = await self._llm.astructured_predict(
                self._output_cls,
                _QUESTION,
                llm_kwargs={"retrieval": self._retrieval},
                query_str=query_bundle.query_str,
            )
            return _response(result)
        answer = await self._llm.achat(self._messages(query_bundle), retrieval=self._retrieval)
        return Response(response=answer.message.content or "")

    @staticmethod
    def _messages(query_bundle: QueryBundle) -> list[ChatMessage]:
        return [ChatMessage(role=MessageRole.USER, content=query_bundle.query_str)]
