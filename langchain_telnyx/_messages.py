"""LangChain messages → the OpenAI-style dicts the core sends.

One small converter per message kind, dispatched in :func:`to_wire_messages`; content blocks
(strings, OpenAI parts, standard v0/v1 blocks) go through :func:`_part`. The core then applies
Telnyx's own rules (string ``image_url``, ``developer`` → ``system`` …).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    ChatMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)

from telnyx_inference.chat.messages import REASONING_KEY, join_text
from telnyx_inference.errors import InvalidParameterError, InvalidParameterTypeError

__all__ = ["to_wire_messages"]

WireMessage = dict[str, Any]

TOOL_ERROR_PREFIX = "Error: "
"""Telnyx has no field for a failed tool call, so the model reads it from the content."""

# Blocks an assistant message may carry that are not sent back: reasoning is the model's own,
# and tool calls travel in ``tool_calls`` (Anthropic-style ``tool_use`` blocks repeat them).
_OUTPUT_ONLY = frozenset(
    {
        "reasoning",
        "thinking",
        "redacted_thinking",
        "tool_call",
        "tool_call_chunk",
        "invalid_tool_call",
        "tool_use",
        "function_call",
        "server_tool_call",
        "server_tool_call_chunk",
        "server_tool_result",
        "refusal",
    }
)


def _image_url(block: dict[str, Any], where: str) -> str:
    url = block.get("url")
    if isinstance(url, str) and url:
        return url
    data = block.get("base64")
    if data is None and block.get("source_type") == "base64":
        data = block.get("data")
    if isinstance(data, str) and data:
        mime = block.get("mime_type") or "image/png"
        return f"data:{mime};base64,{data}"
    raise InvalidParameterError(where, "an image block needs a url or base64 data")


def _part(block: Any, where: str) -> dict[str, Any] | None:
    """One content part in OpenAI form; ``None`` for blocks that are not sent."""
    if isinstance(block, str):
        return {"type": "text", "text": block}
    if not isinstance(block, dict):
        raise InvalidParameterTypeError(where, f"unsupported content block {block!r:.80}")
    kind = block.get("type")
    if kind == "text" or (kind == "text-plain" and isinstance(block.get("text"), str)):
        text = block.get("text", "")
        if not isinstance(text, str):  # refused here: flattened roles join the texts
            raise InvalidParameterTypeError(f"{where}.text", "must be a string")
        return {"type": "text", "text": text}
    if kind == "image_url":
        image = block.get("image_url")
        url = image.get("url") if isinstance(image, dict) else image
        return {"type": "image_url", "image_url": url}
    if kind == "image":
        return {"type": "image_url", "image_url": _image_url(block, where)}
    if kind in _OUTPUT_ONLY:
        return None
    raise InvalidParameterError(
        f"{where}.type",
        f"Telnyx chat accepts text and image content only; {kind!r} blocks cannot be sent",
    )


def _content(content: str | list[Any], where: str) -> str | list[dict[str, Any]]:
    if isinstance(content, str):
        return content
    parts = [_part(block, f"{where}[{i}]") for i, block in enumerate(content)]
    return [p for p in parts if p is not None]


def _text(content: str | list[Any], where: str) -> str:
    """Content flattened to text, for roles where images make no sense."""
    converted = _content(content, where)
    if isinstance(converted, str):
        return converted
    texts: list[str] = []
    for part in converted:
        if part["type"] != "text":
            raise InvalidParameterError(where, "only text can be sent in this message")
        texts.append(part["text"])
    return join_text(texts)


def _with_name(out: WireMessage, message: BaseMessage) -> WireMessage:
    if message.name:
        out["name"] = message.name
    return out


def _system(message: SystemMessage, where: str) -> WireMessage:
    return _with_name({"role": "system", "content": _text(message.content, where)}, message)


def _human(message: HumanMessage, where: str) -> WireMessage:
    return _with_name({"role": "user", "content": _content(message.content, where)}, message)


def _arguments(args: Any) -> str:
    return args if isinstance(args, str) else json.dumps(args, ensure_ascii=False)


def _reasoning(message: AIMessage) -> str | None:
    """The reasoning the turn carried: ``additional_kwargs`` (how this package returns it),
    else its reasoning / thinking content blocks. The core decides whether it is sent."""
    kept = message.additional_kwargs.get(REASONING_KEY)
    if isinstance(kept, str) and kept:
        return kept
    if isinstance(message.content, str):
        return None
    texts = [
        block.get(block["type"])
        for block in message.content
        if isinstance(block, dict) and block.get("type") in ("reasoning", "thinking")
    ]
    return join_text(t for t in texts if isinstance(t, str) and t) or None


def _ai(message: AIMessage, where: str) -> WireMessage:
    out: WireMessage = {"role": "assistant", "content": _text(message.content, where)}
    reasoning = _reasoning(message)
    if reasoning:
        out[REASONING_KEY] = reasoning
    calls = [
        {
            "id": call["id"] or f"call_{i}",
            "type": "function",
            "function": {"name": call["name"], "arguments": _arguments(call["args"])},
        }
        for i, call in enumerate(message.tool_calls)
    ]
    # A call the model got wrong is part of the history too: send its raw arguments back.
    calls.extend(
        {
            "id": call.get("id") or f"call_invalid_{i}",
            "type": "function",
            "function": {"name": call.get("name") or "", "arguments": call.get("args") or ""},
        }
        for i, call in enumerate(message.invalid_tool_calls)
    )
    if calls:
        out["tool_calls"] = calls
    return _with_name(out, message)


def _tool(message: ToolMessage, where: str) -> WireMessage:
    content = message.content
    if not isinstance(content, str):
        content = _text(content, where) if content else ""
    if message.status == "error" and not content.startswith(TOOL_ERROR_PREFIX):
        content = TOOL_ERROR_PREFIX + content
    return {"role": "tool", "tool_call_id": message.tool_call_id, "content": content}


def _chat(message: ChatMessage, where: str) -> WireMessage:
    return _with_name({"role": message.role, "content": _content(message.content, where)}, message)


_CONVERTERS: dict[type[BaseMessage], Callable[[Any, str], WireMessage]] = {
    SystemMessage: _system,
    HumanMessage: _human,
    AIMessage: _ai,
    ToolMessage: _tool,
    ChatMessage: _chat,
}


def _converter(kind: type[BaseMessage]) -> Callable[[Any, str], WireMessage]:
    for base in kind.__mro__:  # chunk classes and user subclasses use their base's converter
        found = _CONVERTERS.get(base)
        if found is not None:
            _CONVERTERS[kind] = found
            return found
    raise InvalidParameterTypeError(
        "messages",
        f"{kind.__name__} cannot be sent to Telnyx; use System, Human, AI, Tool or Chat messages",
    )


def to_wire_messages(messages: Sequence[BaseMessage]) -> list[WireMessage]:
    """Convert a conversation; raise a ``ValueError``/``TypeError`` naming the bad message."""
    out: list[WireMessage] = []
    for i, message in enumerate(messages):
        convert = _CONVERTERS.get(type(message)) or _converter(type(message))
        out.append(convert(message, f"messages[{i}].content"))
    return out
