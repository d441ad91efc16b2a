"""Fail closed on the seed's ``guided_*`` fields: an answer that ignores one is never passed on
silently.

Upstream vLLM removed ``guided_json`` / ``guided_regex`` / ``guided_choice`` in v0.12 and, as it
accepts unknown fields, answers 200 with unconstrained output when sent them; Telnyx's published
schema dropped them too. So whenever a request carries one, the answer is checked against it::

    completion = client.chat(body)                          # body has guided_choice=["a", "b"]
    # answer "maybe": TelnyxWarning (once per field and model) naming json_schema instead
    client.chat(body, guided_check="error")                 # StructuredOutputError instead
    client.chat(body, guided_check="off")                   # the caller checks (structured output)

Structured output checks its own answers (and raises), so it passes ``"off"``.
"""

from __future__ import annotations

import typing
from collections.abc import Mapping
from typing import Any, Literal

from telnyx_inference._constants import GUIDED_FIELDS
from telnyx_inference._warnings import warn_once
from telnyx_inference.chat.response import Completion
from telnyx_inference.chat.structured import (
    Regex,
    StructuredOutputError,
    StructuredSpec,
    structured_spec,
)
from telnyx_inference.errors import InvalidParameterError, RequestValidationError, TelnyxWarning

__all__ = [
    "GUIDED_CHECKS",
    "GuidedCheck",
    "check_guided_answer",
    "checked_policy",
    "refusal_hint",
    "sends_guided",
]

GuidedCheck = Literal["warn", "error", "off"]
"""What an answer that does not follow the guided field sent does: a ``TelnyxWarning`` once
per field and model (default), a :class:`StructuredOutputError`, or nothing."""
GUIDED_CHECKS: tuple[str, ...] = typing.get_args(GuidedCheck)


def checked_policy(value: Any) -> GuidedCheck:
    """``value`` if it is a :data:`GuidedCheck`; an error naming ``guided_check`` otherwise."""
    if value not in GUIDED_CHECKS:
        raise InvalidParameterError(
            "guided_check", f"must be one of {list(GUIDED_CHECKS)}, got {value!r}"
        )
    return typing.cast("GuidedCheck", value)


def sends_guided(body: Mapping[str, Any]) -> bool:
    return any(body.get(name) is not None for name in GUIDED_FIELDS)


def _constraint(body: Mapping[str, Any]) -> tuple[str, StructuredSpec] | None:
    for name in GUIDED_FIELDS:
        value = body.get(name)
        if value is None:
            continue
        if name == "guided_regex":
            schema: Any = Regex(value)
        elif name == "guided_choice":
            schema = list(value)
        else:
            schema = value
        return name, structured_spec(schema, "guided")
    return None


def check_guided_answer(
    body: Mapping[str, Any], completion: Completion, policy: GuidedCheck = "warn"
) -> None:
    """Check every finished text answer of ``completion`` against the guided field ``body``
    sent. Choices cut by ``max_tokens`` and tool calls are left alone: they say nothing about
    whether the field was honoured."""
    if policy == "off":
        return
    found = _constraint(body)
    if found is None:
        return
    name, spec = found
    for choice in completion.choices:
        if choice.tool_calls or choice.finish_reason == "length":
            continue
        try:
            spec.parse(choice.content)
        except StructuredOutputError as exc:
            if policy == "error":
                raise
            model = completion.model or body.get("model")
            warn_once(
                ("guided_ignored", name, model),
                f"An answer from {model} does not follow the {name} it was sent with: "
                f"{exc.reason}. Said once per field and model (guided_check='error' raises).",
                TelnyxWarning,
            )
            return


def refusal_hint(err: RequestValidationError, body: Mapping[str, Any]) -> str | None:
    """What to do when a 422 refuses a structured-output field: a ``guided_*`` field (today's
    contract has none), or a ``json_schema`` format (a server on the seed's contract)."""
    refused = [name for name in GUIDED_FIELDS if any(f.startswith(name) for f in err.fields)]
    if refused:
        return (
            f"{refused[0]} is not in Telnyx's published chat schema any more: ask for "
            "structured output with response_format json_schema (the default method)"
        )
    fmt = body.get("response_format")
    json_schema = isinstance(fmt, Mapping) and fmt.get("type") == "json_schema"
    if json_schema and any(f.startswith("response_format") for f in err.fields):
        return (
            "this server does not take response_format json_schema (the original endpoint "
            "doc's contract): use guided_json instead (method='guided_json')"
        )
    return None
