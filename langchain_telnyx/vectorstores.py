"""``TelnyxVectorStore``: a LangChain ``VectorStore`` over one Telnyx Storage bucket.

Telnyx embeds and searches on its side: documents go into the bucket as objects (one per
document, the text as the body, the metadata as object metadata), the bucket is embedded,
and similarity search runs on Telnyx. So there is no ``embedding`` argument, and searching by
vector is not possible::

    store = TelnyxVectorStore.from_documents(docs, bucket_name="handbook")
    store.add_texts(["Staff get 25 vacation days."], metadatas=[{"page": 4}], ids=["leave"])
    store.similarity_search("vacation", k=2)                # chunks, with id and metadata
    store.similarity_search_with_score("vacation")          # (Document, cosine distance)
    store.as_retriever(search_kwargs={"k": 3})
    store.delete(["leave"])

The same bucket also works with the server-side ``retrieval`` tool:
``llm.with_structured_output(Schema, retrieval=store.retrieval_tool())``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Self

from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.vectorstores import VectorStore, VectorStoreRetriever

from telnyx_inference._constants import DEFAULT_POLL_INTERVAL
from telnyx_inference.buckets.bucket_api import DEFAULT_JOB_TIMEOUT
from telnyx_inference.buckets.documents import (
    AsyncDocumentBucket,
    DocumentBucket,
    DocumentHit,
    DocumentRecord,
    EmbedOptions,
    PlannedObject,
    connection_settings,
    plan_objects,
)
from telnyx_inference.chat.tools import RetrievalTool
from telnyx_inference.errors import InvalidParameterError

__all__ = ["TelnyxVectorStore"]


def _document(hit: DocumentHit) -> Document:
    return Document(id=hit.id, page_content=hit.chunk, metadata=hit.metadata)


def _from_record(record: DocumentRecord) -> Document:
    return Document(id=record.id, page_content=record.text, metadata=record.metadata)


def _no_embedding(embedding: Embeddings | None) -> None:
    if embedding is not None:
        raise InvalidParameterError(
            "embedding",
            "Telnyx embeds bucket documents on its side; leave it out (pick the model with "
            "embedding_model=...)",
        )


_NO_MMR = (
    "TelnyxVectorStore has no MMR search: maximal marginal relevance compares the documents' "
    "embeddings, which Telnyx keeps on its side. Use search_type='similarity' (or "
    "'similarity_score_threshold')."
)


def _check_search_kwargs(kwargs: dict[str, Any], what: str = "similarity search") -> None:
    if kwargs:
        raise InvalidParameterError(
            next(iter(kwargs)), f"is not an option of TelnyxVectorStore {what}"
        )


class TelnyxVectorStore(VectorStore):
    """Documents in a Telnyx bucket, embedded and searched by Telnyx (see the module docs).

    ``wait`` (default ``True``): ``add_*`` and ``delete`` return once the bucket's embeddings
    reflect the change (the bucket's first embedding job is started when needed), with a
    progress line on a terminal or in a notebook; ``wait=False`` returns right after the
    upload. Scores from ``similarity_search_with_score`` are cosine distances: **lower is
    closer**; ``similarity_search_with_relevance_scores`` gives Telnyx's certainty (higher is
    closer). Hits are chunks of the stored documents (whole documents when short).
    """

    def __init__(
        self,
        bucket_name: str,
        *,
        wait: bool = True,
        storage_url: str | None = None,
        document_chunk_size: int | None = None,
        document_chunk_overlap_size: int | None = None,
        embedding_model: str | None = None,
        embed_timeout: float | None = DEFAULT_JOB_TIMEOUT,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        progress: bool | None = None,
        **connection: Any,
    ) -> None:
        settings = connection_settings(**connection)
        options = EmbedOptions.given(
            document_chunk_size, document_chunk_overlap_size, embedding_model
        )
        self.bucket_name = bucket_name
        self.wait = wait
        self._kwargs: dict[str, Any] = {
            "settings": settings,
            "storage_url": storage_url,
            "embed_options": options,
            "timeout": embed_timeout,
            "poll_interval": poll_interval,
            "progress": progress,
        }
        self.documents = DocumentBucket(bucket_name, **self._kwargs)
        self._adocuments: AsyncDocumentBucket | None = None

    @property
    def adocuments(self) -> AsyncDocumentBucket:
        """The async twin of :attr:`documents` (built on first use)."""
        if self._adocuments is None:
            self._adocuments = AsyncDocumentBucket(self.bucket_name, **self._kwargs)
        return self._adocuments

    def __repr__(self) -> str:
        return f"TelnyxVectorStore(bucket_name={self.bucket_name!r})"

    @property
    def embeddings(self) -> Embeddings | None:
        """``None``: Telnyx embeds on its side."""
        return None

    def retrieval_tool(self, max_num_results: int | None = None) -> RetrievalTool:
        """Telnyx's server-side ``retrieval`` tool over this bucket, for ``bind_tools`` or
        ``with_structured_output(..., retrieval=...)``."""
        return RetrievalTool(bucket_ids=[self.bucket_name], max_num_results=max_num_results)

    # --- Writing --------------------------------------------------------------------------

    def ensure_bucket(self) -> str:
        """Create the bucket unless it exists (adding documents does it too); returns its home
        region. Searching a bucket that does not exist raises ``BucketNotFoundError``; an
        existing bucket with nothing embedded yet gives ``[]``."""
        return self.documents.ensure_bucket()

    async def aensure_bucket(self) -> str:
        return await self.adocuments.ensure_bucket()

    @staticmethod
    def _plan(
        texts: Iterable[str], metadatas: list[dict[str, Any]] | None, ids: list[str] | None
    ) -> list[PlannedObject]:
        return plan_objects(list(texts), metadatas, ids)

    def add_texts(
        self,
        texts: Iterable[str],
        metadatas: list[dict[str, Any]] | None = None,
        *,
        ids: list[str] | None = None,
        wait: bool | None = None,
        **kwargs: Any,
    ) -> list[str]:
        """Upload one object per text (an existing id is replaced); returns the ids."""
        _check_search_kwargs(kwargs, "add_texts")
        planned = self._plan(texts, metadatas, ids)
        return self.documents.add(planned, wait=self.wait if wait is None else wait)

    async def aadd_texts(
        self,
        texts: Iterable[str],
        metadatas: list[dict[str, Any]] | None = None,
        *,
        ids: list[str] | None = None,
        wait: bool | None = None,
        **kwargs: Any,
    ) -> list[str]:
        _check_search_kwargs(kwargs, "add_texts")
        planned = self._plan(texts, metadatas, ids)
        return await self.adocuments.add(planned, wait=self.wait if wait is None else wait)

    def delete(self, ids: list[str] | None = None, **kwargs: Any) -> bool | None:
        """Delete these documents (all of the store's documents when ``ids`` is None)."""
        wait = kwargs.pop("wait", self.wait)
        _check_search_kwargs(kwargs, "delete")
        self.documents.delete(self.documents.ids() if ids is None else ids, wait=wait)
        return True

    async def adelete(self, ids: list[str] | None = None, **kwargs: Any) -> bool | None:
        wait = kwargs.pop("wait", self.wait)
        _check_search_kwargs(kwargs, "delete")
        targets = await self.adocuments.ids() if ids is None else ids
        await self.adocuments.delete(targets, wait=wait)
        return True

    # --- Reading --------------------------------------------------------------------------

    def get_by_ids(self, ids: Sequence[str], /) -> list[Document]:
        """The whole documents with these ids, in order; unknown ids are skipped."""
        return [_from_record(r) for r in self.documents.get(ids)]

    async def aget_by_ids(self, ids: Sequence[str], /) -> list[Document]:
        return [_from_record(r) for r in await self.adocuments.get(ids)]

    def similarity_search(self, query: str, k: int = 4, **kwargs: Any) -> list[Document]:
        _check_search_kwargs(kwargs)
        return [_document(h) for h in self.documents.search(query, k)]

    async def asimilarity_search(self, query: str, k: int = 4, **kwargs: Any) -> list[Document]:
        _check_search_kwargs(kwargs)
        return [_document(h) for h in await self.adocuments.search(query, k)]

    def similarity_search_with_score(
        self, query: str, k: int = 4, **kwargs: Any
    ) -> list[tuple[Document, float]]:
        """Documents with their cosine distance to the query: lower is closer."""
        _check_search_kwargs(kwargs)
        return [(_document(h), h.distance) for h in self.documents.search(query, k)]

    async def asimilarity_search_with_score(
        self, query: str, k: int = 4, **kwargs: Any
    ) -> list[tuple[Document, float]]:
        _check_search_kwargs(kwargs)
        return [(_document(h), h.distance) for h in await self.adocuments.search(query, k)]

    def _similarity_search_with_relevance_scores(
        self, query: str, k: int = 4, **kwargs: Any
    ) -> list[tuple[Document, float]]:
        _check_search_kwargs(kwargs)
        return [(_document(h), h.score) for h in self.documents.search(query, k)]

    async def _asimilarity_search_with_relevance_scores(
        self, query: str, k: int = 4, **kwargs: Any
    ) -> list[tuple[Document, float]]:
        _check_search_kwargs(kwargs)
        return [(_document(h), h.score) for h in await self.adocuments.search(query, k)]

    def similarity_search_by_vector(
        self, embedding: list[float], k: int = 4, **kwargs: Any
    ) -> list[Document]:
        raise NotImplementedError(
            "TelnyxVectorStore cannot search by vector: Telnyx embeds the query and the "
            "documents on its side. Search with text: similarity_search(query)."
        )

    def max_marginal_relevance_search(
        self, query: str, k: int = 4, fetch_k: int = 20, lambda_mult: float = 0.5, **kwargs: Any
    ) -> list[Document]:
        raise NotImplementedError(_NO_MMR)

    async def amax_marginal_relevance_search(
        self, query: str, k: int = 4, fetch_k: int = 20, lambda_mult: float = 0.5, **kwargs: Any
    ) -> list[Document]:
        raise NotImplementedError(_NO_MMR)

    def max_marginal_relevance_search_by_vector(
        self,
        embedding: list[float],
        k: int = 4,
        fetch_k: int = 20,
        lambda_mult: float = 0.5,
        **kwargs: Any,
    ) -> list[Document]:
        raise NotImplementedError(_NO_MMR)

    def as_retriever(self, **kwargs: Any) -> VectorStoreRetriever:
        """LangChain's retriever over this store; ``search_type`` ``"similarity"`` (default)
        or ``"similarity_score_threshold"`` (Telnyx's certainty, higher is closer)."""
        if kwargs.get("search_type") == "mmr":
            raise InvalidParameterError("search_type", _NO_MMR)
        return super().as_retriever(**kwargs)

    async def asimilarity_search_by_vector(
        self, embedding: list[float], k: int = 4, **kwargs: Any
    ) -> list[Document]:
        return self.similarity_search_by_vector(embedding, k, **kwargs)

    # --- Building -------------------------------------------------------------------------

    @classmethod
    def from_texts(
        cls,
        texts: list[str],
        embedding: Embeddings | None = None,
        metadatas: list[dict[str, Any]] | None = None,
        *,
        ids: list[str] | None = None,
        **kwargs: Any,
    ) -> Self:
        """A store over ``bucket_name=`` (created if missing) holding these texts."""
        _no_embedding(embedding)
        store = cls(**kwargs)
        store.add_texts(texts, metadatas, ids=ids)
        return store

    @classmethod
    async def afrom_texts(
        cls,
        texts: list[str],
        embedding: Embeddings | None = None,
        metadatas: list[dict[str, Any]] | None = None,
        *,
        ids: list[str] | None = None,
        **kwargs: Any,
    ) -> Self:
        _no_embedding(embedding)
        store = cls(**kwargs)
        await store.aadd_texts(texts, metadatas, ids=ids)
        return store

    @classmethod
    def from_documents(
        cls, documents: list[Document], embedding: Embeddings | None = None, **kwargs: Any
    ) -> Self:
        """``TelnyxVectorStore.from_documents(docs, bucket_name="handbook")``."""
        _no_embedding(embedding)
        ids = {"ids": kwargs.pop("ids")} if "ids" in kwargs else {}
        store = cls(**kwargs)
        store.add_documents(documents, **ids)
        return store

    @classmethod
    async def afrom_documents(
        cls, documents: list[Document], embedding: Embeddings | None = None, **kwargs: Any
    ) -> Self:
        _no_embedding(embedding)
        ids = {"ids": kwargs.pop("ids")} if "ids" in kwargs else {}
        store = cls(**kwargs)
        await store.aadd_documents(documents, **ids)
        return store
