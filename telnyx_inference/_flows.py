"""Sans-I/O flows and the one loop that drives them.

A flow is a generator that yields each piece of I/O it needs — an HTTP attempt, an S3 call, a
pause — receives the result (or has the failure thrown in) and finally returns its value. Every
decision lives in the flow, written once; a sync and an async client differ only in the function
that performs a step::

    def catalog() -> Flow[Get, dict]:
        answer = yield Get("models")
        return parse(answer)

    drive(catalog(), get_now)            # get_now(step) does the request and returns
    await adrive(catalog(), get_later)   # get_later(step) returns an awaitable

:func:`adrive` is the loop. :func:`drive` runs that same loop with the synchronous step wrapped
in a coroutine that never suspends, so the coroutine finishes on its first ``send`` and no event
loop is involved (it works inside a running loop's thread too).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Generator
from dataclasses import dataclass
from typing import Any, TypeVar

__all__ = ["Flow", "Invoke", "Pause", "ado_plain", "adrive", "do_plain", "drive"]

S = TypeVar("S")
T = TypeVar("T")
Flow = Generator[S, Any, T]
"""Yields steps of type ``S``, is sent each step's result, returns a ``T``."""


@dataclass(frozen=True, slots=True)
class Pause:
    """Sleep, then go on (before a retry, while a budget is full)."""

    seconds: float


@dataclass(frozen=True, slots=True)
class Invoke:
    """Call ``target.<method>(*args)``; an async driver awaits ``target.a<method>(*args)``.

    For objects with sync and async twins of one operation (a budget's backend: a dict
    behind a lock, or Redis over a sync or an async client)."""

    target: Any
    method: str
    args: tuple[Any, ...] = ()


def do_plain(step: Pause | Invoke) -> Any:
    """Perform a :class:`Pause` or an :class:`Invoke` now (the sync side)."""
    if isinstance(step, Pause):
        time.sleep(step.seconds)
        return None
    return getattr(step.target, step.method)(*step.args)


async def ado_plain(step: Pause | Invoke) -> Any:
    """Perform a :class:`Pause` or an :class:`Invoke` on the running event loop."""
    if isinstance(step, Pause):
        await asyncio.sleep(step.seconds)
        return None
    return await getattr(step.target, "a" + step.method)(*step.args)


async def adrive(flow: Flow[S, T], step: Callable[[S], Awaitable[Any]]) -> T:
    """Run ``flow`` to its end, awaiting ``step(s)`` for each step it yields. An exception
    raised by a step is thrown into the flow, which may handle it; whatever leaves the flow
    leaves here. A cancellation or an interrupt is not handed to the flow: it is closed (its
    ``with`` blocks exit) and the cancellation goes on."""
    try:
        need = next(flow)
        while True:
            try:
                answer = await step(need)
            except Exception as exc:
                need = flow.throw(exc)
            else:
                need = flow.send(answer)
    except StopIteration as stop:
        return stop.value  # type: ignore[no-any-return]
    finally:
        flow.close()


def drive(flow: Flow[S, T], step: Callable[[S], Any]) -> T:
    """:func:`adrive` for a step function that does its I/O before returning."""

    async def now(need: S) -> Any:
        return step(need)

    try:
        adrive(flow, now).send(None)  # nothing in it waits: it runs to its end at once
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]
    raise AssertionError("unreachable: a coroutine that never waits cannot suspend")
