"""Per-call keyword arguments → what one request sends: the body and the send options.

``invoke(..., temperature=0.3, response_format=fmt, model="zai-org/GLM-5.2")`` — every
sampling parameter, the model, tools and ``tool_choice`` can be given per call; a per-call
value replaces the model's own (``None`` unsets it). An unknown name is refused (the core's
rule, with a "did you mean"): fields this package does not know go in ``extra_body`` /
``model_kwargs``.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from telnyx_inference._warnings import warn_once
from telnyx_inference.chat.params import PARAM_NAMES, ChatParams, check_call_names, overlay_params
from telnyx_inference.errors import InvalidParameterError, TelnyxWarning

__all__ = ["CallOptions", "checked_params", "merge_params", "split_call_kwargs"]

_PARAMS = frozenset(PARAM_NAMES)
_CONNECTION = frozenset(
    {
        "api_key",
        "base_url",
        "max_retries",
        "default_headers",
        "http_client",
        "http_async_client",
        "client",
        "async_client",
        "allow_insecure_http",
    }
)
# Tracing hints LangChain may leave in the call kwargs; never sent.
_DROPPED = frozenset({"ls_structured_output_format", "structured_output_format", "stream"})
# LangChain's own per-call names (and langchain-openai's spellings) on top of the core's.
_OWN = frozenset(
    {
        "model_name",
        "model_kwargs",
        "stream_usage",
        "max_completion_tokens",
        "parallel_tool_calls",
        *_DROPPED,
        *_CONNECTION,
    }
)


@dataclass(slots=True)
class CallOptions:
    model: str | None = None
    tools: list[Any] | None = None
    tool_choice: Any = None
    params: dict[str, Any] = field(default_factory=dict)
    extra_body: dict[str, Any] = field(default_factory=dict)
    send: dict[str, Any] = field(default_factory=dict)
    stream_usage: bool | None = None
    max_tokens_with_tools: str | None = None


def split_call_kwargs(kwargs: Mapping[str, Any]) -> CallOptions:
    """Sort the call's keyword arguments by where they go; refuse unknown names."""
    out = CallOptions()
    for name, value in kwargs.items():
        if name in _PARAMS:
            out.params[name] = value
        elif name == "model" or name == "model_name":
            if value is not None and not isinstance(value, str):
                raise InvalidParameterError("model", f"must be a model id string, got {value!r}")
            out.model = value
        elif name == "tools":
            out.tools = value
        elif name == "tool_choice":
            out.tool_choice = value
        elif name == "extra_body" or name == "model_kwargs":
            out.extra_body.update(value or {})
        elif name == "timeout":
            out.send["timeout"] = value
        elif name == "extra_headers":
            out.send["headers"] = value
        elif name == "guided_check":
            out.send["guided_check"] = value
        elif name == "stream_usage":
            out.stream_usage = value
        elif name == "max_tokens_with_tools":
            out.max_tokens_with_tools = value
        elif name == "max_completion_tokens":  # langchain-openai's name
            out.params.setdefault("max_tokens", value)
        elif name == "parallel_tool_calls":
            if value is False:
                warn_no_parallel_switch()
        elif name in _CONNECTION:
            raise InvalidParameterError(
                name, "is a connection setting; set it on the model, not per call"
            )
        elif name not in _DROPPED:
            check_call_names((name,), _OWN)
    return out


def warn_no_parallel_switch() -> None:
    warn_once(
        "parallel_tool_calls",
        "Telnyx has no parallel_tool_calls option; the model may still call several tools at "
        "once. Said once.",
        TelnyxWarning,
    )


def merge_params(
    base: Mapping[str, Any], call: Mapping[str, Any], stop: list[str] | None
) -> dict[str, Any]:
    """The model's parameters overlaid with the call's; one output constraint replaces another."""
    values = overlay_params(base, call)
    if stop is not None:
        values["stop"] = stop
    if not values.get("stop"):
        values.pop("stop", None)
    return {k: v for k, v in values.items() if v is not None}


@functools.lru_cache(maxsize=256)
def _checked_from_json(key: str) -> ChatParams:
    return ChatParams.build(**json.loads(key))


def checked_params(values: dict[str, Any]) -> ChatParams:
    """Validated parameters; JSON-able sets are validated once and remembered."""
    try:
        key = json.dumps(values)  # not sorted: a schema's property order is meaningful
    except (TypeError, ValueError):  # a pydantic class as guided_json, for instance
        return ChatParams.build(**values)
    return _checked_from_json(key)
