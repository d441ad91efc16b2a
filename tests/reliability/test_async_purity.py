"""An async call must not block its event loop on synchronous I/O."""

from __future__ import annotations

import pytest
from llama_index.core.llms import ChatMessage

from langchain_telnyx import ChatTelnyx
from llama_index_telnyx import Telnyx
from telnyx_inference import catalog
from telnyx_inference.emulator import Emulator

BLOCKING_CATALOG = (
    "llama_index_telnyx/llm.py Telnyx.metadata reads the model catalog with the *sync* client; "
    "LlamaIndex's llm_chat_callback calls to_payload() -> metadata on every call, so the first "
    "achat/astream_chat per base URL blocks the event loop on a GET models (up to the timeout). "
    "Without a cached catalog, metadata inside a running loop should answer from the fallback "
    "table (or override to_payload to skip the catalog)"
)


def _sync_requests(emu: Emulator, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.setattr(catalog, "_cache", {})  # a catalog not read yet, as in a new process
    return [e.path for e in emu.journal if e.path.endswith("/models")]


@pytest.mark.xfail(strict=True, reason=BLOCKING_CATALOG)
async def test_llama_index_async_chat_does_no_sync_io(
    emu: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    _sync_requests(emu, monkeypatch)
    llm = Telnyx(base_url=emu.base_url, api_key="k")
    await llm.achat([ChatMessage(role="user", content="hi")])
    assert llm._telnyx is None  # the sync core client was never built
    assert not [e for e in emu.journal if e.path.endswith("/models")]


async def test_langchain_async_invoke_does_no_sync_io(
    emu: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    _sync_requests(emu, monkeypatch)
    llm = ChatTelnyx(base_url=emu.base_url, api_key="k")
    await llm.ainvoke("hi")
    assert llm._telnyx is None
    assert not [e for e in emu.journal if e.path.endswith("/models")]
