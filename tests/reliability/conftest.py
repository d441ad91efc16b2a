"""An emulator of the reliability tests' own (no other test shares its sockets or pools)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from telnyx_inference.chat.client import TelnyxClient
from telnyx_inference.chat.request import build_chat_request
from telnyx_inference.emulator import Emulator

from ._paths import PROMPT


@pytest.fixture(scope="session")
def reliability_server() -> Iterator[Emulator]:
    with Emulator() as emu:
        yield emu


@pytest.fixture
def emu(reliability_server: Emulator) -> Iterator[Emulator]:
    reliability_server.settle(10)  # no request of an earlier case still to come in
    reliability_server.reset()
    yield reliability_server
    reliability_server.reset()


@pytest.fixture(scope="session")
def baseline_text(reliability_server: Emulator) -> str:
    """The answer to the test prompt when nothing goes wrong (the model is deterministic)."""
    client = TelnyxClient(api_key="baseline", base_url=reliability_server.base_url)
    body = build_chat_request([{"role": "user", "content": PROMPT}])
    text = client.chat(body).first.content
    assert text
    # Warm the server's streaming path too, so that no case's first stream waits on imports
    # there (harmless to the cases now, but it keeps their first attempts typical).
    streamed = build_chat_request([{"role": "user", "content": PROMPT}], stream=True)
    assert list(client.stream_chat(streamed))
    return text
