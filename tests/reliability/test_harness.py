"""The harness can fail: the leak check catches a socket no pool owns and a response left open;
and the emulator's faults behave as the matrix assumes (whole-second stalls, quiet drops)."""

from __future__ import annotations

import socket

import pytest

from telnyx_inference.chat.client import TelnyxClient
from telnyx_inference.chat.request import build_chat_request
from telnyx_inference.emulator import Emulator, Fault

from ._leaks import assert_no_leak
from ._paths import PATHS, build_model, run

BODY = build_chat_request([{"role": "user", "content": "hi"}], stream=True)


def test_leak_check_sees_an_unpooled_socket(emu: Emulator) -> None:
    assert_no_leak(emu.port)
    stray = socket.create_connection(("127.0.0.1", emu.port))
    try:
        with pytest.raises(AssertionError, match=r"socket\(s\) open to the server"):
            assert_no_leak(emu.port, settle=0.1)
    finally:
        stray.close()
    assert_no_leak(emu.port)


def test_leak_check_sees_a_response_left_open(emu: Emulator) -> None:
    sdk = TelnyxClient(api_key="k", base_url=emu.base_url).transport.client
    http = sdk._client  # the pooled HTTP client under the shared SDK client
    request = http.build_request(
        "POST", f"{sdk.base_url}chat/completions", json=BODY, headers={"Authorization": "Bearer k"}
    )
    response = http.send(request, stream=True)  # checked out of the pool, never read or closed
    try:
        with pytest.raises(AssertionError, match="still in use"):
            assert_no_leak(emu.port, settle=0.1)
    finally:
        response.close()
    assert_no_leak(emu.port)


def test_stall_with_whole_seconds(emu: Emulator) -> None:
    emu.fault(Fault(kind="stall_after", after=14, seconds=1, route="chat/completions"))
    path = next(p for p in PATHS if p.mode == "sync" and p.call == "stream")
    out = run(path, build_model(path.framework, emu.base_url, {"timeout": 30.0, "max_retries": 0}))
    assert out.error is None
    assert out.completed


def test_quiet_drops_filter_survives_cyclic_exception_chains() -> None:
    from telnyx_inference.emulator.streaming import _is_drop

    inner = TypeError("a bug in a stream handler")
    group = BaseExceptionGroup("task group", [inner])
    inner.__context__ = group
    assert _is_drop(group) is False
