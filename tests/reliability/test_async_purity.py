"""An async call must not block its event loop on synchronous I/O."""

from __future__ import annotations

import pytest
from llama_index.core.llms import ChatMessage

from langchain_telnyx import ChatTelnyx
from llama_index_telnyx import Telnyx
from telnyx_inference.chat import catalog
from telnyx_inference.emulator import Emulator


def _sync_requests(emu: Emulator, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.setattr(catalog, "_cache", {})  # a catalog not read yet, as in a new process
    return [e.path for e in emu.journal if e.path.endswith("/models")]


async def test_llama_index_async_chat_does_no_sync_io(
    emu: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    _sync_requests(emu, monkeypatch)
    emu.add_model("acme/unlisted-model", context_length=12_345)
    llm = Telnyx(model="acme/unlisted-model", base_url=emu.base_url, api_key="k")
    await llm.achat([ChatMessage(role="user", content="hi")])
    assert llm._telnyx is None  # the sync core client was never built: no blocking I/O
    # the catalog was read in the background, through the async client, for later calls
    assert llm._catalog_read is not None
    await llm._catalog_read
    assert llm.metadata.context_window == 12_345


async def test_langchain_async_invoke_does_no_sync_io(
    emu: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    _sync_requests(emu, monkeypatch)
    llm = ChatTelnyx(base_url=emu.base_url, api_key="k")
    await llm.ainvoke("hi")
    assert llm._telnyx is None
    assert not [e for e in emu.journal if e.path.endswith("/models")]
