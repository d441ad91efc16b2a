"""The fixed-response loopback server the benchmarks talk to.

A bare asyncio HTTP/1.1 server meant to run in its own process, so none of its CPU time is
charged to the client being measured. Every answer is bytes prepared once: the canned
completion and the canned stream come from the emulator's benchmark mode
(:func:`telnyx_inference.emulator.serving.control.build_fixed`), so the wire format is exactly the
emulator's vLLM-style one, and each stream frame is its own HTTP chunk as uvicorn sends it.

The number of stream chunks is chosen by the URL, so one server serves every figure::

    python -m benchmarks.server            # prints the root URL, e.g. http://127.0.0.1:41234
    # POST {root}/n/2000/v2/ai/openai/chat/completions  -> 2,000 content chunks when streamed

The emulator's own fixed mode (``Emulator(mode="fixed")``) runs on a thread of the calling
process behind uvicorn and Starlette, so its CPU would be counted as the client's; this
server costs a few tens of microseconds per request instead.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
from functools import cache

__all__ = ["main", "responses"]

_PATH = re.compile(rb"^/n/(\d+)/")
_MODELS = b'{"object":"list","data":[]}'
_NOT_FOUND = b'{"detail":"Not Found"}'


def _head(status: bytes, content_type: bytes, extra: bytes) -> bytes:
    return (
        b"HTTP/1.1 " + status + b"\r\ncontent-type: " + content_type + b"\r\n"
        b"connection: keep-alive\r\n" + extra + b"\r\n"
    )


def _sized(status: bytes, body: bytes) -> bytes:
    length = b"content-length: " + str(len(body)).encode() + b"\r\n"
    return _head(status, b"application/json", length) + body


@cache
def responses(chunks: int) -> tuple[bytes, bytes]:
    """The full HTTP responses (completion, stream) for a ``chunks``-chunk answer."""
    from telnyx_inference.emulator.serving.control import build_fixed

    fixed = build_fixed(chunks)
    framed = [b"%x\r\n%s\r\n" % (len(frame), frame) for frame in fixed.stream]
    stream = (
        _head(b"200 OK", b"text/event-stream", b"transfer-encoding: chunked\r\n")
        + b"".join(framed)
        + b"0\r\n\r\n"
    )
    return _sized(b"200 OK", fixed.completion), stream


def _answer(head: bytes, body: bytes) -> bytes:
    request_line = head.split(b"\r\n", 1)[0]
    parts = request_line.split(b" ")
    method, target = parts[0], parts[1] if len(parts) > 1 else b"/"
    if method == b"GET":
        return _sized(b"200 OK", _MODELS)
    match = _PATH.match(target)
    if method != b"POST" or match is None or not target.endswith(b"/chat/completions"):
        return _sized(b"404 Not Found", _NOT_FOUND)
    completion, stream = responses(int(match.group(1)))
    streaming = b'"stream":true' in body or b'"stream": true' in body
    return stream if streaming else completion


def _content_length(head: bytes) -> int:
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value.strip())
    return 0


class _Connection(asyncio.Protocol):
    """Reads requests off one keep-alive connection and writes the prepared answer."""

    def __init__(self) -> None:
        self._buffer = b""
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        while True:
            end = self._buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self._buffer[:end]
            size = _content_length(head)
            if len(self._buffer) < end + 4 + size:
                return
            body = self._buffer[end + 4 : end + 4 + size]
            self._buffer = self._buffer[end + 4 + size :]
            assert self._transport is not None
            self._transport.write(_answer(head, body))


async def _serve(host: str, port: int) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(_Connection, host, port, backlog=2048)
    bound = server.sockets[0].getsockname()[1]
    print(f"http://{host}:{bound}", flush=True)
    # The parent closes our stdin when it is done; that is the signal to stop.
    await loop.run_in_executor(None, sys.stdin.read)
    server.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument(
        "--chunks",
        type=int,
        nargs="*",
        default=[16, 200],
        help="chunk counts to prepare before announcing the URL",
    )
    args = parser.parse_args(argv)
    for n in args.chunks:
        responses(n)
    asyncio.run(_serve(args.host, args.port))


if __name__ == "__main__":
    main()
