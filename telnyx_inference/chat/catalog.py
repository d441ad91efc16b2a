"""The model catalog: context windows and capabilities by model id.

``GET models`` is read once per base URL and cached; when it cannot be read (no key,
offline, an error) a small built-in table answers, and unknown ids get a safe default.
A failed read is remembered apart from the catalog (:func:`catalog_failure`), never stored
as an empty catalog, so nobody mistakes "could not read it" for "Telnyx lists no models".
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from telnyx_inference._constants import (
    CHAT_TASKS,
    DEFAULT_MAX_TOKENS,
    FALLBACK_MODELS,
    PROXIED_MODEL_PREFIXES,
    UNKNOWN_MODEL_CONTEXT,
    ModelFacts,
    Pricing,
)

__all__ = [
    "CATALOG_TTL",
    "FAILED_CATALOG_TTL",
    "ModelFacts",
    "Pricing",
    "cached_catalog",
    "catalog_failure",
    "default_max_tokens",
    "facts_for",
    "forget",
    "is_hosted_model",
    "known_facts",
    "parse_models",
    "parse_pricing",
    "store_catalog",
    "store_failure",
    "when_catalog_read",
]

CATALOG_TTL = 3600.0
FAILED_CATALOG_TTL = 300.0
"""After a failed read, the fallback table answers for this long before trying again."""

_cache: dict[str, tuple[float, dict[str, ModelFacts]]] = {}
"""base URL -> (expiry on the monotonic clock, catalog)."""
_failures: dict[str, tuple[float, Exception]] = {}
"""base URL -> (end of the back-off on the monotonic clock, why the last read failed)."""
_waiting: dict[str, list[weakref.WeakMethod[Callable[[dict[str, ModelFacts]], None]]]] = {}
"""base URL -> bound methods to call once a catalog for it is read (held weakly)."""
_lock = threading.Lock()


def _int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) and value > 0 else None


def _strings(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list | tuple):
        return ()
    return tuple(item for item in value if isinstance(item, str) and item)


def _decimal(value: Any) -> Decimal | None:
    """A price: strings (Telnyx's wire form) and ints read exactly; floats through their
    shortest text; anything else, negative or not finite is no price."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    try:
        price = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return price if price.is_finite() and price >= 0 else None


def parse_pricing(value: Any) -> Pricing | None:
    """The catalog's ``pricing`` object; ``None`` unless prompt and completion prices read."""
    if not isinstance(value, Mapping):
        return None
    prompt, completion = _decimal(value.get("prompt")), _decimal(value.get("completion"))
    if prompt is None or completion is None:
        return None
    currency, unit = value.get("currency"), value.get("unit")
    return Pricing(
        prompt,
        completion,
        _decimal(value.get("cached_prompt")),
        currency if isinstance(currency, str) and currency else "USD",
        unit if isinstance(unit, str) and unit else "1M_tokens",
    )


def is_hosted_model(model: str) -> bool:
    """Whether Telnyx serves ``model`` itself, rather than forwarding it to another provider
    (``openai/…``, ``anthropic/…``, used with ``api_key_ref``).

    Only hosted models take ``region`` / ``mode``.
    """
    return not model.startswith(PROXIED_MODEL_PREFIXES)


def default_max_tokens(model: str) -> int | None:
    """What ``max_tokens`` is when a request leaves it out, where Telnyx says (else ``None``:
    the engine decides)."""
    return DEFAULT_MAX_TOKENS.get(model)


def parse_models(body: Any) -> dict[str, ModelFacts]:
    """Read a ``GET models`` answer into facts by id; entries without an id are skipped."""
    entries = body.get("data") if isinstance(body, Mapping) else None
    catalog: dict[str, ModelFacts] = {}
    for entry in entries or ():
        if not isinstance(entry, Mapping) or not isinstance(entry.get("id"), str):
            continue
        model_id = entry["id"]
        fallback = FALLBACK_MODELS.get(model_id)
        context = _int_or_none(entry.get("context_length")) or (
            fallback.context_length if fallback else UNKNOWN_MODEL_CONTEXT
        )
        task = str(entry.get("task") or (fallback.task if fallback else CHAT_TASKS[0]))
        tier = entry.get("tier")
        catalog[model_id] = ModelFacts(
            context,
            _int_or_none(entry.get("max_completion_tokens")),
            is_vision=bool(entry.get("is_vision_supported")),
            is_reasoning=bool(
                entry.get(
                    "is_reasoning_model",
                    entry.get("is_reasoning", fallback.is_reasoning if fallback else False),
                )
            ),
            task=task,
            tier=tier if isinstance(tier, str) and tier else (fallback.tier if fallback else None),
            service_tiers=_strings(entry.get("service_tiers")),
            regions=_strings(entry.get("regions")),
            pricing=parse_pricing(entry.get("pricing")),
        )
    return catalog


def store_catalog(base_url: str, catalog: dict[str, ModelFacts], ttl: float = CATALOG_TTL) -> None:
    with _lock:
        _cache[base_url] = (time.monotonic() + ttl, catalog)
        _failures.pop(base_url, None)
        waiting = _waiting.pop(base_url, [])
    for ref in waiting:
        method = ref()
        if method is not None:
            method(catalog)


def when_catalog_read(base_url: str, method: Callable[[dict[str, ModelFacts]], None]) -> None:
    """Call the bound ``method`` with the catalog once this process reads one for
    ``base_url`` (its object is held weakly: a model that is gone is not kept alive)."""
    with _lock:
        waiting = _waiting.setdefault(base_url, [])
        if len(waiting) >= 64:  # drop the entries of objects already collected
            waiting[:] = [ref for ref in waiting if ref() is not None]
        waiting.append(weakref.WeakMethod(method))


def store_failure(base_url: str, error: Exception, ttl: float = FAILED_CATALOG_TTL) -> None:
    """Remember that reading the catalog failed; lookups use the fallback table meanwhile."""
    with _lock:
        _failures[base_url] = (time.monotonic() + ttl, error)


def forget(prefix: str = "") -> None:
    """Forget what this process read, or failed to read, of the catalogs at base URLs starting
    with ``prefix`` (every one by default): the next lookup reads again. For a server whose
    models changed under the cache — an emulator reset between tests."""
    with _lock:
        for table in (_cache, _failures):
            for base_url in [url for url in table if url.startswith(prefix)]:
                del table[base_url]


def catalog_failure(base_url: str) -> Exception | None:
    """Why the last read of the catalog at ``base_url`` failed, during its back-off period."""
    entry = _failures.get(base_url)
    if entry is None or time.monotonic() > entry[0]:
        return None
    return entry[1]


def cached_catalog(base_url: str) -> dict[str, ModelFacts] | None:
    entry = _cache.get(base_url)
    if entry is None or time.monotonic() > entry[0]:
        return None
    return entry[1]


def known_facts(base_url: str, model: str) -> ModelFacts | None:
    """Facts about ``model`` without any I/O: from the catalog this process read, from the
    fallback table while a failed read is in its back-off, else ``None`` (not read yet)."""
    catalog = cached_catalog(base_url)
    if catalog is not None:
        return facts_for(model, catalog)
    if catalog_failure(base_url) is not None:
        return facts_for(model)
    return None


def facts_for(model: str, catalog: Mapping[str, ModelFacts] | None = None) -> ModelFacts:
    """Facts about ``model`` from the catalog, else the fallback table, else a default."""
    if catalog and model in catalog:
        return catalog[model]
    if model in FALLBACK_MODELS:
        return FALLBACK_MODELS[model]
    return ModelFacts(UNKNOWN_MODEL_CONTEXT)
