"""Faults on demand, queued from Python or asked for in the X-Emulator-Fault header."""

from __future__ import annotations

import json
import socket
import time
from typing import Any

import httpx
import openai
import pytest

from telnyx_inference.emulator import Emulator, Fault
from telnyx_inference.emulator.faults import parse_fault_header

from ._support import (
    CHAT,
    HANG_GUARD,
    HOSTED,
    KEY,
    PLAIN,
    chat_body,
    sse_payloads,
    wait_until,
)

STREAM = {**chat_body("stream a few words please"), "model": PLAIN, "stream": True}


def chat_entries(emu: Emulator) -> list[Any]:
    return [e for e in emu.journal if e.path.endswith("chat/completions")]


def drain(response: httpx.Response, sink: list[bytes]) -> None:
    """Read raw pieces into ``sink`` until the stream ends or fails."""
    for piece in response.iter_raw():
        sink.append(piece)


def same_content(a: bytes, b: bytes) -> bool:
    """Two streams carry the same chunks apart from their ids and timestamps."""
    def strip(raw: bytes) -> list[Any]:
        out = []
        for p in sse_payloads(raw):
            chunk = p if p == "[DONE]" else json.loads(p)
            if isinstance(chunk, dict):
                chunk.pop("id"), chunk.pop("created")
            out.append(chunk)
        return out
    return strip(a) == strip(b)


def raw_stream(http: httpx.Client, headers: dict[str, str] | None = None) -> bytes:
    with http.stream("POST", CHAT, json=STREAM, headers=headers or {}) as r:
        assert r.status_code == 200
        return r.read()


# --- status faults -----------------------------------------------------------------------------

def test_5xx_twice_then_success_through_sdk_retries(emu: Emulator) -> None:
    emu.fault(Fault(kind="status", status=503, times=2))
    with openai.OpenAI(base_url=emu.base_url, api_key=KEY, max_retries=2) as c:
        r = c.chat.completions.create(model=HOSTED, messages=[{"role": "user", "content": "x"}])
    assert r.choices[0].message.content
    assert [e.status for e in chat_entries(emu)] == [503, 503, 200]


def test_429_carries_rate_limit_headers_and_code(http: httpx.Client, emu: Emulator) -> None:
    emu.fault(Fault(kind="status", status=429))
    r = http.post(CHAT, json=chat_body())
    assert r.status_code == 429
    assert {"x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"} <= set(r.headers)
    assert "retry-after" not in r.headers
    assert r.json()["errors"][0]["code"] == "10011"
    assert http.post(CHAT, json=chat_body()).status_code == 200


@pytest.mark.parametrize(("shape", "check"), [
    ("telnyx", lambda b: b["errors"][0]["title"]),
    ("fastapi", lambda b: isinstance(b["detail"], str)),
    ("openai", lambda b: b["error"]["message"]),
    ("flat", lambda b: b["object"] == "error" and b["message"]),
])
def test_error_body_shapes(http: httpx.Client, emu: Emulator, shape: str, check: Any) -> None:
    emu.fault(Fault(kind="status", status=500, body=shape))
    r = http.post(CHAT, json=chat_body())
    assert r.status_code == 500
    assert check(r.json())


def test_header_fault_applies_times_then_succeeds(http: httpx.Client) -> None:
    headers = {"X-Emulator-Fault": "status=502;times=2"}
    codes = [http.post(CHAT, json=chat_body(), headers=headers).status_code for _ in range(3)]
    assert codes == [502, 502, 200]


def test_header_fault_without_times_applies_every_time(http: httpx.Client) -> None:
    headers = {"X-Emulator-Fault": "status=418"}
    assert [http.get("/v2/ai/openai/models", headers=headers).status_code
            for _ in range(3)] == [418, 418, 418]


def test_route_filter(http: httpx.Client, emu: Emulator) -> None:
    emu.fault(Fault(kind="status", status=500, route="embeddings"))
    assert http.post(CHAT, json=chat_body()).status_code == 200
    r = http.post("/v2/ai/openai/embeddings", json={"model": "thenlper/gte-large", "input": "a"})
    assert r.status_code == 500


def test_malformed_fault_header_is_400(http: httpx.Client) -> None:
    r = http.post(CHAT, json=chat_body(), headers={"X-Emulator-Fault": "explode"})
    assert (r.status_code == 400 and "X-Emulator-Fault" in r.json()["errors"][0]["detail"]) or \
        "x-emulator-fault" in r.json()["errors"][0]["detail"]


def test_header_grammar() -> None:
    faults = parse_fault_header("status=429;times=3;body=openai, stall_after=2;seconds=0.5,"
                                " error_event=flat;after=4, crlf")
    assert [(f.kind, f.times) for f in faults] == [("status", 3), ("stall_after", None),
                                                   ("error_event", None), ("crlf", None)]
    assert faults[0].status == 429
    assert faults[0].body == "openai"
    assert (faults[1].after, faults[1].seconds) == (2, 0.5)
    assert (faults[2].shape, faults[2].after) == ("flat", 4)
    with pytest.raises(ValueError):
        parse_fault_header("status=abc")
    with pytest.raises(ValueError):
        parse_fault_header("no_done=3")
    with pytest.raises(ValueError):
        parse_fault_header("crlf;colour=red")


def test_fault_validation() -> None:
    with pytest.raises(ValueError):
        Fault(kind="meteor")
    with pytest.raises(ValueError):
        Fault(kind="status", status=42)
    assert Fault(kind="drop_after", n_chunks=4).after == 4


# --- timing faults ------------------------------------------------------------------------------
# A pause that must trip a timeout lasts an hour (it ends when the client hangs up), so the
# timeout is the only thing that can happen; waits for the server are events, never sleeps.

FOREVER = 3600.0


def test_slow_first_byte_trips_a_client_timeout(emu: Emulator) -> None:
    emu.fault(Fault(kind="slow_first_byte", seconds=FOREVER))
    with openai.OpenAI(base_url=emu.base_url, api_key=KEY, max_retries=0, timeout=0.3) as c, \
            pytest.raises(openai.APITimeoutError):
        c.chat.completions.create(model=HOSTED, messages=[{"role": "user", "content": "x"}])


def test_slow_first_byte_delays_then_answers(http: httpx.Client) -> None:
    start = time.monotonic()
    r = http.post(CHAT, json=chat_body(), headers={"X-Emulator-Fault": "slow_first_byte=0.3"})
    assert r.status_code == 200
    assert time.monotonic() - start >= 0.3  # a lower bound: a pause never ends early


def test_a_slow_first_byte_ends_when_the_client_hangs_up(emu: Emulator) -> None:
    """An hour's pause costs the server nothing once its client has gone: the request is
    finished (its journal entry gets a status) as soon as the connection closes."""
    emu.fault(Fault(kind="slow_first_byte", seconds=FOREVER))
    body = json.dumps(chat_body()).encode()
    head = (f"POST {CHAT} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {KEY}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n")
    with socket.create_connection(("127.0.0.1", emu.port), timeout=HANG_GUARD) as sock:
        sock.sendall(head.encode() + body)
        wait_until(lambda: chat_entries(emu))  # the server holds the request now
        assert chat_entries(emu)[0].status is None  # and has not answered it
    wait_until(lambda: chat_entries(emu)[0].status is not None)


def test_a_429_says_when_its_window_resets(http: httpx.Client, emu: Emulator) -> None:
    emu.fault(Fault(kind="status", status=429, seconds=30),
              Fault(kind="status", status=429, seconds=0))
    before = time.time()
    later = http.post(CHAT, json=chat_body())
    now = http.post(CHAT, json=chat_body())
    after = time.time()
    assert before + 29 <= int(later.headers["x-ratelimit-reset"]) <= after + 30
    assert int(now.headers["x-ratelimit-reset"]) <= after  # already reset: retry at once


def test_stall_after_n_chunks(emu: Emulator) -> None:
    """Two chunks, then nothing until the client hangs up (no [DONE], no third chunk)."""
    emu.fault(Fault(kind="stall_after", after=2, seconds=FOREVER))
    got: list[bytes] = []
    with httpx.Client(base_url=emu.root, headers={"Authorization": f"Bearer {KEY}"},
                      timeout=HANG_GUARD) as c, c.stream("POST", CHAT, json=STREAM) as r:
        for piece in r.iter_raw():
            got.append(piece)
            if len(sse_payloads(b"".join(got))) >= 2:
                break
    assert len(sse_payloads(b"".join(got))) == 2
    assert b"[DONE]" not in b"".join(got)


def test_drop_after_n_chunks(http: httpx.Client, emu: Emulator) -> None:
    emu.fault(Fault(kind="drop_after", after=3))
    got: list[bytes] = []
    with http.stream("POST", CHAT, json=STREAM) as r, pytest.raises(httpx.RemoteProtocolError):
        drain(r, got)
    assert len(sse_payloads(b"".join(got))) == 3
    assert b"[DONE]" not in b"".join(got)


def test_dropped_stream_surfaces_in_the_sdk(emu: Emulator, client: Any) -> None:
    emu.fault(Fault(kind="drop_after", after=2))
    stream = client.chat.completions.create(model=PLAIN, messages=[
        {"role": "user", "content": "x"}], stream=True)
    with pytest.raises((httpx.RemoteProtocolError, openai.APIConnectionError)):
        list(stream)


# --- stream shape faults ----------------------------------------------------------------------

@pytest.mark.parametrize("shape", ["nested", "flat"])
def test_error_event_mid_stream(http: httpx.Client, emu: Emulator, shape: str) -> None:
    emu.fault(Fault(kind="error_event", shape=shape, after=2, status=503))
    payloads = sse_payloads(raw_stream(http))
    assert len(payloads) == 4
    assert payloads[-1] == "[DONE]"
    error = json.loads(payloads[2])
    if shape == "nested":
        assert error["error"]["code"] == 503
        assert error["error"]["message"]
    else:
        assert error["object"] == "error"
        assert error["code"] == 503


def test_nested_error_event_raises_in_the_sdk(emu: Emulator, client: Any) -> None:
    emu.fault(Fault(kind="error_event", after=1))
    stream = client.chat.completions.create(model=PLAIN, messages=[
        {"role": "user", "content": "x"}], stream=True)
    with pytest.raises(openai.APIError):
        list(stream)


def test_malformed_line(http: httpx.Client) -> None:
    payloads = sse_payloads(raw_stream(http, {"X-Emulator-Fault": "malformed_line=1"}))
    with pytest.raises(json.JSONDecodeError):
        json.loads(payloads[1])
    json.loads(payloads[0])
    assert payloads[-1] == "[DONE]"


def test_no_done(http: httpx.Client) -> None:
    raw = raw_stream(http, {"X-Emulator-Fault": "no_done"})
    payloads = sse_payloads(raw)
    assert "[DONE]" not in payloads
    assert json.loads(payloads[-1])["choices"][0]["finish_reason"]


def test_crlf_and_keepalive(http: httpx.Client, client: Any) -> None:
    raw = raw_stream(http, {"X-Emulator-Fault": "crlf, keepalive_comments"})
    assert raw.count(b"\r\n\r\n") == raw.count(b"data: ") + raw.count(b": keep-alive")
    assert b": keep-alive\r\n\r\n" in raw
    plain = raw_stream(http)
    assert same_content(raw, plain)
    text = "".join(c.choices[0].delta.content or "" for c in client.chat.completions.create(
        model=PLAIN, messages=STREAM["messages"], stream=True,
        extra_headers={"X-Emulator-Fault": "crlf, keepalive_comments"}) if c.choices)
    assert text


def test_split_frames_cut_at_odd_offsets(http: httpx.Client, client: Any) -> None:
    with http.stream("POST", CHAT, json=STREAM, headers={"X-Emulator-Fault": "split_frames"}) as r:
        pieces = list(r.iter_raw())
    joined = b"".join(pieces)
    assert same_content(joined, raw_stream(http))
    assert any(not p.endswith(b"\n\n") for p in pieces), "frames arrive cut"
    text = "".join(c.choices[0].delta.content or "" for c in client.chat.completions.create(
        model=PLAIN, messages=STREAM["messages"], stream=True,
        extra_headers={"X-Emulator-Fault": "split_frames"}) if c.choices)
    whole = client.chat.completions.create(model=PLAIN, messages=STREAM["messages"])
    assert text == whole.choices[0].message.content


def test_stream_faults_wait_for_a_streaming_request(http: httpx.Client, emu: Emulator) -> None:
    emu.fault(Fault(kind="no_done"))
    assert http.post(CHAT, json=chat_body()).status_code == 200
    assert "[DONE]" not in sse_payloads(raw_stream(http))
    assert "[DONE]" in sse_payloads(raw_stream(http))


def test_queued_faults_of_different_kinds_combine(http: httpx.Client, emu: Emulator) -> None:
    emu.fault(Fault(kind="crlf"), Fault(kind="no_done"))
    raw = raw_stream(http)
    assert b"\r\n\r\n" in raw
    assert b"[DONE]" not in raw
