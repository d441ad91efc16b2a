"""LlamaIndex chat messages to the core's OpenAI-style message dicts.

One small converter per role and per content block, dispatched in one place that ends in an
explicit error. The core (:func:`telnyx_inference.build_chat_request`) then applies Telnyx's
own rules (``developer`` sent as ``system``, string image parts, ``""`` beside tool calls).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from llama_index.core.base.llms.types import (
    CachePoint,
    ChatMessage,
    CitableBlock,
    CitationBlock,
    ImageBlock,
    MessageRole,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
)

from telnyx_inference.chat.messages import REASONING_KEY, image_part, join_text, text_part
from telnyx_inference.errors import InvalidParameterError, InvalidParameterTypeError

__all__ = ["to_wire_message", "to_wire_messages"]

_ROLES: dict[MessageRole, str] = {
    MessageRole.SYSTEM: "system",
    MessageRole.DEVELOPER: "developer",
    MessageRole.USER: "user",
    MessageRole.ASSISTANT: "assistant",
    MessageRole.TOOL: "tool",
    # OpenAI's legacy function results, Cohere's and Gemini's names for the assistant.
    MessageRole.FUNCTION: "tool",
    MessageRole.CHATBOT: "assistant",
    MessageRole.MODEL: "assistant",
}


class _Parts:
    """What the blocks of one message turn into."""

    __slots__ = ("calls", "has_image", "parts", "reasoning", "where")

    def __init__(self, where: str) -> None:
        self.where = where
        self.parts: list[dict[str, Any]] = []
        self.calls: list[dict[str, Any]] = []
        self.reasoning: list[str] = []
        self.has_image = False


def _text(block: TextBlock, out: _Parts) -> None:
    out.parts.append(text_part(block.text))


def _image(block: ImageBlock, out: _Parts) -> None:
    out.parts.append(image_part(image_url(block)))
    out.has_image = True


def _tool_call(block: ToolCallBlock, out: _Parts) -> None:
    arguments = block.tool_kwargs
    out.calls.append(
        {
            "id": block.tool_call_id or f"call_{len(out.calls)}",
            "type": "function",
            "function": {
                "name": block.tool_name,
                "arguments": arguments
                if isinstance(arguments, str)
                else json.dumps(arguments, ensure_ascii=False),
            },
        }
    )


def _citable(block: CitableBlock, out: _Parts) -> None:
    for inner in block.content:
        _convert_block(inner, out)


def _citation(block: CitationBlock, out: _Parts) -> None:
    _convert_block(block.cited_content, out)


def _thinking(block: ThinkingBlock, out: _Parts) -> None:
    # Kept for the core, which sends it back on the turns ``reasoning_history`` names.
    if block.content:
        out.reasoning.append(block.content)


def _skip(block: Any, out: _Parts) -> None:
    # Telnyx has no cache control.
    return


_BLOCKS: dict[type[Any], Callable[[Any, _Parts], None]] = {
    TextBlock: _text,
    ImageBlock: _image,
    ToolCallBlock: _tool_call,
    ThinkingBlock: _thinking,
    CachePoint: _skip,
    CitableBlock: _citable,
    CitationBlock: _citation,
}


def _convert_block(block: Any, out: _Parts) -> None:
    convert = _BLOCKS.get(type(block))
    if convert is None:
        convert = next((f for t, f in _BLOCKS.items() if isinstance(block, t)), None)
    if convert is None:
        kind = getattr(block, "block_type", type(block).__name__)
        raise InvalidParameterError(
            f"{out.where}.blocks",
            f"Telnyx chat accepts text and image blocks, got a {kind!r} block",
        )
    convert(block, out)


def image_url(block: ImageBlock) -> str:
    """The block as a URL or a ``data:`` URL (for image bytes or a local path)."""
    if block.url is not None:
        return str(block.url)
    raw = block.resolve_image(as_base64=False).read()
    mimetype = block.image_mimetype or _guess_mimetype(raw)
    return f"data:{mimetype};base64,{base64.b64encode(raw).decode('ascii')}"


def _guess_mimetype(raw: bytes) -> str:
    import filetype  # type: ignore[import-untyped]  # a llama-index-core dependency

    guess = filetype.guess(raw)
    return str(guess.mime) if guess is not None else "image/png"


def _content(out: _Parts) -> str | list[dict[str, Any]]:
    if out.has_image:
        return out.parts
    if len(out.parts) == 1:
        return str(out.parts[0]["text"])
    return join_text(part["text"] for part in out.parts)


def _calls_from_kwargs(value: Any, where: str) -> list[dict[str, Any]]:
    """``additional_kwargs["tool_calls"]``: dicts or the openai SDK's typed objects."""
    if value is not None and not isinstance(value, list | tuple):
        raise InvalidParameterTypeError(
            f"{where}.additional_kwargs.tool_calls",
            f"must be a list of tool calls, got {type(value).__name__}",
        )
    calls = []
    for call in value or ():
        if not isinstance(call, Mapping) and hasattr(call, "model_dump"):
            call = call.model_dump()
        calls.append(call)
    return calls


def to_wire_message(message: ChatMessage, index: int = 0) -> dict[str, Any]:
    """One message as a core message dict."""
    where = f"messages[{index}]"
    role = _ROLES.get(MessageRole(message.role))
    if role is None:  # pragma: no cover - every MessageRole is mapped
        raise InvalidParameterError(f"{where}.role", f"unknown role {message.role!r}")
    out = _Parts(where)
    for block in message.blocks:
        _convert_block(block, out)
    wire: dict[str, Any] = {"role": role, "content": _content(out)}
    extra = message.additional_kwargs
    calls = out.calls or _calls_from_kwargs(extra.get("tool_calls"), where)
    if calls:
        wire["tool_calls"] = calls
    reasoning = join_text(out.reasoning) or extra.get(REASONING_KEY)
    if role == "assistant" and reasoning:
        wire[REASONING_KEY] = reasoning
    if role == "tool":
        wire["tool_call_id"] = extra.get("tool_call_id")
    name = extra.get("name")
    if isinstance(name, str) and name:
        wire["name"] = name
    return wire


def to_wire_messages(messages: Sequence[ChatMessage]) -> list[dict[str, Any]]:
    return [to_wire_message(m, i) for i, m in enumerate(messages)]
