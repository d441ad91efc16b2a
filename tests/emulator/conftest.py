"""Shared fixtures: SDK and raw HTTP clients pointed at the session's emulator."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import openai
import pytest

from telnyx_inference.emulator import Emulator

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


@pytest.fixture
def emu(telnyx_emulator: Emulator) -> Emulator:
    return telnyx_emulator


@pytest.fixture
def client(emu: Emulator) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(base_url=emu.base_url, api_key=KEY, max_retries=0, timeout=10) as c:
        yield c


@pytest.fixture
async def aclient(emu: Emulator) -> AsyncIterator[openai.AsyncOpenAI]:
    async with openai.AsyncOpenAI(base_url=emu.base_url, api_key=KEY, max_retries=0,
                                  timeout=10) as c:
        yield c


@pytest.fixture
def http(emu: Emulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=emu.root, headers={"Authorization": f"Bearer {KEY}"},
                      timeout=10) as c:
        yield c


def chat_body(text: str = "Hello there", **extra: Any) -> dict[str, Any]:
    return {"model": HOSTED, "messages": [{"role": "user", "content": text}], **extra}


def sse_payloads(raw: bytes) -> list[str]:
    """The ``data:`` payloads of an SSE body, in order."""
    text = raw.decode().replace("\r\n", "\n")
    return [line[len("data: "):] for frame in text.split("\n\n") for line in frame.split("\n")
            if line.startswith("data: ")]
