"""Around one send, without I/O: what the catalog refuses before it, and what an answer or an
error means after it.

- :func:`check_against_catalog`: a ``service_tier`` the model does not offer is refused before
  sending, with the nearest tier it does offer (once the catalog is known).
- :func:`body_without_refused_cap`: on the exact 400 Telnyx-hosted models gave in 2025 for
  ``max_tokens`` beside function tools (code 10015), the body to send again, without the cap
  (said once per model).
- :func:`region_refusal`: a 422 to ``mode="strict"`` as an error naming the region and model.
- :func:`warn_if_budget_spent`: an answer cut at its token limit before any text (the budget
  went to reasoning) is said once per model, naming ``max_tokens`` and the model's default.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from telnyx_inference._constants import ERROR_CODE_MAX_TOKENS_WITH_TOOLS, ModelFacts
from telnyx_inference._validation import did_you_mean
from telnyx_inference._warnings import warn_once
from telnyx_inference.chat.catalog import default_max_tokens
from telnyx_inference.chat.response import Completion
from telnyx_inference.errors import (
    APIStatusError,
    BadRequestError,
    InvalidParameterError,
    RequestValidationError,
    TelnyxWarning,
)

__all__ = [
    "RegionUnavailableError",
    "body_without_refused_cap",
    "check_against_catalog",
    "region_refusal",
    "warn_if_budget_spent",
]

_RESIDENCY_FIELDS = ("region", "mode")


class RegionUnavailableError(RequestValidationError):
    """422 to ``mode="strict"``: ``model`` cannot be served from ``region``, and strict mode
    forbids serving it from anywhere else."""

    def __init__(self, message: str, *, region: str, model: str, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.region = region
        self.model = model


def check_against_catalog(body: Mapping[str, Any], facts: ModelFacts | None) -> None:
    """Refuse what the catalog says the model cannot do (``facts``: ``None`` when unknown)."""
    tier = body.get("service_tier")
    if tier is None or facts is None or not facts.service_tiers or tier in facts.service_tiers:
        return
    offered = ", ".join(repr(t) for t in facts.service_tiers)
    raise InvalidParameterError(
        "service_tier",
        f"{body.get('model')} offers the service tiers {offered}, not {tier!r}"
        f"{did_you_mean(str(tier), facts.service_tiers)}",
    )


def body_without_refused_cap(err: Exception, body: Mapping[str, Any]) -> dict[str, Any] | None:
    """The body to send again when ``err`` is the 10015 refusal of ``max_tokens`` beside
    function tools; ``None`` for any other error (then it is raised as it is)."""
    if not (
        isinstance(err, BadRequestError)
        and err.code == ERROR_CODE_MAX_TOKENS_WITH_TOOLS
        and "max_tokens" in body
    ):
        return None
    again = {k: v for k, v in body.items() if k != "max_tokens"}
    model = body.get("model")
    warn_once(
        ("max_tokens_refused_with_tools", model),
        f"{model} refused max_tokens={body['max_tokens']} beside function tools (Telnyx "
        f"code {ERROR_CODE_MAX_TOKENS_WITH_TOOLS}); the request was sent again without it, so "
        "that answer has no cap of yours. Set max_tokens_with_tools='drop' to leave it out "
        "from the start, or 'keep' to get the error instead. Said once per model.",
        TelnyxWarning,
    )
    return again


def region_refusal(
    err: APIStatusError, body: Mapping[str, Any], facts: ModelFacts | None = None
) -> RegionUnavailableError | None:
    """A strict-mode 422 as :class:`RegionUnavailableError`; ``None`` for another error."""
    region, model = body.get("region"), str(body.get("model"))
    if not (
        isinstance(err, RequestValidationError)
        and body.get("mode") == "strict"
        and isinstance(region, str)
    ):
        return None
    if any(not path.startswith(_RESIDENCY_FIELDS) for path in err.fields):
        return None  # a schema error about another field, not the region
    where = (
        f" (the catalog lists it in {', '.join(facts.regions)})" if facts and facts.regions else ""
    )
    return RegionUnavailableError(
        f"{model} cannot be served from region {region!r} in strict mode{where}; use "
        "mode='preferred' to let Telnyx serve it from elsewhere, or another region. "
        f"({err.message})",
        region=region,
        model=model,
        fields=err.fields,
        status=err.status,
        code=err.code,
        body=err.body,
        request_id=err.request_id,
    )


def warn_if_budget_spent(completion: Completion, body: Mapping[str, Any]) -> None:
    """Say once per model that an answer stopped at its token limit before any text."""
    choice = completion.first
    if choice.finish_reason != "length" or choice.content or choice.tool_calls:
        return
    model = str(body.get("model") or completion.model)
    cap = body.get("max_tokens")
    default = default_max_tokens(model)
    usual = f"{default} tokens" if default else "left to the engine"
    if cap is not None:
        where = f"max_tokens={cap} ({model}'s default when it is not set: {usual})"
    elif default:
        where = f"its default max_tokens of {default} (max_tokens was not set)"
    else:
        where = "the engine's default limit (max_tokens was not set)"
    warn_once(
        ("reasoning_budget", model),
        f"{model} stopped at {where} before writing any answer (finish_reason='length'): the "
        "budget went to reasoning, which max_tokens counts together with the answer. Raise "
        "max_tokens, or lower reasoning_effort / set enable_thinking=False. Said once per model.",
        TelnyxWarning,
    )
