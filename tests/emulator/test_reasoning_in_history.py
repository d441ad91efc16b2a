"""Message objects allow extra keys: an assistant turn's ``reasoning_content`` is accepted,
in strict mode too (strict only refuses unknown top-level fields)."""

from __future__ import annotations

import httpx
import pytest

from telnyx_inference.emulator import Emulator

from ._support import CHAT, chat_body

CALL = {"id": "c1", "type": "function", "function": {"name": "add", "arguments": "{}"}}


@pytest.mark.parametrize("strict", [False, True])
def test_reasoning_content_on_an_assistant_tool_turn_is_accepted(
    emu: Emulator, http: httpx.Client, strict: bool
) -> None:
    emu.configure(strict=strict)
    body = chat_body()
    body["messages"] = [
        {"role": "user", "content": "add"},
        {"role": "assistant", "content": "", "tool_calls": [CALL], "reasoning_content": "r"},
        {"role": "tool", "tool_call_id": "c1", "content": "3"},
    ]
    answer = http.post(CHAT, json=body)
    assert answer.status_code == 200, answer.text
    assert "x-emulator-ignored-fields" not in answer.headers
    assert emu.journal[-1].json["messages"][1]["reasoning_content"] == "r"
