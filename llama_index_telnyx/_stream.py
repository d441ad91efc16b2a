"""Streamed answers as LlamaIndex responses.

Every response is a snapshot: its ``message`` holds the answer as it stood when it was
yielded and never changes afterwards, so a kept response (a list of them, an agent's
history) reads the same later. ``delta`` is what the chunk added. Parts that did not change
in a chunk (the reasoning while text arrives, finished tool calls) are shared between
snapshots; they are never modified once yielded.

Responses are built without pydantic's per-field validation (see :func:`_built`): every
field is set here from values this module made, and a stream builds one message per chunk.
"""

from __future__ import annotations

from typing import Any, TypeVar

from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    CompletionResponse,
    MessageRole,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
)
from pydantic import BaseModel

from llama_index_telnyx._response import assistant_message, response_kwargs, to_logprobs
from telnyx_inference.chat.stream import StreamAccumulator, StreamEvent, ToolCallDelta

__all__ = ["CompletionView", "StreamReader"]

_M = TypeVar("_M", bound=BaseModel)
_set = object.__setattr__


def _built(cls: type[_M], fields: dict[str, Any]) -> _M:
    """An instance of ``cls`` from a complete set of already valid field values.

    What ``model_construct`` does, without its per-field default handling, which costs
    more than the rest of reading a chunk.
    """
    if len(fields) != len(cls.model_fields):  # a field this module does not know yet
        for name, info in cls.model_fields.items():
            if name not in fields:
                fields[name] = info.get_default(call_default_factory=True)
    obj = cls.__new__(cls)
    _set(obj, "__dict__", fields)
    _set(obj, "__pydantic_fields_set__", set(fields))
    _set(obj, "__pydantic_extra__", None)
    _set(obj, "__pydantic_private__", None)
    return obj


class _Call:
    """One streamed tool call: its arguments so far, and its latest (immutable) snapshot."""

    __slots__ = ("arguments", "block", "id", "name", "wire")

    def __init__(self, delta: ToolCallDelta) -> None:
        self.id = delta.id
        self.name = delta.name or ""
        self.arguments = ""
        self.block: ToolCallBlock | None = None
        self.wire: dict[str, Any] | None = None

    def snapshot(self) -> tuple[ToolCallBlock, dict[str, Any]]:
        if self.block is None or self.wire is None:
            self.block = _built(
                ToolCallBlock,
                {
                    "block_type": "tool_call",
                    "tool_call_id": self.id,
                    "tool_name": self.name,
                    "tool_kwargs": self.arguments,
                },
            )
            self.wire = {
                "id": self.id,
                "type": "function",
                "function": {"name": self.name, "arguments": self.arguments},
            }
        return self.block, self.wire


class StreamReader:
    """Feeds on the core's stream events; yields one snapshot response per useful chunk.

    ::

        reader = StreamReader()
        for event in client.stream_chat(body, accumulator=reader.accumulator):
            response = reader.feed(event)   # None when the chunk added nothing to choice 0
        final = reader.finish()             # tool arguments parsed, usage, raw=Completion

    With ``first_call_only`` only the first tool call is kept (LlamaIndex's
    ``allow_parallel_tool_calls=False``), in every snapshot and in the final message.
    """

    __slots__ = (
        "_calls",
        "_first_call_only",
        "_text_block",
        "_thinking",
        "_thinking_block",
        "accumulator",
        "message",
        "text",
    )

    def __init__(self, *, first_call_only: bool = False) -> None:
        self.accumulator = StreamAccumulator()
        self.message = ChatMessage(role=MessageRole.ASSISTANT)
        """The latest snapshot (the final message once :meth:`finish` ran)."""
        self.text = ""
        """The answer's text so far."""
        self._thinking = ""
        self._text_block: TextBlock | None = None
        self._thinking_block: ThinkingBlock | None = None
        self._calls: list[_Call] = []
        self._first_call_only = first_call_only

    def feed(self, event: StreamEvent) -> ChatResponse | None:
        for delta in event.deltas:
            if delta.index != 0:
                continue  # further choices (n > 1) are in `raw` and the final completion
            thinking = delta.reasoning
            if not (delta.content or thinking or delta.tool_calls or delta.logprobs):
                return None
            if delta.content:
                self.text += delta.content
                self._text_block = None
            if thinking:
                self._thinking += thinking
                self._thinking_block = None
            for call in delta.tool_calls:
                self._add_call(call)
            self.message = self._snapshot()
            return _built(
                ChatResponse,
                {
                    "message": self.message,
                    "raw": event,
                    "delta": delta.content,
                    "logprobs": to_logprobs(delta.logprobs) if delta.logprobs else None,
                    "additional_kwargs": {"thinking_delta": thinking} if thinking else {},
                },
            )
        return None

    def _add_call(self, delta: ToolCallDelta) -> None:
        if self._first_call_only and delta.index > 0:
            return
        if delta.index >= len(self._calls):
            self._calls.append(_Call(delta))
        call = self._calls[delta.index]
        if delta.name and not call.name:
            call.name = delta.name
            call.block = None
        if delta.arguments:
            call.arguments += delta.arguments
            call.block = None

    def _snapshot(self) -> ChatMessage:
        blocks: list[Any] = []
        if self._thinking:
            if self._thinking_block is None:
                self._thinking_block = _built(
                    ThinkingBlock,
                    {
                        "block_type": "thinking",
                        "content": self._thinking,
                        "num_tokens": None,
                        "additional_information": {},
                    },
                )
            blocks.append(self._thinking_block)
        if self.text:
            if self._text_block is None:
                self._text_block = _built(TextBlock, {"block_type": "text", "text": self.text})
            blocks.append(self._text_block)
        extra: dict[str, Any] = {}
        if self._calls:
            wires = []
            for call in self._calls:
                block, wire = call.snapshot()
                blocks.append(block)
                wires.append(wire)
            extra["tool_calls"] = wires
        return _built(
            ChatMessage,
            {"role": MessageRole.ASSISTANT, "additional_kwargs": extra, "blocks": blocks},
        )

    def finish(self) -> ChatResponse:
        """The last response: the finished message (as a non-streamed answer would have it),
        usage, logprobs, ``raw`` = the Completion."""
        completion = self.accumulator.result()
        choice = completion.first
        calls = choice.tool_calls[:1] if self._first_call_only else choice.tool_calls
        usage = completion.usage
        self.message = assistant_message(
            choice.content,
            choice.reasoning,
            calls,
            usage.reasoning_tokens if usage is not None else None,
        )
        return ChatResponse(
            message=self.message,
            delta="",
            raw=completion,
            logprobs=to_logprobs(choice.logprobs),
            additional_kwargs=response_kwargs(completion),
        )


class CompletionView:
    """Turns a reader's chat responses into ``CompletionResponse`` snapshots."""

    __slots__ = ("_reader",)

    def __init__(self, reader: StreamReader) -> None:
        self._reader = reader

    def __call__(self, response: ChatResponse) -> CompletionResponse:
        return _built(
            CompletionResponse,
            {
                "text": self._reader.text,
                "additional_kwargs": response.additional_kwargs,
                "raw": response.raw,
                "logprobs": response.logprobs,
                "delta": response.delta,
            },
        )
