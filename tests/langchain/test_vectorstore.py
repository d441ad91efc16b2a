"""TelnyxVectorStore beyond the standard suite: metadata, waiting, scores, errors, faults."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from langchain_core.documents import Document
from langchain_core.embeddings import DeterministicFakeEmbedding

from langchain_telnyx import TelnyxVectorStore
from telnyx_inference.buckets.storage import Storage, UploadError
from telnyx_inference.emulator import Emulator, Fault
from telnyx_inference.errors import BucketNotFoundError, InvalidParameterError

TEXTS = [
    "Vacation policy: every employee gets 25 vacation days per year.",
    "Expense reports are due by the fifth business day of each month.",
    "The office coffee machine is cleaned every Friday afternoon.",
]


def _store(emu: Emulator, **kw: Any) -> TelnyxVectorStore:
    kw.setdefault("bucket_name", f"lc-{uuid.uuid4().hex[:12]}")
    return TelnyxVectorStore(
        api_key="test-key",
        base_url=emu.base_url,
        storage_url=emu.storage_url,
        poll_interval=0.01,
        progress=False,
        **kw,
    )


def _bodies(emu: Emulator, path: str) -> list[Any]:
    return [e for e in emu.journal if e.path.endswith(path)]


def test_rich_metadata_round_trips_and_stays_out_of_the_text(telnyx_emulator: Emulator) -> None:
    store = _store(telnyx_emulator)
    metadata = {"page": 4, "tags": ["hr", "leave"], "nested": {"ok": True, "x": None}, "t": "ü"}
    store.add_texts([TEXTS[0]], [metadata], ids=["leave"])
    (hit,) = store.similarity_search("vacation days", k=1)
    assert hit == Document(id="leave", page_content=TEXTS[0], metadata=metadata)
    assert store.get_by_ids(["leave"]) == [hit]
    body = store.documents.storage.get_object(store.bucket_name, "leave.txt")
    assert body.text == TEXTS[0]  # the embedded text is the document alone


def test_metadata_that_cannot_round_trip_is_refused_before_upload(
    telnyx_emulator: Emulator,
) -> None:
    store = _store(telnyx_emulator)
    with pytest.raises(InvalidParameterError, match=r"metadatas\[1\]: would not come back"):
        store.add_texts(TEXTS[:2], [{"a": 1}, {"pair": (1, 2)}])
    with pytest.raises(InvalidParameterError, match=r"texts\[0\]: is empty"):
        store.add_texts([" "])
    assert not [e for e in telnyx_emulator.journal if store.bucket_name in e.path]


def test_scores_distance_lower_is_closer_relevance_higher(telnyx_emulator: Emulator) -> None:
    store = _store(telnyx_emulator)
    store.add_texts(TEXTS, ids=["leave", "expenses", "coffee"])
    scored = store.similarity_search_with_score("How many vacation days?", k=3)
    assert scored[0][0].id == "leave"
    distances = [d for _, d in scored]
    assert distances == sorted(distances)
    relevance = store.similarity_search_with_relevance_scores("How many vacation days?", k=3)
    assert relevance[0][0].id == "leave"
    assert [r for _, r in relevance] == sorted((r for _, r in relevance), reverse=True)
    retriever = store.as_retriever(search_kwargs={"k": 1})
    assert [d.id for d in retriever.invoke("coffee machine")] == ["coffee"]


def test_first_add_starts_the_embedding_job_later_adds_do_not(telnyx_emulator: Emulator) -> None:
    store = _store(telnyx_emulator)
    store.add_texts(TEXTS[:1], ids=["leave"])
    store.add_texts(TEXTS[1:2], ids=["expenses"])
    jobs = [
        e
        for e in telnyx_emulator.journal
        if e.method == "POST" and e.path.endswith("/ai/embeddings")
    ]
    assert len(jobs) == 1
    assert [d.id for d in store.similarity_search("expense reports", k=1)] == ["expenses"]


def test_wait_false_returns_after_the_upload(telnyx_emulator: Emulator) -> None:
    store = _store(telnyx_emulator, wait=False)
    store.ensure_bucket()
    assert store.add_texts(TEXTS[:1], ids=["leave"]) == ["leave"]
    assert not _bodies(telnyx_emulator, "/ai/embeddings")  # no job started, nothing polled
    assert store.similarity_search("vacation", k=1) == []  # stored, not embedded yet
    store.documents.wait_embedded(written=["leave.txt"])
    assert [d.id for d in store.similarity_search("vacation", k=1)] == ["leave"]


async def test_async_twins(telnyx_emulator: Emulator) -> None:
    store = await TelnyxVectorStore.afrom_texts(
        TEXTS,
        metadatas=[{"n": i} for i in range(3)],
        ids=["leave", "expenses", "coffee"],
        bucket_name=f"lc-{uuid.uuid4().hex[:12]}",
        api_key="test-key",
        base_url=telnyx_emulator.base_url,
        storage_url=telnyx_emulator.storage_url,
        poll_interval=0.01,
        progress=False,
    )
    (doc, distance) = (await store.asimilarity_search_with_score("coffee machine", k=1))[0]
    assert (doc.id, doc.metadata) == ("coffee", {"n": 2})
    assert distance >= 0
    await store.adelete(["coffee"])
    assert "coffee" not in {d.id for d in await store.asimilarity_search("coffee", k=3)}
    assert [d.id for d in await store.aget_by_ids(["coffee", "leave"])] == ["leave"]


def test_foreign_files_in_the_bucket_are_hits_without_an_id(telnyx_emulator: Emulator) -> None:
    store = _store(telnyx_emulator)
    store.add_texts(TEXTS[:1], ids=["leave"])
    Storage(
        api_key="test-key",
        base_url=telnyx_emulator.base_url,
        storage_url=telnyx_emulator.storage_url,
    ).upload(store.bucket_name, {"notes.md": "Parking spots are assigned by lottery."})
    store.documents.wait_embedded(written=["notes.md"])
    (hit,) = store.similarity_search("parking lottery", k=1)
    assert (hit.id, hit.metadata) == (None, {"filename": "notes.md"})


def test_server_side_embeddings_only(telnyx_emulator: Emulator) -> None:
    store = _store(telnyx_emulator)
    assert store.embeddings is None
    with pytest.raises(NotImplementedError, match="embeds the query and the documents"):
        store.similarity_search_by_vector([0.1, 0.2])
    with pytest.raises(InvalidParameterError, match="embedding"):
        TelnyxVectorStore.from_texts(["a"], DeterministicFakeEmbedding(size=3), bucket_name="x-y")
    with pytest.raises(InvalidParameterError, match="filter"):
        store.similarity_search("q", filter={"a": 1})


def test_a_missing_bucket_is_named(telnyx_emulator: Emulator) -> None:
    store = _store(telnyx_emulator, bucket_name="lc-never-created")
    with pytest.raises(BucketNotFoundError, match="lc-never-created"):
        store.similarity_search("anything")
    store.delete(["1"])  # deleting from a bucket that does not exist is not an error
    assert store.get_by_ids(["1"]) == []


def test_a_cut_upload_reports_what_was_stored(telnyx_emulator: Emulator) -> None:
    store = _store(telnyx_emulator)
    store.ensure_bucket()
    telnyx_emulator.fault(
        Fault(kind="status", status=500, times=10, route=f"/{store.bucket_name}/b.txt")
    )
    with pytest.raises(UploadError) as info:
        store.add_texts(["first", "second", "third"], ids=["a", "b", "c"])
    assert sorted(info.value.stored) == ["a.txt", "c.txt"]
    assert list(info.value.not_stored) == ["b.txt"]
    assert sorted(store.documents.ids()) == ["a", "c"]


def test_a_search_is_one_call_plus_one_head_per_document(telnyx_emulator: Emulator) -> None:
    store = _store(telnyx_emulator)
    store.add_texts(TEXTS, ids=["leave", "expenses", "coffee"])
    before = len(telnyx_emulator.journal)
    assert len(store.similarity_search("vacation days", k=2)) == 2
    sent = [(e.method, e.path) for e in telnyx_emulator.journal[before:]]
    assert sorted(sent) == sorted(
        [
            ("POST", "/v2/ai/embeddings/similarity-search"),
            *[("HEAD", f"/{store.bucket_name}/{key}") for key in ("leave.txt", "expenses.txt")],
        ]
    ), sent


def _region_lookups(emu: Emulator, bucket: str) -> int:
    found = [e for e in emu.journal if e.method == "GET" and e.path.strip("/") == bucket]
    return sum(1 for e in found if "location" in e.query)


async def test_a_new_store_asks_the_bucket_region_once(telnyx_emulator: Emulator) -> None:
    # Opening an existing bucket with a new store, then searching: one search plus one HEAD
    # per hit, and the region asked once (not once per HEAD), sync and async alike.
    name = f"lc-{uuid.uuid4().hex[:12]}"
    texts = [f"Policy {i}: employees get {20 + i} vacation days." for i in range(6)]
    _store(telnyx_emulator, bucket_name=name).add_texts(texts, ids=[f"p{i}" for i in range(6)])
    for run in ("sync", "async"):
        telnyx_emulator.clear_journal()
        store = _store(telnyx_emulator, bucket_name=name)
        if run == "sync":
            hits = store.similarity_search("vacation days", k=5)
            assert len(store.get_by_ids([d.id for d in hits if d.id])) == 5
        else:
            hits = await store.asimilarity_search("vacation days", k=5)
            assert len(await store.aget_by_ids([d.id for d in hits if d.id])) == 5
        assert len(hits) == 5
        heads = [e for e in telnyx_emulator.journal if e.method == "HEAD"]
        assert (run, len(heads), _region_lookups(telnyx_emulator, name)) == (run, 5, 1)


async def test_mmr_is_refused_with_a_reason(telnyx_emulator: Emulator) -> None:
    store = _store(telnyx_emulator)
    with pytest.raises(InvalidParameterError, match=r"search_type: .*MMR.*'similarity'"):
        store.as_retriever(search_type="mmr")
    with pytest.raises(NotImplementedError, match="embeddings, which Telnyx keeps"):
        store.max_marginal_relevance_search("vacation")
    with pytest.raises(NotImplementedError, match="embeddings, which Telnyx keeps"):
        await store.amax_marginal_relevance_search("vacation")
    retriever = store.as_retriever(
        search_type="similarity_score_threshold", search_kwargs={"score_threshold": 0.5}
    )
    assert retriever.search_type == "similarity_score_threshold"


@pytest.mark.parametrize("name", ["Bad_Name!", "ab", "a..b", "192.168.0.1", ""])
def test_an_invalid_bucket_name_is_refused_at_construction(
    telnyx_emulator: Emulator, name: str
) -> None:
    with pytest.raises(InvalidParameterError) as info:
        _store(telnyx_emulator, bucket_name=name)
    assert info.value.param == "bucket_name"
    assert not telnyx_emulator.journal


async def test_k_below_one_is_refused_naming_k(telnyx_emulator: Emulator) -> None:
    store = _store(telnyx_emulator)
    for k in (0, -1, 1.5, True):
        with pytest.raises(InvalidParameterError) as info:
            store.similarity_search("vacation", k=k)  # type: ignore[arg-type]
        assert info.value.param == "k"
        with pytest.raises(InvalidParameterError) as info:
            await store.asimilarity_search_with_score("vacation", k=k)  # type: ignore[arg-type]
        assert info.value.param == "k"
    assert not telnyx_emulator.journal
