"""The I/O shells against the emulator on loopback: the real openai SDK underneath."""

from __future__ import annotations

from typing import Any

import pytest

from telnyx_inference import (
    AsyncTelnyxClient,
    AuthenticationError,
    MissingAPIKeyError,
    RateLimitError,
    RequestValidationError,
    ServerError,
    StreamAccumulator,
    StreamError,
    StreamInterruptedError,
    TelnyxClient,
    TelnyxTimeoutError,
    build_chat_request,
)
from telnyx_inference.chat.catalog import cached_catalog, catalog_failure
from telnyx_inference.emulator import Emulator, Fault, ScriptedReply

HELLO = [{"role": "user", "content": "Say hello to the test suite"}]


def client(emu: Emulator, **kw: Any) -> TelnyxClient:
    return TelnyxClient(api_key="test-key", base_url=emu.base_url, **kw)


def test_chat_and_stream_agree(telnyx_emulator: Emulator) -> None:
    c = client(telnyx_emulator)
    complete = c.chat(build_chat_request(HELLO))
    acc = StreamAccumulator()
    events = list(c.stream_chat(build_chat_request(HELLO, stream=True), accumulator=acc))
    streamed = acc.result()
    assert complete.first.content
    assert streamed.first.content == complete.first.content
    assert streamed.first.finish_reason == complete.first.finish_reason == "stop"
    assert streamed.usage == complete.usage
    assert len(events) > 2


def test_scripted_tool_calls_round_trip(telnyx_emulator: Emulator) -> None:
    telnyx_emulator.script(
        ScriptedReply(
            tool_calls=[
                {"name": "add", "arguments": {"a": 1, "b": 2}},
                {"name": "mul", "arguments": {"a": 3, "b": 4}},
            ]
        )
    )
    acc = StreamAccumulator()
    list(
        client(telnyx_emulator).stream_chat(build_chat_request(HELLO, stream=True), accumulator=acc)
    )
    calls = acc.result().first.tool_calls
    assert [(c.name, c.parsed_arguments()) for c in calls] == [
        ("add", {"a": 1, "b": 2}),
        ("mul", {"a": 3, "b": 4}),
    ]
    assert len({c.id for c in calls}) == 2


def test_legacy_base_url_serves_chat(telnyx_emulator: Emulator) -> None:
    c = TelnyxClient(api_key="k", base_url=telnyx_emulator.legacy_base_url)
    assert c.chat(build_chat_request(HELLO)).first.content
    assert c.native_root == telnyx_emulator.native_base


def test_no_key_fails_before_sending(
    telnyx_emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TELNYX_API_KEY", raising=False)
    with pytest.raises(MissingAPIKeyError, match="TELNYX_API_KEY"):
        TelnyxClient(base_url=telnyx_emulator.base_url).chat(build_chat_request(HELLO))
    assert telnyx_emulator.journal == []


def test_wrong_key_is_authentication_error(telnyx_emulator: Emulator) -> None:
    telnyx_emulator.configure(api_key="the-right-key")
    with pytest.raises(AuthenticationError) as info:
        client(telnyx_emulator).chat(build_chat_request(HELLO))
    assert info.value.status == 401
    assert "test-key" not in str(info.value)


def test_schema_violation_is_validation_error_with_fields(telnyx_emulator: Emulator) -> None:
    body = {
        "model": "moonshotai/Kimi-K2.6",
        "messages": [{"role": "robot", "content": "x"}],
        "min_p": 1.5,
    }
    with pytest.raises(RequestValidationError) as info:
        client(telnyx_emulator).chat(body)
    assert "min_p" in info.value.fields
    assert any(path.startswith("messages[0]") for path in info.value.fields)


def test_rate_limit_retried_until_success(telnyx_emulator: Emulator) -> None:
    telnyx_emulator.fault(Fault(kind="status", status=429, times=2))
    completion = client(telnyx_emulator, max_retries=2).chat(build_chat_request(HELLO))
    assert completion.first.content
    assert len(telnyx_emulator.journal) == 3


def test_rate_limit_without_retries_surfaces_reset(telnyx_emulator: Emulator) -> None:
    telnyx_emulator.fault(Fault(kind="status", status=429, times=1))
    with pytest.raises(RateLimitError) as info:
        client(telnyx_emulator, max_retries=0).chat(build_chat_request(HELLO))
    assert info.value.retry_after is not None
    assert 0 <= info.value.retry_after <= 2


def test_server_errors_retried_then_reported(telnyx_emulator: Emulator) -> None:
    telnyx_emulator.fault(Fault(kind="status", status=503, times=5))
    with pytest.raises(ServerError) as info:
        client(telnyx_emulator, max_retries=1).chat(build_chat_request(HELLO))
    assert info.value.status == 503
    assert len(telnyx_emulator.journal) == 2


def test_stalled_stream_times_out(telnyx_emulator: Emulator) -> None:
    # The stall lasts an hour (until the client hangs up): only the timeout can end the call.
    telnyx_emulator.fault(Fault(kind="stall_after", after=2, seconds=3600))
    with pytest.raises(TelnyxTimeoutError):
        list(
            client(telnyx_emulator, timeout=0.5, max_retries=0).stream_chat(
                build_chat_request(HELLO, stream=True)
            )
        )


def test_dropped_stream_is_interrupted(telnyx_emulator: Emulator) -> None:
    telnyx_emulator.fault(Fault(kind="drop_after", after=2))
    with pytest.raises(StreamInterruptedError):
        list(client(telnyx_emulator).stream_chat(build_chat_request(HELLO, stream=True)))


@pytest.mark.parametrize("shape", ["nested", "flat"])
def test_error_event_mid_stream(telnyx_emulator: Emulator, shape: str) -> None:
    telnyx_emulator.fault(Fault(kind="error_event", shape=shape, after=2))
    with pytest.raises(StreamError):
        list(client(telnyx_emulator).stream_chat(build_chat_request(HELLO, stream=True)))


@pytest.mark.parametrize("kind", ["split_frames", "crlf", "keepalive_comments", "no_done"])
def test_odd_framing_still_reads_the_whole_answer(telnyx_emulator: Emulator, kind: str) -> None:
    c = client(telnyx_emulator)
    expected = c.chat(build_chat_request(HELLO)).first.content
    telnyx_emulator.fault(Fault(kind=kind))
    acc = StreamAccumulator()
    list(c.stream_chat(build_chat_request(HELLO, stream=True), accumulator=acc))
    assert acc.result().first.content == expected


def test_model_catalog(telnyx_emulator: Emulator) -> None:
    facts = client(telnyx_emulator).model_facts("moonshotai/Kimi-K2.6", refresh=True)
    assert facts.context_length >= 100_000


def test_catalog_falls_back_offline_fast_and_remembers() -> None:
    c = TelnyxClient(
        api_key="k", base_url="http://127.0.0.1:9/v2/ai/openai", max_retries=5, timeout=1
    )
    assert c.model_facts("zai-org/GLM-5.2").context_length == 1_048_576
    assert cached_catalog(c.settings.base_url) is None  # a failure is not an empty catalog
    failure = catalog_failure(c.settings.base_url)  # remembered: no second attempt
    assert failure is not None
    assert str(failure).endswith(" 1 attempt)")  # no retries for the catalog (max_retries=5)
    assert c.model_facts("moonshotai/Kimi-K2.6").context_length == 262_144


async def test_async_chat_and_stream(telnyx_emulator: Emulator) -> None:
    c = AsyncTelnyxClient(api_key="k", base_url=telnyx_emulator.base_url)
    complete = await c.chat(build_chat_request(HELLO))
    acc = StreamAccumulator()
    async for _ in c.stream_chat(build_chat_request(HELLO, stream=True), accumulator=acc):
        pass
    assert acc.result().first.content == complete.first.content
    assert (await c.model_facts("moonshotai/Kimi-K2.6")).context_length > 0


async def test_async_errors_translated(telnyx_emulator: Emulator) -> None:
    telnyx_emulator.fault(Fault(kind="drop_after", after=1))
    c = AsyncTelnyxClient(api_key="k", base_url=telnyx_emulator.base_url)
    with pytest.raises(StreamInterruptedError):
        async for _ in c.stream_chat(build_chat_request(HELLO, stream=True)):
            pass


def test_success_with_a_body_that_is_not_json_is_a_typed_error() -> None:
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from telnyx_inference.errors import UnexpectedResponseError

    class Garbage(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("content-length", "0")))
            body = b"<html>gateway</html>"
            self.send_response(200)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Garbage)
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    ).start()
    try:
        c = TelnyxClient(
            api_key="k", base_url=f"http://127.0.0.1:{server.server_port}/v2/ai/openai"
        )
        with pytest.raises(UnexpectedResponseError, match="not JSON"):
            c.chat(build_chat_request(HELLO))
    finally:
        server.shutdown()


def test_headers_sent(telnyx_emulator: Emulator) -> None:
    c = client(telnyx_emulator, default_headers={"X-Team": "search"})
    c.chat(build_chat_request(HELLO))
    c.chat(build_chat_request(HELLO), headers={"X-Trace": "t-1"})
    first, second = (dict(entry.headers) for entry in telnyx_emulator.journal)
    lowered = {k.lower(): v for k, v in first.items()}
    assert lowered["x-team"] == "search"
    assert lowered["authorization"].startswith("Bearer")
    assert lowered["content-type"] == "application/json"
    assert not any(k.startswith("x-stainless") for k in lowered)  # SDK telemetry left out
    assert {k.lower(): v for k, v in second.items()}["x-trace"] == "t-1"
