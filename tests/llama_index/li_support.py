"""Helpers shared by the LlamaIndex tests (imported as a top-level module by pytest)."""

from __future__ import annotations

from typing import Any

from llama_index_telnyx import Telnyx
from telnyx_inference.emulator import Emulator

KEY = "sk-test-secret-4242"
HOSTED = "zai-org/GLM-5.2"  # a reasoning model
PLAIN = "meta-llama/Meta-Llama-3.1-8B-Instruct"


def make_llm(emu: Emulator, **kw: Any) -> Telnyx:
    kw.setdefault("model", PLAIN)
    return Telnyx(api_key=KEY, base_url=emu.base_url, max_retries=0, **kw)


def chat_bodies(emu: Emulator) -> list[dict[str, Any]]:
    """The JSON bodies of the chat requests the emulator received, in order."""
    return [e.json for e in emu.journal if e.path.endswith("chat/completions")]
