"""Streamed answers as LlamaIndex responses, at a constant cost per chunk.

Every ``ChatResponse`` of one stream carries the same ``ChatMessage``, updated in place: read
``delta`` for what is new and ``message`` for the answer so far. The texts inside it (answer,
reasoning, tool-call arguments) grow through :class:`GrowingText`, which extends the string
in place instead of copying everything received so far on every chunk.
"""

from __future__ import annotations

from typing import Any

from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    CompletionResponse,
    MessageRole,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
)

from llama_index_telnyx._response import (
    order_blocks,
    response_kwargs,
    to_logprobs,
    tool_kwargs,
)
from telnyx_inference.stream import StreamAccumulator, StreamEvent, ToolCallDelta

__all__ = ["CompletionView", "GrowingText", "StreamReader"]

_Slot = tuple[dict[str, Any], str]


class GrowingText:
    """A string that several objects show, extended in O(len(piece)).

    CPython extends a ``str`` in place when nothing else refers to it. So for the moment of
    an append every slot that shows the text (a block's ``text``, a dict's ``arguments``…) is
    blanked, and afterwards pointed at the longer string. Whoever kept the old value keeps
    it unchanged: the append then copies, exactly as ``+`` would.
    """

    __slots__ = ("_value", "latest", "slots")

    def __init__(self, *slots: _Slot) -> None:
        self.slots: list[_Slot] = list(slots)
        self.latest: dict[str, Any] | None = None
        """One more holder that changes per response (a ``CompletionResponse``'s fields)."""
        self._value = ""

    @property
    def value(self) -> str:
        return self._value

    def append(self, piece: str) -> None:
        latest = self.latest
        for holder, key in self.slots:
            holder[key] = ""
        if latest is not None:
            latest["text"] = ""
        value = self._value
        self._value = ""
        value += piece  # in place when `value` is the only reference
        self._value = value
        for holder, key in self.slots:
            holder[key] = value
        if latest is not None:
            latest["text"] = value


class _Call:
    __slots__ = ("arguments", "block", "function", "wire")

    def __init__(self, delta: ToolCallDelta) -> None:
        self.block = ToolCallBlock(
            tool_call_id=delta.id, tool_name=delta.name or "", tool_kwargs=""
        )
        self.function: dict[str, str] = {"name": delta.name or "", "arguments": ""}
        self.wire = {"id": delta.id, "type": "function", "function": self.function}
        self.arguments = GrowingText(
            (self.block.__dict__, "tool_kwargs"), (self.function, "arguments")
        )


class StreamReader:
    """Feeds on the core's stream events; yields responses that share one message.

    ::

        reader = StreamReader()
        for event in client.stream_chat(body, accumulator=reader.accumulator):
            response = reader.feed(event)   # None when the chunk added nothing to choice 0
        final = reader.finish()             # tool arguments parsed, usage, raw=Completion
    """

    __slots__ = ("_calls", "_thinking", "accumulator", "message", "text")

    def __init__(self) -> None:
        self.accumulator = StreamAccumulator()
        self.message = ChatMessage(role=MessageRole.ASSISTANT)
        self.text = GrowingText()
        self._thinking: GrowingText | None = None
        self._calls: list[_Call] = []

    def feed(self, event: StreamEvent) -> ChatResponse | None:
        for delta in event.deltas:
            if delta.index != 0:
                continue  # further choices (n > 1) are in `raw` and the final completion
            thinking = delta.reasoning
            if not (delta.content or thinking or delta.tool_calls or delta.logprobs):
                return None
            if delta.content:
                self._add_text(delta.content)
            if thinking:
                self._add_thinking(thinking)
            for call in delta.tool_calls:
                self._add_call(call)
            return ChatResponse(
                message=self.message,
                delta=delta.content,
                raw=event,
                logprobs=to_logprobs(delta.logprobs) if delta.logprobs else None,
                additional_kwargs={"thinking_delta": thinking} if thinking else {},
            )
        return None

    def _add_text(self, piece: str) -> None:
        if not self.text.slots:
            block = TextBlock(text="")
            self.message.blocks.append(block)
            self.text.slots.append((block.__dict__, "text"))
        self.text.append(piece)

    def _add_thinking(self, piece: str) -> None:
        if self._thinking is None:
            block = ThinkingBlock(content="")
            self.message.blocks.append(block)
            self._thinking = GrowingText((block.__dict__, "content"))
        self._thinking.append(piece)

    def _add_call(self, delta: ToolCallDelta) -> None:
        if delta.index >= len(self._calls):
            call = _Call(delta)
            self._calls.append(call)
            self.message.blocks.append(call.block)
            self.message.additional_kwargs.setdefault("tool_calls", []).append(call.wire)
        else:
            call = self._calls[delta.index]
            if delta.name and not call.block.tool_name:
                call.block.tool_name = call.function["name"] = delta.name
        if delta.arguments:
            call.arguments.append(delta.arguments)

    def finish(self) -> ChatResponse:
        """The last response: the finished message, usage, logprobs, ``raw`` = the Completion."""
        completion = self.accumulator.result()
        usage = completion.usage
        message = self.message
        for call in self._calls:
            call.block.tool_kwargs = tool_kwargs(call.arguments.value)
        if self._thinking is not None and usage is not None:
            for block in message.blocks:
                if isinstance(block, ThinkingBlock):
                    block.num_tokens = usage.reasoning_tokens
        if not self.text.slots and not self._calls:
            message.blocks.append(TextBlock(text=""))
        message.blocks = order_blocks(message.blocks)
        return ChatResponse(
            message=message,
            delta="",
            raw=completion,
            logprobs=to_logprobs(completion.first.logprobs),
            additional_kwargs=response_kwargs(completion),
        )


class CompletionView:
    """Turns a reader's chat responses into ``CompletionResponse``s whose ``text`` also grows
    in place (the newest response is registered as one more holder of the text)."""

    __slots__ = ("_text",)

    def __init__(self, reader: StreamReader) -> None:
        self._text = reader.text

    def __call__(self, response: ChatResponse) -> CompletionResponse:
        out = CompletionResponse(
            text=self._text.value,
            delta=response.delta,
            raw=response.raw,
            logprobs=response.logprobs,
            additional_kwargs=response.additional_kwargs,
        )
        self._text.latest = out.__dict__
        return out
