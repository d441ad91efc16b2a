"""A bucket embedding job is started once, however often its request is retried: every attempt
of one ``embed()`` carries the same ``Idempotency-Key``, and the emulator (like Telnyx) answers a
repeated key with the job it already started."""

from __future__ import annotations

from telnyx_inference import AsyncBuckets, Buckets
from telnyx_inference._constants import IDEMPOTENCY_KEY_HEADER
from telnyx_inference.emulator import Emulator, Fault
from telnyx_inference.transport.sdk_http import http_module

TEXTS = {"refunds.txt": "Refunds are issued within five business days of a request."}
FAST = {"poll_interval": 0.01, "progress": False}
JOB_PATH = "/v2/ai/embeddings"


def _job_posts(emu: Emulator) -> list[str | None]:
    """The idempotency key of each job request the emulator received, in order."""
    key = IDEMPOTENCY_KEY_HEADER.lower()
    return [e.headers.get(key) for e in emu.journal if e.method == "POST" and e.path == JOB_PATH]


def test_a_job_whose_answer_was_lost_is_started_once(telnyx_emulator: Emulator) -> None:
    telnyx_emulator.seed_bucket("docs", texts=TEXTS, embed=False)
    # The first attempt starts the job, then the connection drops before the answer.
    telnyx_emulator.fault(Fault(kind="drop", route=JOB_PATH, times=1))
    with Buckets(api_key="test-key", base_url=telnyx_emulator.base_url) as buckets:
        job = buckets.embed("docs")
        keys = _job_posts(telnyx_emulator)
        assert len(keys) == 2, "the lost answer was retried"
        assert keys[0]
        assert keys[0] == keys[1]
        assert [j["task_id"] for j in telnyx_emulator.bucket_jobs] == [job.task_id]
        assert buckets.wait(job, **FAST).status == "success"


async def test_the_async_client_starts_it_once_too(telnyx_emulator: Emulator) -> None:
    telnyx_emulator.seed_bucket("docs", texts=TEXTS, embed=False)
    telnyx_emulator.fault(Fault(kind="drop", route=JOB_PATH, times=1))
    async with AsyncBuckets(api_key="test-key", base_url=telnyx_emulator.base_url) as buckets:
        job = await buckets.embed("docs")
    keys = _job_posts(telnyx_emulator)
    assert len(keys) == 2
    assert keys[0]
    assert keys[0] == keys[1]
    assert [j["task_id"] for j in telnyx_emulator.bucket_jobs] == [job.task_id]


def test_each_job_has_its_own_key(telnyx_emulator: Emulator) -> None:
    telnyx_emulator.seed_bucket("docs", texts=TEXTS, embed=False)
    with Buckets(api_key="test-key", base_url=telnyx_emulator.base_url) as buckets:
        first, second = buckets.embed("docs"), buckets.embed("docs")
    keys = _job_posts(telnyx_emulator)
    assert len(keys) == 2
    assert keys[0] != keys[1]
    assert first.task_id != second.task_id
    assert len(telnyx_emulator.bucket_jobs) == 2


def test_the_emulator_answers_a_repeated_key_with_the_first_job(
    telnyx_emulator: Emulator,
) -> None:
    telnyx_emulator.seed_bucket("docs", texts=TEXTS, embed=False)
    url = f"{telnyx_emulator.native_base}/ai/embeddings"
    headers = {"Authorization": "Bearer k", IDEMPOTENCY_KEY_HEADER: "job-1"}
    answers = [
        http_module.post(url, json={"bucket_name": "docs"}, headers=headers).json() for _ in range(2)
    ]
    assert answers[0]["data"]["task_id"] == answers[1]["data"]["task_id"]
    other = http_module.post(url, json={"bucket_name": "docs"}, headers={"Authorization": "Bearer k"})
    assert other.json()["data"]["task_id"] != answers[0]["data"]["task_id"]
    assert len(telnyx_emulator.bucket_jobs) == 2
