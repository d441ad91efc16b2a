"""``TelnyxEmbedding``: LlamaIndex embeddings on Telnyx's OpenAI-compatible endpoint."""

from __future__ import annotations

from typing import Any

from llama_index.core.base.embeddings.base import BaseEmbedding, Embedding
from pydantic import ConfigDict, Field

from telnyx_inference._constants import DEFAULT_EMBEDDING_MODEL
from telnyx_inference.connection import ConnectionFields
from telnyx_inference.embeddings import (
    DEFAULT_EMBEDDING_BATCH_SIZE,
    AsyncEmbedder,
    Embedder,
    check_query,
)

__all__ = ["TelnyxEmbedding"]


class TelnyxEmbedding(ConnectionFields, BaseEmbedding):
    """Telnyx embeddings for LlamaIndex (``thenlper/gte-large`` by default).

    ::

        from llama_index.core import Settings, VectorStoreIndex
        from llama_index_telnyx import TelnyxEmbedding

        Settings.embed_model = TelnyxEmbedding(embed_batch_size=64)
        index = VectorStoreIndex.from_documents(docs)

    Each batch of ``embed_batch_size`` texts is one request; ``dimensions`` asks for
    shorter vectors. The key never appears in ``to_dict()``, ``to_json()`` or payloads.
    """

    model_config = ConfigDict(extra="forbid")

    model_name: str = Field(default=DEFAULT_EMBEDDING_MODEL)
    embed_batch_size: int = Field(default=DEFAULT_EMBEDDING_BATCH_SIZE, gt=0, le=2048)
    dimensions: int | None = Field(default=None, ge=1)

    @classmethod
    def class_name(cls) -> str:
        return "TelnyxEmbedding"

    def _embedder_kwargs(self) -> dict[str, Any]:
        return {
            "model": self.model_name,
            "dimensions": self.dimensions,
            "batch_size": self.embed_batch_size,
        }

    def _embedder(self) -> Embedder:
        return Embedder(self.telnyx_client(), **self._embedder_kwargs())

    def _aembedder(self) -> AsyncEmbedder:
        return AsyncEmbedder(self.telnyx_async_client(), **self._embedder_kwargs())

    def _get_query_embedding(self, query: str) -> Embedding:
        return self._embedder().embed([check_query(query)])[0]

    async def _aget_query_embedding(self, query: str) -> Embedding:
        return (await self._aembedder().embed([check_query(query)]))[0]

    def _get_text_embedding(self, text: str) -> Embedding:
        return self._embedder().embed([text])[0]

    async def _aget_text_embedding(self, text: str) -> Embedding:
        return (await self._aembedder().embed([text]))[0]

    def _get_text_embeddings(self, texts: list[str]) -> list[Embedding]:
        return self._embedder().embed(texts)

    async def _aget_text_embeddings(self, texts: list[str]) -> list[Embedding]:
        return await self._aembedder().embed(texts)
