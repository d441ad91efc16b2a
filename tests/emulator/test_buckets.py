"""Buckets: seeding, embedding jobs, status listing, similarity search and 404s; the embedder."""

from __future__ import annotations

import base64
import struct
from pathlib import Path

import httpx
import pytest

from telnyx_inference.emulator import Emulator
from telnyx_inference.emulator.storage import embedder
from telnyx_inference.emulator.storage.buckets import chunk_text

DOCS = {
    "porting.txt": "Number porting moves your existing phone numbers to Telnyx.",
    "fax.txt": "Programmable fax sends and receives documents over the internet.",
    "sms.txt": "Messaging profiles control how SMS and MMS are sent.",
}
SEARCH = "/v2/ai/embeddings/similarity-search"
JOBS = "/v2/ai/embeddings"
BUCKETS = "/v2/ai/embeddings/buckets"


def search(http: httpx.Client, bucket: str, query: str, **extra: object) -> httpx.Response:
    return http.post(SEARCH, json={"bucket_name": bucket, "query": query, **extra})


def test_similarity_search_ranks_the_matching_document_first(emu: Emulator,
                                                            http: httpx.Client) -> None:
    emu.seed_bucket("kb", texts=DOCS)
    r = search(http, "kb", "how do I port my phone number?")
    docs = r.json()["data"]
    assert r.status_code == 200
    assert len(docs) == 3
    assert docs[0]["metadata"]["filename"] == "porting.txt"
    distances = [d["distance"] for d in docs]
    assert distances == sorted(distances)
    for d in docs:
        meta = d["metadata"]
        assert meta["certainty"] == pytest.approx(1 - d["distance"] / 2, abs=1e-5)
        assert {"source", "checksum", "embedding", "filename", "loader_metadata"} <= set(meta)
        assert meta["embedding"] == "thenlper/gte-large"


def test_num_of_docs(emu: Emulator, http: httpx.Client) -> None:
    emu.seed_bucket("kb", texts=DOCS)
    assert len(search(http, "kb", "fax", num_of_docs=1).json()["data"]) == 1
    exact = search(http, "kb", DOCS["fax.txt"], num_of_docs=1).json()["data"][0]
    assert exact["distance"] == pytest.approx(0, abs=1e-5)
    assert exact["metadata"]["certainty"] == pytest.approx(1, abs=1e-5)


def test_seed_from_directory_and_file(emu: Emulator, http: httpx.Client, tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.md").write_text("Alpha document about voice calls.")
    (tmp_path / "sub" / "b.md").write_text("Beta document about storage buckets.")
    single = tmp_path / "c.txt"
    single.write_text("Gamma")
    emu.seed_bucket("dir", paths=[tmp_path / "sub", single])
    emu.seed_bucket("all", paths=[tmp_path])
    files = {f["filename"] for f in http.get(f"{BUCKETS}/all").json()["data"]}
    assert files == {"a.md", "sub/b.md", "c.txt"}
    assert {f["filename"] for f in http.get(f"{BUCKETS}/dir").json()["data"]} == {"b.md", "c.txt"}
    with pytest.raises(FileNotFoundError):
        emu.seed_bucket("x", paths=[tmp_path / "nope"])


def test_list_detail_and_delete(emu: Emulator, http: httpx.Client) -> None:
    emu.seed_bucket("one", texts=DOCS)
    emu.seed_bucket("two", texts={"x.txt": "x"}, embed=False)
    assert http.get(BUCKETS).json() == {"data": {"buckets": ["one"]}}
    files = http.get(f"{BUCKETS}/one").json()["data"]
    assert {f["status"] for f in files} == {"success"}
    assert set(files[0]) == {"filename", "status", "created_at", "updated_at",
                             "last_embedded_at", "error_reason"}
    assert http.delete(f"{BUCKETS}/one").status_code == 200
    assert http.get(BUCKETS).json()["data"]["buckets"] == []
    assert search(http, "one", "x").status_code == 404


@pytest.mark.parametrize(("method", "path", "body"), [
    ("POST", SEARCH, {"bucket_name": "ghost", "query": "x"}),
    ("GET", f"{BUCKETS}/ghost", None),
    ("DELETE", f"{BUCKETS}/ghost", None),
    ("POST", JOBS, {"bucket_name": "ghost"}),
    ("GET", f"{JOBS}/no-such-task", None),
])
def test_404s_in_bucket_shape(http: httpx.Client, method: str, path: str, body: object) -> None:
    r = http.request(method, path, json=body)
    assert r.status_code == 404
    (err,) = r.json()["detail"]
    assert set(err) == {"code", "title", "detail"}
    assert err["code"] == "10005"
    assert "ghost" in err["detail"] or "no-such-task" in err["detail"]


def test_search_validation(http: httpx.Client) -> None:
    r = http.post(SEARCH, json={"bucket_name": "kb", "num_docs": 2})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "query"]


def test_job_moves_queued_processing_success(emu: Emulator, http: httpx.Client) -> None:
    emu.seed_bucket("late", texts=DOCS, embed=False)
    assert search(http, "late", "fax").status_code == 404
    r = http.post(JOBS, json={"bucket_name": "late", "document_chunk_size": 20,
                              "document_chunk_overlap_size": 5})
    data = r.json()["data"]
    assert set(data) >= {"task_id", "task_name", "status", "created_at", "finished_at"}
    assert data["status"] == "queued"
    assert data["finished_at"] is None
    statuses = [http.get(f"{JOBS}/{data['task_id']}").json()["data"] for _ in range(3)]
    assert [s["status"] for s in statuses] == ["processing", "success", "success"]
    assert statuses[-1]["finished_at"]
    hits = search(http, "late", "fax", num_of_docs=50).json()["data"]
    assert hits
    assert all(len(h["document_chunk"]) <= 20 for h in hits)


@pytest.mark.parametrize("outcome", ["failure", "partial_success"])
def test_scripted_job_outcomes_list_failed_files(emu: Emulator, http: httpx.Client,
                                                 outcome: str) -> None:
    emu.seed_bucket("b", texts=DOCS, embed=False)
    emu.script_job(outcome, {"fax.txt": "unsupported encoding"})
    task = http.post(JOBS, json={"bucket_name": "b"}).json()["data"]["task_id"]
    for _ in range(2):
        status = http.get(f"{JOBS}/{task}").json()["data"]["status"]
    assert status == outcome
    files = {f["filename"]: f for f in http.get(f"{BUCKETS}/b").json()["data"]}
    assert files["fax.txt"]["status"] == "failed"
    assert files["fax.txt"]["error_reason"] == "unsupported encoding"
    if outcome == "partial_success":
        assert files["sms.txt"]["status"] == "success"
        assert search(http, "b", "fax", num_of_docs=9).json()["data"]
        assert all(h["metadata"]["filename"] != "fax.txt"
                   for h in search(http, "b", "fax", num_of_docs=9).json()["data"])
    else:
        assert {f["status"] for f in files.values()} == {"failed"}


def test_job_validation(http: httpx.Client) -> None:
    r = http.post(JOBS, json={"bucket_name": "b", "embedding_model": "nope", "loader": "x"})
    assert r.status_code == 422
    assert [d["loc"][-1] for d in r.json()["detail"]] == ["embedding_model", "loader"]


def test_chunking_uses_telnyx_defaults() -> None:
    text = "".join(chr(ord("a") + i % 26) for i in range(3000))
    chunks = chunk_text(text)
    assert all(len(c) <= 1024 for c in chunks)
    assert chunks[1] == text[512:1536]  # 1024-character windows overlapping by 512
    assert chunk_text("short") == ["short"]
    assert chunk_text("   ") == []


def test_embedder_is_deterministic_normalised_and_similarity_aware() -> None:
    a, a2 = embedder.embed("voice over IP"), embedder.embed("voice over IP")
    near, far = embedder.embed("voice over the IP network"), embedder.embed("zebra quilt")
    assert a == a2
    assert len(a) == 1024
    assert sum(x * x for x in a) == pytest.approx(1.0)
    assert embedder.cosine_distance(a, near) < embedder.cosine_distance(a, far)
    short = embedder.embed("voice over IP", 256)
    assert len(short) == 256
    assert sum(x * x for x in short) == pytest.approx(1.0)
    assert sum(x * x for x in embedder.embed("")) == pytest.approx(1.0)


def test_base64_embeddings_decode_to_the_float_ones(http: httpx.Client) -> None:
    body = {"model": "thenlper/gte-large", "input": "hello", "dimensions": 8}
    floats = http.post("/v2/ai/openai/embeddings", json=body).json()["data"][0]["embedding"]
    b64 = http.post("/v2/ai/openai/embeddings",
                    json={**body, "encoding_format": "base64"}).json()["data"][0]["embedding"]
    decoded = struct.unpack("<8f", base64.b64decode(b64))
    assert decoded == pytest.approx(floats, abs=1e-6)


def test_embedding_models_route(http: httpx.Client) -> None:
    ids = [m["id"] for m in http.get("/v2/ai/openai/embeddings/models").json()["data"]]
    assert ids == ["thenlper/gte-large", "intfloat/multilingual-e5-large"]
