"""The current turn of a conversation, as a tool-using model reads it.

A turn starts at the last user message (ReAct observations, which arrive as user messages,
do not start one). :func:`read` collects the question, the tool calls made since with their
arguments and results, older messages and system text. Two protocols are understood:
OpenAI-style ``tool_calls`` / ``tool`` messages, and the ReAct text protocol that LlamaIndex's
``ReActAgent`` describes in its system prompt (``Action: <tool>`` / ``Action Input: {json}``
answered by ``Observation: …``), whose tools are read from that prompt.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

_REACT_MARKERS = ("Action Input:", "Observation:", "Answer:")
_REACT_TOOL = re.compile(
    r"^> Tool Name: (?P<name>[^\n]+)\n.*?^Tool Args: (?P<args>\{[^\n]*\})", re.DOTALL | re.MULTILINE
)
_REACT_ACTION = re.compile(
    r"^Action:\s*([^\n(]+?)\s*$.*?^Action Input:\s*(\{.*\})", re.DOTALL | re.MULTILINE
)
OBSERVATION = "Observation:"


def text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(
            str(p.get("text") or "")
            for p in content
            if isinstance(p, dict) and p.get("type") == "text"
        )
    return ""


@dataclass
class ToolCall:
    name: str
    args: dict[str, Any]
    call_id: str | None = None
    result: str | None = None


@dataclass
class Turn:
    question: str = ""
    calls: list[ToolCall] = field(default_factory=list)
    history: list[str] = field(default_factory=list)
    """Older user and tool texts, most recent first."""
    earlier_user: list[str] = field(default_factory=list)
    earlier_tools: list[str] = field(default_factory=list)
    """Tools called in the previous turn, for follow-ups ("And in Paris?")."""
    system: list[str] = field(default_factory=list)
    react_tools: dict[str, Any] | None = None
    """Tool name → parameters schema when the request speaks ReAct; None otherwise."""
    final_answer: str | None = None
    """The answer already given, when the question is a transcript to format (LlamaIndex's
    ``output_cls`` step sends the finished conversation as one ``<current_conversation>``)."""

    @property
    def results(self) -> list[ToolCall]:
        return [c for c in self.calls if c.result is not None]

    @property
    def answered(self) -> bool:
        return bool(self.calls) and all(c.result is not None for c in self.calls)


def react_tools(system: str) -> dict[str, Any] | None:
    if not all(marker in system for marker in _REACT_MARKERS) or "Thought:" not in system:
        return None
    tools: dict[str, Any] = {}
    for m in _REACT_TOOL.finditer(system):
        try:
            schema = json.loads(m.group("args"))
        except ValueError:
            schema = {"type": "object", "properties": {}}
        tools[m.group("name").strip()] = schema if isinstance(schema, dict) else {}
    return tools


def _args(raw: Any) -> dict[str, Any]:
    """Arguments as sent: a dict, JSON text, or (ReAct history) a Python dict's repr."""
    if isinstance(raw, dict):
        return raw
    for parse in (json.loads, _python_literal):
        try:
            value = parse(raw or "{}")
        except (TypeError, ValueError, RecursionError):
            continue
        return value if isinstance(value, dict) else {}
    return {}


_PY_TOKEN = re.compile(r""""((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|\b(True|False|None)\b""")
_PY_WORDS = {"True": "true", "False": "false", "None": "null"}
_PY_BYTE_ESCAPE = re.compile(r"(?<!\\)((?:\\\\)*)\\x([0-9a-fA-F]{2})")


def _python_literal(text: str) -> Any:
    """A Python dict's repr read as JSON: strings in either quote (repr double-quotes a
    value holding an apostrophe), ``\\xHH`` escapes and True / False / None rewritten. (Not
    ``ast.literal_eval``: on CPython 3.11 the ast module is not thread-safe, gh-106905, and
    this runs on the emulator's thread beside the user's code.)"""

    def swap(m: re.Match[str]) -> str:
        if m.group(3):
            return _PY_WORDS[m.group(3)]
        if m.group(1) is not None:
            inner = m.group(1)
        else:
            inner = m.group(2).replace("\\'", "'").replace('"', '\\"')
        return '"' + _PY_BYTE_ESCAPE.sub(r"\1\\u00\2", inner) + '"'

    return json.loads(_PY_TOKEN.sub(swap, text))


_TRANSCRIPT = re.compile(r"<current_conversation>(.*?)</current_conversation>", re.DOTALL)
_TRANSCRIPT_TURN = re.compile(r"<(user|assistant|tool|system)>(.*?)</\1>", re.DOTALL)
_TRANSCRIPT_MESSAGE = re.compile(r"<message>(.*?)</message>", re.DOTALL)


def _transcript(turn: Turn) -> None:
    """Read a conversation handed over as text: its last user message is the question, its
    tool messages the results, its last assistant text the answer."""
    m = _TRANSCRIPT.search(turn.question)
    if m is None:
        return
    inner: list[tuple[str, str]] = [
        (t.group(1), " ".join(x.strip() for x in _TRANSCRIPT_MESSAGE.findall(t.group(2))))
        for t in _TRANSCRIPT_TURN.finditer(m.group(1))
    ]
    users = [i for i, (role, _) in enumerate(inner) if role == "user"]
    if not users:
        return
    turn.question = inner[users[-1]][1]
    turn.history = [text for role, text in inner[: users[-1]] if role in ("user", "tool")][::-1]
    for role, text in inner[users[-1] + 1 :]:
        if role == "tool":
            turn.calls.append(ToolCall("tool", {}, None, text))
        elif role == "assistant" and text:
            turn.final_answer = text


def read(messages: list[dict[str, Any]]) -> Turn:
    turn = Turn()
    system = [text_of(m.get("content")) for m in messages if m.get("role") == "system"]
    react = next((t for s in system if (t := react_tools(s)) is not None), None)
    turn.react_tools = react
    turn.system = [s for s in system if react_tools(s) is None]

    def is_question(m: dict[str, Any]) -> bool:
        return m.get("role") == "user" and not (
            react is not None and text_of(m.get("content")).lstrip().startswith(OBSERVATION)
        )

    start = max((i for i, m in enumerate(messages) if is_question(m)), default=-1)
    if start >= 0:
        turn.question = text_of(messages[start].get("content"))
    previous_turn = True
    for m in reversed(messages[: max(start, 0)]):
        if previous_turn and m.get("role") == "assistant":
            names = [str((c.get("function") or {}).get("name")) for c in m.get("tool_calls") or []]
            turn.earlier_tools[:0] = names
        if is_question(m):
            previous_turn = False
        if m.get("role") in ("user", "tool"):
            text = text_of(m.get("content"))
            turn.history.append(text)
            if m.get("role") == "user":
                turn.earlier_user.append(text)
    for m in messages[start + 1 :]:
        role, text = m.get("role"), text_of(m.get("content"))
        if role == "assistant":
            for raw in m.get("tool_calls") or []:
                fn = raw.get("function") or {}
                turn.calls.append(
                    ToolCall(str(fn.get("name")), _args(fn.get("arguments")), raw.get("id"))
                )
            if react is not None and (action := _REACT_ACTION.search(text)):
                turn.calls.append(ToolCall(action.group(1).strip(), _args(action.group(2))))
        elif role == "tool":
            _answer(turn, m.get("tool_call_id"), text)
        elif role == "user" and react is not None:
            _answer(turn, None, text.lstrip()[len(OBSERVATION) :].strip())
    if not turn.calls:
        _transcript(turn)
    return turn


def _answer(turn: Turn, call_id: Any, text: str) -> None:
    pending = [c for c in turn.calls if c.result is None]
    match = next((c for c in pending if call_id and c.call_id == call_id), None)
    match = match or (pending[0] if pending else None)
    if match is not None:
        match.result = text
