"""Reading chat completions: the result types and :func:`parse_completion`.

A streamed answer accumulates into the same :class:`Completion` type (see
:mod:`telnyx_inference.chat.stream`), so ``accumulate(stream(x)) == complete(x)`` is testable.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from telnyx_inference.error_bodies import error_from_stream_event
from telnyx_inference.errors import UnexpectedResponseError

if TYPE_CHECKING:
    from telnyx_inference.chat.cost import Cost

__all__ = ["Choice", "Completion", "ToolCall", "Usage", "parse_completion", "parse_usage"]


@dataclass(slots=True)
class ToolCall:
    """One function call the model asked for; ``arguments`` is the raw JSON text."""

    id: str
    name: str
    arguments: str

    def parsed_arguments(self) -> dict[str, Any]:
        """The arguments as a dict; raises ``ValueError`` when they are not a JSON object."""
        if not self.arguments.strip():
            return {}
        value = json.loads(self.arguments)
        if not isinstance(value, dict):
            raise ValueError(f"tool call arguments are not a JSON object: {self.arguments[:200]!r}")
        return value

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": "function",
            "function": {"name": self.name, "arguments": self.arguments},
        }


@dataclass(slots=True)
class Usage:
    """Token counts; ``cached_tokens`` (part of the prompt) and ``reasoning_tokens`` (part of
    the completion) are ``None`` when Telnyx did not report them."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    reasoning_tokens: int | None = None
    cached_tokens: int | None = None


@dataclass(slots=True)
class Choice:
    index: int = 0
    content: str = ""
    reasoning: str | None = None
    tool_calls: list[ToolCall] = field(default_factory=list)
    finish_reason: str | None = None
    logprobs: list[dict[str, Any]] | None = None
    """The ``logprobs.content`` entries: ``{token, logprob, bytes, top_logprobs}``."""


@dataclass(slots=True)
class Completion:
    id: str | None = None
    model: str | None = None
    created: int | None = None
    choices: list[Choice] = field(default_factory=list)
    usage: Usage | None = None
    system_fingerprint: str | None = None
    service_tier: str | None = None
    cost: Cost | None = None
    """Set by the client from the catalog's pricing (``None`` in what the pure readers return)."""

    @property
    def first(self) -> Choice:
        return self.choices[0] if self.choices else Choice()


def _int(value: Any) -> int:
    return value if isinstance(value, int) else 0


def parse_usage(data: Any) -> Usage | None:
    if not isinstance(data, Mapping):
        return None
    completion_details = data.get("completion_tokens_details") or {}
    prompt_details = data.get("prompt_tokens_details") or {}
    prompt = _int(data.get("prompt_tokens"))
    completion = _int(data.get("completion_tokens"))
    return Usage(
        prompt_tokens=prompt,
        completion_tokens=completion,
        total_tokens=_int(data.get("total_tokens")) or prompt + completion,
        reasoning_tokens=_count_in(completion_details, "reasoning_tokens"),
        cached_tokens=_count_in(prompt_details, "cached_tokens"),
    )


def _count_in(details: Any, name: str) -> int | None:
    value = details.get(name) if isinstance(details, Mapping) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _reasoning(message: Mapping[str, Any]) -> str | None:
    value = message.get("reasoning_content")
    if value is None:
        value = message.get("reasoning")
    return value if isinstance(value, str) else None


def _choice(raw: Mapping[str, Any], position: int) -> Choice:
    message = raw.get("message") or {}
    calls = [
        ToolCall(
            id=str(call.get("id") or f"call_{position}_{i}"),
            name=str((call.get("function") or {}).get("name") or ""),
            arguments=_arguments((call.get("function") or {}).get("arguments")),
        )
        for i, call in enumerate(message.get("tool_calls") or ())
    ]
    logprobs = raw.get("logprobs")
    return Choice(
        index=_int(raw.get("index", position)),
        content=message.get("content") or "",
        reasoning=_reasoning(message),
        tool_calls=calls,
        finish_reason=raw.get("finish_reason"),
        logprobs=list(logprobs.get("content") or ()) if isinstance(logprobs, Mapping) else None,
    )


def _arguments(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def parse_completion(data: Any) -> Completion:
    """Read a non-streamed chat completion body.

    An error carried in the body raises its :class:`~telnyx_inference.errors.StreamError`;
    a successful answer this client cannot use (not an object, no ``choices``, an empty
    list, choices of another shape) raises :class:`UnexpectedResponseError`.
    """
    if not isinstance(data, Mapping):
        raise UnexpectedResponseError(
            f"Telnyx answered with a non-object body: {str(data)[:200]!r}", body=data
        )
    error = error_from_stream_event(data)
    if error is not None:
        raise error
    choices = data.get("choices")
    if not isinstance(choices, list) or not choices:
        what = "an empty choices list" if isinstance(choices, list) else "no choices"
        raise UnexpectedResponseError(
            f"Telnyx answered with {what} (id {data.get('id')!r}): "
            f"{json.dumps(data, default=str)[:300]}",
            body=data,
        )
    try:
        read = [_choice(c, i) for i, c in enumerate(choices)]
    except (AttributeError, TypeError, KeyError, IndexError, ValueError) as exc:
        raise UnexpectedResponseError(
            f"Telnyx answered with choices of an unexpected shape ({exc}): "
            f"{json.dumps(choices, default=str)[:300]}",
            body=data,
        ) from None
    return Completion(
        id=data.get("id"),
        model=data.get("model"),
        created=data.get("created") if isinstance(data.get("created"), int) else None,
        choices=read,
        usage=parse_usage(data.get("usage")),
        system_fingerprint=data.get("system_fingerprint"),
        service_tier=data.get("service_tier"),
    )
