"""langchain-tests' standard integration suite for ChatTelnyx, unmodified, against the emulator.

The emulator runs on loopback (the ``telnyx_emulator`` fixture, reset before each test); the
suite's one download, the image in ``test_image_inputs``, is answered from a PNG made here.
"""

from __future__ import annotations

import struct
import zlib
from typing import Any

import httpx
import pytest
from langchain_core.language_models import BaseChatModel
from langchain_tests.integration_tests import ChatModelIntegrationTests
from telnyx_capabilities import TelnyxChatCapabilities

from langchain_telnyx import ChatTelnyx
from telnyx_inference.emulator import Emulator

_IMAGE_HOST = "raw.githubusercontent.com"


def _png(width: int = 4, height: int = 4) -> bytes:
    """A tiny solid-colour PNG, so the image test needs no network."""
    rows = b"".join(b"\x00" + b"\x30\x80\xc0" * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


class TestChatTelnyxIntegration(TelnyxChatCapabilities, ChatModelIntegrationTests):
    _emulator: Emulator | None = None

    @pytest.fixture(autouse=True)
    def _offline(self, telnyx_emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
        type(self)._emulator = telnyx_emulator
        real_get = httpx.get

        def get(url: Any, *args: Any, **kwargs: Any) -> httpx.Response:
            if httpx.URL(str(url)).host == _IMAGE_HOST:
                return httpx.Response(200, content=_png(), request=httpx.Request("GET", url))
            return real_get(url, *args, **kwargs)

        monkeypatch.setattr(httpx, "get", get)

    @property
    def chat_model_class(self) -> type[BaseChatModel]:
        return ChatTelnyx

    @property
    def chat_model_params(self) -> dict[str, Any]:
        assert self._emulator is not None
        return {
            "model": "moonshotai/Kimi-K2.6",
            "base_url": self._emulator.base_url,
            "api_key": "emulator-key",
        }
