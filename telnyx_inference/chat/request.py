"""Building the body of a chat completion request: a pure function over plain values."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal, get_args

from telnyx_inference._constants import DEFAULT_CHAT_MODEL
from telnyx_inference.chat.catalog import is_hosted_model
from telnyx_inference.chat.messages import apply_reasoning_history, normalize_messages
from telnyx_inference.chat.params import ChatParams
from telnyx_inference.chat.tools import ToolChoice, map_tool_choice, normalize_tools
from telnyx_inference.errors import InvalidParameterError

__all__ = ["MaxTokensWithTools", "build_chat_request"]

logger = logging.getLogger("telnyx_inference")

MaxTokensWithTools = Literal["retry", "drop", "keep"]
"""``max_tokens`` beside function tools, which Telnyx-hosted models refused in 2025 (400, code
10015; today's docs no longer say so): ``"retry"`` sends it and, only on that exact error,
sends the request once more without it (said once per model); ``"drop"`` leaves it out of
such requests from the start; ``"keep"`` sends it and raises that error. Proxied models
(``openai/…``, ``anthropic/…``) always keep it."""

_CAP_POLICIES = get_args(MaxTokensWithTools)
_RESERVED = frozenset({"messages", "model", "stream", "stream_options", "tools", "tool_choice"})


def build_chat_request(
    messages: Iterable[Any],
    *,
    model: str | None = None,
    params: ChatParams | Mapping[str, Any] | None = None,
    tools: Sequence[Any] | None = None,
    tool_choice: ToolChoice = None,
    stream: bool = False,
    include_usage: bool = True,
    extra_body: Mapping[str, Any] | None = None,
    max_tokens_with_tools: MaxTokensWithTools = "retry",
) -> dict[str, Any]:
    """Return the JSON body for ``POST chat/completions``.

    Raises a ``ValueError`` / ``TypeError`` subclass naming the parameter for anything
    Telnyx would refuse, before any byte is sent.
    """
    if max_tokens_with_tools not in _CAP_POLICIES:
        raise InvalidParameterError(
            "max_tokens_with_tools",
            f"must be one of {', '.join(map(repr, _CAP_POLICIES))}, got {max_tokens_with_tools!r}",
        )
    if not isinstance(params, ChatParams):
        params = ChatParams.build(**(params or {}))
    body: dict[str, Any] = {"model": model or DEFAULT_CHAT_MODEL}
    body["messages"] = apply_reasoning_history(
        normalize_messages(messages), params.reasoning_history
    )
    body.update(params.render())
    if body.get("region") is not None and not is_hosted_model(body["model"]):
        raise InvalidParameterError(
            "region",
            f"{body['model']} is forwarded to another provider, and data residency "
            "(region / mode) applies to Telnyx-hosted models only",
        )
    wire_tools = normalize_tools(tools)
    choice, wire_tools = map_tool_choice(tool_choice, wire_tools)
    if wire_tools:
        body["tools"] = wire_tools
    if choice is not None:
        body["tool_choice"] = choice
    if (
        max_tokens_with_tools == "drop"
        and "max_tokens" in body
        and any(t["type"] == "function" for t in wire_tools)
        and is_hosted_model(body["model"])
    ):
        _drop_max_tokens(body)
    if stream:
        body["stream"] = True
        if include_usage:
            body["stream_options"] = {"include_usage": True}
    if extra_body:
        clash = _RESERVED.intersection(extra_body)
        if clash:
            raise InvalidParameterError(
                "extra_body", f"must not set {sorted(clash)}; use the dedicated arguments"
            )
        body.update(extra_body)
    return body


def _drop_max_tokens(body: dict[str, Any]) -> None:
    """``max_tokens_with_tools="drop"``: the user asked for it, so a debug line is enough."""
    dropped = body.pop("max_tokens")
    logger.debug("max_tokens=%s not sent beside function tools to %s", dropped, body["model"])
