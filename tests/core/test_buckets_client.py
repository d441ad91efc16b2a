"""The bucket clients against the emulator: jobs, waits, listings, search, errors."""

from __future__ import annotations

from typing import Any

import pytest

from telnyx_inference import TelnyxClient
from telnyx_inference.buckets.bucket_api import (
    AsyncBuckets,
    Buckets,
    abucket_retrieval_tool,
    bucket_retrieval_tool,
)
from telnyx_inference.chat.client import AsyncTelnyxClient
from telnyx_inference.emulator import Emulator
from telnyx_inference.errors import (
    BucketJobError,
    BucketJobNotFoundError,
    BucketJobTimeoutError,
    BucketNotFoundError,
    NotFoundError,
)

TEXTS = {
    "network.txt": "Telnyx runs a private global IP network for voice and data.",
    "refunds.txt": "Refunds are issued within five business days of a request.",
    "pets.txt": "Cats sleep for most of the day and dogs like long walks.",
}
FAST = {"poll_interval": 0.01, "progress": False}


def buckets(emu: Emulator) -> Buckets:
    return Buckets(TelnyxClient(api_key="test-key", base_url=emu.base_url))


def abuckets(emu: Emulator) -> AsyncBuckets:
    return AsyncBuckets(AsyncTelnyxClient(api_key="test-key", base_url=emu.base_url))


def sent(emu: Emulator, suffix: str) -> list[Any]:
    return [e.json for e in emu.journal if e.path.endswith(suffix)]


def test_embed_wait_list_files_search_disable(telnyx_emulator: Emulator) -> None:
    telnyx_emulator.seed_bucket("docs", texts=TEXTS, embed=False)
    b = buckets(telnyx_emulator)
    assert b.list_buckets() == []
    job = b.embed("docs", document_chunk_size=256, document_chunk_overlap_size=32)
    assert job.status == "queued"
    assert job.bucket_name == "docs"
    assert not job.done
    assert sent(telnyx_emulator, "/v2/ai/embeddings") == [
        {
            "bucket_name": "docs",
            "document_chunk_size": 256,
            "document_chunk_overlap_size": 32,
            "embedding_model": "thenlper/gte-large",
            "loader": "default",
        }
    ]
    done = b.wait(job, **FAST)
    assert done.status == "success"
    assert done.done
    assert done.task_id == job.task_id
    assert b.list_buckets() == ["docs"]
    files = b.files("docs")
    assert sorted(f.filename for f in files) == sorted(TEXTS)
    assert all(f.embedded for f in files)

    hits = b.search("docs", "how long until my refund arrives?", num_of_docs=2)
    assert len(hits) == 2
    assert hits[0].filename == "refunds.txt"
    assert hits[0].chunk == TEXTS["refunds.txt"]
    assert hits[0].distance <= hits[1].distance
    assert hits[0].certainty is not None
    assert hits[0].score >= hits[1].score
    assert hits[0].source
    assert "refunds.txt" in hits[0].source
    assert sent(telnyx_emulator, "similarity-search")[-1]["num_of_docs"] == 2

    b.disable("docs")
    assert b.list_buckets() == []
    with pytest.raises(BucketNotFoundError):
        b.search("docs", "refund")


def test_wait_accepts_a_task_id(telnyx_emulator: Emulator) -> None:
    telnyx_emulator.seed_bucket("docs", texts=TEXTS, embed=False)
    b = buckets(telnyx_emulator)
    job = b.embed("docs")
    assert b.wait(job.task_id, bucket_name="docs", **FAST).status == "success"


@pytest.mark.parametrize("call", ["search", "files", "disable", "embed"])
def test_unknown_bucket_is_named(telnyx_emulator: Emulator, call: str) -> None:
    b = buckets(telnyx_emulator)
    args: dict[str, tuple[Any, ...]] = {
        "search": ("ghost-bucket", "anything"),
        "files": ("ghost-bucket",),
        "disable": ("ghost-bucket",),
        "embed": ("ghost-bucket",),
    }
    with pytest.raises(BucketNotFoundError) as info:
        getattr(b, call)(*args[call])
    assert isinstance(info.value, NotFoundError)
    assert info.value.bucket == "ghost-bucket"
    assert "'ghost-bucket'" in str(info.value)
    assert info.value.status == 404


def test_unknown_job_is_named(telnyx_emulator: Emulator) -> None:
    with pytest.raises(BucketJobNotFoundError, match="no-such-task"):
        buckets(telnyx_emulator).job("no-such-task")


def test_empty_query_is_a_value_error(telnyx_emulator: Emulator) -> None:
    telnyx_emulator.seed_bucket("docs", texts=TEXTS)
    with pytest.raises(ValueError, match="query"):
        buckets(telnyx_emulator).search("docs", "  ")
    assert sent(telnyx_emulator, "similarity-search") == []


@pytest.mark.parametrize("outcome", ["failure", "partial_success"])
def test_failed_job_lists_the_failed_files(telnyx_emulator: Emulator, outcome: str) -> None:
    telnyx_emulator.seed_bucket("docs", texts=TEXTS, embed=False)
    telnyx_emulator.script_job(outcome, {"pets.txt": "unsupported encoding"})
    b = buckets(telnyx_emulator)
    job = b.embed("docs")
    with pytest.raises(BucketJobError) as info:
        b.wait(job, **FAST)
    err = info.value
    assert err.status == outcome
    assert err.task_id == job.task_id
    assert err.bucket == "docs"
    assert err.failed_files["pets.txt"] == "unsupported encoding"
    assert "pets.txt (unsupported encoding)" in str(err)
    if outcome == "partial_success":
        assert set(err.failed_files) == {"pets.txt"}


def test_failure_can_be_returned_instead_of_raised(telnyx_emulator: Emulator) -> None:
    telnyx_emulator.seed_bucket("docs", texts=TEXTS, embed=False)
    telnyx_emulator.script_job("failure")
    b = buckets(telnyx_emulator)
    job = b.wait(b.embed("docs"), raise_on_failure=False, **FAST)
    assert job.status == "failure"
    assert job.failed


def test_wait_timeout_says_still_running_with_the_id(telnyx_emulator: Emulator) -> None:
    telnyx_emulator.seed_bucket("docs", texts=TEXTS, embed=False)
    b = buckets(telnyx_emulator)
    job = b.embed("docs")
    with pytest.raises(BucketJobTimeoutError) as info:
        b.wait(job, timeout=0, **FAST)
    assert info.value.task_id == job.task_id
    assert "still running" in str(info.value)
    assert job.task_id in str(info.value)
    # the job carries on: waiting again finishes it
    assert b.wait(job, **FAST).status == "success"


def test_retrieval_tool_validates_when_asked(telnyx_emulator: Emulator) -> None:
    telnyx_emulator.seed_bucket("docs", texts=TEXTS)
    telnyx_emulator.seed_bucket("raw", texts=TEXTS, embed=False)
    b = buckets(telnyx_emulator)
    tool = b.retrieval_tool("docs", max_num_results=2)
    assert tool.to_dict() == {
        "type": "retrieval",
        "retrieval": {"bucket_ids": ["docs"], "max_num_results": 2},
    }
    with pytest.raises(BucketNotFoundError, match="'raw'"):
        b.retrieval_tool(["docs", "raw"])
    unchecked = bucket_retrieval_tool(["raw", "other"])
    assert unchecked.bucket_ids == ["raw", "other"]
    checked = bucket_retrieval_tool("docs", validate=True, buckets=b)
    assert checked.bucket_ids == ["docs"]
    with pytest.raises(BucketNotFoundError, match="'ghost'"):
        bucket_retrieval_tool(
            "ghost", validate=True, api_key="test-key", base_url=telnyx_emulator.base_url
        )
    with pytest.raises(ValueError, match="bucket"):
        bucket_retrieval_tool([])


async def test_async_twin(telnyx_emulator: Emulator) -> None:
    telnyx_emulator.seed_bucket("docs", texts=TEXTS, embed=False)
    b = abuckets(telnyx_emulator)
    job = await b.embed("docs")
    assert (await b.job(job)).status in ("processing", "success")
    assert (await b.wait(job, **FAST)).status == "success"
    assert await b.list_buckets() == ["docs"]
    assert len(await b.files("docs")) == 3
    hits = await b.search("docs", "refund", num_of_docs=1)
    assert [h.filename for h in hits] == ["refunds.txt"]
    tool = await abucket_retrieval_tool("docs", validate=True, buckets=b)
    assert tool.bucket_ids == ["docs"]
    with pytest.raises(BucketNotFoundError, match="'ghost'"):
        await b.search("ghost", "x")
    with pytest.raises(ValueError, match="query"):
        await b.search("docs", "")
    await b.disable("docs")
    assert await b.list_buckets() == []


async def test_async_failure_and_timeout(telnyx_emulator: Emulator) -> None:
    telnyx_emulator.seed_bucket("docs", texts=TEXTS, embed=False)
    telnyx_emulator.script_job("partial_success", {"refunds.txt": "too large"})
    b = abuckets(telnyx_emulator)
    with pytest.raises(BucketJobError, match=r"refunds\.txt \(too large\)"):
        await b.wait(await b.embed("docs"), **FAST)
    job = await b.embed("docs")
    with pytest.raises(BucketJobTimeoutError, match=job.task_id):
        await b.wait(job, timeout=0, **FAST)


def test_native_root_follows_the_base_url(telnyx_emulator: Emulator) -> None:
    legacy = Buckets(api_key="test-key", base_url=telnyx_emulator.legacy_base_url)
    assert legacy.client.native_root == telnyx_emulator.native_base
    assert "test-key" not in repr(legacy)
