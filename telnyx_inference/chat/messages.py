"""Chat messages in the form Telnyx accepts.

The framework adapters hand in OpenAI-style message dicts; :func:`normalize_messages`
applies Telnyx's rules: no ``developer`` role (sent as ``system``), ``content`` always present
(``""`` beside tool calls, never null), image parts with a *string* ``image_url``, only
``text`` and ``image_url`` parts, tool-call arguments as JSON strings. An assistant turn
may carry ``reasoning_content`` (what it thought); :func:`apply_reasoning_history` decides
which turns send it back. Text flattened from several parts is joined by :func:`join_text`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from telnyx_inference._constants import (
    DEFAULT_REASONING_HISTORY,
    ROLE_ALIASES,
    ROLES,
    TEXT_PART_SEPARATOR,
    ReasoningHistory,
)
from telnyx_inference.errors import InvalidParameterError, InvalidParameterTypeError

__all__ = [
    "REASONING_KEY",
    "apply_reasoning_history",
    "image_part",
    "join_text",
    "normalize_message",
    "normalize_messages",
    "text_part",
]

_KEPT_KEYS = ("name", "tool_call_id")
REASONING_KEY = "reasoning_content"
"""The assistant message field Kimi's and GLM's chat templates read the reasoning from."""


def join_text(texts: Iterable[str]) -> str:
    """Several text parts as one string, the way the server would read them."""
    return TEXT_PART_SEPARATOR.join(texts)


def text_part(text: str) -> dict[str, Any]:
    return {"type": "text", "text": text}


def image_part(url: str) -> dict[str, Any]:
    """An image part in Telnyx's form: ``image_url`` is the URL or data URL itself."""
    return {"type": "image_url", "image_url": url}


def _unicode(text: str, where: str) -> str:
    """``text`` itself, if it can be sent as UTF-8 (a lone surrogate, e.g. from bytes decoded
    with ``surrogateescape``, cannot: refuse it here, naming the field, not at send time)."""
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise InvalidParameterError(
                where, f"is not valid Unicode text (lone surrogate at position {exc.start})"
            ) from None
    return text


def _part(part: Any, where: str) -> dict[str, Any]:
    if isinstance(part, str):
        return text_part(_unicode(part, where))
    if not isinstance(part, Mapping):
        raise InvalidParameterTypeError(
            where, f"a content part must be a dict, got {type(part).__name__}"
        )
    kind = part.get("type")
    if kind == "text":
        text = part.get("text")
        if not isinstance(text, str):
            raise InvalidParameterTypeError(f"{where}.text", "must be a string")
        return text_part(_unicode(text, f"{where}.text"))
    if kind == "image_url":
        url = part.get("image_url")
        if isinstance(url, Mapping):
            url = url.get("url")
        if not isinstance(url, str) or not url:
            raise InvalidParameterError(f"{where}.image_url", "must be a URL or data URL string")
        return image_part(url)
    raise InvalidParameterError(
        f"{where}.type", f"Telnyx accepts only 'text' and 'image_url' parts, got {kind!r}"
    )


def _content(content: Any, where: str) -> str | list[dict[str, Any]]:
    if content is None:
        return ""
    if isinstance(content, str):
        return _unicode(content, where)
    if isinstance(content, list | tuple):
        return [_part(part, f"{where}[{i}]") for i, part in enumerate(content)]
    raise InvalidParameterTypeError(
        where, f"must be a string or a list of parts, got {type(content).__name__}"
    )


def _tool_call(call: Any, where: str) -> dict[str, Any]:
    if not isinstance(call, Mapping):
        raise InvalidParameterTypeError(where, "a tool call must be a dict")
    function = call.get("function")
    if not isinstance(function, Mapping) or not isinstance(function.get("name"), str):
        raise InvalidParameterError(f"{where}.function.name", "is required")
    arguments = function.get("arguments", "{}")
    if not isinstance(arguments, str):
        arguments = json.dumps(arguments, ensure_ascii=False)
    _unicode(arguments, f"{where}.function.arguments")
    call_id = call.get("id")
    if not isinstance(call_id, str) or not call_id:
        raise InvalidParameterError(f"{where}.id", "is required")
    _unicode(call_id, f"{where}.id")
    _unicode(function["name"], f"{where}.function.name")
    return {
        "id": call_id,
        "type": "function",
        "function": {"name": function["name"], "arguments": arguments},
    }


def normalize_message(message: Any, index: int = 0) -> dict[str, Any]:
    where = f"messages[{index}]"
    if not isinstance(message, Mapping):
        raise InvalidParameterTypeError(where, f"must be a dict, got {type(message).__name__}")
    role = message.get("role")
    role = ROLE_ALIASES.get(role, role) if isinstance(role, str) else role
    if role not in ROLES:
        raise InvalidParameterError(f"{where}.role", f"must be one of {list(ROLES)}, got {role!r}")
    out: dict[str, Any] = {
        "role": role,
        "content": _content(message.get("content"), f"{where}.content"),
    }
    for key in _KEPT_KEYS:
        value = message.get(key)
        if value is not None:
            out[key] = _unicode(value, f"{where}.{key}") if isinstance(value, str) else value
    calls = message.get("tool_calls")
    if calls:
        if role != "assistant":
            raise InvalidParameterError(
                f"{where}.tool_calls", "only assistant messages carry tool calls"
            )
        out["tool_calls"] = [_tool_call(c, f"{where}.tool_calls[{i}]") for i, c in enumerate(calls)]
    reasoning = message.get(REASONING_KEY) if role == "assistant" else None
    if reasoning:
        if not isinstance(reasoning, str):
            raise InvalidParameterTypeError(f"{where}.{REASONING_KEY}", "must be a string")
        out[REASONING_KEY] = _unicode(reasoning, f"{where}.{REASONING_KEY}")
    if role == "tool" and not isinstance(out.get("tool_call_id"), str):
        raise InvalidParameterError(f"{where}.tool_call_id", "is required for tool messages")
    return out


def normalize_messages(messages: Iterable[Any]) -> list[dict[str, Any]]:
    out = [normalize_message(m, i) for i, m in enumerate(messages)]
    if not out:
        raise InvalidParameterError("messages", "must contain at least one message")
    return out


def apply_reasoning_history(
    messages: list[dict[str, Any]], policy: ReasoningHistory | None = None
) -> list[dict[str, Any]]:
    """Keep ``reasoning_content`` on the turns ``policy`` names and drop it elsewhere.

    ``"tool_turns"`` (the default) keeps it on assistant turns with tool calls, ``"all"`` on
    every assistant turn, ``"never"`` on none. The dicts are changed in place and returned.
    """
    policy = policy or DEFAULT_REASONING_HISTORY
    if policy == "all":
        return messages
    for message in messages:
        if REASONING_KEY in message and (policy == "never" or not message.get("tool_calls")):
            del message[REASONING_KEY]
    return messages
