"""The emulator's model catalog, shaped like today's Telnyx ``GET models``.

Sizes and capabilities come from the fallback table in the constants module, so the client's
fallback and the emulator agree. What Telnyx publishes per model but this project has no
figures for (tiers, service tiers, deployments, prices, and the three models with an 8192
``max_tokens`` default) is filled in here with **the emulator's own, made-up values**: prices
are round numbers for tests, not Telnyx's. Prices go out as strings, as Telnyx sends them;
``created`` is an ISO string.

Which ``reasoning_effort`` levels a model accepts is not in Telnyx's catalog; the emulator
keeps it beside the catalog (:meth:`Catalog.efforts`): MiniMax-M3 and DeepSeek-V4.1-Flash take
only some levels and answer 400 to the others.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from telnyx_inference._constants import (
    CHAT_TASKS,
    DEFAULT_MAX_TOKENS,
    FALLBACK_MODELS,
    REASONING_EFFORTS,
    SERVICE_TIERS,
    ModelFacts,
    Pricing,
)

CREATED = "2026-01-01T00:00:00Z"


def _price(prompt: str, cached: str | None, completion: str) -> Pricing:
    return Pricing(
        Decimal(prompt), Decimal(completion), None if cached is None else Decimal(cached)
    )


_ALL_TIERS = tuple(SERVICE_TIERS)
_US, _EU, _AU = "us-central-1", "eu-central-1", "ap-southeast-2"

EMULATED: dict[str, dict[str, Any]] = {
    "moonshotai/Kimi-K2.6": {
        "service_tiers": _ALL_TIERS,
        "regions": (_US, _EU),
        "pricing": _price("0.60", "0.15", "2.50"),
    },
    "moonshotai/Kimi-K3": {
        "service_tiers": ("default", "priority"),
        "regions": (_US,),
        "pricing": _price("1.20", "0.30", "5.00"),
    },
    "zai-org/GLM-5.2": {
        "service_tiers": _ALL_TIERS,
        "regions": (_US, _EU, _AU),
        "pricing": _price("0.55", "0.11", "2.20"),
    },
    "MiniMaxAI/MiniMax-M3-MXFP8": {
        "tier": "medium",
        "service_tiers": ("default", "flex"),
        "regions": (_US,),
        "pricing": _price("0.30", "0.06", "1.20"),
    },
    "meta-llama/Meta-Llama-3.1-8B-Instruct": {
        "tier": "small",
        "service_tiers": ("default", "flex"),
        "regions": (_US, _EU),
        "pricing": _price("0.02", None, "0.05"),
    },
    "thenlper/gte-large": {"pricing": _price("0.01", None, "0")},
    "intfloat/multilingual-e5-large": {"pricing": _price("0.01", None, "0")},
}
"""Per-model catalog fields on top of the fallback table (made-up values, see above)."""

EXTRA_MODELS: dict[str, ModelFacts] = {
    "zai-org/GLM-5.3": ModelFacts(
        1_048_576,
        131_072,
        is_reasoning=True,
        tier="medium",
        service_tiers=_ALL_TIERS,
        regions=(_US, _EU),
        pricing=_price("0.60", "0.11", "2.20"),
    ),
    "zai-org/GLM-5.3-Flash": ModelFacts(
        262_144,
        65_536,
        is_reasoning=True,
        tier="small",
        service_tiers=("default", "flex"),
        regions=(_US,),
        pricing=_price("0.10", "0.02", "0.40"),
    ),
    "deepseek-ai/DeepSeek-V4.1-Flash": ModelFacts(
        262_144,
        65_536,
        is_reasoning=True,
        tier="small",
        service_tiers=("default",),
        regions=(_US,),
        pricing=_price("0.14", "0.03", "0.28"),
    ),
}
"""Models Telnyx lists today that the fallback table has no figures for (sizes made up)."""

EFFORTS: dict[str, tuple[str, ...]] = {
    "MiniMaxAI/MiniMax-M3-MXFP8": ("low", "medium", "high"),
    "deepseek-ai/DeepSeek-V4.1-Flash": ("none", "low", "high"),
}
"""``reasoning_effort`` levels of the models that do not take all seven."""


def token_limit(model_id: str, facts: ModelFacts, requested: int | None) -> int | None:
    """The completion limit a request gets: ``max_tokens`` clamped to the model's
    ``max_completion_tokens``, or when left out the model's default (8192 on the models
    Telnyx names; none on the others)."""
    limit = requested if requested is not None else DEFAULT_MAX_TOKENS.get(model_id)
    if limit is not None and facts.max_completion_tokens:
        return min(limit, facts.max_completion_tokens)
    return limit


def _owner(model_id: str) -> str:
    return model_id.split("/", 1)[0] if "/" in model_id else "telnyx"


def _initial() -> dict[str, ModelFacts]:
    models = {m: replace(f, **EMULATED.get(m, {})) for m, f in FALLBACK_MODELS.items()}
    models.update(EXTRA_MODELS)
    return models


def _pricing(pricing: Pricing | None) -> dict[str, str] | None:
    if pricing is None:
        return None
    out = {"prompt": str(pricing.prompt)}
    if pricing.cached_prompt is not None:
        out["cached_prompt"] = str(pricing.cached_prompt)
    out.update(completion=str(pricing.completion), currency=pricing.currency, unit=pricing.unit)
    return out


class Catalog:
    """Known models; extendable per emulator with :meth:`add`."""

    def __init__(self) -> None:
        self._models = _initial()
        self._efforts = dict(EFFORTS)
        self._baseline = (dict(self._models), dict(self._efforts))

    def set_baseline(self) -> None:
        """The models known now are what :meth:`reset` returns to."""
        self._baseline = (dict(self._models), dict(self._efforts))

    def reset(self) -> None:
        self._models, self._efforts = dict(self._baseline[0]), dict(self._baseline[1])

    def add(self, model_id: str, facts: ModelFacts, efforts: tuple[str, ...] | None = None) -> None:
        self._models[model_id] = facts
        if efforts is None:
            self._efforts.pop(model_id, None)
        else:
            self._efforts[model_id] = efforts

    def get(self, model_id: str) -> ModelFacts | None:
        return self._models.get(model_id)

    def efforts(self, model_id: str) -> tuple[str, ...]:
        """The ``reasoning_effort`` levels ``model_id`` accepts."""
        return self._efforts.get(model_id, REASONING_EFFORTS)

    def is_chat(self, model_id: str) -> bool:
        facts = self._models.get(model_id)
        return facts is not None and facts.task in CHAT_TASKS

    def is_embedding(self, model_id: str) -> bool:
        facts = self._models.get(model_id)
        return facts is not None and facts.task == "feature-extraction"

    def entry(self, model_id: str) -> dict[str, Any]:
        facts = self._models[model_id]
        return {
            "id": model_id,
            "object": "model",
            "created": CREATED,
            "owned_by": _owner(model_id),
            "context_length": facts.context_length,
            "max_completion_tokens": facts.max_completion_tokens,
            "is_vision_supported": facts.is_vision,
            "is_reasoning": facts.is_reasoning,
            "task": facts.task,
            "tier": facts.tier or "unlisted",
            "service_tiers": list(facts.service_tiers or SERVICE_TIERS[:1]),
            "regions": list(facts.regions),
            "pricing": _pricing(facts.pricing),
            "recommended_for_assistants": model_id == "zai-org/GLM-5.3",
            "base_model": model_id,
            "languages": ["en"],
        }

    def listing(self, *, embeddings_only: bool = False) -> dict[str, Any]:
        ids = [m for m in self._models if not embeddings_only or self.is_embedding(m)]
        return {"object": "list", "data": [self.entry(m) for m in ids]}
