"""Telnyx Cloud Storage, the pure part: names, documents, endpoints, answers and errors.

Nothing here sends anything. :mod:`telnyx_inference.buckets.storage` turns these into S3 calls; every
check runs before a byte is sent and names the bucket, the document or the parameter.
"""

from __future__ import annotations

import ipaddress
import mimetypes
import os
import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from telnyx_inference._constants import (
    STORAGE_MAX_KEY_BYTES,
    STORAGE_MAX_METADATA_BYTES,
)
from telnyx_inference.buckets.storage_types import (
    BucketAlreadyExistsError,
    EmptyDocumentError,
    ObjectInfo,
    ObjectNotFoundError,
    StorageAuthenticationError,
    StorageError,
    StorageObject,
    StoragePermissionError,
    StorageServerError,
    WrongRegionError,
)
from telnyx_inference.errors import (
    APIStatusError,
    BucketNotFoundError,
    InsecureTransportError,
    InvalidParameterError,
    InvalidParameterTypeError,
)
from telnyx_inference.settings import check_url, is_loopback_url

__all__ = [
    "check_bucket",
    "check_keys",
    "check_storage_url",
    "endpoint_for",
    "plan_upload",
    "read_listing",
    "read_location",
    "storage_error",
]

_BUCKET_RE = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_META_KEY_RE = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]+$")
_AUTH_CODES = frozenset({"InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidToken"})
_REGION_CODES = frozenset(
    {"PermanentRedirect", "AuthorizationHeaderMalformed", "IncorrectEndpoint"}
)


# --- Names ------------------------------------------------------------------------------------


def check_bucket(name: Any, param: str = "bucket") -> str:
    """S3's bucket naming rules (Telnyx follows them): 3-63 characters of lowercase letters,
    digits, dots and hyphens, starting and ending with a letter or digit, not an IP address."""
    if not isinstance(name, str):
        raise InvalidParameterTypeError(param, f"expected a bucket name string, got {name!r:.60}")
    if not _BUCKET_RE.match(name) or ".." in name or ".-" in name or "-." in name:
        raise InvalidParameterError(
            param,
            f"{name!r} is not a valid bucket name: use 3-63 lowercase letters, digits, dots "
            "or hyphens, starting and ending with a letter or digit",
        )
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return name
    raise InvalidParameterError(param, f"{name!r} is not a valid bucket name: it is an IP address")


def _check_key(key: Any, param: str) -> str:
    if not isinstance(key, str):
        raise InvalidParameterTypeError(param, f"expected an object key string, got {key!r:.60}")
    if not key or not key.strip():
        raise InvalidParameterError(param, "an object key must not be empty")
    if len(key.encode("utf-8")) > STORAGE_MAX_KEY_BYTES:
        raise InvalidParameterError(param, f"key {key[:40]!r}… is over 1024 bytes")
    return key


def check_keys(keys: Iterable[str] | str, param: str = "keys") -> list[str]:
    if isinstance(keys, str):
        raise InvalidParameterTypeError(param, "expected a list of keys, got one string")
    return [_check_key(k, f"{param}[{i}]") for i, k in enumerate(keys)]


# --- Documents --------------------------------------------------------------------------------


def _check_metadata(meta: Any, key: str, param: str) -> dict[str, str] | None:
    if meta is None:
        return None
    if not isinstance(meta, Mapping):
        raise InvalidParameterTypeError(param, f"metadata of {key!r} must be a dict of strings")
    out: dict[str, str] = {}
    size = 0
    for name, value in meta.items():
        if not isinstance(name, str) or not isinstance(value, str):
            raise InvalidParameterTypeError(
                param, f"metadata of {key!r}: {name!r} must map a string to a string"
            )
        if not _META_KEY_RE.match(name):
            raise InvalidParameterError(
                param, f"metadata of {key!r}: {name!r} is not a valid header name"
            )
        if not value.isascii() or "\n" in value or "\r" in value:
            raise InvalidParameterError(
                param,
                f"metadata of {key!r}: the value of {name!r} must be one line of ASCII "
                "(S3 sends metadata as HTTP headers); encode other text, e.g. as JSON with "
                "ensure_ascii=True or base64",
            )
        size += len(name) + len(value)
        out[name.lower()] = value
    if size > STORAGE_MAX_METADATA_BYTES:
        raise InvalidParameterError(
            param, f"metadata of {key!r} is {size} bytes; S3 allows {STORAGE_MAX_METADATA_BYTES}"
        )
    return out


def _body(body: Any, key: str, param: str) -> tuple[bytes | Path, str | None]:
    """The bytes (or file path) to send and a default content type; refuses empty documents."""
    if isinstance(body, str):
        if not body.strip():
            raise EmptyDocumentError(key, param)
        return body.encode("utf-8"), "text/plain; charset=utf-8"
    if isinstance(body, bytes | bytearray | memoryview):
        data = bytes(body)
        if not data:
            raise EmptyDocumentError(key, param)
        return data, "application/octet-stream"
    if isinstance(body, os.PathLike):
        path = Path(os.fspath(body))
        if not path.is_file():
            raise InvalidParameterError(param, f"document {key!r}: no such file {str(path)!r}")
        if path.stat().st_size == 0:
            raise EmptyDocumentError(key, param)
        return path, None
    raise InvalidParameterTypeError(
        param, f"document {key!r} must be str, bytes or a path, got {type(body).__name__}"
    )


def _content_type(key: str, given: str | None, default: str | None, body: bytes | Path) -> str:
    if given:
        return given
    guessed, _ = mimetypes.guess_type(str(body) if isinstance(body, Path) else key)
    if guessed:
        return f"{guessed}; charset=utf-8" if guessed.startswith("text/") else guessed
    return default or "application/octet-stream"


def plan_upload(items: Any, param: str = "items") -> list[StorageObject]:
    """Check every document and return them as ``StorageObject``s with bytes or a ``Path``
    body, metadata and a content type; raises before anything is sent."""
    if isinstance(items, str | bytes) or items is None:
        raise InvalidParameterTypeError(
            param, "expected a mapping of key -> document or an iterable of StorageObject"
        )
    pairs: Iterable[Any] = items.items() if isinstance(items, Mapping) else items
    planned: list[StorageObject] = []
    seen: set[str] = set()
    for i, entry in enumerate(pairs):
        if isinstance(entry, StorageObject):
            where = f"{param}[{i}]"
            key, raw, meta, ctype = entry.key, entry.body, entry.metadata, entry.content_type
        elif isinstance(items, Mapping):
            key, raw = entry
            where, meta, ctype = f"{param}[{key!r}]", None, None
        else:
            raise InvalidParameterTypeError(
                f"{param}[{i}]", f"expected a StorageObject, got {type(entry).__name__}"
            )
        key = _check_key(key, where)
        if key in seen:
            raise InvalidParameterError(where, f"key {key!r} appears twice")
        seen.add(key)
        body, default_type = _body(raw, key, where)
        planned.append(
            StorageObject(
                key,
                body,
                _check_metadata(meta, key, where),
                _content_type(key, ctype, default_type, body),
            )
        )
    if not planned:
        raise InvalidParameterError(param, "nothing to upload")
    return planned


# --- Endpoints --------------------------------------------------------------------------------


def check_storage_url(
    template: str, param: str = "storage_url", *, allow_insecure_http: bool = False
) -> str:
    """``template`` (a URL, ``{region}`` allowed in it) if an S3 client can use it; else an
    error naming ``param``: not http(s), no host, a bad port, or plain http:// to a host that
    is not this machine (the key would travel unencrypted)."""
    url = check_url(template, param)
    if urlsplit(url).scheme == "http" and not allow_insecure_http and not is_loopback_url(url):
        raise InsecureTransportError(url, param)
    return url


def endpoint_for(
    template: str, region: str, *, allow_insecure_http: bool = False, param: str = "storage_url"
) -> str:
    """The S3 endpoint for a region: ``{region}`` in the template is filled in; a URL without
    it (the emulator, a proxy) serves every region. Checked as :func:`check_storage_url`."""
    check_storage_url(template, param, allow_insecure_http=allow_insecure_http)
    return template.replace("{region}", region).rstrip("/")


# --- Answers ----------------------------------------------------------------------------------


def read_location(answer: Mapping[str, Any]) -> str:
    """GetBucketLocation's region; S3 spells the oldest US region as an empty constraint."""
    region = answer.get("LocationConstraint")
    return str(region) if region else "us-east-1"


def read_listing(answer: Mapping[str, Any]) -> list[ObjectInfo]:
    out = []
    for item in answer.get("Contents") or []:
        modified = item.get("LastModified")
        out.append(
            ObjectInfo(
                key=str(item["Key"]),
                size=int(item.get("Size") or 0),
                etag=str(item.get("ETag") or "").strip('"'),
                last_modified=modified if isinstance(modified, datetime) else None,
            )
        )
    return out


# --- Errors -----------------------------------------------------------------------------------


def storage_error(
    *,
    code: str,
    status: int | None,
    message: str,
    bucket: str | None,
    key: str | None = None,
    region: str | None = None,
    home_region: str | None = None,
    request_id: str | None = None,
    body: Any = None,
) -> APIStatusError:
    """The error for one refused S3 call, naming the bucket (and the key, when there is one)."""
    what = f"bucket {bucket!r}" if bucket else "Telnyx Storage"
    if key:
        what = f"document {key!r} in {what}"
    kw: dict[str, Any] = {"status": status, "code": code, "body": body, "request_id": request_id}
    said = f" ({code}: {message})" if message else f" ({code})"
    if code == "NoSuchBucket" and bucket:
        return BucketNotFoundError(
            bucket, f"bucket {bucket!r} does not exist in Telnyx Storage{said}", **kw
        )
    if code in ("NoSuchKey", "NotFound") or (status == 404 and key):
        return ObjectNotFoundError(f"{what} does not exist{said}", bucket=bucket, key=key, **kw)
    if code == "BucketAlreadyExists":
        return BucketAlreadyExistsError(
            f"bucket name {bucket!r} is taken by another account (bucket names are global "
            f"across Telnyx Storage); pick another name{said}",
            bucket=bucket,
            **kw,
        )
    if code in _REGION_CODES or status == 301:
        where = f"lives in {home_region!r}" if home_region else "lives in another region"
        return WrongRegionError(
            f"{what}: the bucket {where}, but the call went to {region!r}; let Storage find "
            f"the home region (region=None) or pass the right one{said}",
            region=home_region,
            requested=region,
            bucket=bucket,
            key=key,
            **kw,
        )
    if code in _AUTH_CODES or status == 401:
        return StorageAuthenticationError(
            f"Telnyx Storage refused the API key for {what}{said}", bucket=bucket, key=key, **kw
        )
    if code == "AccessDenied" or status == 403:
        return StoragePermissionError(
            f"access denied to {what}: it may belong to another account{said}",
            bucket=bucket,
            key=key,
            **kw,
        )
    if code in ("InvalidBucketName",):
        return StorageError(f"{what}: invalid bucket name{said}", bucket=bucket, **kw)
    if status is not None and status >= 500:
        return StorageServerError(
            f"Telnyx Storage failed on {what} (HTTP {status}){said}", bucket=bucket, key=key, **kw
        )
    return StorageError(
        f"Telnyx Storage refused a call on {what} (HTTP {status}){said}",
        bucket=bucket,
        key=key,
        **kw,
    )
