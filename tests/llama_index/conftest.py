"""Fixtures for the LlamaIndex tests: a ``Telnyx`` LLM pointed at the session's emulator."""

from __future__ import annotations

import os

import pytest
from li_support import HOSTED, make_llm

from llama_index_telnyx import Telnyx
from telnyx_inference.emulator import Emulator


@pytest.fixture(autouse=True)
def _offline_llama_index(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing here may need OpenAI or download tokenizer / NLTK data."""
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    for name in ("TIKTOKEN_CACHE_DIR", "NLTK_DATA", "TELNYX_API_KEY", "TELNYX_API_BASE"):
        if name in os.environ:
            monkeypatch.delenv(name)


@pytest.fixture
def emu(telnyx_emulator: Emulator) -> Emulator:
    return telnyx_emulator


@pytest.fixture
def llm(emu: Emulator) -> Telnyx:
    return make_llm(emu)


@pytest.fixture
def reasoning_llm(emu: Emulator) -> Telnyx:
    return make_llm(emu, model=HOSTED)
