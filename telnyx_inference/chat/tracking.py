"""Totals of tokens and cost over a block of code, across threads and asyncio tasks.

::

    with telnyx_usage() as usage:
        llm.invoke("Hello")
        await asyncio.gather(llm.ainvoke("a"), llm.ainvoke("b"))
    usage.total_tokens, usage.total_cost, usage.currency   # 123, Decimal('0.000081'), 'USD'

The active trackers live in a :class:`~contextvars.ContextVar`, so every call made in the
block counts: asyncio tasks copy the context they are created in, and so do LangChain's
``batch`` threads, ``asyncio.to_thread`` and ``contextvars.copy_context().run``. (A bare
``threading.Thread`` starts from an empty context: run its target through
``copy_context().run`` to count it.) Nested blocks each count what runs inside them.
Every finished answer is recorded once by the core client, whichever framework sent it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal
from typing import Literal

from telnyx_inference._constants import UNKNOWN_COST
from telnyx_inference.chat.cost import Cost
from telnyx_inference.chat.response import Usage

__all__ = ["UsageTracker", "record_answer", "telnyx_usage", "tracking"]

_active: ContextVar[tuple[UsageTracker, ...]] = ContextVar("telnyx_usage", default=())


class UsageTracker:
    """What the answers in a :func:`telnyx_usage` block used and cost (updated live)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.calls = 0
        """Answers recorded."""
        self.prompt_tokens = 0
        self.completion_tokens = 0
        self.total_tokens = 0
        self.cached_tokens = 0
        """Prompt tokens Telnyx served from its cache (part of ``prompt_tokens``)."""
        self.reasoning_tokens = 0
        """Tokens spent thinking (part of ``completion_tokens``)."""
        self.costs: dict[str, Decimal] = {}
        """The priced answers' cost, by currency."""
        self.unpriced_calls = 0
        """Answers whose cost is unknown (no pricing in the catalog, or no usage reported)."""

    def add(self, usage: Usage | None, cost: Cost | None) -> None:
        with self._lock:
            self.calls += 1
            if usage is not None:
                self.prompt_tokens += usage.prompt_tokens
                self.completion_tokens += usage.completion_tokens
                self.total_tokens += usage.total_tokens
                self.cached_tokens += usage.cached_tokens or 0
                self.reasoning_tokens += usage.reasoning_tokens or 0
            if cost is not None and cost.known and cost.currency is not None:
                assert isinstance(cost.total, Decimal)
                self.costs[cost.currency] = self.costs.get(cost.currency, Decimal(0)) + cost.total
            else:
                self.unpriced_calls += 1

    @property
    def total_cost(self) -> Decimal | Literal["unknown"]:
        """The exact total, or ``"unknown"`` when any answer could not be priced (a partial
        sum would understate it) or answers were priced in several currencies (see
        :attr:`costs`)."""
        with self._lock:
            if self.unpriced_calls or len(self.costs) > 1:
                return UNKNOWN_COST
            return next(iter(self.costs.values()), Decimal(0))

    @property
    def currency(self) -> str | None:
        with self._lock:
            return next(iter(self.costs)) if len(self.costs) == 1 else None

    def __repr__(self) -> str:
        cost = self.total_cost
        shown = f"{cost} {self.currency}" if cost != UNKNOWN_COST and self.currency else cost
        return (
            f"UsageTracker(calls={self.calls}, prompt_tokens={self.prompt_tokens} "
            f"(cached {self.cached_tokens}), completion_tokens={self.completion_tokens} "
            f"(reasoning {self.reasoning_tokens}), total_tokens={self.total_tokens}, "
            f"total_cost={shown})"
        )


@contextmanager
def telnyx_usage() -> Iterator[UsageTracker]:
    """Count the tokens and cost of every Telnyx answer finished inside the block."""
    tracker = UsageTracker()
    token = _active.set((*_active.get(), tracker))
    try:
        yield tracker
    finally:
        _active.reset(token)


def tracking() -> bool:
    """Whether a :func:`telnyx_usage` block is active here."""
    return bool(_active.get())


def record_answer(usage: Usage | None, cost: Cost | None) -> None:
    """Count one finished answer in every active block."""
    for tracker in _active.get():
        tracker.add(usage, cost)
