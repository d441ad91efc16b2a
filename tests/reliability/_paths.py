"""The eight ways a user reaches Telnyx: LangChain or LlamaIndex × sync or async × invoke or stream.

:func:`run` drives one path against a server and reports what the caller saw as an
:class:`Outcome` (answer text, pieces streamed, the exception, time taken) — or, for a
cancellation case, cancels the caller part-way (an asyncio task mid-call; a sync stream's
generator closed early).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from llama_index.core.llms import ChatMessage

from langchain_telnyx import ChatTelnyx
from llama_index_telnyx import Telnyx

__all__ = ["PATHS", "PROMPT", "Outcome", "Path", "arun", "build_model", "run"]

PROMPT = "Say hello"
CANCEL_AFTER_PIECES = 2
CANCEL_INVOKE_AFTER = 0.2

Framework = Literal["langchain", "llama_index"]
Mode = Literal["sync", "async"]
Call = Literal["invoke", "stream"]


@dataclass(frozen=True)
class Path:
    framework: Framework
    mode: Mode
    call: Call

    @property
    def id(self) -> str:
        return f"{self.framework}-{self.mode}-{self.call}"


PATHS = tuple(
    Path(f, m, c)
    for f in ("langchain", "llama_index")
    for m in ("sync", "async")
    for c in ("invoke", "stream")
)


@dataclass
class Outcome:
    text: str = ""
    pieces: int = 0
    error: BaseException | None = None
    elapsed: float = 0.0
    completed: bool = False
    """The path handed the caller an answer as finished (returned, or the stream ended)."""
    cancelled: bool = False
    last: Any = field(default=None, repr=False)


def build_model(
    framework: Framework, base_url: str, connection: dict[str, Any]
) -> ChatTelnyx | Telnyx:
    """The adapter's model for ``base_url`` with ``connection`` (timeout, retries, deadline)."""
    if framework == "langchain":
        return ChatTelnyx(base_url=base_url, api_key="reliability-key", **connection)
    return Telnyx(base_url=base_url, api_key="reliability-key", **connection)


def _text_of(piece: Any) -> str:
    if hasattr(piece, "message") and hasattr(piece, "delta"):  # LlamaIndex ChatResponse
        return str(piece.delta or "")
    content = piece.content
    return content if isinstance(content, str) else str(piece.text)


def _final_text(answer: Any) -> str:
    if hasattr(answer, "message"):
        return str(answer.message.content or "")
    return _text_of(answer)


def _sync_stream(model: Any) -> Iterator[Any]:
    if isinstance(model, ChatTelnyx):
        return model.stream(PROMPT)
    return model.stream_chat([ChatMessage(role="user", content=PROMPT)])


async def _async_stream(model: Any) -> AsyncIterator[Any]:
    if isinstance(model, ChatTelnyx):
        async for piece in model.astream(PROMPT):
            yield piece
        return
    responses = await model.astream_chat([ChatMessage(role="user", content=PROMPT)])
    async for piece in responses:
        yield piece


def run(path: Path, model: Any, *, cancel: bool = False) -> Outcome:
    """Drive a sync path; with ``cancel``, close the stream's generator after a few pieces."""
    out = Outcome()
    start = time.monotonic()
    try:
        if path.call == "invoke":
            if isinstance(model, ChatTelnyx):
                out.last = model.invoke(PROMPT)
            else:
                out.last = model.chat([ChatMessage(role="user", content=PROMPT)])
            out.text = _final_text(out.last)
        else:
            stream = _sync_stream(model)
            for piece in stream:
                out.pieces += 1
                out.text += _text_of(piece)
                out.last = piece
                if cancel and out.pieces >= CANCEL_AFTER_PIECES:
                    stream.close()  # type: ignore[attr-defined]
                    out.cancelled = True
                    break
        out.completed = not out.cancelled
    except Exception as exc:
        out.error = exc
    out.elapsed = time.monotonic() - start
    return out


async def arun(path: Path, model: Any, *, cancel: bool = False) -> Outcome:
    """Drive an async path; with ``cancel``, cancel its task part-way through."""
    out = Outcome()
    progressed = asyncio.Event()

    async def call() -> None:
        if path.call == "invoke":
            if isinstance(model, ChatTelnyx):
                out.last = await model.ainvoke(PROMPT)
            else:
                out.last = await model.achat([ChatMessage(role="user", content=PROMPT)])
            out.text = _final_text(out.last)
        else:
            async for piece in _async_stream(model):
                out.pieces += 1
                out.text += _text_of(piece)
                out.last = piece
                if out.pieces >= CANCEL_AFTER_PIECES:
                    progressed.set()
        out.completed = True

    start = time.monotonic()
    task = asyncio.create_task(call())
    if cancel:
        if path.call == "invoke":
            await asyncio.sleep(CANCEL_INVOKE_AFTER)
        else:
            await asyncio.wait_for(progressed.wait(), timeout=5)
        task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        out.cancelled = True
        out.error = None
    except Exception as exc:
        out.error = exc
    out.elapsed = time.monotonic() - start
    return out
