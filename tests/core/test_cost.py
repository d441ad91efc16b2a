"""Prices from the catalog (strings → exact decimals), the cost of one answer, and the totals of
a ``telnyx_usage()`` block across threads and tasks."""

from __future__ import annotations

import asyncio
import contextvars
import decimal
import threading
from decimal import Decimal

import pytest

from telnyx_inference import ModelFacts, Usage, telnyx_usage
from telnyx_inference._constants import Pricing
from telnyx_inference.chat.catalog import parse_models, parse_pricing
from telnyx_inference.chat.cost import UNKNOWN, cost_of
from telnyx_inference.chat.tracking import record_answer, tracking

PRICES = Pricing(Decimal("0.60"), Decimal("2.50"), Decimal("0.15"), "USD", "1M_tokens")


def test_catalog_prices_are_read_as_exact_decimals() -> None:
    catalog = parse_models(
        {
            "data": [
                {
                    "id": "org/m",
                    "context_length": 1000,
                    "max_completion_tokens": 100,
                    "tier": "medium",
                    "service_tiers": ["default", "flex"],
                    "regions": ["us-central-1", "eu-central-1"],
                    "pricing": {
                        "prompt": "0.1",
                        "cached_prompt": "0.02",
                        "completion": "0.3",
                        "currency": "USD",
                        "unit": "1M_tokens",
                    },
                },
                {"id": "org/free-text", "context_length": 10, "pricing": {"prompt": "soon"}},
            ]
        }
    )
    facts = catalog["org/m"]
    assert facts.pricing == Pricing(Decimal("0.1"), Decimal("0.3"), Decimal("0.02"))
    assert isinstance(facts.pricing.prompt, Decimal)
    assert (facts.tier, facts.service_tiers, facts.regions) == (
        "medium",
        ("default", "flex"),
        ("us-central-1", "eu-central-1"),
    )
    assert catalog["org/free-text"].pricing is None  # unreadable prices: unknown, not zero


@pytest.mark.parametrize(
    "pricing",
    [
        None,
        {},
        {"prompt": "1"},
        {"prompt": "-1", "completion": "1"},
        {"prompt": "NaN", "completion": "1"},
        {"prompt": True, "completion": "1"},
        "1.0",
    ],
)
def test_unreadable_pricing_is_none(pricing: object) -> None:
    assert parse_pricing(pricing) is None


def test_one_answer_costs_prompt_cached_and_completion_tokens() -> None:
    cost = cost_of(Usage(1000, 200, 1200, reasoning_tokens=150, cached_tokens=400), PRICES)
    assert cost.to_dict() == {
        "total": Decimal("0.00092"),
        "currency": "USD",
        "prompt": Decimal("0.00036"),  # 600 uncached × 0.60 per 1M
        "cached_prompt": Decimal("0.00006"),  # 400 × 0.15
        "completion": Decimal("0.0005"),  # 200 (reasoning included) × 2.50
    }
    without_cached_price = Pricing(Decimal("0.60"), Decimal("2.50"))
    assert cost_of(Usage(1000, 0, 1000, cached_tokens=400), without_cached_price).total == Decimal(
        "0.0006"
    )


def test_no_pricing_no_usage_or_an_unknown_unit_is_unknown() -> None:
    assert cost_of(Usage(10, 10, 20), None) is UNKNOWN
    assert cost_of(None, PRICES).total == "unknown"
    odd = Pricing(Decimal("1"), Decimal("1"), unit="per_request")
    assert not cost_of(Usage(10, 10, 20), odd).known


def test_the_users_decimal_context_never_rounds_a_price() -> None:
    with decimal.localcontext() as ctx:
        ctx.prec = 2
        assert cost_of(Usage(123_457, 0, 123_457), PRICES).total == Decimal("0.0740742")


def _answer(prompt: int, currency: str = "USD") -> None:
    pricing = Pricing(Decimal("1"), Decimal("1"), currency=currency)
    usage = Usage(prompt, 0, prompt)
    record_answer(usage, cost_of(usage, pricing))


def test_blocks_nest_and_count_what_runs_inside_them() -> None:
    assert not tracking()
    with telnyx_usage() as outer:
        _answer(1_000_000)
        with telnyx_usage() as inner:
            assert tracking()
            _answer(2_000_000)
    _answer(5)  # outside: nobody counts it
    assert (outer.calls, outer.total_cost) == (2, Decimal(3))
    assert (inner.calls, inner.total_cost, inner.currency) == (1, Decimal(2), "USD")
    assert "total_cost=3 USD" in repr(outer)


def test_threads_that_copy_the_context_and_tasks_are_counted() -> None:
    async def one() -> None:
        await asyncio.sleep(0)
        _answer(1)

    async def tasks() -> None:
        await asyncio.gather(*(asyncio.to_thread(_answer, 1) for _ in range(3)))
        await asyncio.gather(one(), one())  # each coroutine runs as its own task

    with telnyx_usage() as usage:
        workers = [
            threading.Thread(target=contextvars.copy_context().run, args=(_answer, 1))
            for _ in range(8)
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        asyncio.run(tasks())
        bare = threading.Thread(target=_answer, args=(1,))  # an empty context: not counted
        bare.start()
        bare.join()
    assert usage.calls == 13
    assert usage.prompt_tokens == 13


def test_unpriced_or_mixed_currency_totals_are_unknown() -> None:
    with telnyx_usage() as unpriced:
        _answer(10)
        record_answer(Usage(5, 5, 10), UNKNOWN)
    assert unpriced.total_cost == "unknown"
    assert unpriced.unpriced_calls == 1
    with telnyx_usage() as mixed:
        _answer(1_000_000, "USD")
        _answer(1_000_000, "EUR")
    assert mixed.total_cost == "unknown"
    assert mixed.costs == {"USD": Decimal(1), "EUR": Decimal(1)}


def test_model_facts_keep_their_positional_form() -> None:
    facts = ModelFacts(1000, 100, is_vision=True)
    assert (facts.context_length, facts.max_completion_tokens, facts.pricing) == (1000, 100, None)


def test_metadata_carries_exact_decimal_text_never_exponents() -> None:
    tiny = cost_of(Usage(1, 0, 1), Pricing(Decimal("0.5"), Decimal("1")))
    assert tiny.total == Decimal("0.0000005")
    assert tiny.metadata() == {
        "total": "0.0000005",
        "currency": "USD",
        "prompt": "0.0000005",
        "cached_prompt": "0",
        "completion": "0",
    }
    assert UNKNOWN.metadata()["total"] == "unknown"
