"""How many tokens a request will spend, guessed before it is sent (fast, no tokenizer).

About four characters a token, plus a little per message, is what tokenizers of the hosted
models give for English prose; the budget corrects every guess with the answer's ``usage``,
so the guess only has to be close. A caller with an exact tokenizer passes ``count_tokens``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["CountTokens", "approximate_tokens", "request_input_tokens"]

CountTokens = Callable[[str], int]

_CHARS_PER_TOKEN = 4
_PER_MESSAGE = 4
"""Role markers and separators a chat template adds around each message."""
_PER_IMAGE = 765
"""A high-detail image tile set, as vision models commonly count it."""


def approximate_tokens(text: str) -> int:
    return -(-len(text) // _CHARS_PER_TOKEN)


def _content_tokens(content: Any, count: CountTokens) -> int:
    if isinstance(content, str):
        return count(content)
    total = 0
    if isinstance(content, list):
        for part in content:
            if not isinstance(part, Mapping):
                continue
            text = part.get("text")
            if isinstance(text, str):
                total += count(text)
            elif part.get("type") in ("image_url", "audio_url"):
                total += _PER_IMAGE
    return total


def _json_tokens(value: Any, count: CountTokens) -> int:
    return count(json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str))


def request_input_tokens(body: Mapping[str, Any], count: CountTokens | None = None) -> int:
    """Input tokens of a chat, embeddings or similarity-search body."""
    count = count or approximate_tokens
    if "messages" in body:
        total = 0
        for message in body.get("messages") or ():
            if not isinstance(message, Mapping):
                continue
            total += _PER_MESSAGE + _content_tokens(message.get("content"), count)
            if message.get("tool_calls"):
                total += _json_tokens(message["tool_calls"], count)
        for key in ("tools", "response_format", "guided_json"):
            if body.get(key):
                total += _json_tokens(body[key], count)
        return total
    inputs = body.get("input", body.get("query", ""))
    if isinstance(inputs, str):
        return count(inputs)
    return sum(count(text) for text in inputs if isinstance(text, str))
