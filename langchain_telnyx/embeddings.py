"""``TelnyxEmbeddings``: LangChain embeddings on Telnyx's OpenAI-compatible endpoint."""

from __future__ import annotations

from typing import Any

from langchain_core.embeddings import Embeddings
from pydantic import AliasChoices, ConfigDict, Field

from telnyx_inference._constants import DEFAULT_EMBEDDING_MODEL
from telnyx_inference.connection import ConnectionFields
from telnyx_inference.embeddings import (
    DEFAULT_EMBEDDING_BATCH_SIZE,
    AsyncEmbedder,
    Embedder,
    check_query,
)

__all__ = ["TelnyxEmbeddings"]


class TelnyxEmbeddings(ConnectionFields, Embeddings):
    """Telnyx embeddings for LangChain; a drop-in for the official package's constructor.

    ::

        from langchain_telnyx import TelnyxEmbeddings

        emb = TelnyxEmbeddings()                      # thenlper/gte-large, TELNYX_API_KEY
        emb.embed_documents(["Telnyx runs a global IP network."])
        await emb.aembed_query("Who runs a global network?")

    ``batch_size`` (alias ``chunk_size``, as in ``OpenAIEmbeddings``) caps texts per request;
    ``dimensions`` asks for shorter vectors. Vectors are always floats.
    """

    model_config = ConfigDict(populate_by_name=True, protected_namespaces=(), extra="forbid")

    model: str = Field(
        default=DEFAULT_EMBEDDING_MODEL, validation_alias=AliasChoices("model", "model_name")
    )
    dimensions: int | None = Field(default=None, ge=1)
    batch_size: int = Field(
        default=DEFAULT_EMBEDDING_BATCH_SIZE,
        ge=1,
        validation_alias=AliasChoices("batch_size", "chunk_size"),
    )

    def _embedder_kwargs(self) -> dict[str, Any]:
        return {"model": self.model, "dimensions": self.dimensions, "batch_size": self.batch_size}

    def _embedder(self) -> Embedder:
        return Embedder(self.telnyx_client(), **self._embedder_kwargs())

    def _aembedder(self) -> AsyncEmbedder:
        return AsyncEmbedder(self.telnyx_async_client(), **self._embedder_kwargs())

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """One vector per text, in order; an empty list sends nothing."""
        return self._embedder().embed(texts)

    def embed_query(self, text: str) -> list[float]:
        """The vector of one query; an empty query raises ``ValueError``."""
        return self._embedder().embed([check_query(text, "text")])[0]

    async def aembed_documents(self, texts: list[str]) -> list[list[float]]:
        return await self._aembedder().embed(texts)

    async def aembed_query(self, text: str) -> list[float]:
        return (await self._aembedder().embed([check_query(text, "text")]))[0]

    @property
    def _llm_type(self) -> str:
        return "telnyx-embedding"
