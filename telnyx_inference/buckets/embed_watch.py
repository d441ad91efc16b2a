"""Waiting until a bucket's embeddings reflect the objects just written or deleted.

A bucket embedded once is re-embedded by Telnyx whenever its files change; a bucket never
embedded needs a first job. :class:`EmbedWatch` decides, from each listing of the bucket's
files, whether to stop, sleep and look again, or give up — pure, so the sync and async
document buckets share it and differ only in how they read the listing and sleep.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from telnyx_inference._constants import (
    DEFAULT_CHUNK_OVERLAP,
    DEFAULT_CHUNK_SIZE,
    DEFAULT_EMBEDDING_MODEL,
)
from telnyx_inference.buckets.bucket_wire import BucketFile
from telnyx_inference.buckets.documents_wire import pending_keys
from telnyx_inference.errors import TelnyxError, TelnyxTimeoutError

__all__ = ["EmbedOptions", "EmbedWatch", "EmbeddingNotReadyError", "NotEmbeddedError"]


@dataclass(frozen=True, slots=True)
class EmbedOptions:
    """How a bucket's first embedding job chunks and embeds (later changes reuse them)."""

    document_chunk_size: int = DEFAULT_CHUNK_SIZE
    document_chunk_overlap_size: int = DEFAULT_CHUNK_OVERLAP
    embedding_model: str = DEFAULT_EMBEDDING_MODEL
    loader: str = "default"

    @classmethod
    def given(
        cls,
        document_chunk_size: int | None = None,
        document_chunk_overlap_size: int | None = None,
        embedding_model: str | None = None,
    ) -> EmbedOptions:
        """The defaults, overridden by whatever is not ``None``."""
        base = cls()
        return cls(
            document_chunk_size or base.document_chunk_size,
            base.document_chunk_overlap_size
            if document_chunk_overlap_size is None
            else document_chunk_overlap_size,
            embedding_model or base.embedding_model,
        )


class NotEmbeddedError(TelnyxError):
    """Telnyx could not embed some documents; ``failed`` maps each object key to the reason."""

    def __init__(self, bucket: str, failed: Mapping[str, str]) -> None:
        self.bucket = bucket
        self.failed = dict(failed)
        listed = ", ".join(f"{k!r} ({r})" for k, r in list(self.failed.items())[:5])
        super().__init__(
            f"bucket {bucket!r}: {len(self.failed)} document(s) were stored but not embedded: "
            f"{listed}"
        )


class EmbeddingNotReadyError(TelnyxTimeoutError):
    """Re-embedding did not finish in time; the documents are stored and Telnyx keeps going."""

    def __init__(self, bucket: str, waiting: Sequence[str], waited: float) -> None:
        self.bucket = bucket
        self.waiting = list(waiting)
        shown = ", ".join(repr(k) for k in self.waiting[:5])
        super().__init__(
            f"bucket {bucket!r}: {len(self.waiting)} document(s) not yet (re-)embedded after "
            f"{waited:.1f}s: {shown}; they are stored and Telnyx continues on its side"
        )


class EmbedWatch:
    """One wait for ``written`` keys to be embedded and ``deleted`` keys to leave the index."""

    def __init__(
        self,
        bucket: str,
        written: Iterable[str] = (),
        deleted: Iterable[str] = (),
        *,
        timeout: float | None,
        poll_interval: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.bucket = bucket
        self.written = list(written)
        self.deleted = list(deleted)
        self.total = len(self.written) + len(self.deleted)
        self.waiting: list[str] = [*self.written, *self.deleted]
        self.timeout = timeout
        self.poll_interval = poll_interval
        self._clock = clock
        self._start = clock()

    @property
    def status(self) -> str:
        return f"{self.total - len(self.waiting)}/{self.total} documents up to date"

    def check(self, files: Sequence[BucketFile]) -> float | None:
        """``None`` when done; else seconds to sleep. Raises on failed files or timeout."""
        self.waiting, failed = pending_keys(files, self.written, self.deleted)
        if failed:
            raise NotEmbeddedError(self.bucket, failed)
        if not self.waiting:
            return None
        waited = self._clock() - self._start
        if self.timeout is None:
            return self.poll_interval
        if waited >= self.timeout:
            raise EmbeddingNotReadyError(self.bucket, self.waiting, waited)
        return min(self.poll_interval, self.timeout - waited)
