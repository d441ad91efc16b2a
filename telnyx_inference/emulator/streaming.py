"""Server-sent events, byte for byte as vLLM frames them, with stream faults applied.

vLLM writes ``data: <json>\\n\\n`` per chunk and ends with ``data: [DONE]\\n\\n``; an error
raised mid-stream becomes one more data frame (then ``[DONE]``). The faults bend exactly
that: CRLF separators, ``: keep-alive`` comments, a truncated JSON line, a missing
``[DONE]``, frames cut at odd byte offsets, a stall, an error event, or a dropped connection.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

from telnyx_inference.emulator import errors
from telnyx_inference.emulator import faults as fk
from telnyx_inference.emulator.faults import Fault


def split_points(length: int) -> list[int]:
    """Where ``split_frames`` cuts a frame: odd offsets near the start, middle and end, so
    pieces end inside the ``data:`` prefix, inside the JSON (maybe inside a UTF-8 character)
    and inside the blank-line separator."""
    middle = (length // 2) | 1
    return sorted(
        {p for p in (1, middle, length - 1 if length % 2 == 0 else length - 2) if 0 < p < length}
    )


MALFORMED_FRAME = b'data: {"id": "chatcmpl-broken", "choices": [{"delta": {"content": "'


class DropConnection(Exception):
    """Raised inside a response body to make the server close the socket mid-stream."""


class _QuietDrops(logging.Filter):
    """Hide the traceback uvicorn logs when a drop_after fault closes a connection."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not _is_drop(exc)


def _is_drop(exc: BaseException | None, seen: set[int] | None = None) -> bool:
    """Whether a dropped-connection fault is somewhere in ``exc``'s causes and groups.

    Chains can loop (a task group's member may have the group as its context): each
    exception is visited once.
    """
    seen = set() if seen is None else seen
    if exc is None or id(exc) in seen:
        return False
    seen.add(id(exc))
    if isinstance(exc, DropConnection):
        return True
    if isinstance(exc, BaseExceptionGroup) and any(_is_drop(e, seen) for e in exc.exceptions):
        return True
    return _is_drop(exc.__cause__ or exc.__context__, seen)


def install_log_filter() -> None:
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _QuietDrops) for f in logger.filters):
        logger.addFilter(_QuietDrops())


def dumps(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def _error_frame(fault: Fault) -> bytes:
    message = fault.message or "emulated error in the middle of the stream"
    if fault.shape == "flat":
        body = errors.vllm_flat_error(fault.status, message)
    else:
        body = errors.openai_error(fault.status, message)
    return b"data: " + dumps(body)


def _frames(chunks: list[dict[str, Any]], faults: dict[str, Fault]) -> Iterator[bytes | float]:
    """Frames without separators, plus floats meaning "pause this long" and None for drop."""
    n = len(chunks)

    def due(kind: str, i: int) -> Fault | None:
        f = faults.get(kind)
        return f if f is not None and min(f.after, n) == i else None

    for i in range(n + 1):
        if f := due(fk.STALL_AFTER, i):
            yield f.seconds
        if due(fk.DROP_AFTER, i):
            raise DropConnection(f"dropped after {i} chunks")
        if f := due(fk.ERROR_EVENT, i):
            yield _error_frame(f)
            break
        if due(fk.MALFORMED_LINE, i):
            yield MALFORMED_FRAME
        if i == n:
            break
        if fk.KEEPALIVE_COMMENTS in faults:
            yield b": keep-alive"
        yield b"data: " + dumps(chunks[i])
    if fk.NO_DONE not in faults:
        yield b"data: [DONE]"


async def sse(chunks: list[dict[str, Any]], faults: dict[str, Fault]) -> AsyncIterator[bytes]:
    sep = b"\r\n\r\n" if fk.CRLF in faults else b"\n\n"
    split = fk.SPLIT_FRAMES in faults
    for item in _frames(chunks, faults):
        if isinstance(item, float):
            await asyncio.sleep(item)
            continue
        data = item + sep
        if not split:
            yield data
            continue
        start = 0
        for cut in [*split_points(len(data)), len(data)]:
            yield data[start:cut]
            start = cut
            await asyncio.sleep(0.0005)
