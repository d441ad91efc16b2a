"""One bucket-region lookup per bucket, however many reads run at once.

A search is one similarity search plus one HEAD per distinct hit, sent concurrently; the
HEADs all need the bucket's home region. A freshly built store (the normal way to open an
existing bucket) does not know it yet: the first HEAD asks (``GET /<bucket>?location``) and
the others wait for that answer instead of asking too. Counted from the emulator's journal,
which records the S3 requests it serves.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest

from telnyx_inference.buckets.documents import (
    AsyncDocumentBucket,
    DocumentBucket,
    plan_objects,
)
from telnyx_inference.buckets.storage import AsyncStorage, Storage
from telnyx_inference.emulator import Emulator, Fault

KEY = "test-key"
TEXTS = [f"Policy {i}: employees get {20 + i} vacation days a year." for i in range(6)]


def lookups(emu: Emulator, bucket: str) -> int:
    return sum(
        1
        for e in emu.journal
        if e.method == "GET" and e.path.strip("/") == bucket and "location" in e.query
    )


def heads(emu: Emulator, bucket: str) -> int:
    return sum(1 for e in emu.journal if e.method == "HEAD" and e.path.startswith(f"/{bucket}/"))


def searches(emu: Emulator) -> int:
    return sum(1 for e in emu.journal if e.path.endswith("/similarity-search"))


def _kwargs(emu: Emulator) -> dict[str, Any]:
    return {
        "api_key": KEY,
        "base_url": emu.base_url,
        "storage_url": emu.storage_url,
        "poll_interval": 0.01,
        "progress": False,
    }


@pytest.fixture
def bucket(telnyx_emulator: Emulator) -> str:
    name = f"rl-{uuid.uuid4().hex[:12]}"
    docs = DocumentBucket(name, **_kwargs(telnyx_emulator))
    docs.add(plan_objects(TEXTS, ids=[f"p{i}" for i in range(len(TEXTS))]))
    docs.close()
    telnyx_emulator.clear_journal()
    return name


def test_first_search_of_a_new_client_asks_the_region_once(
    telnyx_emulator: Emulator, bucket: str
) -> None:
    docs = DocumentBucket(bucket, **_kwargs(telnyx_emulator))
    hits = docs.search("vacation days", k=5)
    assert len({h.id for h in hits}) == 5
    assert lookups(telnyx_emulator, bucket) == 1
    assert heads(telnyx_emulator, bucket) == 5
    assert searches(telnyx_emulator) == 1

    docs.get([h.id for h in hits if h.id])
    docs.search("vacation days", k=5)
    assert lookups(telnyx_emulator, bucket) == 1  # remembered from then on


def test_get_of_a_new_client_asks_the_region_once(telnyx_emulator: Emulator, bucket: str) -> None:
    docs = DocumentBucket(bucket, **_kwargs(telnyx_emulator))
    found = docs.get([f"p{i}" for i in range(6)])
    assert len(found) == 6
    assert lookups(telnyx_emulator, bucket) == 1


async def test_async_search_and_get_ask_the_region_once(
    telnyx_emulator: Emulator, bucket: str
) -> None:
    docs = AsyncDocumentBucket(bucket, **_kwargs(telnyx_emulator))
    try:
        hits = await docs.search("vacation days", k=5)
        assert len({h.id for h in hits}) == 5
        assert lookups(telnyx_emulator, bucket) == 1
        assert heads(telnyx_emulator, bucket) == 5
        fresh = AsyncDocumentBucket(bucket, **_kwargs(telnyx_emulator))
        assert len(await fresh.get([f"p{i}" for i in range(6)])) == 6
        assert lookups(telnyx_emulator, bucket) == 2  # one per client
        await fresh.aclose()
    finally:
        await docs.aclose()


def test_concurrent_threads_share_one_lookup(telnyx_emulator: Emulator, bucket: str) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with Storage(api_key=KEY, storage_url=telnyx_emulator.storage_url) as store:
        keys = [f"p{i}.txt" for i in range(6)]
        with ThreadPoolExecutor(6) as pool:
            infos = list(pool.map(lambda k: store.head_object(bucket, k), keys * 3))
        assert len(infos) == 18
    assert lookups(telnyx_emulator, bucket) == 1


async def test_concurrent_tasks_share_one_lookup(telnyx_emulator: Emulator, bucket: str) -> None:
    async with AsyncStorage(api_key=KEY, storage_url=telnyx_emulator.storage_url) as store:
        keys = [f"p{i}.txt" for i in range(6)]
        infos = await asyncio.gather(*(store.head_object(bucket, k) for k in keys * 3))
        assert len(infos) == 18
        assert await store.bucket_region(bucket) == "us-central-1"
    assert lookups(telnyx_emulator, bucket) == 1


async def test_a_cancelled_caller_does_not_cancel_the_shared_lookup(
    telnyx_emulator: Emulator, bucket: str
) -> None:
    # The lookup (the bucket's first storage request) is held at the server for a moment, and
    # the caller that started it is cancelled once the journal shows it there.
    telnyx_emulator.fault(Fault(kind="slow_first_byte", seconds=0.3, route=f"/{bucket}"))
    async with AsyncStorage(api_key=KEY, storage_url=telnyx_emulator.storage_url) as store:
        first = asyncio.ensure_future(store.head_object(bucket, "p0.txt"))
        others = [asyncio.ensure_future(store.head_object(bucket, f"p{i}.txt")) for i in (1, 2)]
        async with asyncio.timeout(30):  # a hang guard
            while not lookups(telnyx_emulator, bucket):  # noqa: ASYNC110 - the server's thread
                await asyncio.sleep(0.005)
        first.cancel()
        assert [i.key for i in await asyncio.gather(*others)] == ["p1.txt", "p2.txt"]
    assert lookups(telnyx_emulator, bucket) == 1


async def test_a_failed_lookup_reaches_every_waiter_and_is_asked_again(
    telnyx_emulator: Emulator,
) -> None:
    from telnyx_inference.errors import BucketNotFoundError

    async with AsyncStorage(api_key=KEY, storage_url=telnyx_emulator.storage_url) as store:
        calls = [store.head_object("rl-missing-bucket", f"k{i}") for i in range(4)]
        results = await asyncio.gather(*calls, return_exceptions=True)
        assert all(isinstance(r, BucketNotFoundError) for r in results)
        assert lookups(telnyx_emulator, "rl-missing-bucket") == 1
        with pytest.raises(BucketNotFoundError):
            await store.head_object("rl-missing-bucket", "k0")
    assert lookups(telnyx_emulator, "rl-missing-bucket") == 2
