"""Retries share one total deadline (redirects are covered in tests/security)."""

from __future__ import annotations

import pytest

from telnyx_inference import ServerError, TelnyxClient, TelnyxTimeoutError, build_chat_request
from telnyx_inference.emulator import Emulator, Fault
from telnyx_inference.transport import retry

HELLO = [{"role": "user", "content": "hello"}]


def test_total_timeout_stops_status_retries(
    telnyx_emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every backoff 6-8 s (the policy's cap): longer than the 4 s budget, so the first 503 is
    # also the last, whatever the machine's speed; 50 retries would take minutes.
    monkeypatch.setattr(retry, "INITIAL_DELAY", retry.MAX_DELAY)
    telnyx_emulator.fault(Fault(kind="status", status=503, times=None))
    c = TelnyxClient(
        api_key="k", base_url=telnyx_emulator.base_url, max_retries=50, total_timeout=4.0
    )
    with pytest.raises(ServerError):  # the real error, not a timeout made up by the client
        c.chat(build_chat_request(HELLO))
    assert len(telnyx_emulator.journal) == 1


def test_total_timeout_stops_status_retries_that_fit(
    telnyx_emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Waits that fit the budget are taken: three 503s, then the answer.
    monkeypatch.setattr(retry, "INITIAL_DELAY", 0.001)
    telnyx_emulator.fault(Fault(kind="status", status=503, times=3))
    c = TelnyxClient(
        api_key="k", base_url=telnyx_emulator.base_url, max_retries=50, total_timeout=30.0
    )
    assert c.chat(build_chat_request(HELLO)).first.content
    assert len(telnyx_emulator.journal) == 4


def test_total_timeout_cuts_slow_attempts(telnyx_emulator: Emulator) -> None:
    # Nothing ever answers (the pause lasts until the client hangs up), and each attempt's own
    # timeout is 30 s: only the 1 s budget, cutting the first attempt short, can end the call.
    telnyx_emulator.fault(Fault(kind="slow_first_byte", seconds=3600, times=None))
    c = TelnyxClient(
        api_key="k",
        base_url=telnyx_emulator.base_url,
        timeout=30.0,
        max_retries=20,
        total_timeout=1.0,
    )
    with pytest.raises(TelnyxTimeoutError, match=r"\(1 attempt\)"):
        c.chat(build_chat_request(HELLO))
