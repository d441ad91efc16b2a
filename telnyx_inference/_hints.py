"""Hints added to errors and notes a user can act on: a near-miss model id, a key that belongs
to another provider, a model whose size is guessed.

Everything here is pure (the catalog is handed in) and runs only on an error path or once per
model, so the cost of a successful call is unchanged.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterable, Mapping
from typing import Any

from telnyx_inference._constants import FALLBACK_MODELS, REASONING_EFFORTS_OFF
from telnyx_inference._warnings import warn_once
from telnyx_inference.errors import APIStatusError, TelnyxWarning

__all__ = [
    "add_hint",
    "explain",
    "key_hint",
    "model_hint",
    "note_effort_levels_once",
    "warn_unknown_model_once",
]

logger = logging.getLogger("telnyx_inference")

_FOREIGN_KEYS: tuple[tuple[str, str], ...] = (
    ("sk-ant-", "an Anthropic key (sk-ant-…)"),
    ("sk-or-", "an OpenRouter key (sk-or-…)"),
    ("sk-", "an OpenAI key (sk-…)"),
    ("gsk_", "a Groq key (gsk_…)"),
    ("xai-", "an xAI key (xai-…)"),
    ("AIza", "a Google key (AIza…)"),
    ("hf_", "a Hugging Face token (hf_…)"),
)
"""Prefixes of other providers' keys (Telnyx keys start with ``KEY``)."""
_PREFIXES = tuple(prefix for prefix, _ in _FOREIGN_KEYS)


def key_hint(key: str | None) -> str | None:
    """What to do when a 401 came with a key that looks like another provider's.

    Cheap enough to run per request (one ``startswith``): the hint itself is built only for
    a foreign-looking key, and never contains the key.
    """
    if not key or not key.startswith(_PREFIXES):
        return None
    for prefix, kind in _FOREIGN_KEYS:
        if key.startswith(prefix):
            return (
                f"the key looks like {kind}, not a Telnyx API key (those start with 'KEY'; "
                "create one in the Telnyx portal under API Keys). To reach another "
                "provider's model through Telnyx, store its key as a Telnyx integration "
                "secret and pass the secret's id as api_key_ref."
            )
    return None


def model_hint(model: str, known: Iterable[str]) -> str | None:
    """A "did you mean …?" for a model id that differs from known ones by case or a few letters."""
    ids = list(known)
    if not ids or model in ids:
        return None
    lowered = model.lower()
    by_case = [m for m in ids if m.lower() == lowered]
    if not by_case:  # the organisation left out ("Kimi-K2.6"), in any case
        by_case = [m for m in ids if m.lower().rsplit("/", 1)[-1] == lowered]
    import difflib  # only on an error path

    lower_ids = {m.lower(): m for m in ids}
    close = by_case or [
        lower_ids[m] for m in difflib.get_close_matches(lowered, lower_ids, n=3, cutoff=0.75)
    ]
    if not close:
        return None
    return "did you mean " + " or ".join(f"`{m}`" for m in close) + "?"


def add_hint(err: APIStatusError, hint: str | None) -> APIStatusError:
    """``err`` with ``hint`` appended to its message (once)."""
    if hint and hint not in err.message:
        err.message = f"{err.message} — {hint}"
        err.args = (err.message, *err.args[1:])
    return err


def explain(
    err: APIStatusError, body: Mapping[str, Any], catalog: Mapping[str, Any] | None
) -> APIStatusError:
    """A chat request's 404 with the near misses from ``catalog`` (when one could be read)."""
    model = body.get("model")
    if err.status == 404 and isinstance(model, str) and catalog:
        add_hint(err, model_hint(model, catalog))
    return err


def warn_unknown_model_once(
    model: str, catalog: Mapping[str, Any] | None, **guessed: int | None
) -> bool:
    """Say once per model id that nothing is known about ``model``, what was assumed
    (``guessed``: setting name → the value used; ``None`` for a value the user set) and how
    to set it. Returns whether the model is unknown (in neither ``catalog`` nor the table).
    """
    if (catalog and model in catalog) or model in FALLBACK_MODELS:
        return False
    used = {name: value for name, value in guessed.items() if value is not None}
    if not used:
        return True
    near = model_hint(model, catalog or FALLBACK_MODELS)
    message = (
        f"model {model!r} is in neither Telnyx's model catalog nor the built-in table: "
        + " and ".join(f"{name}={value:,}" for name, value in used.items())
        + " are guesses; pass "
        + " and ".join(f"{name}=..." for name in used)
        + " to set them"
        + (f" ({near})" if near else "")
    )
    if warn_once(("unknown_model", model), message, TelnyxWarning):
        logger.info(message)
    return True


_effort_noted = False


def note_effort_levels_once(effort: str) -> None:
    """``reasoning_effort`` is mapped onto Telnyx's on/off switch: say so once per process."""
    global _effort_noted
    if _effort_noted:
        return
    _effort_noted = True
    thinking = effort not in REASONING_EFFORTS_OFF
    message = (
        f"Telnyx has no reasoning effort levels: reasoning_effort={effort!r} is sent as "
        f"enable_thinking={thinking} ('none' and 'minimal' turn thinking off, any other level "
        "turns it on at the model's own depth)"
    )
    logger.info(message)
    warnings.warn(message, TelnyxWarning, stacklevel=5)
