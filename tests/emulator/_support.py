"""Constants and helpers shared by the emulator tests."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

KEY = "test-key"
CHAT = "/v2/ai/openai/chat/completions"
HOSTED = "zai-org/GLM-5.2"
PLAIN = "meta-llama/Meta-Llama-3.1-8B-Instruct"  # not a reasoning model

MAGIC_TOOL: dict[str, Any] = {
    "type": "function",
    "function": {
        "name": "magic_function",
        "description": "Apply a magic function to an input.",
        "parameters": {"type": "object", "properties": {"input": {"type": "integer"}},
                       "required": ["input"]},
    },
}


def chat_body(text: str = "Hello there", **extra: Any) -> dict[str, Any]:
    return {"model": HOSTED, "messages": [{"role": "user", "content": text}], **extra}


def sse_payloads(raw: bytes) -> list[str]:
    """The ``data:`` payloads of an SSE body, in order."""
    text = raw.decode().replace("\r\n", "\n")
    return [line[len("data: "):] for frame in text.split("\n\n") for line in frame.split("\n")
            if line.startswith("data: ")]


HANG_GUARD = 30.0
"""Seconds to wait for something that happens at once unless the code is broken."""


def wait_until(condition: Callable[[], object]) -> None:
    """Return once ``condition()`` holds (it reads what the server's thread writes, so it is
    looked at every few milliseconds); fail after :data:`HANG_GUARD` seconds: a hang, never a
    race."""
    deadline = time.monotonic() + HANG_GUARD
    while not condition():
        assert time.monotonic() < deadline, "never happened (hang guard)"
        time.sleep(0.005)
