"""What the storage layer takes and gives back, and the errors it raises.

Plain dataclasses and exceptions, no I/O: :mod:`telnyx_inference.buckets.storage` re-exports them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from telnyx_inference.errors import (
    APIStatusError,
    AuthenticationError,
    InvalidParameterError,
    NotFoundError,
    PermissionDeniedError,
    ServerError,
    TelnyxError,
)

__all__ = [
    "BucketAlreadyExistsError",
    "DeleteError",
    "EmptyDocumentError",
    "ObjectData",
    "ObjectInfo",
    "ObjectNotFoundError",
    "StorageAuthenticationError",
    "StorageError",
    "StorageObject",
    "StoragePermissionError",
    "StorageServerError",
    "UploadError",
    "UploadReport",
    "WrongRegionError",
]

Body = str | bytes | os.PathLike[str]


@dataclass(frozen=True, slots=True)
class StorageObject:
    """One document to upload: text (sent as UTF-8), bytes, or a local file path.

    ``metadata`` becomes the object's user metadata (``x-amz-meta-*``: ASCII, 2 KB in all);
    ``content_type`` defaults from the key's suffix, else ``text/plain`` for text.
    """

    key: str
    body: Body
    metadata: Mapping[str, str] | None = None
    content_type: str | None = None


@dataclass(frozen=True, slots=True)
class ObjectInfo:
    """One object as a bucket listing reports it. ``metadata`` is ``None`` unless asked for."""

    key: str
    size: int
    etag: str
    last_modified: datetime | None = None
    metadata: dict[str, str] | None = None


@dataclass(frozen=True, slots=True)
class ObjectData:
    """One object's content, read back. ``text`` decodes the body as UTF-8."""

    key: str
    body: bytes
    metadata: dict[str, str] = field(default_factory=dict)
    content_type: str | None = None
    etag: str | None = None
    last_modified: datetime | None = None

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


@dataclass(frozen=True, slots=True)
class UploadReport:
    """What an upload stored: ``stored`` keys in input order, each with its ``etags`` entry."""

    bucket: str
    region: str
    stored: list[str]
    etags: dict[str, str] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.stored)


# --- Errors ----------------------------------------------------------------------------------


class EmptyDocumentError(InvalidParameterError):
    """A document to upload is empty (Telnyx has nothing to embed); ``key`` names it."""

    def __init__(self, key: str, param: str) -> None:
        self.key = key
        super().__init__(param, f"document {key!r} is empty; Telnyx cannot embed an empty file")


class StorageError(APIStatusError):
    """Telnyx Storage refused a call. ``bucket`` / ``key`` name what it was about; ``code``
    is the S3 error code (``NoSuchBucket``, ``AccessDenied``, …)."""

    def __init__(
        self, message: str, *, bucket: str | None = None, key: str | None = None, **kw: Any
    ) -> None:
        self.bucket = bucket
        self.key = key
        super().__init__(message, **kw)


class StorageAuthenticationError(StorageError, AuthenticationError):
    """The API key was refused (it is the S3 access key id)."""


class StoragePermissionError(StorageError, PermissionDeniedError):
    """The key may not touch this bucket (often: the bucket belongs to another account)."""


class StorageServerError(StorageError, ServerError):
    """A 5xx that outlasted the retries."""


class BucketAlreadyExistsError(StorageError):
    """The bucket name is taken by another account (bucket names are global)."""


class WrongRegionError(StorageError):
    """The bucket lives in ``region``, not in the ``requested`` one."""

    def __init__(self, message: str, *, region: str | None, requested: str | None, **kw: Any):
        self.region = region
        self.requested = requested
        super().__init__(message, **kw)


class ObjectNotFoundError(StorageError, NotFoundError):
    """No object has this key in the bucket."""


class UploadError(TelnyxError):
    """Some documents were not stored. Nothing is lost silently: every key given is either in
    ``stored`` (in the bucket now) or in ``not_stored`` (key -> reason)."""

    def __init__(
        self,
        bucket: str,
        stored: Sequence[str],
        not_stored: Mapping[str, str],
        *,
        region: str | None = None,
        etags: Mapping[str, str] | None = None,
    ) -> None:
        self.bucket = bucket
        self.region = region
        self.stored = list(stored)
        self.not_stored = dict(not_stored)
        self.etags = dict(etags or {})
        first = next(iter(self.not_stored.items()), ("", ""))
        more = len(self.not_stored) - 1
        tail = f" (and {more} more)" if more > 0 else ""
        super().__init__(
            f"upload to bucket {bucket!r}: {len(self.stored)} document(s) stored, "
            f"{len(self.not_stored)} not stored; {first[0]!r}: {first[1]}{tail}"
        )


class DeleteError(TelnyxError):
    """Some objects were not deleted: ``deleted`` keys and ``not_deleted`` (key -> reason)."""

    def __init__(self, bucket: str, deleted: Sequence[str], not_deleted: Mapping[str, str]):
        self.bucket = bucket
        self.deleted = list(deleted)
        self.not_deleted = dict(not_deleted)
        listed = ", ".join(f"{k!r} ({r})" for k, r in list(self.not_deleted.items())[:5])
        super().__init__(
            f"delete in bucket {bucket!r}: {len(self.not_deleted)} object(s) not deleted: {listed}"
        )
