"""What an answer costs: the catalog's prices times the answer's usage, as exact decimals.

::

    pricing = Pricing(prompt=Decimal("0.60"), completion=Decimal("2.50"))   # per 1M tokens
    cost_of(Usage(prompt_tokens=1000, completion_tokens=200), pricing).total
    # Decimal('0.0011')

Cached prompt tokens (``usage.prompt_tokens_details.cached_tokens``) cost ``cached_prompt``
(``prompt`` when the catalog gives no cached price); reasoning tokens are part of
``completion_tokens`` and cost ``completion``. Without pricing or usage the cost is
``"unknown"``, never zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Context, Decimal
from typing import Any, Literal

from telnyx_inference._constants import PRICING_UNITS, UNKNOWN_COST, Pricing
from telnyx_inference.chat.response import Usage

__all__ = ["UNKNOWN", "Cost", "cost_of"]

_EXACT = Context(prec=60)
"""Its own arithmetic context: a user's ``decimal.getcontext()`` never rounds a price."""


@dataclass(frozen=True, slots=True)
class Cost:
    """One answer's cost; the parts are ``None`` when ``total`` is ``"unknown"``."""

    total: Decimal | Literal["unknown"]
    currency: str | None = None
    prompt: Decimal | None = None
    """The uncached prompt tokens' share."""
    cached_prompt: Decimal | None = None
    completion: Decimal | None = None
    """Answer and reasoning tokens together."""

    @property
    def known(self) -> bool:
        return self.total != UNKNOWN_COST

    def to_dict(self) -> dict[str, Any]:
        """``{"total", "currency", "prompt", "cached_prompt", "completion"}`` (decimals kept)."""
        return {
            "total": self.total,
            "currency": self.currency,
            "prompt": self.prompt,
            "cached_prompt": self.cached_prompt,
            "completion": self.completion,
        }

    def metadata(self) -> dict[str, str | None]:
        """:meth:`to_dict` with the amounts as exact decimal text (``"0.00092"``): what an
        answer's metadata carries, so that it stays JSON (LangChain serialises messages for
        caches and histories; a ``Decimal`` would not survive). ``Decimal(text)`` reads it back.
        """
        return {k: _text(v) for k, v in self.to_dict().items()}


UNKNOWN = Cost(UNKNOWN_COST)


def _text(value: Decimal | str | None) -> str | None:
    return format(value, "f") if isinstance(value, Decimal) else value


def _tidy(value: Decimal) -> Decimal:
    """Without trailing zeros (``0.0001950`` → ``0.000195``), never in ``1E+2`` form."""
    value = value.normalize(_EXACT)
    return value if value.as_tuple().exponent <= 0 else value.quantize(Decimal(1))  # type: ignore[operator]


def _priced(tokens: int, price: Decimal, per: int) -> Decimal:
    return _tidy(_EXACT.divide(_EXACT.multiply(Decimal(tokens), price), Decimal(per)))


def cost_of(usage: Usage | None, pricing: Pricing | None) -> Cost:
    """The cost of one answer from its usage; :data:`UNKNOWN` without pricing, usage or a
    pricing unit this package can read."""
    per = PRICING_UNITS.get(pricing.unit) if pricing is not None else None
    if usage is None or pricing is None or per is None:
        return UNKNOWN
    cached = min(max(usage.cached_tokens or 0, 0), usage.prompt_tokens)
    cached_price = pricing.prompt if pricing.cached_prompt is None else pricing.cached_prompt
    prompt = _priced(usage.prompt_tokens - cached, pricing.prompt, per)
    cached_part = _priced(cached, cached_price, per)
    completion = _priced(usage.completion_tokens, pricing.completion, per)
    total = _tidy(_EXACT.add(_EXACT.add(prompt, cached_part), completion))
    return Cost(total, pricing.currency, prompt, cached_part, completion)
