"""Each bucket call once, as a flow of transport steps: embedding jobs, waiting for them,
listings, similarity search and the checked retrieval tool. :class:`~.bucket_api.Buckets` runs
these flows with plain calls and :class:`~.bucket_api.AsyncBuckets` with ``await``; request
bodies and answers are the pure functions of :mod:`.bucket_wire`.
"""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from telnyx_inference._constants import (
    BUCKETS_PATH,
    DEFAULT_EMBEDDING_MODEL,
    DEFAULT_POLL_INTERVAL,
    IDEMPOTENCY_KEY_HEADER,
    SIMILARITY_SEARCH_PATH,
)
from telnyx_inference._flows import Flow
from telnyx_inference.buckets.bucket_wire import (
    BucketFile,
    EmbeddingJob,
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
from telnyx_inference.chat.owners import ClientUser
from telnyx_inference.chat.spending import Limited
from telnyx_inference.chat.tools import RetrievalTool
from telnyx_inference.errors import (
    BucketJobNotFoundError,
    BucketJobTimeoutError,
    BucketNotFoundError,
    InvalidParameterError,
    NotFoundError,
)
from telnyx_inference.transport.steps import Pause

if TYPE_CHECKING:  # the clients import the openai SDK, loaded when a client is built
    from telnyx_inference.chat.client import AsyncTelnyxClient, TelnyxClient
    from telnyx_inference.transport.steps import Step

__all__ = [
    "DEFAULT_JOB_TIMEOUT",
    "DEFAULT_POLL_INTERVAL",
    "BucketFlows",
    "JobDeadline",
    "checked_bucket_names",
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


def _naming_bucket(name: str) -> contextlib.AbstractContextManager[None]:
    """A 404 from a bucket endpoint becomes an error that names the bucket."""
    return _naming(
        BucketNotFoundError, name, f"bucket {name!r} was not found, or has no embeddings"
    )


def _naming_job(task_id: str) -> contextlib.AbstractContextManager[None]:
    return _naming(BucketJobNotFoundError, task_id, f"embedding job {task_id!r} was not found")


@contextlib.contextmanager
def _naming(
    kind: type[BucketNotFoundError | BucketJobNotFoundError], name: str, what: str
) -> Iterator[None]:
    try:
        yield
    except kind:
        raise
    except NotFoundError as err:
        raise kind(
            name,
            f"{what} ({err.message})",
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


class BucketFlows(ClientUser[_Client]):
    """The flows of one bucket client, over its chat client's transport."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}(native_root={self.client.native_root!r})"

    # --- the flows: each call once, over the transport's steps (see transport.shells) ----

    def _send(
        self,
        method: str,
        path: str,
        body: Any = None,
        headers: dict[str, str] | None = None,
        limited: Limited | None = None,
    ) -> Flow[Step, Any]:
        url = f"{self.client.native_root}/{path}"
        request = self.client.transport.request_flow
        return (yield from request(method, url, body, headers=headers, limited=limited))

    def _embed(
        self, bucket_name: str, chunk_size: int, overlap: int, model: str, loader: str
    ) -> Flow[Step, EmbeddingJob]:
        body = build_job_request(
            bucket_name,
            document_chunk_size=chunk_size,
            document_chunk_overlap_size=overlap,
            embedding_model=model,
            loader=loader,
        )
        # One key per job, the same on every retry of its request: a retried POST whose
        # first answer was lost gets the job that answer carried, not a second job.
        once = {IDEMPOTENCY_KEY_HEADER: uuid.uuid4().hex}
        with _naming_bucket(bucket_name):
            return read_job((yield from self._send("POST", job_path(), body, once)), bucket_name)

    def _job(self, job: EmbeddingJob | str, bucket_name: str | None) -> Flow[Step, EmbeddingJob]:
        ref = _job_ref(job, bucket_name)
        with _naming_job(ref.task_id):
            answer = yield from self._send("GET", job_path(ref.task_id))
            return read_job(answer, ref.bucket_name)

    def _wait(
        self,
        job: EmbeddingJob | str,
        bucket_name: str | None,
        deadline: JobDeadline,
        progress: bool | None,
        raise_on_failure: bool,
    ) -> Flow[Step, EmbeddingJob]:
        current = _job_ref(job, bucket_name)
        with _progress(current, progress) as bar:
            while True:
                current = yield from self._job(current, None)
                bar.update(current.status)
                pause = deadline.pause(current)
                if pause is None:
                    break
                yield Pause(pause)
        if raise_on_failure and current.failed:
            name = current.bucket_name
            raise job_failure(current, (yield from self._files(name)) if name else [])
        return current

    def _list_buckets(self) -> Flow[Step, list[str]]:
        return read_bucket_names((yield from self._send("GET", BUCKETS_PATH)))

    def _files(self, bucket_name: str) -> Flow[Step, list[BucketFile]]:
        with _naming_bucket(bucket_name):
            return read_files((yield from self._send("GET", bucket_path(bucket_name))))

    def _disable(self, bucket_name: str) -> Flow[Step, None]:
        with _naming_bucket(bucket_name):
            yield from self._send("DELETE", bucket_path(bucket_name))

    def _search(self, bucket_name: str, query: str, num_of_docs: int) -> Flow[Step, Any]:
        body = build_search_request(bucket_name, query, num_of_docs)
        with _naming_bucket(bucket_name):
            # The search embeds the query: it spends on the embedding model's budget.
            answer = yield from self.client.spend(
                body,
                DEFAULT_EMBEDDING_MODEL,
                lambda limited: self._send("POST", SIMILARITY_SEARCH_PATH, body, limited=limited),
                lambda _: None,
            )
            return read_search_results(answer)

    def _retrieval_tool(
        self, bucket_names: str | Sequence[str], max_num_results: int | None, validate: bool
    ) -> Flow[Step, RetrievalTool]:
        names = checked_bucket_names(bucket_names)
        if validate:
            embedded = yield from self._list_buckets()
            files = {}
            for name in (n for n in names if n in embedded):
                files[name] = yield from self._files(name)
            check_embedded(names, embedded, files)
        return RetrievalTool(bucket_ids=names, max_num_results=max_num_results)


def checked_bucket_names(bucket_names: str | Sequence[str]) -> list[str]:
    names = [bucket_names] if isinstance(bucket_names, str) else list(bucket_names)
    if not names:
        raise InvalidParameterError("bucket_names", "name at least one bucket")
    return [check_bucket_name(n, f"bucket_names[{i}]") for i, n in enumerate(names)]
