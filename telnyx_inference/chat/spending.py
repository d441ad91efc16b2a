"""Requests under a token budget: reserve before sending, settle with the answer's usage, give
the tokens back when nothing was spent, and after a 429 hold everyone until the reset.

Flows over the transport's steps, so the sync and async clients share them (see
:mod:`telnyx_inference.budget` for the budget itself).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from telnyx_inference._flows import Flow
from telnyx_inference.budget import Reservation, TokenBudget
from telnyx_inference.transport.steps import Step

__all__ = ["Limited", "answer_usage", "hold", "limited_by", "release", "settle", "spend"]

T = TypeVar("T")
Limited = Callable[[float], Flow[Step, None]]
"""What a request flow runs on a 429: the seconds until the reset in, everyone waits."""


def limited_by(budget: TokenBudget | None, model: str, region: str | None) -> Limited | None:
    if budget is None:
        return None
    return lambda seconds: budget.penalising(model, region, seconds)


def hold(
    budget: TokenBudget | None, body: Mapping[str, Any], model: str, tier: str | None
) -> Flow[Step, Reservation | None]:
    """Reserve ``body``'s tokens, waiting while the budget is full (no budget: nothing)."""
    if budget is None:
        return None
    return (yield from budget.reserving(body, model, body.get("region"), tier))


def settle(budget: TokenBudget | None, held: Reservation | None, usage: Any) -> Flow[Step, None]:
    """Put the answer's usage (a mapping or a parsed ``Usage``) in place of the estimate."""
    if budget is not None and held is not None:
        yield from budget.settling(held, usage)


def release(budget: TokenBudget | None, held: Reservation | None) -> Flow[Step, None]:
    """Nothing was spent (the request failed before an answer): give the tokens back."""
    if budget is not None and held is not None:
        yield from budget.releasing(held)


def spend(
    budget: TokenBudget | None,
    body: Mapping[str, Any],
    model: str,
    tier: str | None,
    send: Callable[[Limited | None], Flow[Step, T]],
    usage_of: Callable[[T], Any],
) -> Flow[Step, T]:
    """Run ``send(limited)`` under the budget: hold, send, settle with ``usage_of(answer)``."""
    held = yield from hold(budget, body, model, tier)
    try:
        answer = yield from send(limited_by(budget, model, body.get("region")))
    except Exception:
        yield from release(budget, held)
        raise
    yield from settle(budget, held, usage_of(answer))
    return answer


def answer_usage(answer: Any) -> Any:
    """The ``usage`` of a JSON answer, when it has one."""
    return answer.get("usage") if isinstance(answer, Mapping) else None
