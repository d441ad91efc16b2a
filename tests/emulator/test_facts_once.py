"""The emulator takes Telnyx facts from the core's constants, and only a missing bucket or job
is answered as one: any other ``KeyError`` is a fault of the emulator, not a 404."""

from __future__ import annotations

import ast
import io
import tokenize
from pathlib import Path
from typing import Any

import httpx
import pytest

from telnyx_inference import _constants as facts
from telnyx_inference import emulator as emulator_package
from telnyx_inference.emulator import Emulator, Fault
from telnyx_inference.emulator.model import engine as model
from telnyx_inference.emulator.storage.buckets import BucketStore, UnknownBucket, UnknownJob

from ._support import CHAT, chat_body

EMULATOR = Path(emulator_package.__file__).parent


def _code_strings(path: Path) -> list[tuple[int, str]]:
    """The string literals of a module's code (docstrings, which may show examples, left out)."""
    tree = ast.parse(path.read_text())
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]


def test_no_api_path_or_rate_limit_header_is_typed_in_the_emulator() -> None:
    offenders = [
        f"{path.relative_to(EMULATOR)}:{line}"
        for path in sorted(EMULATOR.rglob("*.py"))
        for line, text in _code_strings(path)
        if text.startswith("/v2/ai") or text in facts.RATE_LIMIT_HEADERS
    ]
    assert offenders == []


def test_429_headers_are_the_cores(emu: Emulator, http: httpx.Client) -> None:
    emu.fault(Fault(kind="status", status=429))
    answer = http.post(CHAT, json=chat_body())
    assert answer.status_code == 429
    assert set(facts.RATE_LIMIT_HEADERS) <= set(answer.headers)


def test_unknown_bucket_and_job_have_their_own_errors() -> None:
    store = BucketStore()
    with pytest.raises(UnknownBucket):
        store.search("nope", "q")
    with pytest.raises(UnknownBucket):
        store.files("nope")
    with pytest.raises(UnknownJob):
        store.poll_job("no-such-task")


def test_a_bug_raising_keyerror_is_not_a_missing_bucket(
    emu: Emulator, http: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        return {}["oops"]

    monkeypatch.setattr(model, "complete", broken)
    answer = http.post(CHAT, json=chat_body())
    assert answer.status_code == 500
    assert "oops" not in answer.text


def test_one_bearer_reader_in_the_emulator() -> None:
    # "Authorization: Bearer <x>" is read in one place (access.bearer_token): API keys, the
    # control token and the recorder's key all go through it.
    # (tokenize, not ast: ast.parse beside the emulator's threads trips CPython gh-106905)
    readers = [
        f"{path.relative_to(EMULATOR)}:{token.start[0]}"
        for path in sorted(EMULATOR.rglob("*.py"))
        for token in tokenize.generate_tokens(io.StringIO(path.read_text()).readline)
        if token.type == tokenize.STRING and token.string.strip("'\"").lower() == "bearer"
    ]
    assert [r.split(":")[0] for r in readers] == ["access.py"]


def test_journal_and_cassettes_hide_the_same_headers() -> None:
    from telnyx_inference.emulator import records
    from telnyx_inference.emulator.replay import cassettes

    assert cassettes.REDACTED == records.REDACTED
    secret = {name: "Bearer s3cret-value-123" for name in records.SECRET_HEADERS}
    journal = records.redact_headers({**secret, "content-type": "application/json"})
    item = cassettes.Interaction("POST", "/x", request_headers=dict(secret), headers=dict(secret))
    scrubbed = cassettes.scrub_interaction(item, [])
    for shown in (journal, scrubbed.request_headers, scrubbed.headers):
        assert not [v for v in shown.values() if "s3cret" in v]
    assert journal["authorization"] == f"Bearer {records.REDACTED}"
    assert journal["content-type"] == "application/json"


def test_the_fixed_chunk_count_has_one_default_and_must_be_positive(
    emu: Emulator, http: httpx.Client
) -> None:
    import inspect

    from telnyx_inference.emulator.__main__ import parser
    from telnyx_inference.emulator.serving.state import DEFAULT_FIXED_CHUNKS, Settings

    assert inspect.signature(Emulator).parameters["chunks"].default == DEFAULT_FIXED_CHUNKS
    assert Settings().chunks == DEFAULT_FIXED_CHUNKS
    assert parser().parse_args(["--fixed", "3"]).fixed == 3
    for bad in ("0", "-2"):  # `--fixed 0` used to serve 16 chunks
        with pytest.raises(SystemExit) as exited:
            parser().parse_args(["--fixed", bad])
        assert exited.value.code == 2
    with pytest.raises(ValueError, match="chunks must be a positive integer"):
        Emulator(mode="fixed", chunks=0)
    answer = http.post(f"{emu.root}/_emulator/fixed", json={"chunks": 0})
    assert answer.status_code == 400
    assert "positive" in answer.text


def test_dead_code_stays_gone() -> None:
    from telnyx_inference.emulator.model import evidence, guided
    from telnyx_inference.emulator.replay import matching

    assert not hasattr(matching.Library, "add")  # recordings come in through the constructor
    assert not hasattr(evidence.Evidence, "window")
    assert not hasattr(guided, "schema_pool")
