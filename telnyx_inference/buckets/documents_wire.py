"""Documents as objects in a Telnyx bucket: pure rules shared by both framework stores.

One document is one object. Its text is the object's body, and nothing else is, because
Telnyx embeds (and chunks) whatever the body holds: metadata in the body would show up in
search results and skew the ranking. The metadata travels as S3 object metadata instead, one
JSON value under ``x-amz-meta-telnyx-doc``, so a search hit costs one ``HEAD``/``GET`` of its
object to be read back exactly::

    key = object_key("intro-1")                      # 'intro-1.txt'
    doc_id_from_key(key)                             # 'intro-1'
    meta = encode_metadata({"page": 3}, "documents[0].metadata")
    decode_metadata(meta)                            # {'page': 3}
    decode_metadata({})                              # None: not an object the stores wrote

The ``.txt`` suffix makes Telnyx's default loader read the object as plain text.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, unquote

from telnyx_inference._constants import BUCKET_FILE_EMBEDDED_STATUSES
from telnyx_inference.buckets.bucket_wire import BucketFile, SearchResult
from telnyx_inference.errors import InvalidParameterError, InvalidParameterTypeError

__all__ = [
    "MAX_METADATA_BYTES",
    "METADATA_KEY",
    "DocumentHit",
    "DocumentRecord",
    "PlannedObject",
    "decode_metadata",
    "doc_id_from_key",
    "encode_metadata",
    "ids_from_key",
    "object_key",
    "pending_keys",
    "plan_objects",
    "ref_folder",
]

OBJECT_SUFFIX = ".txt"
METADATA_KEY = "telnyx-doc"
"""The S3 user-metadata name (sent as ``x-amz-meta-telnyx-doc``) holding the JSON metadata."""
MAX_METADATA_BYTES = 2000
"""S3 caps all user metadata of an object at 2 KB; keep some room for the header name."""


@dataclass(frozen=True, slots=True)
class DocumentRecord:
    """A whole document read back from its object."""

    id: str
    text: str
    metadata: dict[str, Any]


@dataclass(frozen=True, slots=True)
class DocumentHit:
    """A chunk found by similarity search, tied back to its document.

    ``id`` is ``None`` for objects the stores did not write (another tool's files);
    ``ref_id`` is the source document's id (the ``id`` itself unless the object is a part).
    """

    id: str | None
    ref_id: str | None
    chunk: str
    metadata: dict[str, Any]
    result: SearchResult

    @property
    def distance(self) -> float:
        return self.result.distance

    @property
    def score(self) -> float:
        return self.result.score


@dataclass(frozen=True, slots=True)
class PlannedObject:
    """One object to upload: its key, body and S3 user metadata."""

    id: str
    key: str
    body: bytes
    metadata: dict[str, str] = field(default_factory=dict)


def object_key(doc_id: str, ref_id: str | None = None) -> str:
    """The object key for a document id (percent-encoded, so any id is a safe key).

    A part of a larger document (a LlamaIndex node) goes under its source's folder:
    ``object_key("n1", ref_id="doc")`` is ``'doc/n1.txt'``.
    """
    name = f"{quote(doc_id, safe='')}{OBJECT_SUFFIX}"
    return f"{ref_folder(ref_id)}{name}" if ref_id is not None else name


def ref_folder(ref_id: str) -> str:
    """The key prefix of the parts stored for the source document ``ref_id``."""
    return f"{quote(ref_id, safe='')}/"


def ids_from_key(key: str | None) -> tuple[str, str] | None:
    """``(id, source id)`` of a key written by :func:`object_key`, else ``None``."""
    if not key or not key.endswith(OBJECT_SUFFIX):
        return None
    parts = key[: -len(OBJECT_SUFFIX)].split("/")
    if len(parts) > 2 or not all(parts):
        return None
    doc_id = unquote(parts[-1])
    return doc_id, unquote(parts[0]) if len(parts) == 2 else doc_id


def doc_id_from_key(key: str | None) -> str | None:
    """The document id of a key written by :func:`object_key`, else ``None``."""
    ids = ids_from_key(key)
    return ids[0] if ids is not None else None


def encode_metadata(metadata: Mapping[str, Any] | None, where: str) -> dict[str, str]:
    """S3 user metadata carrying ``metadata``; refused (naming ``where``) unless it survives
    JSON exactly and fits in S3's 2 KB. Always present, so the stores know their own objects."""
    if metadata is None:
        metadata = {}
    if not isinstance(metadata, Mapping):
        raise InvalidParameterTypeError(where, f"expected a dict, got {type(metadata).__name__}")
    try:
        text = json.dumps(dict(metadata), ensure_ascii=True, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise InvalidParameterError(where, f"must be JSON data ({exc})") from None
    if json.loads(text) != metadata:
        raise InvalidParameterError(
            where,
            "would not come back as given (JSON keeps only string keys, lists, numbers, "
            "strings, booleans and null; tuples and other keys change)",
        )
    if len(text) > MAX_METADATA_BYTES:
        raise InvalidParameterError(
            where,
            f"is {len(text)} bytes as JSON; object metadata holds at most {MAX_METADATA_BYTES}",
        )
    return {METADATA_KEY: text}


def decode_metadata(object_metadata: Mapping[str, str] | None) -> dict[str, Any] | None:
    """The document metadata stored by :func:`encode_metadata`; ``None`` for an object the
    stores did not write."""
    raw = None
    for name, value in (object_metadata or {}).items():
        if name.lower() in (METADATA_KEY, f"x-amz-meta-{METADATA_KEY}"):
            raw = value
    if raw is None:
        return None
    try:
        value = json.loads(raw)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise InvalidParameterTypeError(where, f"expected a string, got {type(value).__name__}")
    if not value.strip():
        raise InvalidParameterError(where, "is empty; Telnyx cannot embed an empty document")
    return value


def _ids(ids: Sequence[Any] | None, count: int) -> list[str]:
    if ids is None:
        return [str(uuid.uuid4()) for _ in range(count)]
    if isinstance(ids, str):
        raise InvalidParameterTypeError("ids", "expected a list of ids, got a string")
    if len(ids) != count:
        raise InvalidParameterError("ids", f"has {len(ids)} ids for {count} documents")
    out = []
    for i, doc_id in enumerate(ids):
        if doc_id is None:
            out.append(str(uuid.uuid4()))
        elif not isinstance(doc_id, str) or not doc_id:
            raise InvalidParameterError(f"ids[{i}]", "must be a non-empty string")
        else:
            out.append(doc_id)
    dupes = sorted({d for d in out if out.count(d) > 1})
    if dupes:
        raise InvalidParameterError("ids", f"repeats {dupes}; each document needs its own id")
    return out


def plan_objects(
    texts: Iterable[Any],
    metadatas: Sequence[Mapping[str, Any] | None] | None = None,
    ids: Sequence[Any] | None = None,
    *,
    ref_ids: Sequence[str | None] | None = None,
    what: str = "texts",
) -> list[PlannedObject]:
    """Check every document and decide its object, before anything is sent."""
    bodies = [_text(t, f"{what}[{i}]") for i, t in enumerate(texts)]
    if metadatas is not None and len(metadatas) != len(bodies):
        raise InvalidParameterError(
            "metadatas", f"has {len(metadatas)} entries for {len(bodies)} documents"
        )
    doc_ids = _ids(ids, len(bodies))
    return [
        PlannedObject(
            id=doc_id,
            key=object_key(doc_id, ref_ids[i] if ref_ids is not None else None),
            body=body.encode("utf-8"),
            metadata=encode_metadata(
                metadatas[i] if metadatas is not None else None, f"metadatas[{i}]"
            ),
        )
        for i, (doc_id, body) in enumerate(zip(doc_ids, bodies, strict=True))
    ]


def pending_keys(
    files: Sequence[BucketFile], written: Iterable[str], deleted: Iterable[str] = ()
) -> tuple[list[str], dict[str, str]]:
    """Keys whose embedding is not up to date yet, and the files that failed (with reasons).

    A written key is done once its file's status says embedded (``success``): a change
    shows as ``pending`` / ``processing`` until Telnyx has re-embedded it, and an upload of
    unchanged content keeps ``success``. A deleted key is done once its file is gone.
    """
    by_name = {f.filename: f for f in files}
    waiting: list[str] = []
    failed: dict[str, str] = {}
    for key in written:
        found = by_name.get(key)
        if found is None:
            waiting.append(key)
        elif found.failed:
            failed[key] = found.error_reason or found.status
        elif found.status.lower() not in BUCKET_FILE_EMBEDDED_STATUSES:
            waiting.append(key)
    waiting.extend(key for key in deleted if key in by_name)
    return waiting, failed
