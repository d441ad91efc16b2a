"""Telnyx Storage buckets as a retrieval source: embedding jobs, status, similarity search.

The endpoints live under the Telnyx-native ``…/v2`` root, derived from the same base URL as
chat, so the emulator or a regional host moves them together. Request bodies are built and
answers read by pure functions in :mod:`telnyx_inference.buckets.bucket_wire`; the clients send::

    buckets = Buckets(TelnyxClient())
    job = buckets.embed("docs", document_chunk_size=512)
    buckets.wait(job, timeout=600)              # progress bar on a terminal
    for hit in buckets.search("docs", "refund policy", num_of_docs=4):
        print(hit.score, hit.filename, hit.chunk[:60])

:class:`AsyncBuckets` is the same with ``await``.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from telnyx_inference._constants import (
    BUCKETS_PATH,
    DEFAULT_CHUNK_OVERLAP,
    DEFAULT_CHUNK_SIZE,
    DEFAULT_EMBEDDING_MODEL,
    DEFAULT_NUM_OF_DOCS,
    DEFAULT_POLL_INTERVAL,
    SIMILARITY_SEARCH_PATH,
)
from telnyx_inference.buckets.bucket_wire import (
    BucketFile,
    EmbeddingJob,
    SearchResult,
    bucket_path,
    build_job_request,
    build_search_request,
    check_bucket_name,
    check_embedded,
    job_failure,
    job_path,
    read_bucket_names,
    read_files,
    read_job,
    read_search_results,
)
from telnyx_inference.buckets.progress import JobProgress
from telnyx_inference.chat.tools import RetrievalTool
from telnyx_inference.errors import (
    BucketJobNotFoundError,
    BucketJobTimeoutError,
    BucketNotFoundError,
    InvalidParameterError,
    NotFoundError,
)

if TYPE_CHECKING:  # the clients import the openai SDK, loaded when a client is built
    from telnyx_inference.chat.client import AsyncTelnyxClient, TelnyxClient

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

DEFAULT_JOB_TIMEOUT = 900.0
"""Seconds :meth:`Buckets.wait` waits before giving up (the job itself keeps running)."""


class JobDeadline:
    """Decides, after each status read, whether to stop, give up, or sleep and read again."""

    def __init__(
        self,
        timeout: float | None = DEFAULT_JOB_TIMEOUT,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if timeout is not None and timeout < 0:
            raise InvalidParameterError("timeout", f"must be >= 0 seconds or None, got {timeout}")
        if poll_interval <= 0:
            raise InvalidParameterError(
                "poll_interval", f"must be positive seconds, got {poll_interval}"
            )
        self.timeout = timeout
        self.poll_interval = poll_interval
        self._clock = clock
        self._start = clock()

    def pause(self, job: EmbeddingJob) -> float | None:
        """``None`` once the job is done; else seconds to sleep; raises when time is up."""
        if job.done:
            return None
        waited = self._clock() - self._start
        if self.timeout is None:
            return self.poll_interval
        if waited >= self.timeout:
            raise BucketJobTimeoutError(
                task_id=job.task_id, bucket=job.bucket_name, status=job.status, waited=waited
            )
        return min(self.poll_interval, self.timeout - waited)


@contextlib.contextmanager
def _naming_bucket(name: str) -> Iterator[None]:
    """A 404 from a bucket endpoint becomes an error that names the bucket."""
    try:
        yield
    except BucketNotFoundError:
        raise
    except NotFoundError as err:
        raise BucketNotFoundError(
            name,
            f"bucket {name!r} was not found, or has no embeddings ({err.message})",
            status=err.status,
            code=err.code,
            body=err.body,
            request_id=err.request_id,
        ) from err


@contextlib.contextmanager
def _naming_job(task_id: str) -> Iterator[None]:
    try:
        yield
    except NotFoundError as err:
        raise BucketJobNotFoundError(
            task_id,
            f"embedding job {task_id!r} was not found ({err.message})",
            status=err.status,
            code=err.code,
            body=err.body,
            request_id=err.request_id,
        ) from err


def _job_ref(job: EmbeddingJob | str, bucket_name: str | None) -> EmbeddingJob:
    if isinstance(job, EmbeddingJob):
        return job
    if not isinstance(job, str) or not job:
        raise InvalidParameterError("job", "expected an EmbeddingJob or a task id string")
    return EmbeddingJob(task_id=job, status="queued", bucket_name=bucket_name)


def _progress(job: EmbeddingJob, progress: bool | None) -> JobProgress:
    what = f"bucket {job.bucket_name!r}" if job.bucket_name else f"job {job.task_id}"
    return JobProgress(f"Embedding {what}", enabled=progress)


_Client = TypeVar("_Client", "TelnyxClient", "AsyncTelnyxClient")


class _BucketsBase(Generic[_Client]):
    def __init__(self, client: _Client | None = None, **client_kwargs: Any) -> None:
        self.client: _Client = client if client is not None else self._new_client(client_kwargs)

    def _new_client(self, kwargs: dict[str, Any]) -> _Client:
        raise NotImplementedError

    def _url(self, path: str) -> str:
        return f"{self.client.native_root}/{path}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(native_root={self.client.native_root!r})"


class Buckets(_BucketsBase["TelnyxClient"]):
    """Embedding jobs, bucket listings and similarity search, synchronously.

    ::

        buckets = Buckets(api_key="...")       # or Buckets(TelnyxClient(...))
        buckets.wait(buckets.embed("docs"))
        hits = buckets.search("docs", "how do refunds work?")
    """

    def _new_client(self, kwargs: dict[str, Any]) -> TelnyxClient:
        from telnyx_inference.chat.client import TelnyxClient

        return TelnyxClient(**kwargs)

    def _send(self, method: str, path: str, body: Any = None) -> Any:
        return self.client.transport.request(method, self._url(path), body=body)

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
        body = build_job_request(
            bucket_name,
            document_chunk_size=document_chunk_size,
            document_chunk_overlap_size=document_chunk_overlap_size,
            embedding_model=embedding_model,
            loader=loader,
        )
        with _naming_bucket(bucket_name):
            return read_job(self._send("POST", job_path(), body), bucket_name)

    def job(self, job: EmbeddingJob | str, *, bucket_name: str | None = None) -> EmbeddingJob:
        """The job's current status (``bucket_name`` is kept for error messages)."""
        ref = _job_ref(job, bucket_name)
        with _naming_job(ref.task_id):
            return read_job(self._send("GET", job_path(ref.task_id)), ref.bucket_name)

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
        current = _job_ref(job, bucket_name)
        deadline = JobDeadline(timeout, poll_interval)
        with _progress(current, progress) as bar:
            while True:
                current = self.job(current)
                bar.update(current.status)
                pause = deadline.pause(current)
                if pause is None:
                    break
                time.sleep(pause)
        if raise_on_failure and current.failed:
            files = self.files(current.bucket_name) if current.bucket_name else []
            raise job_failure(current, files)
        return current

    def list_buckets(self) -> list[str]:
        """Names of the buckets that have embeddings."""
        return read_bucket_names(self._send("GET", BUCKETS_PATH))

    def files(self, bucket_name: str) -> list[BucketFile]:
        """Each file of the bucket with its embedding status."""
        with _naming_bucket(bucket_name):
            return read_files(self._send("GET", bucket_path(bucket_name)))

    def disable(self, bucket_name: str) -> None:
        """Delete the bucket's embeddings (the files stay in storage)."""
        with _naming_bucket(bucket_name):
            self._send("DELETE", bucket_path(bucket_name))

    def search(
        self, bucket_name: str, query: str, *, num_of_docs: int = DEFAULT_NUM_OF_DOCS
    ) -> list[SearchResult]:
        """The ``num_of_docs`` chunks closest to ``query``, closest first."""
        body = build_search_request(bucket_name, query, num_of_docs)
        with _naming_bucket(bucket_name):
            return read_search_results(self._send("POST", SIMILARITY_SEARCH_PATH, body))

    def retrieval_tool(
        self,
        bucket_names: str | Sequence[str],
        *,
        max_num_results: int | None = None,
        validate: bool = True,
    ) -> RetrievalTool:
        """The chat ``retrieval`` tool for these buckets, checked to be embedded first."""
        names = _names(bucket_names)
        if validate:
            embedded = self.list_buckets()
            files = {n: self.files(n) for n in names if n in embedded}
            check_embedded(names, embedded, files)
        return RetrievalTool(bucket_ids=names, max_num_results=max_num_results)


class AsyncBuckets(_BucketsBase["AsyncTelnyxClient"]):
    """The async twin of :class:`Buckets`."""

    def _new_client(self, kwargs: dict[str, Any]) -> AsyncTelnyxClient:
        from telnyx_inference.chat.client import AsyncTelnyxClient

        return AsyncTelnyxClient(**kwargs)

    async def _send(self, method: str, path: str, body: Any = None) -> Any:
        return await self.client.transport.request(method, self._url(path), body=body)

    async def embed(
        self,
        bucket_name: str,
        *,
        document_chunk_size: int = DEFAULT_CHUNK_SIZE,
        document_chunk_overlap_size: int = DEFAULT_CHUNK_OVERLAP,
        embedding_model: str = DEFAULT_EMBEDDING_MODEL,
        loader: str = "default",
    ) -> EmbeddingJob:
        body = build_job_request(
            bucket_name,
            document_chunk_size=document_chunk_size,
            document_chunk_overlap_size=document_chunk_overlap_size,
            embedding_model=embedding_model,
            loader=loader,
        )
        with _naming_bucket(bucket_name):
            return read_job(await self._send("POST", job_path(), body), bucket_name)

    async def job(self, job: EmbeddingJob | str, *, bucket_name: str | None = None) -> EmbeddingJob:
        ref = _job_ref(job, bucket_name)
        with _naming_job(ref.task_id):
            return read_job(await self._send("GET", job_path(ref.task_id)), ref.bucket_name)

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
        current = _job_ref(job, bucket_name)
        deadline = JobDeadline(timeout, poll_interval)
        with _progress(current, progress) as bar:
            while True:
                current = await self.job(current)
                bar.update(current.status)
                pause = deadline.pause(current)
                if pause is None:
                    break
                await asyncio.sleep(pause)
        if raise_on_failure and current.failed:
            files = await self.files(current.bucket_name) if current.bucket_name else []
            raise job_failure(current, files)
        return current

    async def list_buckets(self) -> list[str]:
        return read_bucket_names(await self._send("GET", BUCKETS_PATH))

    async def files(self, bucket_name: str) -> list[BucketFile]:
        with _naming_bucket(bucket_name):
            return read_files(await self._send("GET", bucket_path(bucket_name)))

    async def disable(self, bucket_name: str) -> None:
        with _naming_bucket(bucket_name):
            await self._send("DELETE", bucket_path(bucket_name))

    async def search(
        self, bucket_name: str, query: str, *, num_of_docs: int = DEFAULT_NUM_OF_DOCS
    ) -> list[SearchResult]:
        body = build_search_request(bucket_name, query, num_of_docs)
        with _naming_bucket(bucket_name):
            return read_search_results(await self._send("POST", SIMILARITY_SEARCH_PATH, body))

    async def retrieval_tool(
        self,
        bucket_names: str | Sequence[str],
        *,
        max_num_results: int | None = None,
        validate: bool = True,
    ) -> RetrievalTool:
        names = _names(bucket_names)
        if validate:
            embedded = await self.list_buckets()
            files = {n: await self.files(n) for n in names if n in embedded}
            check_embedded(names, embedded, files)
        return RetrievalTool(bucket_ids=names, max_num_results=max_num_results)


def _names(bucket_names: str | Sequence[str]) -> list[str]:
    names = [bucket_names] if isinstance(bucket_names, str) else list(bucket_names)
    if not names:
        raise InvalidParameterError("bucket_names", "name at least one bucket")
    return [check_bucket_name(n, f"bucket_names[{i}]") for i, n in enumerate(names)]


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
        return RetrievalTool(bucket_ids=_names(bucket_names), max_num_results=max_num_results)
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
        return RetrievalTool(bucket_ids=_names(bucket_names), max_num_results=max_num_results)
    checker = buckets if buckets is not None else AsyncBuckets(**client_kwargs)
    return await checker.retrieval_tool(bucket_names, max_num_results=max_num_results)
