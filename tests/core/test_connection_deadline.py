"""``ConnectionFields.total_timeout``: framework models can set the deadline for all attempts."""

from __future__ import annotations

import pytest

from telnyx_inference.chat.request import build_chat_request
from telnyx_inference.connection import ConnectionFields
from telnyx_inference.emulator import Emulator, Fault
from telnyx_inference.errors import RateLimitError


class _Model(ConnectionFields):
    pass


def test_total_timeout_reaches_the_settings() -> None:
    model = _Model(api_key="k", base_url="http://127.0.0.1:9/v2/ai/openai", total_timeout=1.5)
    assert model.telnyx_settings().total_timeout == 1.5
    assert _Model(api_key="k").telnyx_settings().total_timeout == 180.0  # the core's default


def test_bad_total_timeout_is_named() -> None:
    with pytest.raises(ValueError, match="total_timeout"):
        _Model(api_key="k", total_timeout=0)


def test_total_timeout_bounds_the_retries(telnyx_emulator: Emulator) -> None:
    # Each 429's window resets in 30 s: past the model's 10 s budget, so no retry may start
    # (without the budget reaching the transport, the client would wait and retry).
    telnyx_emulator.fault(Fault(kind="status", status=429, seconds=30, times=None))
    model = _Model(
        api_key="k", base_url=telnyx_emulator.base_url, max_retries=1, total_timeout=10.0
    )
    body = build_chat_request([{"role": "user", "content": "hi"}])
    with pytest.raises(RateLimitError):
        model.telnyx_client().chat(body)
    assert len(telnyx_emulator.journal) == 1
