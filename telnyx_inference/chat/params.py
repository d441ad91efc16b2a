"""The sampling parameters of a chat request, Telnyx extensions included, checked before sending.

``ChatParamFields`` is a pydantic mixin: the framework models (``ChatTelnyx``, LlamaIndex's
``Telnyx``) inherit its fields, so a bad value fails at construction, and per-call values go
through :meth:`ChatParams.build`::

    params = ChatParams.build(temperature=0.2, response_format=json_schema_format(schema))
    params.render()   # {"temperature": 0.2, "response_format": {"type": "json_schema", ...}}
    ChatParams.build(min_p=1.5)   # InvalidParameterError: min_p: must be between 0 and 1 …
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from telnyx_inference._constants import (
    BEAM_SEARCH_FIELDS,
    GUIDED_FIELDS,
    MAX_STOP_SEQUENCES,
    MAX_TOP_LOGPROBS,
    REASONING_EFFORTS_OFF,
    ReasoningEffort,
    ReasoningHistory,
    ServiceTier,
)
from telnyx_inference._hints import note_effort_levels_once
from telnyx_inference._validation import parameter_error, unknown_parameter
from telnyx_inference.chat.formats import check_response_format
from telnyx_inference.chat.schema import to_json_schema
from telnyx_inference.errors import InvalidParameterError

__all__ = [
    "CALL_OPTIONS",
    "PARAM_NAMES",
    "ChatParamFields",
    "ChatParams",
    "check_call_names",
    "overlay_params",
]


class ChatParamFields(BaseModel):
    """Every body parameter of a Telnyx chat completion besides messages, model and tools."""

    temperature: float | None = Field(default=None, ge=0.0, le=2.0)
    """Sampling temperature; unset means Telnyx's default of 0.1."""
    max_tokens: int | None = Field(default=None, ge=1)
    top_p: float | None = Field(default=None, gt=0.0, le=1.0)
    min_p: float | None = Field(default=None, ge=0.0, le=1.0)
    frequency_penalty: float | None = Field(default=None, ge=-2.0, le=2.0)
    presence_penalty: float | None = Field(default=None, ge=-2.0, le=2.0)
    seed: int | None = None
    stop: str | list[str] | None = None
    n: int | None = Field(default=None, ge=1, le=128)
    logprobs: bool | None = None
    top_logprobs: int | None = Field(default=None, ge=0, le=MAX_TOP_LOGPROBS)
    logit_bias: dict[str, float] | None = None
    response_format: dict[str, Any] | None = None
    """``{"type": "json_schema", "json_schema": {"name", "schema", "description", "strict"}}``
    (the supported structured output), ``json_object`` or ``text``; sent as given."""
    guided_json: Any = None
    """The seed endpoint's constrained decoding (absent from today's published schema): a JSON
    Schema dict, a pydantic model class or a TypedDict. Answers are checked against it."""
    guided_regex: str | None = None
    """The seed's field (absent from today's schema): the output matches the regex."""
    guided_choice: list[str] | None = None
    """The seed's field (absent from today's schema): the output is one of the strings."""
    use_beam_search: bool | None = None
    best_of: int | None = Field(default=None, ge=1)
    length_penalty: float | None = None
    early_stopping: bool | None = None
    enable_thinking: bool | None = None
    """Reasoning models think unless this is False (Telnyx's default is True)."""
    api_key_ref: str | None = None
    """Id of a Telnyx integration secret, for proxied providers."""
    service_tier: ServiceTier | None = None
    reasoning_effort: ReasoningEffort | None = None
    """OpenAI's spelling, for ``ChatOpenAI`` users: ``"none"`` / ``"minimal"`` send
    ``enable_thinking=False``, any other level ``enable_thinking=True`` (Telnyx has no levels)."""
    reasoning_history: ReasoningHistory | None = None
    """Which assistant turns send back the reasoning they carried, as ``reasoning_content``:
    ``"tool_turns"`` (unset: turns with tool calls, as Kimi and GLM expect in tool loops),
    ``"all"`` or ``"never"``. Not a body field: it shapes the messages."""

    @field_validator("stop")
    @classmethod
    def _check_stop(cls, value: str | list[str] | None) -> str | list[str] | None:
        if isinstance(value, list) and len(value) > MAX_STOP_SEQUENCES:
            raise ValueError(f"at most {MAX_STOP_SEQUENCES} stop sequences, got {len(value)}")
        return value

    @field_validator("logit_bias", mode="before")
    @classmethod
    def _check_logit_bias(cls, value: Any) -> Any:
        if isinstance(value, Mapping):
            for token, bias in value.items():
                if not isinstance(bias, int | float) or not -100 <= bias <= 100:
                    raise ValueError(f"bias for token {token!r} must be between -100 and 100")
            return {str(token): float(bias) for token, bias in value.items()}
        return value

    @field_validator("response_format")
    @classmethod
    def _check_response_format(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is not None:
            check_response_format(value)  # sent as given
        return value

    @field_validator("guided_json", mode="before")
    @classmethod
    def _check_guided_json(cls, value: Any) -> Any:
        return None if value is None else to_json_schema(value)

    @field_validator("guided_regex")
    @classmethod
    def _check_guided_regex(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"not a valid regular expression: {exc}") from None
        return value

    @field_validator("guided_choice")
    @classmethod
    def _check_guided_choice(cls, value: list[str] | None) -> list[str] | None:
        if value is not None and not value:
            raise ValueError("must be a non-empty list of strings")
        return value

    @model_validator(mode="after")
    def _check_combinations(self) -> Any:
        guided = [name for name in GUIDED_FIELDS if getattr(self, name) is not None]
        if len(guided) > 1:
            raise InvalidParameterError(
                guided[1], f"only one guided option at a time, got {guided}"
            )
        fmt = (self.response_format or {}).get("type")
        if guided and fmt in ("json_schema", "json_object"):
            raise InvalidParameterError(
                guided[0],
                f"goes with no response_format of type {fmt!r}: one constraint at a time "
                "(json_schema is the supported one)",
            )
        if not self.use_beam_search:
            for name in BEAM_SEARCH_FIELDS:
                if getattr(self, name) is not None and name != "best_of":
                    raise InvalidParameterError(name, "only applies with use_beam_search=True")
        if self.best_of is not None and self.n is not None and self.best_of < self.n:
            raise InvalidParameterError("best_of", f"must be at least n ({self.n})")
        if self.top_logprobs and not self.logprobs:
            raise InvalidParameterError("top_logprobs", "requires logprobs=True")
        effort, thinking = self.reasoning_effort, self.enable_thinking
        if effort is not None and thinking is not None and thinking != _thinks(effort):
            raise InvalidParameterError(
                "reasoning_effort",
                f"{effort!r} means enable_thinking={_thinks(effort)}, but "
                f"enable_thinking={thinking} is also given; set one of them",
            )
        return self

    def param_values(self) -> dict[str, Any]:
        """The parameters that are set, by name (guided_json already a schema dict)."""
        return {
            name: getattr(self, name) for name in PARAM_NAMES if getattr(self, name) is not None
        }


PARAM_NAMES: tuple[str, ...] = tuple(ChatParamFields.model_fields)
CLIENT_SIDE: frozenset[str] = frozenset({"reasoning_effort", "reasoning_history"})
"""Parameters that shape the request here and are never sent under their own name."""


def _thinks(effort: str) -> bool:
    return effort not in REASONING_EFFORTS_OFF


CALL_OPTIONS: tuple[str, ...] = (
    "model",
    "tools",
    "tool_choice",
    "extra_body",
    "extra_headers",
    "timeout",
    "max_tokens_with_tools",
    "guided_check",
)
"""Per-call arguments besides the body parameters, accepted by every adapter."""


def check_call_names(names: Iterable[str], adapter_names: Iterable[str] = ()) -> None:
    """Refuse a per-call argument that is neither a Telnyx parameter, a call option nor one
    of the adapter's own names: naming it, with the nearest known name, and the way to send
    a field on purpose (``extra_body``). A typo is never sent silently."""
    known = frozenset((*PARAM_NAMES, *CALL_OPTIONS, *adapter_names))
    for name in names:
        if name not in known:
            raise unknown_parameter(
                name,
                sorted(known),
                "a Telnyx chat parameter",
                "send a body field this package does not know with extra_body={...}",
            )


def overlay_params(base: Mapping[str, Any], call: Mapping[str, Any]) -> dict[str, Any]:
    """A model's parameters with one call's on top.

    One output constraint at a time: a call that asks for a guided option or a
    ``response_format`` replaces whichever of them the model carries.
    """
    values = dict(base)
    if any(name in call for name in GUIDED_FIELDS) or "response_format" in call:
        for name in (*GUIDED_FIELDS, "response_format"):
            values.pop(name, None)
    # enable_thinking and reasoning_effort are two spellings of one switch: a call's wins.
    for given, replaced in (
        ("reasoning_effort", "enable_thinking"),
        ("enable_thinking", "reasoning_effort"),
    ):
        if call.get(given) is not None:
            values.pop(replaced, None)
    values.update(call)
    return values


class ChatParams(ChatParamFields):
    """A checked set of parameters for one request."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @classmethod
    def build(cls, **values: Any) -> ChatParams:
        """Check ``values``; raise a ``ValueError``/``TypeError`` naming the first bad one."""
        try:
            return cls(**{k: v for k, v in values.items() if v is not None})
        except ValidationError as exc:
            raise parameter_error(exc, cls, "a Telnyx chat parameter") from None

    def render(self) -> dict[str, Any]:
        """The body fields, ready to merge into a request."""
        body = self.param_values()
        if isinstance(body.get("stop"), str):
            body["stop"] = [body["stop"]]
        body.pop("reasoning_history", None)
        effort = body.pop("reasoning_effort", None)
        if effort is not None:
            body.setdefault("enable_thinking", _thinks(effort))
            note_effort_levels_once(effort)
        return body
