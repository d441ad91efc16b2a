"""Documents as bucket objects: keys, metadata in object metadata, planning, embed waiting."""

from __future__ import annotations

import pytest

from telnyx_inference.buckets.bucket_wire import BucketFile
from telnyx_inference.buckets.documents_wire import (
    METADATA_KEY,
    decode_metadata,
    doc_id_from_key,
    encode_metadata,
    ids_from_key,
    object_key,
    pending_keys,
    plan_objects,
)
from telnyx_inference.buckets.embed_watch import (
    EmbeddingNotReadyError,
    EmbedWatch,
    NotEmbeddedError,
)
from telnyx_inference.errors import InvalidParameterError


@pytest.mark.parametrize("doc_id", ["1", "intro", "a/b c", "ünï-cödé", "x.txt", "%41"])
def test_any_id_maps_to_a_key_and_back(doc_id: str) -> None:
    key = object_key(doc_id)
    assert key.endswith(".txt")
    assert "/" not in key
    assert doc_id_from_key(key) == doc_id


@pytest.mark.parametrize("key", ["notes.pdf", "", None, "a/b/c.txt", "/a.txt", ".txt"])
def test_keys_the_stores_did_not_write_have_no_id(key: str | None) -> None:
    assert doc_id_from_key(key) is None


def test_parts_live_under_their_source_folder() -> None:
    key = object_key("node/1", ref_id="doc 1")
    assert key == "doc%201/node%2F1.txt"
    assert ids_from_key(key) == ("node/1", "doc 1")
    assert ids_from_key(object_key("doc")) == ("doc", "doc")


def test_metadata_round_trips_exactly() -> None:
    metadata = {"id": 1, "tags": ["a", "b"], "nested": {"x": None, "y": 2.5}, "t": "Ünïcode"}
    encoded = encode_metadata(metadata, "metadatas[0]")
    assert list(encoded) == [METADATA_KEY]
    assert encoded[METADATA_KEY].isascii()
    assert "\n" not in encoded[METADATA_KEY]
    assert decode_metadata(encoded) == metadata
    # boto3 hands back the user metadata without the x-amz-meta- prefix; both are read
    assert decode_metadata({f"x-amz-meta-{METADATA_KEY}": encoded[METADATA_KEY]}) == metadata


def test_objects_without_the_marker_are_not_documents() -> None:
    assert decode_metadata({}) is None
    assert decode_metadata(None) is None
    assert decode_metadata(encode_metadata(None, "m")) == {}


@pytest.mark.parametrize(
    ("metadata", "match"),
    [
        ({"when": object()}, "metadatas\\[2\\]: must be JSON data"),
        ({"pair": (1, 2)}, "would not come back as given"),
        ({1: "int key"}, "would not come back as given"),
        ({"nan": float("nan")}, "must be JSON data"),
        ({"big": "x" * 3000}, "object metadata holds at most"),
    ],
)
def test_metadata_that_would_not_round_trip_is_refused(metadata: object, match: str) -> None:
    with pytest.raises(InvalidParameterError, match=match):
        encode_metadata(metadata, "metadatas[2]")  # type: ignore[arg-type]


def test_plan_objects_keeps_metadata_out_of_the_body() -> None:
    planned = plan_objects(["Staff get 25 days."], [{"page": 4}], ["leave"])
    (obj,) = planned
    assert (obj.id, obj.key, obj.body) == ("leave", "leave.txt", b"Staff get 25 days.")
    assert decode_metadata(obj.metadata) == {"page": 4}


def test_plan_objects_fills_missing_ids() -> None:
    planned = plan_objects(["a", "b"], None, ["given", None])
    assert planned[0].id == "given"
    assert planned[1].id
    assert planned[1].id != "given"


@pytest.mark.parametrize(
    ("texts", "metadatas", "ids", "match"),
    [
        (["ok", "  "], None, None, r"texts\[1\]: is empty"),
        (["ok", 3], None, None, r"texts\[1\]"),
        (["a"], [{}, {}], None, "metadatas: has 2 entries for 1 documents"),
        (["a", "b"], None, ["1"], "ids: has 1 ids for 2 documents"),
        (["a", "b"], None, ["1", "1"], r"ids: repeats \['1'\]"),
        (["a"], None, [""], r"ids\[0\]"),
    ],
)
def test_bad_documents_are_refused_before_sending(
    texts: list[object], metadatas: object, ids: object, match: str
) -> None:
    with pytest.raises((InvalidParameterError, TypeError), match=match):
        plan_objects(texts, metadatas, ids)  # type: ignore[arg-type]


def _file(name: str, status: str, updated: str, embedded: str | None) -> BucketFile:
    return BucketFile(name, status, updated_at=updated, last_embedded_at=embedded)


def test_pending_keys_waits_for_new_changed_and_deleted_files() -> None:
    files = [
        _file("new.txt", "pending", "2026-01-01T00:00:02Z", None),
        _file("changed.txt", "pending", "2026-01-01T00:00:02Z", "2026-01-01T00:00:01Z"),
        _file("done.txt", "success", "2026-01-01T00:00:02Z", "2026-01-01T00:00:03Z"),
        # the same content uploaded again: Telnyx keeps the embedding and the success status
        _file("same.txt", "success", "2026-01-01T00:00:05Z", "2026-01-01T00:00:03Z"),
        _file("gone.txt", "success", "2026-01-01T00:00:00Z", "2026-01-01T00:00:01Z"),
    ]
    written = ["new.txt", "changed.txt", "done.txt", "same.txt", "absent.txt"]
    waiting, failed = pending_keys(files, written, ["gone.txt", "already-gone.txt"])
    assert waiting == ["new.txt", "changed.txt", "absent.txt", "gone.txt"]
    assert failed == {}


def test_embed_watch_reports_failed_files() -> None:
    failed = BucketFile("bad.txt", "failed", error_reason="unreadable")
    watch = EmbedWatch("kb", ["bad.txt"], timeout=10, poll_interval=1)
    with pytest.raises(NotEmbeddedError, match=r"'bad\.txt' \(unreadable\)") as info:
        watch.check([failed])
    assert info.value.failed == {"bad.txt": "unreadable"}


def test_embed_watch_sleeps_then_gives_up() -> None:
    now = [0.0]
    watch = EmbedWatch("kb", ["a.txt"], timeout=5, poll_interval=2, clock=lambda: now[0])
    assert watch.check([]) == 2
    assert watch.status == "0/1 documents up to date"
    now[0] = 4.0
    assert watch.check([]) == 1
    now[0] = 5.0
    with pytest.raises(EmbeddingNotReadyError, match=r"'a\.txt'"):
        watch.check([])
    done = BucketFile("a.txt", "success", last_embedded_at="2026-01-01T00:00:01Z")
    assert watch.check([done]) is None
