"""Storage and AsyncStorage against the emulator's S3 endpoint: the real boto3 stack."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from telnyx_inference.buckets.storage import (
    AsyncStorage,
    BucketAlreadyExistsError,
    EmptyDocumentError,
    ObjectNotFoundError,
    Storage,
    StorageAuthenticationError,
    StorageObject,
    UploadError,
    WrongRegionError,
)
from telnyx_inference.emulator import Emulator, Fault
from telnyx_inference.errors import BucketNotFoundError, InvalidParameterError

KEY = "test-key"
DOCS = {
    "leave.txt": "Staff get 25 vacation days a year.",
    "refunds.txt": "Refunds are issued within five business days.",
    "notes/parking.md": "Parking is free on weekends.",
}


@pytest.fixture
def store(telnyx_emulator: Emulator) -> Iterator[Storage]:
    with Storage(api_key=KEY, base_url=telnyx_emulator.base_url, max_retries=1) as s:
        yield s


def puts(emu: Emulator) -> list[str]:
    return [e.path for e in emu.journal if e.method == "PUT" and e.path.count("/") > 1]


def test_upload_list_get_delete(store: Storage, tmp_path: Path) -> None:
    pdf = tmp_path / "guide.pdf"
    pdf.write_bytes(b"%PDF-1.7 pretend")
    assert store.ensure_bucket("handbook") == "us-central-1"
    report = store.upload(
        "handbook",
        [
            *(StorageObject(k, v, {"source": "wiki"}) for k, v in DOCS.items()),
            StorageObject("raw.bin", b"\x00\x01\x02"),
            StorageObject("guide.pdf", pdf),
        ],
    )
    assert report.stored == [*DOCS, "raw.bin", "guide.pdf"]
    assert report.region == "us-central-1"
    assert set(report.etags) == set(report.stored)

    listed = {o.key: o for o in store.list_objects("handbook")}
    assert set(listed) == set(report.stored)
    assert listed["raw.bin"].size == 3
    assert listed["leave.txt"].etag == report.etags["leave.txt"]
    assert [o.key for o in store.list_objects("handbook", prefix="notes/")] == ["notes/parking.md"]

    got = store.get_object("handbook", "leave.txt")
    assert got.text == DOCS["leave.txt"]
    assert got.metadata == {"source": "wiki"}
    assert got.content_type == "text/plain; charset=utf-8"
    assert store.get_object("handbook", "guide.pdf").body == b"%PDF-1.7 pretend"
    assert store.head_object("handbook", "leave.txt").metadata == {"source": "wiki"}

    assert store.delete_objects("handbook", ["leave.txt", "never-there"]) == [
        "leave.txt",
        "never-there",
    ]
    assert "leave.txt" not in {o.key for o in store.list_objects("handbook")}
    with pytest.raises(ObjectNotFoundError, match=r"'leave.txt'.*'handbook'"):
        store.get_object("handbook", "leave.txt")


def test_replacing_a_key_keeps_one_object(store: Storage) -> None:
    store.upload("kb-replace", {"a.txt": "first"})
    store.upload("kb-replace", {"a.txt": "second"})
    assert [o.key for o in store.list_objects("kb-replace")] == ["a.txt"]
    assert store.get_object("kb-replace", "a.txt").text == "second"


async def test_async_twin(telnyx_emulator: Emulator) -> None:
    async with AsyncStorage(api_key=KEY, base_url=telnyx_emulator.base_url) as store:
        assert await store.ensure_bucket("kb-async") == "us-central-1"
        docs = {f"doc-{i}.txt": f"document number {i}" for i in range(30)}
        report = await store.upload("kb-async", docs)
        assert report.stored == list(docs)
        assert {o.key for o in await store.list_objects("kb-async")} == set(docs)
        assert (await store.get_object("kb-async", "doc-7.txt")).text == "document number 7"
        assert await store.delete_objects("kb-async", ["doc-1.txt"]) == ["doc-1.txt"]
        assert len(await store.list_objects("kb-async")) == 29
        assert await store.bucket_region("kb-async") == "us-central-1"
        await store.delete_bucket("kb-async", force=True)
        with pytest.raises(BucketNotFoundError):
            await store.list_objects("kb-async")


def test_base_url_alone_finds_the_emulator(
    telnyx_emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TELNYX_API_BASE", telnyx_emulator.base_url)
    monkeypatch.setenv("TELNYX_API_KEY", KEY)
    monkeypatch.delenv("TELNYX_STORAGE_URL", raising=False)
    with Storage() as store:
        store.upload("kb-env", {"a.txt": "hello"})
        assert store.storage_url == telnyx_emulator.storage_url
    assert [o.key for o in Storage().list_objects("kb-env")] == ["a.txt"]


def test_faults_cut_the_upload_and_the_error_matches_the_bucket(
    telnyx_emulator: Emulator, store: Storage
) -> None:
    store.ensure_bucket("kb-faults")
    docs = {f"doc-{i:02}.txt": f"text {i}" for i in range(12)}
    # 500s beyond the retries (2 attempts) for two documents, a dropped connection for one,
    # and one 503 that a retry absorbs.
    telnyx_emulator.fault(
        Fault(kind="status", status=500, times=5, route="/kb-faults/doc-03.txt"),
        Fault(kind="status", status=500, times=5, route="/kb-faults/doc-07.txt"),
        Fault(kind="drop", times=5, route="/kb-faults/doc-09.txt"),
        Fault(kind="status", status=503, times=1, route="/kb-faults/doc-05.txt"),
    )
    with pytest.raises(UploadError) as info:
        store.upload("kb-faults", docs)
    err = info.value
    assert set(err.not_stored) == {"doc-03.txt", "doc-07.txt", "doc-09.txt"}
    assert "500" in err.not_stored["doc-03.txt"]
    assert "connection" in err.not_stored["doc-09.txt"].lower()
    assert "doc-05.txt" in err.stored
    assert sorted(err.stored) == sorted(set(docs) - set(err.not_stored))
    held = {o.key for o in store.list_objects("kb-faults")}
    assert held == set(err.stored)  # nothing stored that the error calls missing, and back
    assert err.bucket == "kb-faults"
    assert "'kb-faults'" in str(err)
    assert puts(telnyx_emulator).count("/kb-faults/doc-03.txt") == 2  # retried once


async def test_async_faults_match_the_bucket(telnyx_emulator: Emulator) -> None:
    telnyx_emulator.fault(Fault(kind="status", status=502, times=9, route="/kb-afaults/b"))
    async with AsyncStorage(api_key=KEY, base_url=telnyx_emulator.base_url, max_retries=0) as s:
        with pytest.raises(UploadError) as info:
            await s.upload("kb-afaults", {"a": "1", "b": "2", "c": "3"})
        assert info.value.stored == ["a", "c"]
        assert list(info.value.not_stored) == ["b"]
        assert {o.key for o in await s.list_objects("kb-afaults")} == {"a", "c"}


def test_wrong_region_stops_after_the_first_refusal(
    telnyx_emulator: Emulator, store: Storage
) -> None:
    store.ensure_bucket("kb-home")
    pinned = Storage(
        api_key=KEY, base_url=telnyx_emulator.base_url, region="eu-central-1",
        max_concurrency=1, max_retries=0,
    )
    telnyx_emulator.clear_journal()
    with pytest.raises(UploadError) as info:
        pinned.upload("kb-home", {"a": "1", "b": "2", "c": "3"}, create=False)
    assert info.value.stored == []
    assert "lives in 'us-central-1'" in info.value.not_stored["a"]
    assert "not sent" in info.value.not_stored["c"]
    assert len(puts(telnyx_emulator)) == 1
    assert store.list_objects("kb-home") == []
    with pytest.raises(WrongRegionError, match=r"'kb-home'.*'us-central-1'") as region_err:
        store.ensure_bucket("kb-home", region="eu-central-1")
    assert region_err.value.region == "us-central-1"


def test_bucket_in_another_region_is_used_there(store: Storage) -> None:
    assert store.ensure_bucket("kb-europe", region="eu-central-1") == "eu-central-1"
    fresh = Storage(settings=store.settings, storage_url=store.storage_url)
    fresh.upload("kb-europe", {"a.txt": "hallo"})
    assert fresh.bucket_region("kb-europe") == "eu-central-1"
    assert fresh.get_object("kb-europe", "a.txt").text == "hallo"


def test_name_taken_by_another_account(telnyx_emulator: Emulator, store: Storage) -> None:
    telnyx_emulator.storage.claim("kb-taken")
    with pytest.raises(BucketAlreadyExistsError, match="'kb-taken' is taken by another account"):
        store.ensure_bucket("kb-taken")
    with pytest.raises(BucketAlreadyExistsError):
        store.upload("kb-taken", {"a.txt": "x"})
    assert puts(telnyx_emulator) == []


def test_bad_input_is_refused_before_sending(telnyx_emulator: Emulator, store: Storage) -> None:
    telnyx_emulator.clear_journal()
    with pytest.raises(InvalidParameterError, match="bucket"):
        store.upload("Not_A_Bucket", {"a": "x"})
    with pytest.raises(EmptyDocumentError, match=r"'empty\.txt'"):
        store.upload("kb-ok", {"full.txt": "text", "empty.txt": ""})
    assert telnyx_emulator.journal == []


def test_missing_bucket_and_bad_key(telnyx_emulator: Emulator, store: Storage) -> None:
    with pytest.raises(BucketNotFoundError, match="'kb-nowhere'"):
        store.list_objects("kb-nowhere")
    with pytest.raises(BucketNotFoundError):
        store.upload("kb-nowhere", {"a": "x"}, create=False)
    telnyx_emulator.configure(api_key="the-right-key")
    with pytest.raises(StorageAuthenticationError) as info:
        store.list_objects("kb-any")
    assert KEY not in str(info.value)


def test_progress_bar_counts_documents(
    store: Storage, capsys: pytest.CaptureFixture[str]
) -> None:
    store.upload("kb-progress", {f"d{i}": f"text {i}" for i in range(5)}, progress=True)
    err = capsys.readouterr().err
    assert "Uploading to bucket 'kb-progress'" in err
    assert "5/5" in err


def test_a_known_bucket_is_not_asked_again(telnyx_emulator: Emulator, store: Storage) -> None:
    store.upload("kb-known", {"a": "1"})
    telnyx_emulator.clear_journal()
    store.upload("kb-known", {"b": "2"})
    assert [(e.method, e.path) for e in telnyx_emulator.journal] == [("PUT", "/kb-known/b")]


def test_batch_reads_and_listing_with_metadata(store: Storage) -> None:
    store.upload(
        "kb-batch",
        [StorageObject(f"d{i}", f"text {i}", {"n": str(i)}) for i in range(6)],
    )
    found = store.get_objects("kb-batch", ["d1", "d4", "missing"])
    assert {k: v.text for k, v in found.items()} == {"d1": "text 1", "d4": "text 4"}
    listed = store.list_objects("kb-batch", metadata=True)
    assert [(o.key, o.metadata) for o in listed] == [(f"d{i}", {"n": str(i)}) for i in range(6)]
    assert all(o.metadata is None for o in store.list_objects("kb-batch"))


async def test_async_batch_reads(telnyx_emulator: Emulator) -> None:
    async with AsyncStorage(api_key=KEY, base_url=telnyx_emulator.base_url) as store:
        await store.upload("kb-abatch", [StorageObject("a", "1", {"m": "x"}), StorageObject("b", "2")])
        found = await store.get_objects("kb-abatch", ["b", "zzz", "a"])
        assert list(found) == ["b", "a"]
        listed = await store.list_objects("kb-abatch", metadata=True)
        assert [o.metadata for o in listed] == [{"m": "x"}, {}]


def test_the_key_stays_out_of_debug_logs_and_errors(
    telnyx_emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    canary = "KEY0CANARY5EC12E7F00D_storage"
    caplog.set_level(logging.DEBUG)
    with Storage(api_key=canary, base_url=telnyx_emulator.base_url, max_retries=0) as store:
        store.upload("kb-canary", {"a.txt": "alpha"})
        assert store.get_object("kb-canary", "a.txt").text == "alpha"
        with pytest.raises(ObjectNotFoundError) as info:
            store.get_object("kb-canary", "missing.txt")
        assert canary not in repr(store)
    assert "Credential=**********" in caplog.text  # botocore did log the header, hidden
    assert "CANARY5EC" not in caplog.text
    assert "CANARY5EC" not in str(info.value)
    assert "CANARY5EC" not in repr(telnyx_emulator.journal)
