"""A bucket of documents: upload, make sure Telnyx embedded them, search, read back, delete.

The layer both framework stores (LangChain's ``TelnyxVectorStore``, LlamaIndex's
``TelnyxIndex``) stand on. One document is one object (see :mod:`.documents_wire` for keys
and metadata); a search is one similarity-search call plus one ``HEAD`` per distinct hit, sent
concurrently, to read each document's metadata back::

    docs = DocumentBucket("handbook", api_key="...")          # or settings=TelnyxSettings(...)
    ids = docs.add(plan_objects(["Staff get 25 vacation days."], [{"page": 1}]))
    docs.search("vacation", k=3)      # [DocumentHit(id=..., chunk=..., metadata={'page': 1})]
    docs.get(ids); docs.delete(ids)

``add`` and ``delete`` wait until the bucket's embeddings reflect the change (starting the
bucket's first embedding job when there has been none), with a progress line; ``wait=False``
returns at once. :class:`AsyncDocumentBucket` is the same with ``await``: both run the flows
of :mod:`.document_flows` and differ only in how they send.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from telnyx_inference._closing import AsyncClosing, Closing
from telnyx_inference._constants import DEFAULT_POLL_INTERVAL
from telnyx_inference._flows import adrive, drive
from telnyx_inference.buckets import document_flows as flows
from telnyx_inference.buckets.bucket_api import DEFAULT_JOB_TIMEOUT, AsyncBuckets, Buckets
from telnyx_inference.buckets.document_flows import Call, Flow, Parallel, Sleep, Step
from telnyx_inference.buckets.documents_wire import (
    DocumentHit,
    DocumentRecord,
    PlannedObject,
    plan_objects,
)
from telnyx_inference.buckets.embed_watch import (
    EmbeddingNotReadyError,
    EmbedOptions,
    NotEmbeddedError,
)
from telnyx_inference.buckets.storage import AsyncStorage, Storage
from telnyx_inference.buckets.storage_wire import check_bucket
from telnyx_inference.settings import TelnyxSettings

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

T = TypeVar("T")
MAX_PARALLEL_READS = 8


def connection_settings(**connection: Any) -> TelnyxSettings:
    """Settings from the connection arguments every Telnyx class takes (``api_key``,
    ``base_url``, ``timeout``, ``max_retries``, the official aliases, ``client``...)."""
    from telnyx_inference.connection import ConnectionFields

    return ConnectionFields(**connection).telnyx_settings()


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
        self.bucket_name = check_bucket(bucket_name, "bucket_name")  # S3's naming rules
        self.settings = settings or TelnyxSettings.resolve(**client_kwargs)
        self.storage_url = storage_url
        self.flow_settings = flows.Settings(
            self.bucket_name,
            embed_options or EmbedOptions(),
            timeout,
            poll_interval,
            progress,
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}(bucket_name={self.bucket_name!r})"


class DocumentBucket(Closing, _Base):
    """Documents in one bucket, synchronously (see the module docstring)."""

    def __init__(self, bucket_name: str, **kwargs: Any) -> None:
        super().__init__(bucket_name, **kwargs)
        from telnyx_inference.chat.client import TelnyxClient

        self.storage = Storage(settings=self.settings, storage_url=self.storage_url)
        self.buckets = Buckets(TelnyxClient(settings=self.settings))
        self._pool: ThreadPoolExecutor | None = None

    def _call(self, call: Call) -> Any:
        client = self.storage if call.target == "storage" else self.buckets
        return getattr(client, call.method)(*call.args, **call.kwargs)

    def _captured(self, call: Call) -> Any:
        try:
            return self._call(call)
        except Exception as exc:  # handed to the flow, which decides
            return exc

    def _step(self, step: Step) -> Any:
        if isinstance(step, Sleep):
            time.sleep(step.seconds)
            return None
        if isinstance(step, Parallel):
            if len(step.calls) <= 1:
                return [self._captured(c) for c in step.calls]
            if self._pool is None:
                self._pool = ThreadPoolExecutor(MAX_PARALLEL_READS, "telnyx-documents")
            return list(self._pool.map(self._captured, step.calls))
        return self._call(step)

    def _run(self, flow: Flow[T]) -> T:
        return drive(flow, self._step)

    def ensure_bucket(self) -> str:
        """Create the bucket unless it exists; return its home region."""
        return self._run(flows.ensure_flow(self.flow_settings))

    def add(self, objects: Sequence[PlannedObject], *, wait: bool = True) -> list[str]:
        """Upload (replacing objects with the same ids); with ``wait``, until embedded."""
        return self._run(flows.add_flow(self.flow_settings, objects, wait))

    def delete(self, ids: Sequence[str], *, parts: bool = False, wait: bool = True) -> None:
        """Delete these documents (missing ones are fine), with their ``parts`` if asked;
        with ``wait``, until they are out of the index."""
        self._run(flows.delete_flow(self.flow_settings, ids, parts, wait))

    def wait_embedded(self, written: Sequence[str] = (), deleted: Sequence[str] = ()) -> None:
        """Block until the bucket's embeddings include ``written`` and drop ``deleted`` keys."""
        self._run(flows.wait_flow(self.flow_settings, written, deleted))

    def get(self, ids: Sequence[str]) -> list[DocumentRecord]:
        """The whole documents with these ids, in order; missing ids are skipped."""
        return self._run(flows.get_flow(self.flow_settings, ids))

    def search(self, query: str, k: int) -> list[DocumentHit]:
        """The ``k`` chunks closest to ``query``, each with its document's id and metadata."""
        return self._run(flows.search_flow(self.flow_settings, query, k))

    def ids(self) -> list[str]:
        """The ids of every document in the bucket."""
        return [i for i, _ in self._run(flows.ids_flow(self.flow_settings))]

    def parts(self) -> list[tuple[str, str]]:
        """``(id, source id)`` of every document and part in the bucket."""
        return self._run(flows.ids_flow(self.flow_settings, parts=True))

    def close(self) -> None:
        """Close the storage client and hand back the connections this bucket opened."""
        if self._pool is not None:
            self._pool.shutdown(wait=False)
            self._pool = None
        self.storage.close()
        self.buckets.client.close()


class AsyncDocumentBucket(AsyncClosing, _Base):
    """The async twin of :class:`DocumentBucket`."""

    def __init__(self, bucket_name: str, **kwargs: Any) -> None:
        super().__init__(bucket_name, **kwargs)
        from telnyx_inference.chat.client import AsyncTelnyxClient

        self.storage = AsyncStorage(settings=self.settings, storage_url=self.storage_url)
        self.buckets = AsyncBuckets(AsyncTelnyxClient(settings=self.settings))

    async def _call(self, call: Call) -> Any:
        client = self.storage if call.target == "storage" else self.buckets
        return await getattr(client, call.method)(*call.args, **call.kwargs)

    async def _step(self, step: Step) -> Any:
        if isinstance(step, Sleep):
            await asyncio.sleep(step.seconds)
            return None
        if isinstance(step, Parallel):
            found = await asyncio.gather(*map(self._call, step.calls), return_exceptions=True)
            for value in found:  # a cancellation is not an answer to hand to the flow
                if isinstance(value, BaseException) and not isinstance(value, Exception):
                    raise value
            return found
        return await self._call(step)

    async def _run(self, flow: Flow[T]) -> T:
        return await adrive(flow, self._step)

    async def ensure_bucket(self) -> str:
        return await self._run(flows.ensure_flow(self.flow_settings))

    async def add(self, objects: Sequence[PlannedObject], *, wait: bool = True) -> list[str]:
        return await self._run(flows.add_flow(self.flow_settings, objects, wait))

    async def delete(self, ids: Sequence[str], *, parts: bool = False, wait: bool = True) -> None:
        await self._run(flows.delete_flow(self.flow_settings, ids, parts, wait))

    async def wait_embedded(self, written: Sequence[str] = (), deleted: Sequence[str] = ()) -> None:
        await self._run(flows.wait_flow(self.flow_settings, written, deleted))

    async def get(self, ids: Sequence[str]) -> list[DocumentRecord]:
        return await self._run(flows.get_flow(self.flow_settings, ids))

    async def search(self, query: str, k: int) -> list[DocumentHit]:
        return await self._run(flows.search_flow(self.flow_settings, query, k))

    async def ids(self) -> list[str]:
        return [i for i, _ in await self._run(flows.ids_flow(self.flow_settings))]

    async def parts(self) -> list[tuple[str, str]]:
        return await self._run(flows.ids_flow(self.flow_settings, parts=True))

    async def aclose(self) -> None:
        await self.storage.aclose()
        await self.buckets.client.aclose()
