"""The eight ways a user reaches Telnyx: LangChain or LlamaIndex × sync or async × invoke or stream.

:func:`run` drives one path against a server and reports what the caller saw as an
:class:`Outcome` (answer text, pieces streamed, the exception) — or, for a cancellation case,
cancels the caller part-way, on an event, never after a guessed delay: a stream once it has
delivered pieces (its generator closed, or its task cancelled), an async invoke once the
server holds its request.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from llama_index.core.llms import ChatMessage

from langchain_telnyx import ChatTelnyx
from llama_index_telnyx import Telnyx

__all__ = ["PATHS", "PROMPT", "Outcome", "Path", "arun", "build_model", "run"]

PROMPT = "Say hello"
CANCEL_AFTER_PIECES = 2
HANG_GUARD = 30.0
"""Seconds to wait for an event that comes at once unless something is broken."""

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
    return out


async def _until(condition: Callable[[], bool]) -> None:
    """Return once ``condition()`` holds: it reads state kept on another thread (the
    emulator's journal), so it is looked at every few milliseconds."""
    async with asyncio.timeout(HANG_GUARD):
        while not condition():  # noqa: ASYNC110 - no asyncio.Event crosses the thread
            await asyncio.sleep(0.005)


async def arun(
    path: Path, model: Any, *, cancel: bool = False, arrived: Callable[[], bool] | None = None
) -> Outcome:
    """Drive an async path; with ``cancel``, cancel its task part-way through: a stream once
    it has delivered a few pieces, an invoke once ``arrived()`` says the server holds it."""
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

    task = asyncio.create_task(call())
    if cancel:
        if path.call == "invoke":
            assert arrived is not None, "an invoke is cancelled once its request has arrived"
            await _until(lambda: arrived() or task.done())
        else:  # once the stream has delivered pieces (or ended, which the checks catch)
            progress = asyncio.ensure_future(progressed.wait())
            await asyncio.wait((task, progress), timeout=HANG_GUARD, return_when=asyncio.FIRST_COMPLETED)
            progress.cancel()
        task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        out.cancelled = True
        out.error = None
    except Exception as exc:
        out.error = exc
    return out
