"""The bucket wire format, without any I/O: builders validate, readers read, outcomes judged."""

from __future__ import annotations

from typing import Any

import pytest

from telnyx_inference.buckets.bucket_api import JobDeadline
from telnyx_inference.buckets.bucket_wire import (
    BucketFile,
    EmbeddingJob,
    bucket_path,
    build_job_request,
    build_search_request,
    check_embedded,
    job_failure,
    job_path,
    read_bucket_names,
    read_files,
    read_job,
    read_search_results,
)
from telnyx_inference.errors import (
    BucketJobTimeoutError,
    BucketNotEmbeddedError,
    BucketNotFoundError,
    InvalidParameterError,
    InvalidParameterTypeError,
    NotFoundError,
    UnexpectedResponseError,
)


def test_job_request_defaults_follow_telnyx() -> None:
    assert build_job_request("docs") == {
        "bucket_name": "docs",
        "document_chunk_size": 1024,
        "document_chunk_overlap_size": 512,
        "embedding_model": "thenlper/gte-large",
        "loader": "default",
    }


@pytest.mark.parametrize(
    ("kw", "error", "param"),
    [
        ({"bucket_name": ""}, InvalidParameterError, "bucket_name"),
        ({"bucket_name": 7}, InvalidParameterTypeError, "bucket_name"),
        ({"document_chunk_size": 0}, InvalidParameterError, "document_chunk_size"),
        ({"document_chunk_size": "big"}, InvalidParameterTypeError, "document_chunk_size"),
        ({"document_chunk_overlap_size": -1}, InvalidParameterError, "document_chunk_overlap_size"),
        (
            {"document_chunk_size": 100, "document_chunk_overlap_size": 100},
            InvalidParameterError,
            "document_chunk_overlap_size",
        ),
        ({"embedding_model": "text-embedding-3-small"}, InvalidParameterError, "embedding_model"),
        ({"loader": "pdf"}, InvalidParameterError, "loader"),
    ],
)
def test_job_request_validated_before_sending(
    kw: dict[str, Any], error: type[Exception], param: str
) -> None:
    args = {"bucket_name": "docs", **kw}
    with pytest.raises(error) as info:
        build_job_request(**args)
    assert info.value.param == param  # type: ignore[attr-defined]


def test_search_request_uses_num_of_docs() -> None:
    body = build_search_request("docs", "refunds?", 5)
    assert body == {"bucket_name": "docs", "query": "refunds?", "num_of_docs": 5}
    assert "num_docs" not in body


@pytest.mark.parametrize(
    ("args", "error", "param"),
    [
        (("docs", ""), ValueError, "query"),
        (("docs", " \n"), ValueError, "query"),
        (("docs", None), TypeError, "query"),
        (("docs", "q", 0), ValueError, "num_of_docs"),
        (("", "q"), ValueError, "bucket_name"),
    ],
)
def test_search_request_bad_input(
    args: tuple[Any, ...], error: type[Exception], param: str
) -> None:
    with pytest.raises(error) as info:
        build_search_request(*args)
    assert info.value.param == param  # type: ignore[attr-defined]


def test_paths_quote_names() -> None:
    assert job_path() == "ai/embeddings"
    assert job_path("t/1") == "ai/embeddings/t%2F1"
    assert bucket_path("my bucket") == "ai/embeddings/buckets/my%20bucket"


def test_read_job_keeps_the_bucket_name() -> None:
    body = {"data": {"task_id": "t1", "task_name": "x", "status": "processing"}}
    job = read_job(body, "docs")
    assert (job.task_id, job.status, job.bucket_name, job.done) == (
        "t1",
        "processing",
        "docs",
        False,
    )
    with pytest.raises(UnexpectedResponseError):
        read_job({"data": {}})


def test_read_bucket_names_and_files() -> None:
    assert read_bucket_names({"data": {"buckets": ["a", "b"]}}) == ["a", "b"]
    with pytest.raises(UnexpectedResponseError):
        read_bucket_names({"buckets": []})
    files = read_files(
        {
            "data": [
                {"filename": "a.txt", "status": "success", "last_embedded_at": "2026-01-01"},
                {"filename": "b.pdf", "status": "failed", "error_reason": "unreadable"},
                {"filename": "c.txt", "status": "pending"},
            ]
        }
    )
    assert [(f.filename, f.embedded, f.failed) for f in files] == [
        ("a.txt", True, False),
        ("b.pdf", False, True),
        ("c.txt", False, False),
    ]


def test_read_search_results_types_every_field() -> None:
    body = {
        "data": [
            {
                "document_chunk": "Refunds take 5 days.",
                "distance": 0.2,
                "metadata": {
                    "source": "docs/b.txt",
                    "checksum": "abc",
                    "embedding": "thenlper/gte-large",
                    "filename": "b.txt",
                    "certainty": 0.9,
                    "loader_metadata": {"page": 2},
                },
            },
            {"document_chunk": "no certainty", "distance": 0.25, "metadata": {}},
        ]
    }
    first, second = read_search_results(body)
    assert (first.chunk, first.distance, first.certainty, first.score) == (
        "Refunds take 5 days.",
        0.2,
        0.9,
        0.9,
    )
    assert (first.source, first.filename, first.checksum) == ("docs/b.txt", "b.txt", "abc")
    assert first.embedding_model == "thenlper/gte-large"
    assert first.loader_metadata == {"page": 2}
    assert first.metadata["certainty"] == 0.9
    assert second.certainty is None
    assert second.score == pytest.approx(0.75)
    with pytest.raises(UnexpectedResponseError, match="distance"):
        read_search_results({"data": [{"document_chunk": "x"}]})


def test_job_failure_lists_failed_files() -> None:
    job = EmbeddingJob(task_id="t9", status="partial_success", bucket_name="docs")
    files = [
        BucketFile("ok.txt", "success", last_embedded_at="now"),
        BucketFile("bad.pdf", "failed", error_reason="encrypted PDF"),
        BucketFile("worse.doc", "error"),
    ]
    err = job_failure(job, files)
    assert err.failed_files == {"bad.pdf": "encrypted PDF", "worse.doc": None}
    text = str(err)
    assert "t9" in text
    assert "'docs'" in text
    assert "partial_success" in text
    assert "bad.pdf (encrypted PDF)" in text
    assert "worse.doc" in text
    assert "ok.txt" not in text


def test_check_embedded() -> None:
    good = [BucketFile("a.txt", "success", last_embedded_at="now")]
    check_embedded(["docs"], ["docs"], {"docs": good})
    with pytest.raises(BucketNotFoundError) as info:
        check_embedded(["nope"], ["docs"], {})
    assert info.value.bucket == "nope"
    assert "'nope'" in str(info.value)
    assert isinstance(info.value, NotFoundError)
    failed = [BucketFile("a.pdf", "failed", error_reason="bad")]
    with pytest.raises(BucketNotEmbeddedError, match=r"a\.pdf"):
        check_embedded(["docs"], ["docs"], {"docs": failed})


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_deadline_sleeps_then_gives_up_with_the_job_id() -> None:
    clock = _Clock()
    deadline = JobDeadline(timeout=5, poll_interval=2, clock=clock)
    running = EmbeddingJob("t1", "processing", "docs")
    assert deadline.pause(running) == 2
    clock.now += 4
    assert deadline.pause(running) == pytest.approx(1)
    assert deadline.pause(EmbeddingJob("t1", "success")) is None
    clock.now += 1
    with pytest.raises(BucketJobTimeoutError) as info:
        deadline.pause(running)
    assert info.value.task_id == "t1"
    assert "still running" in str(info.value)
    assert "t1" in str(info.value)
    assert isinstance(info.value, TimeoutError)


def test_deadline_none_waits_forever_and_bad_values_refused() -> None:
    clock = _Clock()
    deadline = JobDeadline(timeout=None, poll_interval=3, clock=clock)
    clock.now += 10_000
    assert deadline.pause(EmbeddingJob("t", "queued")) == 3
    with pytest.raises(InvalidParameterError):
        JobDeadline(timeout=-1)
    with pytest.raises(InvalidParameterError):
        JobDeadline(poll_interval=0)
