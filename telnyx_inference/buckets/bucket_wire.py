"""The bucket endpoints' wire format: pure request builders, answer readers and result types.

Nothing here sends anything; :mod:`telnyx_inference.buckets.bucket_api` wraps these in sync and async
clients. Every builder validates before a byte is sent and names the offending parameter.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from telnyx_inference._constants import (
    BUCKET_FILE_EMBEDDED_STATUSES,
    BUCKET_FILE_FAILED_STATUSES,
    BUCKET_JOB_FAILED_STATUSES,
    BUCKET_JOB_FINAL_STATUSES,
    BUCKET_JOB_PATH,
    BUCKET_LOADERS,
    BUCKETS_PATH,
    DEFAULT_CHUNK_OVERLAP,
    DEFAULT_CHUNK_SIZE,
    DEFAULT_EMBEDDING_MODEL,
    DEFAULT_NUM_OF_DOCS,
    EMBEDDING_MODELS,
)
from telnyx_inference.embeddings import check_query
from telnyx_inference.errors import (
    BucketJobError,
    BucketNotEmbeddedError,
    BucketNotFoundError,
    InvalidParameterError,
    InvalidParameterTypeError,
    UnexpectedResponseError,
)

__all__ = [
    "BucketFile",
    "EmbeddingJob",
    "SearchResult",
    "bucket_path",
    "build_job_request",
    "build_search_request",
    "check_bucket_name",
    "check_embedded",
    "check_positive_int",
    "hit_metadata",
    "job_failure",
    "job_path",
    "read_bucket_names",
    "read_files",
    "read_job",
    "read_search_results",
]


# --- Result types -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EmbeddingJob:
    """A bucket embedding job. ``bucket_name`` is remembered client-side (Telnyx omits it)."""

    task_id: str
    status: str
    bucket_name: str | None = None
    task_name: str | None = None
    created_at: str | None = None
    finished_at: str | None = None

    @property
    def done(self) -> bool:
        return self.status in BUCKET_JOB_FINAL_STATUSES

    @property
    def failed(self) -> bool:
        """Ended in ``failure`` or ``partial_success``."""
        return self.status in BUCKET_JOB_FAILED_STATUSES


@dataclass(frozen=True, slots=True)
class BucketFile:
    """One file of a bucket and how its embedding went."""

    filename: str
    status: str
    created_at: str | None = None
    updated_at: str | None = None
    last_embedded_at: str | None = None
    error_reason: str | None = None

    @property
    def failed(self) -> bool:
        return bool(self.error_reason) or self.status.lower() in BUCKET_FILE_FAILED_STATUSES

    @property
    def embedded(self) -> bool:
        return not self.failed and (
            self.last_embedded_at is not None
            or self.status.lower() in BUCKET_FILE_EMBEDDED_STATUSES
        )


@dataclass(frozen=True, slots=True)
class SearchResult:
    """One chunk found by similarity search.

    ``distance`` is cosine distance (lower is closer); ``certainty`` is higher-is-closer.
    ``metadata`` is everything Telnyx sent about the chunk, as sent.
    """

    chunk: str
    distance: float
    certainty: float | None = None
    source: str | None = None
    filename: str | None = None
    checksum: str | None = None
    embedding_model: str | None = None
    loader_metadata: dict[str, Any] = field(default_factory=dict)
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def score(self) -> float:
        """Higher is better: the certainty, or ``1 - distance`` when there is none."""
        return self.certainty if self.certainty is not None else 1.0 - self.distance


def hit_metadata(result: SearchResult, bucket_name: str) -> dict[str, Any]:
    """What a search hit says about where it came from and how close it is: the metadata
    both frameworks put on the ``Document`` / node they make of it (one place, so they agree).
    ``loader_metadata`` (what the loader found, e.g. an article's title) only when there is
    some."""
    metadata: dict[str, Any] = {
        "source": result.source,
        "filename": result.filename,
        "distance": result.distance,
        "certainty": result.certainty,
        "score": result.score,
        "bucket_name": bucket_name,
        "checksum": result.checksum,
        "embedding_model": result.embedding_model,
    }
    if result.loader_metadata:
        metadata["loader_metadata"] = dict(result.loader_metadata)
    return metadata


# --- Paths and request bodies -------------------------------------------------------------------


def job_path(task_id: str | None = None) -> str:
    return BUCKET_JOB_PATH if task_id is None else f"{BUCKET_JOB_PATH}/{quote(task_id, safe='')}"


def bucket_path(name: str) -> str:
    return f"{BUCKETS_PATH}/{quote(check_bucket_name(name), safe='')}"


def check_bucket_name(name: Any, param: str = "bucket_name") -> str:
    if not isinstance(name, str):
        raise InvalidParameterTypeError(param, f"expected a string, got {type(name).__name__}")
    if not name.strip():
        raise InvalidParameterError(param, "must not be empty")
    return name


def check_positive_int(value: Any, param: str, *, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidParameterTypeError(param, f"expected an int, got {value!r}")
    if value < minimum:
        raise InvalidParameterError(param, f"must be at least {minimum}, got {value}")
    return value


def build_job_request(
    bucket_name: str,
    *,
    document_chunk_size: int = DEFAULT_CHUNK_SIZE,
    document_chunk_overlap_size: int = DEFAULT_CHUNK_OVERLAP,
    embedding_model: str = DEFAULT_EMBEDDING_MODEL,
    loader: str = "default",
) -> dict[str, Any]:
    """The body of ``POST ai/embeddings`` (start embedding a bucket)."""
    size = check_positive_int(document_chunk_size, "document_chunk_size")
    overlap = check_positive_int(
        document_chunk_overlap_size, "document_chunk_overlap_size", minimum=0
    )
    if overlap >= size:
        raise InvalidParameterError(
            "document_chunk_overlap_size",
            f"must be smaller than document_chunk_size ({size}), got {overlap}",
        )
    if embedding_model not in EMBEDDING_MODELS:
        raise InvalidParameterError(
            "embedding_model", f"must be one of {list(EMBEDDING_MODELS)}, got {embedding_model!r}"
        )
    if loader not in BUCKET_LOADERS:
        raise InvalidParameterError(
            "loader", f"must be one of {list(BUCKET_LOADERS)}, got {loader!r}"
        )
    return {
        "bucket_name": check_bucket_name(bucket_name),
        "document_chunk_size": size,
        "document_chunk_overlap_size": overlap,
        "embedding_model": embedding_model,
        "loader": loader,
    }


def build_search_request(
    bucket_name: str, query: str, num_of_docs: int = DEFAULT_NUM_OF_DOCS
) -> dict[str, Any]:
    """The body of ``POST ai/embeddings/similarity-search``: note ``num_of_docs``."""
    return {
        "bucket_name": check_bucket_name(bucket_name),
        "query": check_query(query),
        "num_of_docs": check_positive_int(num_of_docs, "num_of_docs"),
    }


# --- Reading answers ----------------------------------------------------------------------------


def _data(body: Any, what: str) -> Any:
    if not isinstance(body, Mapping) or "data" not in body:
        raise UnexpectedResponseError(
            f"the {what} answer has no data: {str(body)[:200]!r}", body=body
        )
    return body["data"]


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)


def read_job(body: Any, bucket_name: str | None = None) -> EmbeddingJob:
    data = _data(body, "embedding job")
    if not isinstance(data, Mapping) or not data.get("task_id"):
        raise UnexpectedResponseError(
            f"the embedding job answer has no task_id: {data!r}", body=body
        )
    return EmbeddingJob(
        task_id=str(data["task_id"]),
        status=str(data.get("status") or "queued"),
        bucket_name=bucket_name or _opt_str(data.get("bucket_name")),
        task_name=_opt_str(data.get("task_name")),
        created_at=_opt_str(data.get("created_at")),
        finished_at=_opt_str(data.get("finished_at")),
    )


def read_bucket_names(body: Any) -> list[str]:
    data = _data(body, "list buckets")
    names = data.get("buckets") if isinstance(data, Mapping) else data
    if not isinstance(names, list):
        raise UnexpectedResponseError(f"the list buckets answer has no names: {data!r}", body=body)
    return [str(n) for n in names]


def read_files(body: Any) -> list[BucketFile]:
    data = _data(body, "bucket files")
    if not isinstance(data, list):
        raise UnexpectedResponseError("the bucket files answer is not a list", body=body)
    return [
        BucketFile(
            filename=str(item.get("filename", "")),
            status=str(item.get("status") or ""),
            created_at=_opt_str(item.get("created_at")),
            updated_at=_opt_str(item.get("updated_at")),
            last_embedded_at=_opt_str(item.get("last_embedded_at")),
            error_reason=_opt_str(item.get("error_reason")),
        )
        for item in data
        if isinstance(item, Mapping)
    ]


def _number(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def read_search_results(body: Any) -> list[SearchResult]:
    data = _data(body, "similarity search")
    if not isinstance(data, list):
        raise UnexpectedResponseError("the similarity search answer is not a list", body=body)
    results: list[SearchResult] = []
    for i, item in enumerate(data):
        distance = _number(item.get("distance")) if isinstance(item, Mapping) else None
        if not isinstance(item, Mapping) or distance is None:
            raise UnexpectedResponseError(f"data[{i}] has no numeric distance", body=body)
        raw_meta = item.get("metadata")
        meta: Mapping[str, Any] = raw_meta if isinstance(raw_meta, Mapping) else {}
        loader = meta.get("loader_metadata")
        results.append(
            SearchResult(
                chunk=str(item.get("document_chunk") or ""),
                distance=distance,
                certainty=_number(meta.get("certainty")),
                source=_opt_str(meta.get("source")),
                filename=_opt_str(meta.get("filename")),
                checksum=_opt_str(meta.get("checksum")),
                embedding_model=_opt_str(meta.get("embedding")),
                loader_metadata=dict(loader) if isinstance(loader, Mapping) else {},
                metadata=dict(meta),
            )
        )
    return results


# --- Judging outcomes ---------------------------------------------------------------------------


def job_failure(job: EmbeddingJob, files: Sequence[BucketFile]) -> BucketJobError:
    """The error for a failed or partly failed job, naming each file that was not embedded."""
    failed = {f.filename: f.error_reason for f in files if f.failed}
    return BucketJobError(
        task_id=job.task_id, bucket=job.bucket_name, status=job.status, failed_files=failed
    )


def check_embedded(
    names: Sequence[str],
    embedded: Sequence[str],
    files: Mapping[str, Sequence[BucketFile]],
) -> None:
    """Raise unless every named bucket is embedded and has at least one embedded file."""
    for name in names:
        if name not in embedded:
            known = ", ".join(repr(n) for n in embedded) or "none"
            raise BucketNotFoundError(
                name,
                f"bucket {name!r} has no embeddings (embedded buckets: {known}); "
                f"embed it first with Buckets.embed({name!r})",
                status=None,
            )
        listed = files.get(name)
        if listed and not any(f.embedded for f in listed):
            failed = [f.filename for f in listed if f.failed]
            detail = f"; failed files: {', '.join(failed)}" if failed else ""
            raise BucketNotEmbeddedError(name, f"bucket {name!r} has no embedded files yet{detail}")
