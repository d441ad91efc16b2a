"""Building the body of a chat completion request: a pure function over plain values."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

from telnyx_inference._constants import DEFAULT_CHAT_MODEL
from telnyx_inference._warnings import warn_once
from telnyx_inference.chat.catalog import is_hosted_model
from telnyx_inference.chat.messages import apply_reasoning_history, normalize_messages
from telnyx_inference.chat.params import ChatParams
from telnyx_inference.chat.tools import ToolChoice, map_tool_choice, normalize_tools
from telnyx_inference.errors import InvalidParameterError, TelnyxWarning

__all__ = ["MaxTokensWithTools", "build_chat_request"]

logger = logging.getLogger("telnyx_inference")

MaxTokensWithTools = Literal["drop", "keep", "error"]
"""What to do with ``max_tokens`` beside function tools, which Telnyx-hosted models refuse
(proxied models, ``openai/…`` and ``anthropic/…``, keep it whatever this says)."""

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
    max_tokens_with_tools: MaxTokensWithTools = "drop",
) -> dict[str, Any]:
    """Return the JSON body for ``POST chat/completions``.

    Raises a ``ValueError`` / ``TypeError`` subclass naming the parameter for anything
    Telnyx would refuse, before any byte is sent.
    """
    if not isinstance(params, ChatParams):
        params = ChatParams.build(**(params or {}))
    body: dict[str, Any] = {"model": model or DEFAULT_CHAT_MODEL}
    body["messages"] = apply_reasoning_history(
        normalize_messages(messages), params.reasoning_history
    )
    body.update(params.render())
    wire_tools = normalize_tools(tools)
    choice, wire_tools = map_tool_choice(tool_choice, wire_tools)
    if wire_tools:
        body["tools"] = wire_tools
    if choice is not None:
        body["tool_choice"] = choice
    if (
        "max_tokens" in body
        and any(t["type"] == "function" for t in wire_tools)
        and is_hosted_model(body["model"])
    ):
        _max_tokens_beside_tools(body, max_tokens_with_tools)
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


def _max_tokens_beside_tools(body: dict[str, Any], policy: MaxTokensWithTools) -> None:
    if policy == "keep":
        return
    if policy == "error":
        raise InvalidParameterError(
            "max_tokens", "Telnyx-hosted models refuse max_tokens together with function tools"
        )
    dropped = body.pop("max_tokens")
    model = body["model"]
    logger.debug("max_tokens=%s not sent beside function tools to %s", dropped, model)
    warn_once(
        ("max_tokens_with_tools", model),
        f"max_tokens={dropped} was not sent to {model}: Telnyx-hosted models refuse it together "
        "with function tools (set max_tokens_with_tools='keep' to send it anyway). Said once "
        "per model.",
        TelnyxWarning,
    )
