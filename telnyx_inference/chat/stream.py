"""Reading streamed answers: chunk dicts → deltas → one :class:`Completion`.

Everything here is pure: the I/O shells decode the bytes (:class:`~telnyx_inference.transport.sse.SSEDecoder`)
and feed the chunks in::

    decoder, acc = SSEDecoder(), StreamAccumulator()
    for data in byte_chunks:
        for chunk in decoder.feed(data):
            event = acc.feed(chunk)          # StreamEvent with normalised deltas
    completion = acc.finish()               # same type as parse_completion() gives

Tool calls are keyed by the delta's ``index``, a new ``id`` at a known index starts a new call
(vLLM may repeat index 0 for parallel calls) and a call that never gets an id gets one made up,
so each :class:`ToolCallDelta` carries a stable position, with id and name on its first delta only.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from telnyx_inference.chat.response import Choice, Completion, ToolCall, Usage, parse_usage
from telnyx_inference.errors import StreamError, StreamInterruptedError

if TYPE_CHECKING:
    from telnyx_inference.chat.cost import Cost

__all__ = ["ChoiceDelta", "StreamAccumulator", "StreamEvent", "ToolCallDelta"]


@dataclass(slots=True)
class ToolCallDelta:
    index: int
    """Position of the call within its choice: distinct per call, stable across deltas."""
    id: str | None = None
    name: str | None = None
    arguments: str = ""


@dataclass(slots=True)
class ChoiceDelta:
    index: int = 0
    content: str = ""
    reasoning: str = ""
    tool_calls: list[ToolCallDelta] = field(default_factory=list)
    finish_reason: str | None = None
    logprobs: list[dict[str, Any]] | None = None
    role: str | None = None


@dataclass(slots=True)
class StreamEvent:
    """What one chunk added. ``model``/``id`` are set on the first event only."""

    deltas: list[ChoiceDelta]
    usage: Usage | None = None
    model: str | None = None
    id: str | None = None


class _CallBuilder:
    __slots__ = ("arguments", "id", "name", "wire_id")

    def __init__(self, wire_id: str | None, name: str | None) -> None:
        self.wire_id = wire_id
        self.id = wire_id or f"call_{uuid.uuid4().hex[:24]}"
        self.name = name or ""
        self.arguments: list[str] = []


def _starts_new_call(current: _CallBuilder, wire_id: str | None, name: str | None) -> bool:
    """A new id at a known index, or a second name with no ids at all, is another call."""
    if wire_id is not None:
        return wire_id != current.wire_id
    return name is not None and bool(current.name) and name != current.name


class _ChoiceState:
    __slots__ = (
        "by_wire_index",
        "calls",
        "content",
        "finish_reason",
        "last_wire_index",
        "logprobs",
        "reasoning",
    )

    def __init__(self) -> None:
        self.content: list[str] = []
        self.reasoning: list[str] = []
        self.calls: list[_CallBuilder] = []
        self.by_wire_index: dict[int, int] = {}
        self.last_wire_index = 0
        self.finish_reason: str | None = None
        self.logprobs: list[dict[str, Any]] | None = None

    def tool_delta(self, raw: Mapping[str, Any]) -> ToolCallDelta:
        function = raw.get("function") or {}
        wire_id = raw.get("id") or None
        name = function.get("name") or None
        arguments = function.get("arguments") or ""
        if not isinstance(arguments, str):
            arguments = json.dumps(arguments, ensure_ascii=False)
        wire_index = raw.get("index")
        if not isinstance(wire_index, int):  # no index: continue the latest call
            wire_index = self.last_wire_index
        self.last_wire_index = wire_index
        position = self.by_wire_index.get(wire_index)
        current = self.calls[position] if position is not None else None
        if current is None or _starts_new_call(current, wire_id, name):
            current = _CallBuilder(wire_id, name)
            position = len(self.calls)
            self.calls.append(current)
            self.by_wire_index[wire_index] = position
            delta = ToolCallDelta(position, current.id, current.name or None, arguments)
        else:
            delta = ToolCallDelta(self.by_wire_index[wire_index], None, None, arguments)
            if name and not current.name:
                current.name = delta.name = name
        if arguments:
            current.arguments.append(arguments)
        return delta

    def to_choice(self, index: int) -> Choice:
        return Choice(
            index=index,
            content="".join(self.content),
            reasoning="".join(self.reasoning) if self.reasoning else None,
            tool_calls=[ToolCall(c.id, c.name, "".join(c.arguments)) for c in self.calls],
            finish_reason=self.finish_reason,
            logprobs=self.logprobs,
        )


class StreamAccumulator:
    """Turns chunk dicts into normalised deltas and, at the end, one :class:`Completion`."""

    def __init__(self) -> None:
        self._choices: dict[int, _ChoiceState] = {}
        self.id: str | None = None
        self.model: str | None = None
        self.created: int | None = None
        self.system_fingerprint: str | None = None
        self.service_tier: str | None = None
        self.usage: Usage | None = None
        self.cost: Cost | None = None
        """Set by the client once the stream ends (from the catalog's pricing)."""
        self.chunks = 0

    def feed(self, chunk: Mapping[str, Any]) -> StreamEvent:
        """Read one chunk; a chunk of an unexpected shape raises :class:`StreamError`."""
        try:
            return self._feed(chunk)
        except (AttributeError, TypeError, KeyError, IndexError) as exc:
            raise StreamError(
                f"Telnyx sent a stream chunk of an unexpected shape ({exc}): {str(chunk)[:200]}"
            ) from None

    def _feed(self, chunk: Mapping[str, Any]) -> StreamEvent:
        self.chunks += 1
        event = StreamEvent(deltas=[])
        if self.model is None:
            self.id = event.id = chunk.get("id")
            self.model = event.model = chunk.get("model")
            created = chunk.get("created")
            self.created = created if isinstance(created, int) else None
            self.system_fingerprint = chunk.get("system_fingerprint")
            self.service_tier = chunk.get("service_tier")
        usage = chunk.get("usage")
        if usage:
            self.usage = event.usage = parse_usage(usage)
        for raw in chunk.get("choices") or ():
            event.deltas.append(self._choice_delta(raw))
        return event

    def _choice_delta(self, raw: Mapping[str, Any]) -> ChoiceDelta:
        index = raw.get("index", 0)
        if index.__class__ is not int:
            raise TypeError("choice index is not an integer")
        state = self._choices.get(index)
        if state is None:
            state = self._choices[index] = _ChoiceState()
        delta = raw.get("delta") or raw.get("message") or {}
        out = ChoiceDelta(index=index, role=delta.get("role"))
        content = delta.get("content")
        if content:
            if content.__class__ is not str:
                raise TypeError("content is not a string")
            out.content = content
            state.content.append(content)
        reasoning = delta.get("reasoning_content") or delta.get("reasoning")
        if reasoning:
            if reasoning.__class__ is not str:
                raise TypeError("reasoning_content is not a string")
            out.reasoning = reasoning
            state.reasoning.append(reasoning)
        for call in delta.get("tool_calls") or ():
            out.tool_calls.append(state.tool_delta(call))
        logprobs = raw.get("logprobs")
        if logprobs and logprobs.get("content"):
            out.logprobs = logprobs["content"]
            if state.logprobs is None:
                state.logprobs = []
            state.logprobs.extend(out.logprobs)
        finish = raw.get("finish_reason")
        if finish:
            out.finish_reason = state.finish_reason = finish
        return out

    @property
    def finished(self) -> bool:
        """True once every choice seen has a finish reason."""
        return bool(self._choices) and all(s.finish_reason for s in self._choices.values())

    def result(self) -> Completion:
        """The answer so far, as a :class:`Completion`."""
        return Completion(
            id=self.id,
            model=self.model,
            created=self.created,
            choices=[self._choices[i].to_choice(i) for i in sorted(self._choices)],
            usage=self.usage,
            system_fingerprint=self.system_fingerprint,
            service_tier=self.service_tier,
            cost=self.cost,
        )

    def finish(self) -> Completion:
        """The complete answer; raises :class:`StreamInterruptedError` if it was cut short."""
        if not self.finished:
            raise StreamInterruptedError(
                f"the stream ended after {self.chunks} chunks without a finish reason; "
                "the answer is incomplete",
                partial=self.result(),
            )
        return self.result()
