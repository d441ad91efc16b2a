"""What a tool-using model does next in this turn: which calls, with which arguments.

The question's planned calls (:func:`.toolargs.plan`) that were not made yet in this turn
are made now, in parallel (one at a time for ReAct, whose format holds one action). A call
whose clause points back at an earlier result waits until that result is in, and takes it as
its first value. A follow-up ("And in Paris?") calls the previous turn's tools again. When nothing is left to call, ``tool_choice="required"`` calls the tool the
conversation fills best that was not called yet — after tool results, a structured-response
tool (``WeatherReport``) first: this is how LangChain's tool strategy finishes. Otherwise
the model answers in text. No call answered in this turn is ever made again on its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from telnyx_inference.emulator.model import toolargs, values
from telnyx_inference.emulator.model.evidence import Evidence
from telnyx_inference.emulator.model.turns import ToolCall, Turn

_FOLLOW_UP = re.compile(r"\s*(?:and|what about|how about|same for|also)\b", re.IGNORECASE)
"""A question that asks the previous turn's tools again, with new values."""


@dataclass
class Call:
    name: str
    args: dict[str, Any]


@dataclass
class Situation:
    """One request, as the planner needs it."""

    turn: Turn
    tools: dict[str, Any]
    """Tool name → parameters schema."""
    tool_choice: Any
    context: list[str]
    """Other texts, most relevant first: retrieved chunks, context, history."""
    answer: str
    """The text reply, for free-text fields of a finishing tool."""
    adversarial: bool = False

    def evidence(self, first: list[str], named: dict[str, list[Any]] | None = None) -> Evidence:
        # Tool results before the question: after a tool round, "6 times 7" were the inputs
        # and "42" is what the answer is about.
        results = [c.result or "" for c in reversed(self.turn.results)]
        texts = [t for t in [*first, *results, self.turn.question, *self.context] if t]
        documents = frozenset([*results, *self.context]) - {self.turn.question, *first}
        return Evidence.build(texts, named, self.answer, frozenset(self.tools), documents)


def _pending(planned: list[toolargs.NamedCall], made: list[ToolCall]) -> list[toolargs.NamedCall]:
    consumed: set[int] = set()
    pending = []
    for call in planned:
        hit = next(
            (i for i, m in enumerate(made) if i not in consumed and m.name == call.name), None
        )
        if hit is None:
            pending.append(call)
        else:
            consumed.add(hit)
    return pending


def next_calls(s: Situation, key: int, react: bool = False) -> list[Call]:
    if not s.tools or s.tool_choice == "none":
        return []
    planned = toolargs.plan(s.turn.question, list(s.tools))
    if not planned and _FOLLOW_UP.match(s.turn.question):
        again = [n for n in dict.fromkeys(s.turn.earlier_tools) if n in s.tools]
        again = [n for n in again if not toolargs.is_schema_tool(n)]
        planned = [toolargs.NamedCall(n, None, 0, s.turn.question) for n in again]
    ready: list[toolargs.NamedCall] = []
    for call in _pending(planned, s.turn.calls):
        if call.waits and (ready or not s.turn.answered):
            break
        ready.append(call)
    if react:
        ready = ready[:1]
    if ready:
        return [_planned(s, call, key + i) for i, call in enumerate(ready)]
    if s.tool_choice == "required" and not react:
        return [_finish(s, key)]
    return []


def _planned(s: Situation, call: toolargs.NamedCall, key: int) -> Call:
    schema = s.tools[call.name]
    if s.adversarial:
        return Call(call.name, toolargs.adversarial_arguments(schema, call, key))
    explicit = toolargs.explicit_args(schema, call)
    first = [call.clause]
    if call.waits and s.turn.results:
        first.insert(0, s.turn.results[-1].result or "")
    ev = s.evidence(first, {k: [v] for k, v in explicit.items()})
    return Call(call.name, _object(values.fill(_params(schema), ev, key)[0]))


def _finish(s: Situation, key: int) -> Call:
    made = {c.name for c in s.turn.calls}
    names = [n for n in s.tools if n not in made] or list(s.tools)
    if s.adversarial:
        return Call(names[0], toolargs.adversarial_arguments(s.tools[names[0]], None, key))
    named: dict[str, list[Any]] = {}
    for c in s.turn.calls:
        for k, v in c.args.items():
            named.setdefault(k, []).append(v)
    best: tuple[tuple[bool, int, int], Call] | None = None
    for i, name in enumerate(names):
        ev = s.evidence([], named)
        value, hits = values.fill(_params(s.tools[name]), ev, key)
        rank = (toolargs.is_schema_tool(name) and bool(s.turn.results), hits, -i)
        if best is None or rank > best[0]:
            best = (rank, Call(name, _object(value)))
    assert best is not None
    return best[1]


def _params(schema: Any) -> Any:
    return schema if isinstance(schema, dict) and schema else {"type": "object", "properties": {}}


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
