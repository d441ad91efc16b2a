"""Retries share one total deadline (redirects are covered in tests/security)."""

from __future__ import annotations

import time

import pytest

from telnyx_inference import ServerError, TelnyxClient, TelnyxTimeoutError, build_chat_request
from telnyx_inference.emulator import Emulator, Fault

HELLO = [{"role": "user", "content": "hello"}]


def test_total_timeout_stops_status_retries(telnyx_emulator: Emulator) -> None:
    telnyx_emulator.fault(Fault(kind="status", status=503, times=None))
    c = TelnyxClient(
        api_key="k", base_url=telnyx_emulator.base_url, max_retries=50, total_timeout=1.5
    )
    start = time.monotonic()
    with pytest.raises(ServerError):
        c.chat(build_chat_request(HELLO))
    # 50 retries with backoff would take minutes; the bound leaves room for a loaded machine.
    assert time.monotonic() - start < 6.0
    assert 2 <= len(telnyx_emulator.journal) < 10


def test_total_timeout_cuts_slow_attempts(telnyx_emulator: Emulator) -> None:
    telnyx_emulator.fault(Fault(kind="slow_first_byte", seconds=5, times=None))
    c = TelnyxClient(
        api_key="k",
        base_url=telnyx_emulator.base_url,
        timeout=1.0,
        max_retries=20,
        total_timeout=2.0,
    )
    start = time.monotonic()
    with pytest.raises(TelnyxTimeoutError):
        c.chat(build_chat_request(HELLO))
    assert time.monotonic() - start < 7.0  # 21 attempts of 1 s would take 21 s
