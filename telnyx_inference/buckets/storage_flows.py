"""Each storage operation written once, as a generator of S3 calls.

A flow yields :class:`~telnyx_inference.buckets.s3.S3Call` objects and receives each answer (or has
the call's error thrown into it); :class:`~telnyx_inference.buckets.storage.Storage` drives flows with
plain calls, :class:`~telnyx_inference.buckets.storage.AsyncStorage` with ``await``. So the sync and
async clients share every decision — home region, create-if-missing, batching, fallbacks — and
differ only in the send.
"""

from __future__ import annotations

import threading
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from telnyx_inference._constants import DEFAULT_STORAGE_REGION
from telnyx_inference.buckets.progress import CountProgress
from telnyx_inference.buckets.s3 import S3Call
from telnyx_inference.buckets.storage_types import (
    DeleteError,
    ObjectData,
    ObjectInfo,
    ObjectNotFoundError,
    StorageAuthenticationError,
    StorageError,
    StorageObject,
    StoragePermissionError,
    UploadError,
    UploadReport,
    WrongRegionError,
)
from telnyx_inference.buckets.storage_wire import read_listing, read_location
from telnyx_inference.errors import BucketNotFoundError, TelnyxError

__all__ = ["Flow", "Flows", "Home", "UploadRun"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Home:
    """Ask the runner for the bucket's home region. The runner looks it up with
    :meth:`Flows.locate` once for all the callers waiting at the same time (a search's HEADs
    run concurrently, and each would otherwise ask), then hands every one the answer."""

    bucket: str


Flow = Generator[S3Call | Home, Any, T]

DELETE_BATCH = 1000
"""S3's cap on keys per DeleteObjects call."""
_DELETE_FALLBACK_CODES = frozenset(
    {"NotImplemented", "MissingContentMD5", "InvalidRequest", "InvalidDigest", "BadDigest"}
)
_FATAL = (
    StorageAuthenticationError,
    StoragePermissionError,
    BucketNotFoundError,
    WrongRegionError,
)
"""Errors that would fail every remaining upload the same way: stop sending after one."""


class Flows:
    """The flows of one storage client; remembers each bucket's home region."""

    def __init__(self, region: str | None) -> None:
        self.pinned = region
        self._homes: dict[str, str] = {}
        self._lock = threading.Lock()

    def remember(self, bucket: str, region: str) -> None:
        with self._lock:
            self._homes[bucket] = region

    def home(self, bucket: str) -> Flow[str]:
        """The bucket's home region: pinned, remembered, or asked by the runner (see
        :class:`Home`)."""
        if self.pinned:
            return self.pinned
        known = self._homes.get(bucket)
        if known:
            return known
        region: str = yield Home(bucket)
        return region

    def locate(self, bucket: str) -> Flow[str]:
        """GetBucketLocation (answered by any US endpoint), remembered; the runners run it
        once per bucket however many callers wait for it."""
        known = self._homes.get(bucket)
        if known:
            return known
        answer = yield S3Call(
            "get_bucket_location", DEFAULT_STORAGE_REGION, {"Bucket": bucket}, bucket
        )
        region = read_location(answer)
        self.remember(bucket, region)
        return region

    def ensure_bucket(self, bucket: str, region: str | None) -> Flow[str]:
        known = self._homes.get(bucket)
        if known and (region or self.pinned or known) == known:
            return known  # created or found by this client already
        try:
            answer = yield S3Call(
                "get_bucket_location", DEFAULT_STORAGE_REGION, {"Bucket": bucket}, bucket
            )
        except BucketNotFoundError:
            home = None
        except StoragePermissionError:
            home = None  # someone else's bucket, most likely: creating it says so clearly
        else:
            home = read_location(answer)
        wanted = region or self.pinned
        if home is not None:
            if wanted and home != wanted:
                raise WrongRegionError(
                    f"bucket {bucket!r} already exists in region {home!r}, not {wanted!r}",
                    region=home,
                    requested=wanted,
                    bucket=bucket,
                )
            self.remember(bucket, home)
            return home
        target = wanted or DEFAULT_STORAGE_REGION
        params = {"Bucket": bucket, "CreateBucketConfiguration": {"LocationConstraint": target}}
        try:
            yield S3Call("create_bucket", target, params, bucket)
        except StorageError as err:
            if err.code != "BucketAlreadyOwnedByYou":
                raise
        self.remember(bucket, target)
        return target

    def put(self, bucket: str, region: str, obj: StorageObject) -> Flow[str]:
        params: dict[str, Any] = {"Bucket": bucket, "Key": obj.key, "Body": obj.body}
        if obj.metadata:
            params["Metadata"] = dict(obj.metadata)
        if obj.content_type:
            params["ContentType"] = obj.content_type
        answer = yield S3Call("put_object", region, params, bucket, obj.key)
        return str(answer.get("ETag") or "").strip('"')

    def list_objects(self, bucket: str, prefix: str) -> Flow[list[ObjectInfo]]:
        region = yield from self.home(bucket)
        found: list[ObjectInfo] = []
        params: dict[str, Any] = {"Bucket": bucket, "Prefix": prefix}
        while True:
            answer = yield S3Call("list_objects_v2", region, dict(params), bucket)
            found.extend(read_listing(answer))
            token = answer.get("NextContinuationToken")
            if not answer.get("IsTruncated") or not token:
                return found
            params["ContinuationToken"] = token

    def get_object(self, bucket: str, key: str) -> Flow[ObjectData]:
        region = yield from self.home(bucket)
        answer = yield S3Call("get_object", region, {"Bucket": bucket, "Key": key}, bucket, key)
        return ObjectData(
            key=key,
            body=bytes(answer.get("Body") or b""),
            metadata=dict(answer.get("Metadata") or {}),
            content_type=answer.get("ContentType"),
            etag=str(answer.get("ETag") or "").strip('"') or None,
            last_modified=answer.get("LastModified"),
        )

    def head_object(self, bucket: str, key: str) -> Flow[ObjectInfo]:
        region = yield from self.home(bucket)
        answer = yield S3Call("head_object", region, {"Bucket": bucket, "Key": key}, bucket, key)
        return ObjectInfo(
            key=key,
            size=int(answer.get("ContentLength") or 0),
            etag=str(answer.get("ETag") or "").strip('"'),
            last_modified=answer.get("LastModified"),
            metadata=dict(answer.get("Metadata") or {}),
        )

    def missing_ok(self, flow: Flow[T]) -> Flow[T | None]:
        """``flow``, with ``None`` for an object that does not exist."""
        try:
            return (yield from flow)
        except ObjectNotFoundError:
            return None

    def delete_objects(self, bucket: str, keys: Sequence[str]) -> Flow[list[str]]:
        region = yield from self.home(bucket)
        deleted: list[str] = []
        failed: dict[str, str] = {}
        for start in range(0, len(keys), DELETE_BATCH):
            batch = list(keys[start : start + DELETE_BATCH])
            params = {
                "Bucket": bucket,
                "Delete": {"Objects": [{"Key": k} for k in batch], "Quiet": False},
            }
            try:
                answer = yield S3Call("delete_objects", region, params, bucket)
            except StorageError as err:
                if err.code not in _DELETE_FALLBACK_CODES:
                    raise
                # An S3-compatible service without batch delete: one call per key.
                for key in batch:
                    yield S3Call("delete_object", region, {"Bucket": bucket, "Key": key}, bucket)
                    deleted.append(key)
                continue
            deleted.extend(str(d["Key"]) for d in answer.get("Deleted") or [])
            for e in answer.get("Errors") or []:
                failed[str(e.get("Key"))] = f"{e.get('Code')}: {e.get('Message')}"
        if failed:
            raise DeleteError(bucket, deleted, failed)
        return deleted

    def delete_bucket(self, bucket: str, force: bool) -> Flow[None]:
        if force:
            keys = [o.key for o in (yield from self.list_objects(bucket, ""))]
            if keys:
                yield from self.delete_objects(bucket, keys)
        region = yield from self.home(bucket)
        yield S3Call("delete_bucket", region, {"Bucket": bucket}, bucket)
        with self._lock:
            self._homes.pop(bucket, None)


class UploadRun:
    """The shared bookkeeping of one upload: hands out documents to the workers (threads or
    tasks), records each outcome, stops handing out after an error that would repeat for
    every document, and turns the outcome into a report or an :class:`UploadError`."""

    def __init__(
        self, bucket: str, region: str, objects: list[StorageObject], progress: bool | None
    ) -> None:
        self.bucket, self.region = bucket, region
        self._order = [o.key for o in objects]
        self._pending: Iterator[StorageObject] = iter(objects)
        self._lock = threading.Lock()
        self.etags: dict[str, str] = {}
        self.failed: dict[str, str] = {}
        self.fatal: TelnyxError | None = None
        self.bar = CountProgress(f"Uploading to bucket {bucket!r}", len(objects), enabled=progress)

    def next(self) -> StorageObject | None:
        with self._lock:
            if self.fatal is not None:
                return None
            return next(self._pending, None)

    def stop(self) -> None:
        """Hand out nothing more (the caller was interrupted)."""
        with self._lock:
            self._pending = iter(())

    def done(self, key: str, etag: str) -> None:
        with self._lock:
            self.etags[key] = etag
            self.bar.advance()

    def fail(self, key: str, error: BaseException) -> None:
        with self._lock:
            self.failed[key] = str(error) or type(error).__name__
            if isinstance(error, _FATAL) and self.fatal is None:
                self.fatal = error
            self.bar.advance()

    def finish(self) -> UploadReport:
        self.bar.close()
        stored = [k for k in self._order if k in self.etags]
        if len(stored) == len(self._order):
            return UploadReport(self.bucket, self.region, stored, dict(self.etags))
        why = f"not sent: the upload stopped after an earlier error ({self.fatal})"
        if self.fatal is None:
            why = "not sent: the upload was interrupted"
        not_stored = {k: self.failed.get(k, why) for k in self._order if k not in self.etags}
        raise UploadError(self.bucket, stored, not_stored, region=self.region, etags=self.etags)
