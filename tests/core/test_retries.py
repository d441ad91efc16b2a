"""Retries stay the SDK's, but share one total deadline; redirects never carry the key."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from telnyx_inference import ServerError, TelnyxClient, TelnyxTimeoutError, build_chat_request
from telnyx_inference.emulator import Emulator, Fault

HELLO = [{"role": "user", "content": "hello"}]
CANARY = "KEY-canary-redirect-91"


def test_total_timeout_stops_status_retries(telnyx_emulator: Emulator) -> None:
    telnyx_emulator.fault(Fault(kind="status", status=503, times=None))
    c = TelnyxClient(
        api_key="k", base_url=telnyx_emulator.base_url, max_retries=50, total_timeout=1.5
    )
    start = time.monotonic()
    with pytest.raises(ServerError):
        c.chat(build_chat_request(HELLO))
    assert time.monotonic() - start < 3.0
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
    assert time.monotonic() - start < 3.5


class _Recorder(BaseHTTPRequestHandler):
    seen: list[dict[str, str]] = []
    target = ""

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", "0")))
        type(self).seen.append({k.lower(): v for k, v in self.headers.items()})
        if self.target:
            self.send_response(307)
            self.send_header("location", self.target)
            self.send_header("content-length", "0")
            self.end_headers()
            return
        body = json.dumps(
            {
                "id": "r",
                "model": "m",
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": "moved"},
                        "finish_reason": "stop",
                    }
                ],
            }
        ).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _serve(handler: type[BaseHTTPRequestHandler]) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    ).start()
    return server


@pytest.fixture
def redirect_pair() -> Iterator[tuple[str, type[_Recorder]]]:
    class Target(_Recorder):
        seen = []
        target = ""

    class Origin(_Recorder):
        seen = []

    target = _serve(Target)
    # Same machine, other host name: a different origin as far as HTTP clients are concerned.
    Origin.target = f"http://localhost:{target.server_port}/v2/ai/openai/chat/completions"
    origin = _serve(Origin)
    yield f"http://127.0.0.1:{origin.server_port}/v2/ai/openai", Target
    origin.shutdown()
    target.shutdown()


def test_redirect_to_another_host_drops_the_key(redirect_pair: tuple[str, type[_Recorder]]) -> None:
    base, target = redirect_pair
    completion = TelnyxClient(api_key=CANARY, base_url=base).chat(build_chat_request(HELLO))
    assert completion.first.content == "moved"
    assert len(target.seen) == 1
    assert all(CANARY not in value for value in target.seen[0].values())
