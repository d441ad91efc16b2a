"""A bucket of documents: upload, make sure Telnyx embedded them, search, read back, delete.

The layer both framework stores (LangChain's ``TelnyxVectorStore``, LlamaIndex's
``TelnyxIndex``) stand on. One document is one object (see :mod:`._documents_wire` for keys
and metadata); a search is one similarity-search call plus one ``HEAD`` per distinct hit, sent
concurrently, to read each document's metadata back::

    docs = DocumentBucket("handbook", api_key="...")          # or settings=TelnyxSettings(...)
    ids = docs.add(plan_objects(["Staff get 25 vacation days."], [{"page": 1}]))
    docs.search("vacation", k=3)      # [DocumentHit(id=..., chunk=..., metadata={'page': 1})]
    docs.get(ids); docs.delete(ids)

``add`` and ``delete`` wait until the bucket's embeddings reflect the change (starting the
bucket's first embedding job when there has been none), with a progress line; ``wait=False``
returns at once. :class:`AsyncDocumentBucket` is the same with ``await``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from telnyx_inference._bucket_wire import SearchResult
from telnyx_inference._constants import DEFAULT_NUM_OF_DOCS
from telnyx_inference._documents_wire import (
    DocumentHit,
    DocumentRecord,
    PlannedObject,
    decode_metadata,
    doc_id_from_key,
    ids_from_key,
    object_key,
    plan_objects,
    ref_folder,
)
from telnyx_inference._embed_watch import (
    EmbeddingNotReadyError,
    EmbedOptions,
    EmbedWatch,
    NotEmbeddedError,
)
from telnyx_inference._progress import JobProgress
from telnyx_inference.buckets import DEFAULT_JOB_TIMEOUT, AsyncBuckets, Buckets
from telnyx_inference.errors import BucketNotFoundError
from telnyx_inference.settings import TelnyxSettings
from telnyx_inference.storage import (
    AsyncStorage,
    ObjectInfo,
    ObjectNotFoundError,
    Storage,
    StorageError,
    StorageObject,
)

__all__ = [
    "AsyncDocumentBucket",
    "DocumentBucket",
    "DocumentHit",
    "DocumentRecord",
    "EmbedOptions",
    "EmbeddingNotReadyError",
    "NotEmbeddedError",
    "PlannedObject",
    "connection_settings",
    "plan_objects",
]

DEFAULT_POLL_INTERVAL = 1.0
CONTENT_TYPE = "text/plain; charset=utf-8"


def connection_settings(**connection: Any) -> TelnyxSettings:
    """Settings from the connection arguments every Telnyx class takes (``api_key``,
    ``base_url``, ``timeout``, ``max_retries``, the official aliases, ``client``...)."""
    from telnyx_inference.connection import ConnectionFields

    return ConnectionFields(**connection).telnyx_settings()


def _missing_bucket(err: Exception) -> bool:
    if isinstance(err, BucketNotFoundError):
        return True
    return isinstance(err, StorageError) and (err.code == "NoSuchBucket")


def _to_upload(objects: Sequence[PlannedObject]) -> list[StorageObject]:
    return [StorageObject(o.key, o.body, o.metadata, CONTENT_TYPE) for o in objects]


def _hits(
    results: Sequence[SearchResult], infos: dict[str, ObjectInfo | None]
) -> list[DocumentHit]:
    """Search results tied to their documents; hits whose object is gone are dropped."""
    hits = []
    for result in results:
        key = result.filename or ""
        if key in infos and infos[key] is None:  # deleted, not yet out of the index
            continue
        info = infos.get(key)
        metadata = decode_metadata(info.metadata if info is not None else None)
        ids = ids_from_key(key)
        if metadata is None or ids is None:  # not written by a store: say where it came from
            hits.append(DocumentHit(None, None, result.chunk, {"filename": key}, result))
        else:
            hits.append(DocumentHit(ids[0], ids[1], result.chunk, metadata, result))
    return hits


def _record(doc_id: str, text: str, metadata: dict[str, str]) -> DocumentRecord:
    return DocumentRecord(doc_id, text, decode_metadata(metadata) or {})


class _Base:
    def __init__(
        self,
        bucket_name: str,
        *,
        settings: TelnyxSettings | None = None,
        storage_url: str | None = None,
        embed_options: EmbedOptions | None = None,
        timeout: float | None = DEFAULT_JOB_TIMEOUT,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        progress: bool | None = None,
        **client_kwargs: Any,
    ) -> None:
        from telnyx_inference._bucket_wire import check_bucket_name

        self.bucket_name = check_bucket_name(bucket_name)
        self.settings = settings or TelnyxSettings.resolve(**client_kwargs)
        self.storage_url = storage_url
        self.embed_options = embed_options or EmbedOptions()
        self.timeout = timeout
        self.poll_interval = poll_interval
        self.progress = progress

    def _watch(self, written: Iterable[str], deleted: Iterable[str]) -> EmbedWatch:
        return EmbedWatch(
            self.bucket_name,
            written,
            deleted,
            timeout=self.timeout,
            poll_interval=self.poll_interval,
        )

    def _bar(self, watch: EmbedWatch) -> JobProgress:
        return JobProgress(f"Embedding bucket {self.bucket_name!r}", enabled=self.progress)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(bucket_name={self.bucket_name!r})"


class DocumentBucket(_Base):
    """Documents in one bucket, synchronously (see the module docstring)."""

    def __init__(self, bucket_name: str, **kwargs: Any) -> None:
        super().__init__(bucket_name, **kwargs)
        from telnyx_inference.client import TelnyxClient

        self.storage = Storage(settings=self.settings, storage_url=self.storage_url)
        self.buckets = Buckets(TelnyxClient(settings=self.settings))
        self._pool: ThreadPoolExecutor | None = None

    def _map(self, fn: Any, items: Sequence[Any]) -> list[Any]:
        if len(items) <= 1:
            return [fn(item) for item in items]
        if self._pool is None:
            self._pool = ThreadPoolExecutor(8, "telnyx-documents")
        return list(self._pool.map(fn, items))

    def ensure_bucket(self) -> str:
        """Create the bucket unless it exists; return its home region."""
        return self.storage.ensure_bucket(self.bucket_name)

    def add(self, objects: Sequence[PlannedObject], *, wait: bool = True) -> list[str]:
        """Upload (replacing objects with the same ids); with ``wait``, until embedded."""
        if objects:
            self.storage.upload(self.bucket_name, _to_upload(objects), progress=self.progress)
            if wait:
                self.wait_embedded(written=[o.key for o in objects])
        return [o.id for o in objects]

    def delete(self, ids: Sequence[str], *, parts: bool = False, wait: bool = True) -> None:
        """Delete these documents (missing ones are fine), with their ``parts`` if asked;
        with ``wait``, until they are out of the index."""
        keys = [object_key(i) for i in ids]
        try:
            for doc_id in ids if parts else ():
                listed = self.storage.list_objects(self.bucket_name, ref_folder(doc_id))
                keys.extend(o.key for o in listed)
            self.storage.delete_objects(self.bucket_name, keys)
        except (StorageError, BucketNotFoundError) as err:
            if not _missing_bucket(err):
                raise
            return
        if wait and keys:
            self.wait_embedded(deleted=keys)

    def wait_embedded(self, written: Sequence[str] = (), deleted: Sequence[str] = ()) -> None:
        """Block until the bucket's embeddings include ``written`` and drop ``deleted``."""
        if self.bucket_name not in self.buckets.list_buckets():
            if written:
                job = self.buckets.embed(self.bucket_name, **_job_kwargs(self.embed_options))
                self.buckets.wait(
                    job,
                    timeout=self.timeout,
                    poll_interval=self.poll_interval,
                    progress=self.progress,
                )
            return
        watch = self._watch(written, deleted)
        with self._bar(watch) as bar:
            while True:
                pause = watch.check(self.buckets.files(self.bucket_name))
                bar.update(watch.status)
                if pause is None:
                    return
                time.sleep(pause)

    def get(self, ids: Sequence[str]) -> list[DocumentRecord]:
        """The documents with these ids, in order; missing ids are skipped."""

        def read(doc_id: str) -> DocumentRecord | None:
            try:
                data = self.storage.get_object(self.bucket_name, object_key(doc_id))
            except (StorageError, BucketNotFoundError) as err:
                if isinstance(err, ObjectNotFoundError) or _missing_bucket(err):
                    return None
                raise
            return _record(doc_id, data.text, data.metadata)

        return [r for r in self._map(read, list(ids)) if r is not None]

    def search(self, query: str, k: int = DEFAULT_NUM_OF_DOCS) -> list[DocumentHit]:
        """The ``k`` chunks closest to ``query``, each with its document's id and metadata.
        An existing bucket with nothing embedded yet gives ``[]``."""
        try:
            results = self.buckets.search(self.bucket_name, query, num_of_docs=k)
        except BucketNotFoundError:
            if self._exists():
                return []
            raise
        keys = sorted({r.filename for r in results if r.filename})
        return _hits(results, dict(zip(keys, self._map(self._head, keys), strict=True)))

    def _head(self, key: str) -> ObjectInfo | None:
        try:
            return self.storage.head_object(self.bucket_name, key)
        except ObjectNotFoundError:
            return None

    def _exists(self) -> bool:
        try:
            self.storage.bucket_region(self.bucket_name)
        except (StorageError, BucketNotFoundError) as err:
            if _missing_bucket(err):
                return False
            raise
        return True

    def ids(self) -> list[str]:
        """The ids of every document in the bucket."""
        try:
            listed = self.storage.list_objects(self.bucket_name)
        except (StorageError, BucketNotFoundError) as err:
            if _missing_bucket(err):
                return []
            raise
        return [i for i in (doc_id_from_key(o.key) for o in listed) if i is not None]

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False)
            self._pool = None
        self.storage.close()


class AsyncDocumentBucket(_Base):
    """The async twin of :class:`DocumentBucket`."""

    def __init__(self, bucket_name: str, **kwargs: Any) -> None:
        super().__init__(bucket_name, **kwargs)
        from telnyx_inference.client import AsyncTelnyxClient

        self.storage = AsyncStorage(settings=self.settings, storage_url=self.storage_url)
        self.buckets = AsyncBuckets(AsyncTelnyxClient(settings=self.settings))

    async def ensure_bucket(self) -> str:
        return await self.storage.ensure_bucket(self.bucket_name)

    async def add(self, objects: Sequence[PlannedObject], *, wait: bool = True) -> list[str]:
        if objects:
            await self.storage.upload(self.bucket_name, _to_upload(objects), progress=self.progress)
            if wait:
                await self.wait_embedded(written=[o.key for o in objects])
        return [o.id for o in objects]

    async def delete(self, ids: Sequence[str], *, parts: bool = False, wait: bool = True) -> None:
        keys = [object_key(i) for i in ids]
        try:
            for doc_id in ids if parts else ():
                listed = await self.storage.list_objects(self.bucket_name, ref_folder(doc_id))
                keys.extend(o.key for o in listed)
            await self.storage.delete_objects(self.bucket_name, keys)
        except (StorageError, BucketNotFoundError) as err:
            if not _missing_bucket(err):
                raise
            return
        if wait and keys:
            await self.wait_embedded(deleted=keys)

    async def wait_embedded(self, written: Sequence[str] = (), deleted: Sequence[str] = ()) -> None:
        if self.bucket_name not in await self.buckets.list_buckets():
            if written:
                job = await self.buckets.embed(self.bucket_name, **_job_kwargs(self.embed_options))
                await self.buckets.wait(
                    job,
                    timeout=self.timeout,
                    poll_interval=self.poll_interval,
                    progress=self.progress,
                )
            return
        watch = self._watch(written, deleted)
        with self._bar(watch) as bar:
            while True:
                pause = watch.check(await self.buckets.files(self.bucket_name))
                bar.update(watch.status)
                if pause is None:
                    return
                await asyncio.sleep(pause)

    async def get(self, ids: Sequence[str]) -> list[DocumentRecord]:
        async def read(doc_id: str) -> DocumentRecord | None:
            try:
                data = await self.storage.get_object(self.bucket_name, object_key(doc_id))
            except (StorageError, BucketNotFoundError) as err:
                if isinstance(err, ObjectNotFoundError) or _missing_bucket(err):
                    return None
                raise
            return _record(doc_id, data.text, data.metadata)

        found = await asyncio.gather(*(read(i) for i in ids))
        return [r for r in found if r is not None]

    async def search(self, query: str, k: int = DEFAULT_NUM_OF_DOCS) -> list[DocumentHit]:
        try:
            results = await self.buckets.search(self.bucket_name, query, num_of_docs=k)
        except BucketNotFoundError:
            if await self._exists():
                return []
            raise
        keys = sorted({r.filename for r in results if r.filename})
        infos = await asyncio.gather(*(self._head(key) for key in keys))
        return _hits(results, dict(zip(keys, infos, strict=True)))

    async def _head(self, key: str) -> ObjectInfo | None:
        try:
            return await self.storage.head_object(self.bucket_name, key)
        except ObjectNotFoundError:
            return None

    async def _exists(self) -> bool:
        try:
            await self.storage.bucket_region(self.bucket_name)
        except (StorageError, BucketNotFoundError) as err:
            if _missing_bucket(err):
                return False
            raise
        return True

    async def ids(self) -> list[str]:
        try:
            listed = await self.storage.list_objects(self.bucket_name)
        except (StorageError, BucketNotFoundError) as err:
            if _missing_bucket(err):
                return []
            raise
        return [i for i in (doc_id_from_key(o.key) for o in listed) if i is not None]

    async def aclose(self) -> None:
        await self.storage.aclose()


def _job_kwargs(options: EmbedOptions) -> dict[str, Any]:
    return {
        "document_chunk_size": options.document_chunk_size,
        "document_chunk_overlap_size": options.document_chunk_overlap_size,
        "embedding_model": options.embedding_model,
        "loader": options.loader,
    }
