"""Which bound tools a question asks for, and the arguments it spells out for them.

"What is magic_function(3)?" names ``magic_function`` and gives ``3`` positionally, so the
call gets ``{"input": 3}`` when the tool's first parameter is ``input``. A bare mention
("use get_weather") or the topic of a tool's name ("the weather in Paris" → ``get_weather``)
also plans a call. Each planned call owns the clause of the question from its mention to the
next one, so "get_weather in Rome and get_time in Tokyo" gives each call its own city; a
clause that points back at an earlier result ("then multiply the result by 4") waits for it.

Tools named like types (``WeatherReport``, LangChain's structured-response tools) are never
planned from a mention: they are how an agent finishes, see :mod:`.turns`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from telnyx_inference.emulator.model import guided, lexicon
from telnyx_inference.emulator.model.evidence import literal


@dataclass
class NamedCall:
    name: str
    args_text: str | None
    position: int
    clause: str = ""
    waits: bool = False
    """True when the clause refers to an earlier call's result."""


_BACK_REFERENCE = re.compile(
    r"\b(?:the|that|this|its|previous)\s+(?:result|answer|sum|product|output|value|total|number)s?\b"
    r"|\b(?:with|by|to|from|of|on)\s+it\b",
    re.IGNORECASE,
)


def is_schema_tool(name: str) -> bool:
    """``WeatherReport`` (a type's name), not ``get_weather`` (an action)."""
    return bool(re.fullmatch(r"[A-Z][A-Za-z0-9]*", name))


def named_calls(text: str, tool_names: list[str]) -> list[NamedCall]:
    """Calls the text asks for by name, in order: one per ``name(...)``, else one per tool
    mentioned bare."""
    found: list[NamedCall] = []
    for name in tool_names:
        escaped = re.escape(name)
        with_parens = list(re.finditer(rf"\b{escaped}\s*\(([^()]*)\)", text))
        for m in with_parens:
            found.append(NamedCall(name, m.group(1), m.start()))
        if with_parens or is_schema_tool(name):
            continue
        spaced = escaped.replace("_", "[ _]")
        bare = re.search(rf"\b{spaced}\b", text, re.IGNORECASE)
        if bare:
            found.append(NamedCall(name, None, bare.start()))
    return sorted(found, key=lambda c: c.position)


def topic_calls(text: str, tool_names: list[str]) -> list[NamedCall]:
    """Every tool whose name's distinctive words the text mentions, as a model might pick
    ``get_weather`` for "what is the weather in Paris?"."""
    lowered = text.lower()
    out: list[NamedCall] = []
    for name in tool_names:
        if is_schema_tool(name):
            continue
        words = re.sub(r"([a-z])([A-Z])", r"\1 \2", name).lower().replace("_", " ").split()
        topical = [w for w in words if w not in lexicon.GENERIC_FIELD_WORDS and len(w) > 2]
        cues = [c for w in topical for c in lexicon.TOPIC_SYNONYMS.get(w, (w,))]
        hits = [
            _operand_start(lowered, m.start())
            for c in cues
            if (m := re.search(rf"\b{re.escape(c)}", lowered))
        ]
        if topical and hits:
            out.append(NamedCall(name, None, min(hits)))
    return sorted(out, key=lambda c: c.position)


def _operand_start(text: str, at: int) -> int:
    """Where the clause of an infix word begins: "3 times 9" starts at the 3, so the operands
    keep their order."""
    before = re.search(r"(-?\d[\d,.]*)\s*$", text[:at])
    return before.start() if before else at


def plan(text: str, tool_names: list[str]) -> list[NamedCall]:
    """The calls a question asks for, each with its clause, in the order asked."""
    calls = named_calls(text, tool_names)
    named = {c.name for c in calls}
    calls += [c for c in topic_calls(text, tool_names) if c.name not in named]
    calls.sort(key=lambda c: c.position)
    for i, call in enumerate(calls):
        end = calls[i + 1].position if i + 1 < len(calls) else len(text)
        call.clause = text[call.position : end]
        call.waits = i > 0 and _BACK_REFERENCE.search(call.clause) is not None
    return calls


def split_args(text: str) -> list[str]:
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


def _fit(value: Any, schema: Any) -> tuple[bool, Any]:
    """``value`` or a light conversion of it ("7" ↔ 7) that validates against ``schema``."""
    options = [value]
    if isinstance(value, float) and value.is_integer():
        options.append(int(value))
    if isinstance(value, int | float) and not isinstance(value, bool):
        options.append(str(value))
    if isinstance(value, str):
        options.append(literal(value))
    for option in options:
        if guided.conforms(option, schema):
            return True, option
    return False, None


def explicit_args(schema: Any, call: NamedCall | None) -> dict[str, Any]:
    """What ``name(3, unit="f")`` spells out: keyword arguments by name, the rest by position
    over the parameters not yet given, each kept only if it fits its parameter."""
    if call is None or not call.args_text or not isinstance(schema, dict):
        return {}
    props: dict[str, Any] = schema.get("properties") or {}
    args: dict[str, Any] = {}
    positional: list[Any] = []
    for piece in split_args(call.args_text):
        m = re.match(r"^(\w+)\s*[=:]\s*(.+)$", piece, re.DOTALL)
        if m and m.group(1) in props:
            ok, value = _fit(literal(m.group(2)), props[m.group(1)])
            if ok:
                args[m.group(1)] = value
        else:
            positional.append(literal(piece))
    free = [p for p in props if p not in args]
    for name, value in zip(free, positional, strict=False):
        ok, fitted = _fit(value, props[name])
        if ok:
            args[name] = fitted
    return args


def adversarial_arguments(schema: Any, call: NamedCall | None, key: int) -> dict[str, Any]:
    """Adversarial mode: what the question spells out, edge cases (Hypothesis) for the rest."""
    if not isinstance(schema, dict) or not schema:
        schema = {"type": "object", "properties": {}}
    args = explicit_args(schema, call)
    props: dict[str, Any] = schema.get("properties") or {}
    for name in schema.get("required") or []:
        if name in props and name not in args:
            args[name] = guided.for_schema(props[name], key)
    if guided.conforms(args, schema):
        return args
    value = guided.for_schema(schema, key)
    if not isinstance(value, dict):  # pragma: no cover - parameters describe an object
        raise guided.GenerationError("tool parameters must describe an object")
    return value
