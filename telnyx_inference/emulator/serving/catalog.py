"""The emulator's model catalog, shaped like Telnyx's ``GET models``.

Built from the fallback table in the constants module, so the client's fallback and the
emulator agree. ``created`` is an ISO string, as Telnyx sends it.
"""

from __future__ import annotations

from typing import Any

from telnyx_inference._constants import CHAT_TASKS, FALLBACK_MODELS, SERVICE_TIERS, ModelFacts

CREATED = "2026-01-01T00:00:00Z"


def _owner(model_id: str) -> str:
    return model_id.split("/", 1)[0] if "/" in model_id else "telnyx"


class Catalog:
    """Known models; extendable per emulator with :meth:`add`."""

    def __init__(self) -> None:
        self._models: dict[str, ModelFacts] = dict(FALLBACK_MODELS)
        self._baseline: dict[str, ModelFacts] = dict(FALLBACK_MODELS)

    def set_baseline(self) -> None:
        """The models known now are what :meth:`reset` returns to."""
        self._baseline = dict(self._models)

    def reset(self) -> None:
        self._models = dict(self._baseline)

    def add(self, model_id: str, facts: ModelFacts) -> None:
        self._models[model_id] = facts

    def get(self, model_id: str) -> ModelFacts | None:
        return self._models.get(model_id)

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
            "pricing": {"input": "0.0", "output": "0.0"},
            "service_tiers": list(SERVICE_TIERS[:1])
            if facts.task != "text-generation"
            else list(SERVICE_TIERS),
        }

    def listing(self, *, embeddings_only: bool = False) -> dict[str, Any]:
        ids = [m for m in self._models if not embeddings_only or self.is_embedding(m)]
        return {"object": "list", "data": [self.entry(m) for m in ids]}
