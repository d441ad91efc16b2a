"""The row callables on plain batches (no Ray needed): every row kept, in order, errors in a
column, structured output into columns, clients built once."""

from __future__ import annotations

import pickle

import pytest
from pydantic import BaseModel

from telnyx_inference.bulk import ChatRows, EmbedRows, SearchRows
from telnyx_inference.emulator import Emulator, Fault


class Person(BaseModel):
    name: str
    age: int


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELNYX_API_KEY", "k")


def test_structured_chat_rows_fill_one_column_per_field(telnyx_emulator: Emulator) -> None:
    rows = ChatRows(base_url=telnyx_emulator.base_url, schema=Person, max_retries=0)
    prompts = [f"Ada Lovelace was {age}." for age in (36, 41, 52)]
    out = rows({"prompt": prompts, "id": [1, 2, 3]})
    assert out["id"] == [1, 2, 3]
    assert out["name"] == ["Ada Lovelace"] * 3
    assert out["age"] == [36, 41, 52]
    assert out["error"] == [None, None, None]


def test_a_row_that_keeps_failing_carries_its_error_and_the_rest_go_on(
    telnyx_emulator: Emulator,
) -> None:
    telnyx_emulator.fault(Fault(kind="status", status=500, times=None, match="row-1 "))
    rows = ChatRows(base_url=telnyx_emulator.base_url, max_retries=1)
    out = rows({"prompt": [f"row-{i} say hi" for i in range(4)]})
    assert [e is None for e in out["error"]] == [True, False, True, True]
    assert out["error"][1].startswith("ServerError: ")
    assert out["response"][1] is None
    assert all(isinstance(r, str) and r for i, r in enumerate(out["response"]) if i != 1)
    failing = [e for e in telnyx_emulator.journal if b"row-1 " in (e.body or b"")]
    assert len(failing) == 2, "the client's one retry, then the row gave up"


def test_embed_rows_isolate_the_bad_row_of_a_failing_batch(telnyx_emulator: Emulator) -> None:
    telnyx_emulator.fault(Fault(kind="status", status=400, times=None, match="poison"))
    rows = EmbedRows(base_url=telnyx_emulator.base_url, max_retries=0)
    out = rows({"text": ["alpha", "poison pill", "gamma"]})
    assert [len(v) if v else None for v in out["embedding"]] == [1024, None, 1024]
    assert out["error"][0] is None
    assert out["error"][1].startswith("BadRequestError")


def test_search_rows_return_the_closest_chunks(telnyx_emulator: Emulator) -> None:
    telnyx_emulator.seed_bucket("docs-kb", texts={"a.txt": "Telnyx runs a global IP network."})
    rows = SearchRows(bucket="docs-kb", base_url=telnyx_emulator.base_url, k=1)
    out = rows({"query": ["What network does Telnyx run?"]})
    [[hit]] = out["matches"]
    assert hit["filename"] == "a.txt"
    assert "global IP network" in hit["text"]


def test_callables_pickle_without_clients_or_keys(telnyx_emulator: Emulator) -> None:
    rows = ChatRows(base_url=telnyx_emulator.base_url)
    rows({"prompt": ["hi"]})  # builds the client
    copy = pickle.loads(pickle.dumps(rows))
    assert copy._client is None
    assert copy({"prompt": ["hi again"]})["error"] == [None]


def test_bad_settings_fail_at_construction_naming_them() -> None:
    with pytest.raises(ValueError, match="api_key"):
        ChatRows(api_key="secret")
    with pytest.raises(ValueError, match="max_concurrency"):
        ChatRows(max_concurrency=0)
    with pytest.raises(ValueError, match="bucket"):
        SearchRows(bucket="x")
    with pytest.raises(ValueError, match="k: "):
        SearchRows(bucket="docs-kb", k=0)
