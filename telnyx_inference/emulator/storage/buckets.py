"""Storage buckets as Telnyx embeds them: files, chunks, embedding jobs, similarity search.

Files reach a bucket through :meth:`BucketStore.put` (seeding) or through the emulator's S3
endpoint (:mod:`.s3`), which reports each stored or deleted object here. As on Telnyx, a
bucket embedded once re-embeds changed files by itself: such a file reads ``pending`` once in
the bucket's file listing and is embedded right after (a search catches up first).

An embedding job moves ``queued → processing → <outcome>`` one step per status read, so a
client's wait loop is exercised without wall-clock sleeps. The outcome is ``success`` unless
a failure or partial success was scripted for the next job.
"""

from __future__ import annotations

import dataclasses
import hashlib
import threading
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from telnyx_inference._constants import (
    BUCKET_JOB_FINAL_STATUSES,
    BUCKET_JOB_STATUSES,
    DEFAULT_CHUNK_OVERLAP,
    DEFAULT_CHUNK_SIZE,
    DEFAULT_EMBEDDING_MODEL,
    DEFAULT_NUM_OF_DOCS,
)
from telnyx_inference.emulator.storage import embedder

JOB_TASK_NAME = "embed_bucket"


class UnknownBucket(KeyError):
    """No bucket by this name (for search: none that is embedded). ``args[0]`` is the name."""


class UnknownJob(KeyError):
    """No embedding job with this id. ``args[0]`` is the id."""


_STEPS = tuple(s for s in BUCKET_JOB_STATUSES if s not in BUCKET_JOB_FINAL_STATUSES)


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def chunk_text(
    text: str, size: int = DEFAULT_CHUNK_SIZE, overlap: int = DEFAULT_CHUNK_OVERLAP
) -> list[str]:
    """Windows of ``size`` characters overlapping by ``overlap``; short texts stay whole."""
    if size <= 0:
        raise ValueError("chunk size must be positive")
    step = size - overlap if 0 <= overlap < size else size
    if len(text) <= size:
        return [text] if text.strip() else []
    out = []
    for start in range(0, len(text), step):
        piece = text[start : start + size]
        if piece.strip():
            out.append(piece)
        if start + size >= len(text):
            break
    return out


@dataclass
class StoredFile:
    text: str
    created_at: str = field(default_factory=now)
    updated_at: str = field(default_factory=now)
    status: str = "pending"
    error_reason: str | None = None
    last_embedded_at: str | None = None

    @property
    def checksum(self) -> str:
        return hashlib.md5(self.text.encode(), usedforsecurity=False).hexdigest()


@dataclass
class Chunk:
    filename: str
    text: str
    vector: tuple[float, ...]


@dataclass
class Bucket:
    files: dict[str, StoredFile] = field(default_factory=dict)
    chunks: list[Chunk] = field(default_factory=list)
    embedded: bool = False
    model: str = DEFAULT_EMBEDDING_MODEL
    chunk_size: int = DEFAULT_CHUNK_SIZE
    overlap: int = DEFAULT_CHUNK_OVERLAP
    stale: set[str] = field(default_factory=set)
    """Files changed since the bucket was embedded, re-embedded on the next look."""


@dataclass
class Job:
    task_id: str
    bucket: str
    chunk_size: int
    overlap: int
    model: str
    outcome: str = "success"
    failures: dict[str, str] = field(default_factory=dict)
    step: int = 0
    created_at: str = field(default_factory=now)
    finished_at: str | None = None

    @property
    def status(self) -> str:
        return _STEPS[self.step] if self.step < len(_STEPS) else self.outcome

    def as_data(self) -> dict[str, Any]:
        return {
            "task_id": self.task_id,
            "task_name": JOB_TASK_NAME,
            "status": self.status,
            "created_at": self.created_at,
            "finished_at": self.finished_at,
            "user_id": "emulator-user",
        }


def read_paths(paths: Iterable[str | Path]) -> dict[str, str]:
    """Files (or every file under directories) as ``{relative name: text}``."""
    out: dict[str, str] = {}
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for file in sorted(p for p in path.rglob("*") if p.is_file()):
                out[file.relative_to(path).as_posix()] = file.read_text("utf-8", errors="replace")
        elif path.is_file():
            out[path.name] = path.read_text("utf-8", errors="replace")
        else:
            raise FileNotFoundError(f"no such file or directory: {path}")
    return out


def _copy(bucket: Bucket) -> Bucket:
    """A bucket that shares nothing mutable with ``bucket`` (chunks are never changed in
    place, so the list is copied and the chunks shared)."""
    files = {name: dataclasses.replace(stored) for name, stored in bucket.files.items()}
    return Bucket(files, list(bucket.chunks), bucket.embedded, bucket.model)


class BucketStore:
    """All buckets and jobs of one emulator; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._buckets: dict[str, Bucket] = {}
        self._jobs: dict[str, Job] = {}
        self._by_key: dict[str, Job] = {}
        """Jobs by the ``Idempotency-Key`` that started them."""
        self._outcomes: deque[tuple[str, dict[str, str]]] = deque()
        self.reset_hooks: list[Callable[[], None]] = []
        """Called by :meth:`reset` (the S3 endpoint clears its objects this way)."""
        self.put_hooks: list[Callable[[str, Mapping[str, str]], None]] = []
        """Called with each seeded bucket's files (the S3 endpoint stores them too)."""
        self._baseline: dict[str, Bucket] = {}

    def set_baseline(self) -> None:
        """The buckets as they are now become what :meth:`reset` returns to."""
        with self._lock:
            self._baseline = {name: _copy(b) for name, b in self._buckets.items()}

    def reset(self) -> None:
        """Back to the baseline (no buckets unless :meth:`set_baseline` was called)."""
        with self._lock:
            # Copies: jobs and disables after a reset must not change the baseline itself.
            self._buckets = {name: _copy(b) for name, b in self._baseline.items()}
            self._jobs.clear()
            self._by_key.clear()
            self._outcomes.clear()
        for hook in list(self.reset_hooks):
            hook()

    # --- objects arriving through the S3 endpoint ------------------------------------------

    def create(self, name: str) -> None:
        with self._lock:
            self._buckets.setdefault(name, Bucket())

    def store_object(self, name: str, filename: str, text: str) -> None:
        """A stored (new or replaced) object; an embedded bucket will re-embed it."""
        with self._lock:
            bucket = self._buckets.setdefault(name, Bucket())
            old = bucket.files.get(filename)
            if old is not None and old.text == text and old.status != "failed":
                old.updated_at = now()
                return
            stored = StoredFile(text)
            if old is not None:
                stored.created_at = old.created_at
            bucket.files[filename] = stored
            if bucket.embedded:
                bucket.stale.add(filename)

    def remove_object(self, name: str, filename: str) -> None:
        """A deleted object: gone from the listing and from search at once."""
        with self._lock:
            bucket = self._buckets.get(name)
            if bucket is None or bucket.files.pop(filename, None) is None:
                return
            bucket.stale.discard(filename)
            bucket.chunks = [c for c in bucket.chunks if c.filename != filename]

    def keep_only(self, name: str, filenames: Iterable[str]) -> None:
        """Drop every file not in ``filenames`` (after a batch delete)."""
        keep = set(filenames)
        with self._lock:
            bucket = self._buckets.get(name)
            gone = [f for f in bucket.files if f not in keep] if bucket else []
        for filename in gone:
            self.remove_object(name, filename)

    def remove_bucket(self, name: str) -> None:
        with self._lock:
            self._buckets.pop(name, None)

    def _catch_up(self, bucket: Bucket) -> None:
        """Re-embed the files changed since the bucket was embedded (lock held)."""
        if not bucket.stale or not bucket.embedded:
            return
        stamp = now()
        stale, bucket.stale = bucket.stale, set()
        bucket.chunks = [c for c in bucket.chunks if c.filename not in stale]
        for filename in sorted(stale):
            stored = bucket.files.get(filename)
            if stored is None:
                continue
            stored.status, stored.error_reason = "success", None
            stored.updated_at = stored.last_embedded_at = stamp
            for piece in chunk_text(stored.text, bucket.chunk_size, bucket.overlap):
                bucket.chunks.append(Chunk(filename, piece, tuple(embedder.embed(piece))))

    def put(self, name: str, texts: Mapping[str, str]) -> None:
        """Upload files to a bucket's storage (not yet embedded)."""
        with self._lock:
            bucket = self._buckets.setdefault(name, Bucket())
            for filename, text in texts.items():
                bucket.files[filename] = StoredFile(text)
        for hook in list(self.put_hooks):
            hook(name, texts)

    def texts(self) -> dict[str, dict[str, str]]:
        """Every bucket's files as ``{bucket: {filename: text}}``."""
        with self._lock:
            return {n: {f: s.text for f, s in b.files.items()} for n, b in self._buckets.items()}

    def seed(
        self,
        name: str,
        texts: Mapping[str, str],
        *,
        embed: bool = True,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        overlap: int = DEFAULT_CHUNK_OVERLAP,
        model: str = DEFAULT_EMBEDDING_MODEL,
    ) -> None:
        with self._lock:
            self.put(name, texts)
            if embed:
                self._embed(name, chunk_size, overlap, model, {})

    def _bucket(self, name: str) -> Bucket:
        bucket = self._buckets.get(name)
        if bucket is None:
            raise UnknownBucket(name)
        return bucket

    def _embed(
        self, name: str, size: int, overlap: int, model: str, failures: Mapping[str, str]
    ) -> None:
        bucket = self._buckets[name]
        bucket.chunks = []
        stamp = now()
        for filename, stored in bucket.files.items():
            stored.updated_at = stamp
            if filename in failures:
                stored.status, stored.error_reason = "failed", failures[filename]
                continue
            stored.status, stored.error_reason, stored.last_embedded_at = "success", None, stamp
            for piece in chunk_text(stored.text, size, overlap):
                bucket.chunks.append(Chunk(filename, piece, tuple(embedder.embed(piece))))
        bucket.embedded = True
        bucket.model = model
        bucket.chunk_size, bucket.overlap, bucket.stale = size, overlap, set()

    def script_outcome(self, status: str, failures: Mapping[str, str] | None = None) -> None:
        """Make the next job end in ``status`` with these ``{filename: reason}`` failures."""
        if status not in BUCKET_JOB_FINAL_STATUSES:
            raise ValueError(f"job outcome must be one of {', '.join(BUCKET_JOB_FINAL_STATUSES)}")
        with self._lock:
            self._outcomes.append((status, dict(failures or {})))

    def start_job(
        self, name: str, chunk_size: int, overlap: int, model: str, key: str | None = None
    ) -> Job:
        """A new job, or the job an earlier request with the same idempotency ``key`` started
        (Telnyx documents the header, not how it compares the two requests: nor does this)."""
        with self._lock:
            if key is not None and key in self._by_key:
                return self._by_key[key]
            if name not in self._buckets:
                raise UnknownBucket(name)
            job = Job(uuid.uuid4().hex, name, chunk_size, overlap, model)
            if key is not None:
                self._by_key[key] = job
            if self._outcomes:
                job.outcome, job.failures = self._outcomes.popleft()
                if job.outcome == "failure" and not job.failures:
                    job.failures = {f: "emulated failure" for f in self._buckets[name].files}
            for stored in self._buckets[name].files.values():
                stored.status = "pending"
            self._jobs[job.task_id] = job
            return job

    def jobs(self) -> list[dict[str, Any]]:
        """Every job started since the last reset, oldest first (without moving them on)."""
        with self._lock:
            return [{**job.as_data(), "bucket_name": job.bucket} for job in self._jobs.values()]

    def poll_job(self, task_id: str) -> Job:
        """Read a job's status, moving it one step along."""
        with self._lock:
            job = self._jobs.get(task_id)
            if job is None:
                raise UnknownJob(task_id)
            if job.step < len(_STEPS):
                job.step += 1
                if job.step == len(_STEPS):
                    self._finish(job)
            return job

    def _finish(self, job: Job) -> None:
        job.finished_at = now()
        if job.bucket not in self._buckets:
            job.outcome = "failure"
            return
        if job.outcome == "failure":
            bucket = self._buckets[job.bucket]
            for filename, stored in bucket.files.items():
                stored.status = "failed"
                stored.error_reason = job.failures.get(filename, "emulated failure")
            return
        self._embed(job.bucket, job.chunk_size, job.overlap, job.model, job.failures)

    def names(self) -> list[str]:
        with self._lock:
            return sorted(n for n, b in self._buckets.items() if b.embedded)

    def files(self, name: str) -> list[dict[str, Any]]:
        with self._lock:
            bucket = self._bucket(name)
            listing = [
                {
                    "filename": f,
                    "status": s.status,
                    "created_at": s.created_at,
                    "updated_at": s.updated_at,
                    "last_embedded_at": s.last_embedded_at,
                    "error_reason": s.error_reason,
                }
                for f, s in bucket.files.items()
            ]
            self._catch_up(bucket)  # changed files read "pending" once, then are embedded
            return listing

    def disable(self, name: str) -> None:
        with self._lock:
            bucket = self._bucket(name)
            if not bucket.embedded:
                raise UnknownBucket(name)
            bucket.embedded, bucket.chunks = False, []

    def search(self, name: str, query: str, k: int = DEFAULT_NUM_OF_DOCS) -> list[dict[str, Any]]:
        with self._lock:
            bucket = self._buckets.get(name)
            if bucket is None or not bucket.embedded:
                raise UnknownBucket(name)
            self._catch_up(bucket)
            chunks = list(bucket.chunks)
            files = dict(bucket.files)
            model = bucket.model
        qvec = embedder.embed(query)
        scored = sorted(
            ((embedder.cosine_distance(qvec, c.vector), i, c) for i, c in enumerate(chunks)),
            key=lambda t: (t[0], t[1]),
        )
        docs = []
        for distance, _, chunk in scored[: max(k, 0)]:
            stored = files.get(chunk.filename)
            docs.append(
                {
                    "document_chunk": chunk.text,
                    "distance": round(distance, 6),
                    "metadata": {
                        "source": f"{name}/{chunk.filename}",
                        "checksum": stored.checksum if stored else "",
                        "embedding": model,
                        "filename": chunk.filename,
                        "certainty": round(embedder.certainty(distance), 6),
                        "loader_metadata": {},
                    },
                }
            )
        return docs
