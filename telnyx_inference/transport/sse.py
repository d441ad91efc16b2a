"""Server-sent events, the framing of a streamed answer: bytes in, the JSON of each ``data:`` event
out. Pure; the shells in :mod:`.shells` feed it what the socket gives.
"""

from __future__ import annotations

import json
from typing import Any

from telnyx_inference.error_bodies import error_from_stream_event
from telnyx_inference.errors import StreamError

__all__ = ["SSEDecoder"]


class SSEDecoder:
    """Splits a byte stream into the JSON payloads of its ``data:`` events.

    Handles LF, CRLF and CR line ends (also split across reads), comment lines, multi-line
    data and the ``[DONE]`` sentinel, after which :attr:`done` is true and input is ignored.
    """

    __slots__ = ("_buffer", "_data", "done")

    def __init__(self) -> None:
        self._buffer = b""
        self._data: list[bytes] = []
        self.done = False

    def feed(self, data: bytes) -> list[dict[str, Any]]:
        if self.done:
            return []
        buffer = self._buffer + data if self._buffer else data
        if b"\r" in buffer:
            held = buffer.endswith(b"\r")  # a CRLF may be split across reads
            buffer = buffer.replace(b"\r\n", b"\n")
            if held:
                buffer = buffer[:-1]
            buffer = buffer.replace(b"\r", b"\n") + (b"\r" if held else b"")
        lines = buffer.split(b"\n")
        self._buffer = lines.pop()
        out: list[dict[str, Any]] = []
        for line in lines:
            if not line:
                if self._data and self._dispatch(out):
                    break
            elif line.startswith(b"data:"):
                value = line[5:]
                self._data.append(value[1:] if value[:1] == b" " else value)
            # comments (":…") and the event / id / retry fields carry nothing we use
        return out

    def flush(self) -> list[dict[str, Any]]:
        """Dispatch an event left without its closing blank line when the stream ends."""
        out: list[dict[str, Any]] = []
        if self._buffer.startswith(b"data:") and not self.done:
            value = self._buffer.rstrip(b"\r")[5:]
            self._data.append(value[1:] if value[:1] == b" " else value)
        self._buffer = b""
        if self._data and not self.done:
            self._dispatch(out)
        return out

    def _dispatch(self, out: list[dict[str, Any]]) -> bool:
        raw = self._data[0] if len(self._data) == 1 else b"\n".join(self._data)
        self._data = []
        if raw.strip() == b"[DONE]":
            self.done = True
            return True
        try:
            value = json.loads(raw.decode("utf-8"))
        except ValueError:
            raise StreamError(f"Telnyx sent a malformed stream event: {raw[:200]!r}") from None
        if not isinstance(value, dict):
            raise StreamError(f"Telnyx sent a stream event that is not an object: {raw[:200]!r}")
        error = error_from_stream_event(value)
        if error is not None:
            raise error
        out.append(value)
        return False
