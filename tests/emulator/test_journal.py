"""The journal: a ring bounded in entries and bytes, filters, and reads that never block."""

from __future__ import annotations

import gc
import json
import threading
import tracemalloc
from typing import Any

import httpx
import pytest

from telnyx_inference.emulator import Emulator
from telnyx_inference.emulator.records import JournalEntry
from telnyx_inference.emulator.serving import journal as journal_mod
from telnyx_inference.emulator.serving.journal import Journal, select

from ._support import CHAT, KEY, chat_body

AUTH = {"Authorization": f"Bearer {KEY}"}


def big_body(i: int, size: int) -> dict[str, Any]:
    return chat_body(f"request {i} " + "x" * size, max_tokens=1)


def test_large_bodies_past_the_byte_cap_keep_it_held() -> None:
    cap = 300_000
    with Emulator(journal_max_entries=100, journal_max_bytes=cap) as emu, httpx.Client(
        base_url=emu.root, headers=AUTH, timeout=30
    ) as http:
        for i in range(20):
            assert http.post(CHAT, json=big_body(i, 100_000)).status_code == 200
        page = http.get("/_emulator/journal").json()
        entries = page["entries"]
        assert page["kept_bytes"] <= cap
        assert sum(e["size"] for e in entries) == page["kept_bytes"]
        assert 1 <= len(entries) <= 3  # ~100 kB each
        assert page["dropped"] == 20 - len(entries)
        # The newest survive, in order.
        firsts = [e["json"]["messages"][0]["content"].split()[1] for e in entries]
        assert firsts == [str(i) for i in range(20 - len(entries), 20)]
        assert (page["max_entries"], page["max_bytes"]) == (100, cap)
        assert emu.read_journal().dropped == page["dropped"]


def test_the_entry_cap_holds_and_dropped_entries_are_counted() -> None:
    with Emulator(journal_max_entries=5) as emu, httpx.Client(
        base_url=emu.root, headers=AUTH, timeout=30
    ) as http:
        for i in range(12):
            http.post(CHAT, json=chat_body(f"n{i}"))
        page = emu.read_journal()
        assert (page.kept, page.dropped) == (5, 7)
        assert [e.json["messages"][0]["content"] for e in emu.journal] == [
            f"n{i}" for i in range(7, 12)
        ]
        emu.clear_journal()
        assert (emu.read_journal().kept, emu.read_journal().dropped) == (0, 0)


def test_a_request_bigger_than_the_whole_cap_is_kept_without_its_body() -> None:
    with Emulator(journal_max_bytes=10_000) as emu, httpx.Client(
        base_url=emu.root, headers=AUTH, timeout=30
    ) as http:
        http.post(CHAT, json=chat_body("small"))
        http.post(CHAT, json=big_body(0, 50_000))
        small, huge = emu.journal
        assert small.json is not None
        assert not small.truncated
        assert huge.truncated
        assert huge.json is None
        assert huge.status == 200
        assert emu.read_journal().kept_bytes <= 10_000


def test_filters_by_path_method_status_and_last(emu: Emulator, http: httpx.Client) -> None:
    http.post(CHAT, json=chat_body("a"))
    http.get("/v2/ai/openai/models")
    http.post(CHAT, json=chat_body("b"))
    http.post(CHAT, json={"messages": "nope"})
    ctl = f"{emu.root}/_emulator/journal"
    chats = httpx.get(ctl, params={"path": "chat/completions"}).json()
    assert chats["returned"] == 3
    assert chats["kept"] == 4
    assert httpx.get(ctl, params={"method": "get"}).json()["entries"][0]["path"].endswith("models")
    assert httpx.get(ctl, params={"status": 422}).json()["returned"] == 1
    last = httpx.get(ctl, params={"path": "chat", "status": 200, "last": 1}).json()
    assert [e["json"]["messages"][0]["content"] for e in last["entries"]] == ["b"]
    assert last["filters"] == {"path": "chat", "status": 200, "last": 1}
    assert httpx.get(ctl, params={"last": 0}).json()["entries"] == []
    assert [e.path for e in emu.read_journal(path="models").entries] == ["/v2/ai/openai/models"]


@pytest.mark.parametrize(
    ("query", "named"),
    [({"last": "two"}, "last"), ({"last": "-1"}, "last"), ({"colour": "red"}, "colour")],
)
def test_bad_filters_are_a_400_naming_the_parameter(
    emu: Emulator, query: dict[str, str], named: str
) -> None:
    r = httpx.get(f"{emu.root}/_emulator/journal", params=query)
    assert r.status_code == 400
    assert named in r.json()["error"]


def test_bad_filters_in_python_name_the_parameter(emu: Emulator) -> None:
    with pytest.raises(ValueError, match="last"):
        emu.read_journal(last=-1)
    with pytest.raises(ValueError, match="path"):
        emu.read_journal(path="")


def test_the_http_page_matches_the_python_page(emu: Emulator, http: httpx.Client) -> None:
    http.post(CHAT, json=chat_body("same"))
    over_http = httpx.get(f"{emu.root}/_emulator/journal").json()
    assert over_http == json.loads(json.dumps(emu.read_journal().to_dict()))


def test_select_is_pure() -> None:
    entries = [JournalEntry("POST", f"/p{i}", status=200 if i % 2 else 500) for i in range(6)]
    assert [e.path for e in select(entries, status=500, last=2)] == ["/p2", "/p4"]
    assert select(entries, last=10) == entries


def test_ring_limits_must_be_positive() -> None:
    with pytest.raises(ValueError, match="journal_max_bytes"):
        Journal(max_bytes=0)
    with pytest.raises(ValueError, match="journal_max_entries"):
        Emulator(journal_max_entries=-1)


def test_a_chat_request_is_answered_while_a_journal_read_is_in_progress(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The journal read is held mid-way (its client stops reading, so the server's writes back
    up); a chat request sent meanwhile is answered, and the read then completes intact."""
    encoded = 0

    def counting(entry: JournalEntry) -> bytes:
        nonlocal encoded
        encoded += 1
        return real(entry)

    real = journal_mod._entry_json
    monkeypatch.setattr(journal_mod, "_entry_json", counting)
    n = 120
    with Emulator(journal_max_bytes=64 * 1024 * 1024) as emu, httpx.Client(
        base_url=emu.root, headers=AUTH, timeout=30
    ) as http:
        for i in range(n):
            http.post(CHAT, json=big_body(i, 250_000))  # ~30 MB, more than socket buffers
        reader = httpx.Client(base_url=emu.root, timeout=30)
        with reader.stream("GET", "/_emulator/journal") as journal_read:
            chunks = journal_read.iter_bytes()
            received = [next(chunks)]
            answer = http.post(CHAT, json=chat_body("are you there?"))
            in_progress_at_answer = encoded
            assert answer.status_code == 200
            assert answer.json()["choices"][0]["message"]["content"]
            received.extend(chunks)
        reader.close()
    assert 0 < in_progress_at_answer < n, "the chat was answered while the read was mid-way"
    page = json.loads(b"".join(received))
    assert page["returned"] == n
    assert len(page["entries"]) == n


def test_reads_from_other_threads_see_a_consistent_ring() -> None:
    ring = Journal(max_entries=50, max_bytes=10_000_000)
    stop = threading.Event()

    def writer() -> None:
        i = 0
        while not stop.is_set():
            ring.append(JournalEntry("POST", f"/w{i}"), 10)
            i += 1

    t = threading.Thread(target=writer)
    t.start()
    try:
        for _ in range(200):
            page = ring.page()
            assert len(page.entries) == page.kept <= 50
            assert page.kept_bytes == sum(e.size for e in page.entries)
    finally:
        stop.set()
        t.join()


def test_the_byte_cap_holds_even_when_a_bare_entry_does_not_fit() -> None:
    ring = Journal(max_entries=10, max_bytes=100)
    ring.append(JournalEntry("POST", "/small"), 0)
    ring.append(JournalEntry("POST", "/big", headers={"x-pad": "p" * 200}), 10)
    page = ring.page()
    assert page.kept_bytes <= 100
    assert [e.path for e in page.entries] == ["/small"]
    assert page.dropped == 1


def test_the_memory_held_stays_near_the_byte_cap() -> None:
    """The journal keeps bodies as the bytes it counts: parsed JSON of many small objects
    would hold twenty times the cap."""
    cap = 2 * 1024 * 1024
    body = json.dumps({"items": [{"a": 1}] * 20_000}).encode()  # 180 kB, 20,000 objects
    with Emulator(journal_max_bytes=cap) as emu, httpx.Client(
        base_url=emu.root, headers={**AUTH, "content-type": "application/json"}, timeout=30
    ) as http:
        http.post("/v2/nowhere", content=body)  # first-request set-up, before measuring
        emu.clear_journal()
        gc.collect()
        tracemalloc.start(8)  # tracebacks deep enough to see the request pipeline
        try:
            for _ in range(20):
                assert http.post("/v2/nowhere", content=body).status_code == 404
            # One more, small: the server is done with the last big one's parsed body.
            assert http.post("/v2/nowhere", json={}).status_code == 404
            gc.collect()
            snapshot = tracemalloc.take_snapshot()
        finally:
            tracemalloc.stop()
        pipeline = tracemalloc.Filter(True, "*/emulator/serving/app.py", all_frames=True)
        held = sum(s.size for s in snapshot.filter_traces([pipeline]).statistics("filename"))
        page = emu.read_journal()
        assert page.kept_bytes <= cap
        assert page.dropped > 0
        assert page.entries[-2].json == {"items": [{"a": 1}] * 20_000}  # parsed when read
    assert held < cap * 1.5, f"{held / 2**20:.1f} MiB held under a {cap / 2**20:.0f} MiB cap"
