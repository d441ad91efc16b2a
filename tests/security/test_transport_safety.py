"""The key travels only where it should: never in clear text to another machine, never along
a redirect to another host — through every adapter, not just the core."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from llama_index.core.llms import ChatMessage

from langchain_telnyx import ChatTelnyx, TelnyxEmbeddings
from llama_index_telnyx import Telnyx, TelnyxEmbedding

CANARY = "KEY0CANARY5EC12E7F00D_d0n0tl3akm3pl3as3"
REMOTE_HTTP = "http://10.255.255.1:9/v2/ai/openai"  # not this machine, and routes nowhere

CALLS: dict[str, Callable[[str, dict[str, Any]], Any]] = {
    "ChatTelnyx.invoke": lambda url, kw: ChatTelnyx(base_url=url, **kw).invoke("hi"),
    "TelnyxEmbeddings.embed_query": lambda url, kw: TelnyxEmbeddings(
        base_url=url, **kw
    ).embed_query("hi"),
    "Telnyx.chat": lambda url, kw: Telnyx(base_url=url, **kw).chat(
        [ChatMessage(role="user", content="hi")]
    ),
    "TelnyxEmbedding.get_query_embedding": lambda url, kw: TelnyxEmbedding(
        base_url=url, **kw
    ).get_query_embedding("hi"),
}


@pytest.mark.parametrize("call", CALLS)
def test_plain_http_to_another_machine_is_refused_before_connecting(
    call: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    tried: list[object] = []

    def connect(sock: socket.socket, address: object) -> None:
        tried.append(address)
        raise ConnectionRefusedError("connecting was not allowed in this test")

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect)
    # Refused at construction (pydantic's ValidationError, a ValueError) or at the first call
    # (InsecureTransportError, also a ValueError); either way before any byte is sent.
    with pytest.raises(ValueError, match="plain http://") as info:
        CALLS[call](REMOTE_HTTP, {"api_key": CANARY, "timeout": 2.0, "max_retries": 0})
    assert tried == []  # refused, not a connection attempt that failed
    assert "allow_insecure_http" in str(info.value)
    assert CANARY not in str(info.value)


@pytest.mark.parametrize(
    "build",
    [
        lambda: ChatTelnyx(
            base_url=REMOTE_HTTP, api_key=CANARY, allow_insecure_http=True
        ).telnyx_settings(),
        lambda: Telnyx(
            base_url=REMOTE_HTTP, api_key=CANARY, allow_insecure_http=True
        ).telnyx_settings(),
    ],
    ids=["langchain", "llama_index"],
)
def test_plain_http_allowed_when_asked(build: Callable[[], Any]) -> None:
    settings = build()
    assert settings.allow_insecure_http
    assert settings.base_url == REMOTE_HTTP


class _Recorder(BaseHTTPRequestHandler):
    seen: list[dict[str, str]]
    location: str = ""

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", "0")))
        self.seen.append({k.lower(): v for k, v in self.headers.items()})
        if self.location:
            self.send_response(307)
            self.send_header("location", self.location + self.path.split("/openai", 1)[-1])
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
def redirecting() -> Iterator[tuple[str, list[dict[str, str]], list[dict[str, str]]]]:
    """(origin base URL, headers the origin saw, headers the other host saw)."""
    origin_seen: list[dict[str, str]] = []
    target_seen: list[dict[str, str]] = []
    target = _serve(type("Target", (_Recorder,), {"seen": target_seen}))
    # Same machine under another name: another origin, as far as an HTTP client can tell.
    location = f"http://localhost:{target.server_port}/v2/ai/openai"
    origin = _serve(type("Origin", (_Recorder,), {"seen": origin_seen, "location": location}))
    yield f"http://127.0.0.1:{origin.server_port}/v2/ai/openai", origin_seen, target_seen
    origin.shutdown()
    target.shutdown()


ASYNC_CALLS: dict[str, Callable[[str, dict[str, Any]], Any]] = {
    "ChatTelnyx.ainvoke": lambda url, kw: asyncio.run(ChatTelnyx(base_url=url, **kw).ainvoke("hi")),
    "Telnyx.achat": lambda url, kw: asyncio.run(
        Telnyx(base_url=url, **kw).achat([ChatMessage(role="user", content="hi")])
    ),
}
"""The async calls, on each HTTP client: the aiohttp default sends on aiohttp itself."""


@pytest.mark.parametrize(
    ("call", "transport"),
    [
        ("ChatTelnyx.invoke", None),
        ("Telnyx.chat", None),
        *[(call, transport) for call in ASYNC_CALLS for transport in ("aiohttp", "httpx")],
    ],
)
def test_redirect_to_another_host_does_not_carry_the_key(
    call: str,
    transport: str | None,
    redirecting: tuple[str, list[dict[str, str]], list[dict[str, str]]],
) -> None:
    base, origin_seen, target_seen = redirecting
    error = ""
    settings: dict[str, Any] = {"api_key": CANARY, "max_retries": 0, "timeout": 2.0}
    if transport is not None:
        settings["async_transport"] = transport
    try:
        {**CALLS, **ASYNC_CALLS}[call](base, settings)
    except Exception as err:  # following the redirect is optional; leaking on it is not
        error = str(err)
    assert CANARY not in error
    assert origin_seen
    assert origin_seen[0]["authorization"] == f"Bearer {CANARY}"  # the key did go to the origin
    for headers in target_seen:
        assert all(CANARY not in value for value in headers.values()), headers
