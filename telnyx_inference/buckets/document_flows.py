"""What a document bucket does, as generators that ask for I/O instead of doing it.

Each flow yields steps — a :class:`Call` on the storage or buckets client, several calls to
run at once (:class:`Parallel`), or a :class:`Sleep` — and receives each step's result (or
has its exception thrown in). :class:`~telnyx_inference.buckets.documents.DocumentBucket` runs them
with plain calls, :class:`~telnyx_inference.buckets.documents.AsyncDocumentBucket` with ``await``, so
the logic exists once::

    flow = search_flow("handbook", "vacation", 3)
    step = next(flow)        # Call("buckets", "search", ("handbook", "vacation"), {...})
"""

from __future__ import annotations

from collections.abc import Generator, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from telnyx_inference.buckets.bucket_wire import SearchResult, check_positive_int
from telnyx_inference.buckets.documents_wire import (
    DocumentHit,
    DocumentRecord,
    PlannedObject,
    decode_metadata,
    ids_from_key,
    object_key,
    ref_folder,
)
from telnyx_inference.buckets.embed_watch import EmbedOptions, EmbedWatch
from telnyx_inference.buckets.progress import JobProgress
from telnyx_inference.buckets.storage import (
    ObjectInfo,
    ObjectNotFoundError,
    StorageError,
    StorageObject,
)
from telnyx_inference.errors import BucketNotFoundError

__all__ = ["Call", "Flow", "Parallel", "Settings", "Sleep"]

T = TypeVar("T")
CONTENT_TYPE = "text/plain; charset=utf-8"


@dataclass(frozen=True, slots=True)
class Call:
    """Call ``method`` of the ``storage`` or ``buckets`` client."""

    target: Literal["storage", "buckets"]
    method: str
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Parallel:
    """Run these calls at once; the result is a list of values or the exceptions raised."""

    calls: list[Call]


@dataclass(frozen=True, slots=True)
class Sleep:
    seconds: float


Step = Call | Parallel | Sleep
Flow = Generator[Step, Any, T]


@dataclass(frozen=True, slots=True)
class Settings:
    """How a document bucket embeds and waits."""

    bucket: str
    embed_options: EmbedOptions
    timeout: float | None
    poll_interval: float
    progress: bool | None


def missing_bucket(err: BaseException) -> bool:
    return isinstance(err, BucketNotFoundError) or (
        isinstance(err, StorageError) and err.code == "NoSuchBucket"
    )


def ensure_flow(s: Settings) -> Flow[str]:
    region: str = yield Call("storage", "ensure_bucket", (s.bucket,))
    return region


def add_flow(s: Settings, objects: Sequence[PlannedObject], wait: bool) -> Flow[list[str]]:
    """Upload (an object with the same key is replaced); with ``wait``, until embedded."""
    if objects:
        upload = [StorageObject(o.key, o.body, o.metadata, CONTENT_TYPE) for o in objects]
        yield Call("storage", "upload", (s.bucket, upload), {"progress": s.progress})
        if wait:
            yield from wait_flow(s, [o.key for o in objects], [])
    return [o.id for o in objects]


def delete_flow(s: Settings, ids: Sequence[str], parts: bool, wait: bool) -> Flow[None]:
    """Delete documents (missing ones and a missing bucket are fine), with their ``parts``."""
    keys = [object_key(i) for i in ids]
    try:
        for doc_id in ids if parts else ():
            listed = yield Call("storage", "list_objects", (s.bucket, ref_folder(doc_id)))
            keys.extend(o.key for o in listed)
        if keys:
            yield Call("storage", "delete_objects", (s.bucket, keys))
    except (StorageError, BucketNotFoundError) as err:
        if missing_bucket(err):
            return
        raise
    if wait and keys:
        yield from wait_flow(s, [], keys)


def wait_flow(s: Settings, written: Sequence[str], deleted: Sequence[str]) -> Flow[None]:
    """Until the embeddings include ``written`` and drop ``deleted``; a bucket never embedded
    gets its first job instead."""
    embedded = yield Call("buckets", "list_buckets")
    if s.bucket not in embedded:
        if written:
            job = yield Call("buckets", "embed", (s.bucket,), _job_kwargs(s.embed_options))
            options = {"timeout": s.timeout, "poll_interval": s.poll_interval}
            yield Call("buckets", "wait", (job,), {**options, "progress": s.progress})
        return
    watch = EmbedWatch(s.bucket, written, deleted, timeout=s.timeout, poll_interval=s.poll_interval)
    with JobProgress(f"Embedding bucket {s.bucket!r}", enabled=s.progress) as bar:
        while True:
            files = yield Call("buckets", "files", (s.bucket,))
            pause = watch.check(files)
            bar.update(watch.status)
            if pause is None:
                return
            yield Sleep(pause)


def get_flow(s: Settings, ids: Sequence[str]) -> Flow[list[DocumentRecord]]:
    """The documents with these ids, in order; missing ids are skipped."""
    calls = [Call("storage", "get_object", (s.bucket, object_key(i))) for i in ids]
    found = yield Parallel(calls)
    records = []
    for doc_id, data in zip(ids, found, strict=True):
        if isinstance(data, BaseException):
            if isinstance(data, ObjectNotFoundError) or missing_bucket(data):
                continue
            raise data
        records.append(DocumentRecord(doc_id, data.text, decode_metadata(data.metadata) or {}))
    return records


def search_flow(s: Settings, query: str, k: int) -> Flow[list[DocumentHit]]:
    """One similarity search, then one ``HEAD`` per distinct object hit, all at once. An
    existing bucket with nothing embedded gives ``[]``; a missing one raises."""
    check_positive_int(k, "k")
    try:
        results = yield Call("buckets", "search", (s.bucket, query), {"num_of_docs": k})
    except BucketNotFoundError as not_found:
        try:
            yield Call("storage", "bucket_region", (s.bucket,))
        except (StorageError, BucketNotFoundError) as err:
            if missing_bucket(err):
                raise not_found from None
            raise
        return []
    keys = sorted({r.filename for r in results if r.filename})
    heads = yield Parallel([Call("storage", "head_object", (s.bucket, key)) for key in keys])
    infos: dict[str, ObjectInfo | None] = {}
    for key, head in zip(keys, heads, strict=True):
        if isinstance(head, BaseException):
            if not isinstance(head, ObjectNotFoundError):
                raise head
            head = None  # deleted, not yet out of the index
        infos[key] = head
    return _hits(results, infos)


def ids_flow(s: Settings, parts: bool = False) -> Flow[list[tuple[str, str]]]:
    """``(id, source id)`` of the documents in the bucket (none when it does not exist); with
    ``parts``, the parts stored under their source documents too."""
    try:
        listed = yield Call("storage", "list_objects", (s.bucket,))
    except (StorageError, BucketNotFoundError) as err:
        if missing_bucket(err):
            return []
        raise
    keys = [o.key for o in listed if parts or "/" not in o.key]  # parts live in folders
    return [i for i in map(ids_from_key, keys) if i is not None]


def _hits(
    results: Iterable[SearchResult], infos: dict[str, ObjectInfo | None]
) -> list[DocumentHit]:
    hits = []
    for result in results:
        key = result.filename or ""
        if key in infos and infos[key] is None:
            continue
        info = infos.get(key)
        metadata = decode_metadata(info.metadata if info is not None else None)
        ids = ids_from_key(key)
        if metadata is None or ids is None:  # not written by a store: say where it came from
            hits.append(DocumentHit(None, None, result.chunk, {"filename": key}, result))
        else:
            hits.append(DocumentHit(ids[0], ids[1], result.chunk, metadata, result))
    return hits


def _job_kwargs(options: EmbedOptions) -> dict[str, Any]:
    return {
        "document_chunk_size": options.document_chunk_size,
        "document_chunk_overlap_size": options.document_chunk_overlap_size,
        "embedding_model": options.embedding_model,
        "loader": options.loader,
    }
