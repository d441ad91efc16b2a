"""Telnyx Storage buckets as a retrieval source: embedding jobs, status, similarity search.

The endpoints live under the Telnyx-native ``…/v2`` root, derived from the same base URL as
chat, so the emulator or a regional host moves them together. Request bodies are built and
answers read by pure functions in :mod:`telnyx_inference.buckets.bucket_wire`, and each call is
a flow in :mod:`.bucket_flows`; the clients only run it::

    buckets = Buckets(TelnyxClient())
    job = buckets.embed("docs", document_chunk_size=512)
    buckets.wait(job, timeout=600)              # progress bar on a terminal
    for hit in buckets.search("docs", "refund policy", num_of_docs=4):
        print(hit.score, hit.filename, hit.chunk[:60])

:class:`AsyncBuckets` is the same with ``await``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from telnyx_inference._constants import (
    DEFAULT_CHUNK_OVERLAP,
    DEFAULT_CHUNK_SIZE,
    DEFAULT_EMBEDDING_MODEL,
    DEFAULT_NUM_OF_DOCS,
)
from telnyx_inference.buckets.bucket_flows import (
    DEFAULT_JOB_TIMEOUT,
    DEFAULT_POLL_INTERVAL,
    BucketFlows,
    JobDeadline,
    checked_bucket_names,
)
from telnyx_inference.buckets.bucket_wire import BucketFile, EmbeddingJob, SearchResult
from telnyx_inference.chat.owners import AclosesClient, ClosesClient
from telnyx_inference.chat.tools import RetrievalTool

if TYPE_CHECKING:  # the clients import the openai SDK, loaded when a client is built
    from telnyx_inference.chat.client import AsyncTelnyxClient, TelnyxClient  # noqa: F401

__all__ = [
    "DEFAULT_JOB_TIMEOUT",
    "DEFAULT_POLL_INTERVAL",
    "AsyncBuckets",
    "BucketFile",
    "Buckets",
    "EmbeddingJob",
    "JobDeadline",
    "SearchResult",
    "abucket_retrieval_tool",
    "bucket_retrieval_tool",
]


class Buckets(ClosesClient, BucketFlows["TelnyxClient"]):
    """Embedding jobs, bucket listings and similarity search, synchronously.

    ::

        buckets = Buckets(api_key="...")       # or Buckets(TelnyxClient(...))
        buckets.wait(buckets.embed("docs"))
        hits = buckets.search("docs", "how do refunds work?")
    """

    _client_class = "TelnyxClient"

    def embed(
        self,
        bucket_name: str,
        *,
        document_chunk_size: int = DEFAULT_CHUNK_SIZE,
        document_chunk_overlap_size: int = DEFAULT_CHUNK_OVERLAP,
        embedding_model: str = DEFAULT_EMBEDDING_MODEL,
        loader: str = "default",
    ) -> EmbeddingJob:
        """Start embedding a bucket's files; returns the queued job (see :meth:`wait`)."""
        flow = self._embed(
            bucket_name, document_chunk_size, document_chunk_overlap_size, embedding_model, loader
        )
        return self.client.transport.run(flow)

    def job(self, job: EmbeddingJob | str, *, bucket_name: str | None = None) -> EmbeddingJob:
        """The job's current status (``bucket_name`` is kept for error messages)."""
        return self.client.transport.run(self._job(job, bucket_name))

    def wait(
        self,
        job: EmbeddingJob | str,
        *,
        bucket_name: str | None = None,
        timeout: float | None = DEFAULT_JOB_TIMEOUT,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        progress: bool | None = None,
        raise_on_failure: bool = True,
    ) -> EmbeddingJob:
        """Poll until the job ends. Failure or partial success raises
        :class:`~telnyx_inference.errors.BucketJobError` listing the failed files; running
        past ``timeout`` raises :class:`~telnyx_inference.errors.BucketJobTimeoutError`."""
        flow = self._wait(
            job, bucket_name, JobDeadline(timeout, poll_interval), progress, raise_on_failure
        )
        return self.client.transport.run(flow)

    def list_buckets(self) -> list[str]:
        """Names of the buckets that have embeddings."""
        return self.client.transport.run(self._list_buckets())

    def files(self, bucket_name: str) -> list[BucketFile]:
        """Each file of the bucket with its embedding status."""
        return self.client.transport.run(self._files(bucket_name))

    def disable(self, bucket_name: str) -> None:
        """Delete the bucket's embeddings (the files stay in storage)."""
        self.client.transport.run(self._disable(bucket_name))

    def search(
        self, bucket_name: str, query: str, *, num_of_docs: int = DEFAULT_NUM_OF_DOCS
    ) -> list[SearchResult]:
        """The ``num_of_docs`` chunks closest to ``query``, closest first."""
        return self.client.transport.run(self._search(bucket_name, query, num_of_docs))

    def retrieval_tool(
        self,
        bucket_names: str | Sequence[str],
        *,
        max_num_results: int | None = None,
        validate: bool = True,
    ) -> RetrievalTool:
        """The chat ``retrieval`` tool for these buckets, checked to be embedded first."""
        flow = self._retrieval_tool(bucket_names, max_num_results, validate)
        return self.client.transport.run(flow)


class AsyncBuckets(AclosesClient, BucketFlows["AsyncTelnyxClient"]):
    """The async twin of :class:`Buckets` (``aclose()``, ``async with``)."""

    _client_class = "AsyncTelnyxClient"

    async def embed(
        self,
        bucket_name: str,
        *,
        document_chunk_size: int = DEFAULT_CHUNK_SIZE,
        document_chunk_overlap_size: int = DEFAULT_CHUNK_OVERLAP,
        embedding_model: str = DEFAULT_EMBEDDING_MODEL,
        loader: str = "default",
    ) -> EmbeddingJob:
        flow = self._embed(
            bucket_name, document_chunk_size, document_chunk_overlap_size, embedding_model, loader
        )
        return await self.client.transport.run(flow)

    async def job(self, job: EmbeddingJob | str, *, bucket_name: str | None = None) -> EmbeddingJob:
        return await self.client.transport.run(self._job(job, bucket_name))

    async def wait(
        self,
        job: EmbeddingJob | str,
        *,
        bucket_name: str | None = None,
        timeout: float | None = DEFAULT_JOB_TIMEOUT,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        progress: bool | None = None,
        raise_on_failure: bool = True,
    ) -> EmbeddingJob:
        deadline = JobDeadline(timeout, poll_interval)
        flow = self._wait(job, bucket_name, deadline, progress, raise_on_failure)
        return await self.client.transport.run(flow)

    async def list_buckets(self) -> list[str]:
        return await self.client.transport.run(self._list_buckets())

    async def files(self, bucket_name: str) -> list[BucketFile]:
        return await self.client.transport.run(self._files(bucket_name))

    async def disable(self, bucket_name: str) -> None:
        await self.client.transport.run(self._disable(bucket_name))

    async def search(
        self, bucket_name: str, query: str, *, num_of_docs: int = DEFAULT_NUM_OF_DOCS
    ) -> list[SearchResult]:
        return await self.client.transport.run(self._search(bucket_name, query, num_of_docs))

    async def retrieval_tool(
        self,
        bucket_names: str | Sequence[str],
        *,
        max_num_results: int | None = None,
        validate: bool = True,
    ) -> RetrievalTool:
        flow = self._retrieval_tool(bucket_names, max_num_results, validate)
        return await self.client.transport.run(flow)


def bucket_retrieval_tool(
    bucket_names: str | Sequence[str],
    *,
    max_num_results: int | None = None,
    validate: bool = False,
    buckets: Buckets | None = None,
    **client_kwargs: Any,
) -> RetrievalTool:
    """The chat ``retrieval`` tool for these buckets, for ``bind_tools`` / ``tools=``.

    With ``validate=True`` it first checks (through ``buckets``, or a client built from
    ``client_kwargs``) that each bucket is embedded, raising
    :class:`~telnyx_inference.errors.BucketNotFoundError` naming the bucket if not.
    The tool gives the model the bucket's content but no citations; a bucket retriever does.
    """
    if not validate:
        return RetrievalTool(
            bucket_ids=checked_bucket_names(bucket_names), max_num_results=max_num_results
        )
    checker = buckets if buckets is not None else Buckets(**client_kwargs)
    return checker.retrieval_tool(bucket_names, max_num_results=max_num_results)


async def abucket_retrieval_tool(
    bucket_names: str | Sequence[str],
    *,
    max_num_results: int | None = None,
    validate: bool = False,
    buckets: AsyncBuckets | None = None,
    **client_kwargs: Any,
) -> RetrievalTool:
    """The async twin of :func:`bucket_retrieval_tool`."""
    if not validate:
        return RetrievalTool(
            bucket_ids=checked_bucket_names(bucket_names), max_num_results=max_num_results
        )
    checker = buckets if buckets is not None else AsyncBuckets(**client_kwargs)
    return await checker.retrieval_tool(bucket_names, max_num_results=max_num_results)
