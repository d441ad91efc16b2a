"""Shared fixtures: SDK and raw HTTP clients pointed at the session's emulator
(``telnyx_emulator`` comes from the package's own pytest plugin)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import openai
import pytest

from telnyx_inference.emulator import Emulator

from ._support import KEY


@pytest.fixture
def emu(telnyx_emulator: Emulator) -> Emulator:
    return telnyx_emulator


@pytest.fixture
def client(emu: Emulator) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(base_url=emu.base_url, api_key=KEY, max_retries=0, timeout=30) as c:
        yield c


@pytest.fixture
async def aclient(emu: Emulator) -> AsyncIterator[openai.AsyncOpenAI]:
    async with openai.AsyncOpenAI(base_url=emu.base_url, api_key=KEY, max_retries=0,
                                  timeout=30) as c:
        yield c


@pytest.fixture
def http(emu: Emulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=emu.root, headers={"Authorization": f"Bearer {KEY}"},
                      timeout=30) as c:
        yield c
