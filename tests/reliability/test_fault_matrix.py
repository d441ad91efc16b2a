"""The fault matrix: every fault of issue 9 on every path (framework × sync/async × call),
the async paths on every HTTP client: the shared aiohttp one (sent straight onto its aiohttp
session), plain httpx, and a user's own ``DefaultAioHttpClient`` (sent through its httpx
layer, as every client the user hands in is).

Each case ends in a complete answer equal to the unfaulted one or in a typed, readable error,
with the number of requests the fault calls for, and with no connection left checked out or
unpooled. Nothing is timed: what happens is decided by the fault, and the time limits are
hang guards (see ``_faults``).
"""

from __future__ import annotations

from typing import Any

import openai
import pytest
from langchain_core.exceptions import ModelError

from telnyx_inference import errors as core
from telnyx_inference.emulator import Emulator
from telnyx_inference.transport import retry
from telnyx_inference.transport.aio import uses_aiohttp

from ._faults import CASES, FaultCase
from ._leaks import assert_no_leak, assert_no_leak_async
from ._paths import PATHS, Outcome, Path, arun, build_model, run

pytestmark = pytest.mark.timeout(15)

ASYNC_TRANSPORTS = ("aiohttp", "httpx", "users-aiohttp")
"""Every async case runs on both HTTP clients of the shared async pools and on a user's own."""

KNOWN_BUGS: dict[tuple[str, str], str] = {}
"""(framework, case name) → the bug that makes the case fail today (strict xfail)."""


def _known_bug(path: Path, case: FaultCase) -> str | None:
    return KNOWN_BUGS.get((path.framework, case.name))


def _params(mode: str) -> list[Any]:
    params = []
    for case in CASES:
        for path in (p for p in PATHS if p.mode == mode):
            marks: list[Any] = []
            reason = _known_bug(path, case)
            if reason:
                marks.append(pytest.mark.xfail(strict=True, reason=reason))
            if case.cancel and path.mode == "sync" and path.call == "invoke":
                marks.append(
                    pytest.mark.skip(reason="a synchronous call cannot be cancelled by its caller")
                )
            params.append(pytest.param(case, path, marks=marks, id=f"{case.name}-{path.id}"))
    return params


def _chat_requests(emu: Emulator) -> int:
    return len(emu.read_journal(path="chat/completions").entries)


def _arm(case: FaultCase, path: Path, emu: Emulator, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Queue the case's faults and set its backoff; the connection settings for ``path``."""
    streaming = path.call == "stream"
    monkeypatch.setattr(retry, "INITIAL_DELAY", case.backoff)
    emu.fault(*case.build_faults(streaming))
    return case.connection_for(streaming)


def _check(case: FaultCase, path: Path, out: Outcome, emu: Emulator, baseline: str) -> None:
    streaming = path.call == "stream"
    lo, hi = (1, 1) if case.stream_only and not streaming else case.requests
    assert lo <= _chat_requests(emu) <= hi, f"{_chat_requests(emu)} requests, wanted {lo}..{hi}"
    # Every fault was used: a request the server held forever really was held, and a
    # transient fault really happened before the answer that follows it.
    left = [f for f in emu.snapshot()["faults"] if f["times"] is not None]
    if not (case.stream_only and not streaming):
        assert not left, f"faults never applied: {left}"
    if case.cancel:
        assert out.cancelled, out
        assert out.error is None
        assert not out.completed
        assert baseline.startswith(out.text)
        assert out.text != baseline
        return
    expect = case.expectation(streaming)
    if expect is None:
        assert out.error is None, f"{type(out.error).__name__}: {out.error}"
        assert out.completed
        assert out.text == baseline
        return
    err = out.error
    assert isinstance(err, expect), f"wanted {expect.__name__}, got {type(err).__name__}: {err}"
    _check_readable(err, path)
    # never a partial answer presented as complete
    assert not out.completed
    assert baseline.startswith(out.text)
    assert out.text != baseline
    if isinstance(err, core.StreamInterruptedError):
        assert err.partial is not None
        assert err.partial.first.finish_reason is None
        assert baseline.startswith(err.partial.first.content)
    if isinstance(err, core.RateLimitError):
        assert err.retry_after is not None
    if isinstance(err, core.RequestValidationError):
        assert err.fields
    if case.attempts is not None:
        plural = "s" if case.attempts > 1 else ""
        assert f"({case.attempts} attempt{plural})" in str(err), str(err)


def _check_readable(err: BaseException, path: Path) -> None:
    message = str(err)
    assert 10 < len(message) < 2000, message
    assert "Traceback" not in message
    assert "reliability-key" not in message
    if path.framework == "langchain":
        assert isinstance(err, ModelError), type(err).__mro__


@pytest.mark.parametrize(("case", "path"), _params("sync"))
def test_sync_path(
    case: FaultCase,
    path: Path,
    emu: Emulator,
    baseline_text: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    connection = _arm(case, path, emu, monkeypatch)
    model = build_model(path.framework, emu.base_url, connection)
    out = run(path, model, cancel=case.cancel)
    _check(case, path, out, emu, baseline_text)
    assert_no_leak(emu.port)


@pytest.mark.parametrize("async_transport", ASYNC_TRANSPORTS)
@pytest.mark.parametrize(("case", "path"), _params("async"))
async def test_async_path(
    case: FaultCase,
    path: Path,
    async_transport: str,
    emu: Emulator,
    baseline_text: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    own = openai.DefaultAioHttpClient() if async_transport == "users-aiohttp" else None
    connection = _arm(case, path, emu, monkeypatch)
    if own is None:
        connection["async_transport"] = async_transport
    else:
        connection["http_async_client"] = own
    model = build_model(path.framework, emu.base_url, connection)
    try:
        out = await arun(path, model, cancel=case.cancel, arrived=lambda: _chat_requests(emu) > 0)
        _check(case, path, out, emu, baseline_text)
        sdk = model.telnyx_async_client().transport.client
        assert uses_aiohttp(sdk) is (async_transport != "httpx")
        assert (sdk._client is own) is (own is not None)
        await assert_no_leak_async(emu.port, also=[sdk])
    finally:
        if own is not None:
            await own.aclose()
