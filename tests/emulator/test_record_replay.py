"""Record against a second emulator as the upstream, stop it, replay: the same results
through the raw openai SDK, ChatTelnyx and the LlamaIndex ``Telnyx``."""

from __future__ import annotations

from pathlib import Path

from ._replay_support import (
    core_buckets,
    langchain,
    llama_index,
    openai_sdk,
    record_then_replay,
)


def test_openai_sdk_results_replay_equal(tmp_path: Path) -> None:
    first, second = record_then_replay(tmp_path, openai_sdk)
    assert first["stream"]
    assert first["tools"]["choices"][0]["message"]["tool_calls"]
    assert first == second


def test_langchain_results_replay_equal(tmp_path: Path) -> None:
    first, second = record_then_replay(tmp_path, langchain)
    assert any(usage for _, _, usage, _ in first["stream"])  # the usage chunk came through
    assert first["tools"]
    assert first["search"]
    assert len(first["stream"]) > 3
    assert first == second


def test_llama_index_results_replay_equal(tmp_path: Path) -> None:
    first, second = record_then_replay(tmp_path, llama_index)
    assert first["tools"]
    assert first["search"]
    assert len(first["stream"]) > 3
    assert first == second


def test_bucket_jobs_listing_and_search_replay_equal(tmp_path: Path) -> None:
    first, second = record_then_replay(tmp_path, core_buckets)
    assert first["job"].status == "success"
    assert first["listed"] == ["handbook"]
    assert first["after"] == []
    assert first == second
