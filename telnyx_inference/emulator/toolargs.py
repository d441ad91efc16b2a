"""Which bound tools the last user turn names, and arguments for them from the conversation.

"What is magic_function(3)?" names ``magic_function`` and gives ``3`` positionally, so the
call gets ``{"input": 3}`` when the tool's first parameter is an integer called ``input``.
Values named elsewhere (``city="Paris"``, ``a = 2``), quoted strings, numbers and capitalised
words of the conversation fill what remains; anything still required is generated from the
parameter's schema. The result always validates against the tool's schema.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass
from typing import Any

from telnyx_inference.emulator import guided

_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?![\w.])")
_QUOTED = re.compile(r"\"([^\"\n]{1,200})\"|'([^'\n]{1,200})'")
_BOOL = re.compile(r"\b(true|false)\b", re.IGNORECASE)
_CAPITALISED = re.compile(r"(?<![.!?]\s)(?<!^)\b([A-Z][a-zA-Z]{2,}(?:\s[A-Z][a-zA-Z]+)*)")
_STOPWORDS = {"What", "The", "Use", "Please", "Call", "Can", "Could", "How", "Tell", "Give"}


@dataclass
class NamedCall:
    name: str
    args_text: str | None
    position: int


def named_calls(text: str, tool_names: list[str]) -> list[NamedCall]:
    """Calls the text asks for, in order: one per ``name(...)`` and one per bare mention."""
    found: list[NamedCall] = []
    for name in tool_names:
        escaped = re.escape(name)
        with_parens = list(re.finditer(rf"\b{escaped}\s*\(([^()]*)\)", text))
        for m in with_parens:
            found.append(NamedCall(name, m.group(1), m.start()))
        if with_parens:
            continue
        spaced = escaped.replace("_", "[ _]")
        bare = re.search(rf"\b{spaced}\b", text, re.IGNORECASE)
        if bare:
            found.append(NamedCall(name, None, bare.start()))
    return sorted(found, key=lambda c: c.position)


_GENERIC_WORDS = frozenset(
    {
        "get",
        "set",
        "fetch",
        "find",
        "lookup",
        "look",
        "up",
        "search",
        "query",
        "call",
        "run",
        "tool",
        "function",
        "the",
        "a",
        "an",
        "of",
        "for",
        "to",
        "by",
        "do",
        "make",
        "current",
    }
)


def topic_call(text: str, tool_names: list[str]) -> NamedCall | None:
    """The first tool whose name's distinctive words the text mentions, as a model might
    pick ``get_weather`` for "what is the weather in Paris?"."""
    lowered = text.lower()
    best: NamedCall | None = None
    for name in tool_names:
        words = re.sub(r"([a-z])([A-Z])", r"\1 \2", name).lower().replace("_", " ").split()
        topical = [w for w in words if w not in _GENERIC_WORDS and len(w) > 2]
        hits = [m.start() for w in topical if (m := re.search(rf"\b{re.escape(w)}", lowered))]
        if topical and hits and (best is None or min(hits) < best.position):
            best = NamedCall(name, None, min(hits))
    return best


def _split_args(text: str) -> list[str]:
    parts: list[str] = []
    depth, quote, current = 0, "", []
    for ch in text:
        if quote:
            current.append(ch)
            if ch == quote:
                quote = ""
            continue
        if ch in "\"'":
            quote = ch
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append("".join(current).strip())
            current = []
            continue
        current.append(ch)
    tail = "".join(current).strip()
    if tail:
        parts.append(tail)
    return parts


def _literal(text: str) -> Any:
    text = text.strip()
    for parse in (json.loads, ast.literal_eval):
        try:
            return parse(text)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            continue
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered in ("none", "null"):
        return None
    return text.strip("\"'")


def _fit(value: Any, schema: Any, convert: bool = True) -> tuple[bool, Any]:
    """``value`` or (with ``convert``) a light conversion of it that validates."""
    options = [value]
    if not convert:
        return (True, value) if guided.conforms(value, schema) else (False, None)
    if isinstance(value, float) and value.is_integer():
        options.append(int(value))
    if isinstance(value, int | float) and not isinstance(value, bool):
        options.append(str(value))
    if isinstance(value, str):
        options.append(_literal(value))
    for option in options:
        if guided.conforms(option, schema):
            return True, option
    return False, None


def _candidates(texts: list[str], tool_names: set[str]) -> list[Any]:
    out: list[Any] = []
    for text in texts:
        for m in _QUOTED.finditer(text):
            out.append(m.group(1) or m.group(2))
        out.extend(_literal(m.group(0)) for m in _NUMBER.finditer(text))
        out.extend(m.group(1).lower() == "true" for m in _BOOL.finditer(text))
        for m in _CAPITALISED.finditer(text):
            word = m.group(1)
            if word not in _STOPWORDS and word not in tool_names:
                out.append(word)
    return out


def _named_value(texts: list[str], prop: str) -> list[Any]:
    pattern = re.compile(rf"\b{re.escape(prop)}\s*[=:]\s*(\"[^\"]*\"|'[^']*'|[^\s,;)]+)")
    return [_literal(m.group(1)) for text in texts for m in pattern.finditer(text)]


def arguments(
    schema: Any, call: NamedCall | None, texts: list[str], tool_names: set[str], key: int
) -> dict[str, Any]:
    """Arguments for one call, valid against ``schema`` (the tool's ``parameters``)."""
    if not isinstance(schema, dict) or not schema:
        schema = {"type": "object", "properties": {}}
    props: dict[str, Any] = schema.get("properties") or {}
    required: list[str] = [r for r in schema.get("required") or [] if isinstance(r, str)]
    args: dict[str, Any] = {}

    if call is not None and call.args_text:
        positional: list[Any] = []
        for piece in _split_args(call.args_text):
            m = re.match(r"^(\w+)\s*[=:]\s*(.+)$", piece, re.DOTALL)
            if m and m.group(1) in props:
                ok, value = _fit(_literal(m.group(2)), props[m.group(1)])
                if ok:
                    args[m.group(1)] = value
            else:
                positional.append(_literal(piece))
        free = [p for p in props if p not in args]
        for name, value in zip(free, positional, strict=False):
            ok, fitted = _fit(value, props[name])
            if ok:
                args[name] = fitted

    pool = _candidates(texts, tool_names)
    used: list[Any] = list(args.values())
    for name in [*required, *[p for p in props if p not in required]]:
        if name in args or name not in props:
            continue
        named = _named_value(texts, name)
        generic = pool if name in required else []
        # Values that fit as they are beat values that fit once converted ("7" for a string).
        attempts = [(v, False) for v in named] + [(v, True) for v in named]
        attempts += [(v, False) for v in generic] + [(v, True) for v in generic]
        for value, convert in attempts:
            ok, fitted = _fit(value, props[name], convert)
            if ok and fitted not in used:
                args[name] = fitted
                used.append(fitted)
                break
        if name not in args and name in required:
            args[name] = guided.for_schema(props[name], key)

    if guided.conforms(args, schema):
        return args
    value = guided.for_schema(schema, key)
    if not isinstance(value, dict):  # pragma: no cover - parameters describe an object
        raise guided.GenerationError("tool parameters must describe an object")
    return value
