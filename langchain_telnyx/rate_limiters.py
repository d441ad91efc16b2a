"""A Telnyx token budget in LangChain's ``rate_limiter=`` slot.

LangChain's own limiter counts requests in one process; Telnyx limits tokens per organization.
Give :class:`ChatTelnyx` a :class:`~telnyx_inference.budget.TokenBudget` as ``rate_limiter``
(it is wrapped in :class:`TelnyxRateLimiter`) and every call reserves its own token estimate
in that budget before it is sent — ChatTelnyx knows the request, so it does the reserving;
``acquire()`` itself lets every call through. The same budget object goes to embeddings,
retrievers and vector stores as ``budget=``, and to LlamaIndex models.
"""

from __future__ import annotations

from typing import Any

from langchain_core.rate_limiters import BaseRateLimiter

from telnyx_inference.budget import TokenBudget

__all__ = ["TelnyxRateLimiter", "as_budget"]


class TelnyxRateLimiter(BaseRateLimiter):
    """``rate_limiter=`` for ChatTelnyx backed by a shared :class:`TokenBudget`."""

    def __init__(self, budget: TokenBudget) -> None:
        if not isinstance(budget, TokenBudget):
            raise TypeError(f"TelnyxRateLimiter needs a TokenBudget, got {type(budget).__name__}")
        self.budget = budget

    def acquire(self, *, blocking: bool = True) -> bool:
        return True  # the token reservation happens in ChatTelnyx, which knows the request

    async def aacquire(self, *, blocking: bool = True) -> bool:
        return True

    def __repr__(self) -> str:
        return f"TelnyxRateLimiter({self.budget!r})"


def as_budget(values: dict[str, Any]) -> dict[str, Any]:
    """Constructor values with a budget given as ``rate_limiter`` (bare or wrapped) set as
    ``budget`` too, and a bare one wrapped for LangChain."""
    limiter = values.get("rate_limiter")
    if isinstance(limiter, TokenBudget):
        limiter = values["rate_limiter"] = TelnyxRateLimiter(limiter)
    if isinstance(limiter, TelnyxRateLimiter):
        if values.get("budget") not in (None, limiter.budget):
            raise ValueError("rate_limiter and budget name two different budgets: pass one")
        values["budget"] = limiter.budget
    elif isinstance(values.get("budget"), TokenBudget) and limiter is None:
        values["rate_limiter"] = TelnyxRateLimiter(values["budget"])
    return values
