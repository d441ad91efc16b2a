"""Core stream events → LangChain ``ChatGenerationChunk``\\ s, shared by sync and async streams.

LangChain adds chunks together with ``merge_dicts``, which concatenates equal strings, so
string metadata must appear once: ``model_name`` and ``finish_reason`` ride on the chunk that
carries the finish reason, usage on the usage chunk, the cost on the last chunk, the response
id and ``model_provider`` on the first chunk. With ``output_version="v1"`` LangChain converts every chunk to content blocks,
so then every chunk names the provider (merged as one value), and this package's translator
(see ``_blocks``) does the conversion. Tool-call fragments keep the core's distinct ``index`` per call, with the name
on the first fragment only. The translator holds each chunk back until the next arrives so
that the final one can be marked ``chunk_position="last"`` without an extra empty chunk.

Only the first choice is streamed (a LangChain stream is one message); ask for ``n`` > 1
without streaming to get several generations.
"""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessageChunk
from langchain_core.messages.tool import ToolCallChunk
from langchain_core.outputs import ChatGenerationChunk

from langchain_telnyx._response import PROVIDER, REASONING_KEY, usage_metadata
from telnyx_inference.chat.cost import Cost
from telnyx_inference.chat.stream import ChoiceDelta, StreamEvent

__all__ = ["ChunkTranslator"]


class ChunkTranslator:
    """Feed every event with :meth:`feed`, then take the final chunk from :meth:`finish`."""

    __slots__ = ("_every_chunk", "_held", "_id", "_model", "_started")

    def __init__(self, *, provider_on_every_chunk: bool = False) -> None:
        self._held: ChatGenerationChunk | None = None
        self._model: str | None = None
        self._id: str | None = None
        self._started = False
        self._every_chunk = provider_on_every_chunk

    def feed(self, event: StreamEvent) -> ChatGenerationChunk | None:
        """Translate one event; return the chunk that is now safe to hand out, if any."""
        if event.model is not None:
            self._model = event.model
            self._id = event.id
        delta = _first_choice(event.deltas)
        message = self._message(delta, event)
        if message is None:
            return None
        ready = self._held
        # The chunk's text is its content (always a string here), so the validator that
        # would derive it can be skipped: this runs once per streamed token.
        self._held = ChatGenerationChunk.model_construct(message=message, text=message.content)
        return ready

    def finish(self, cost: Cost | None = None) -> ChatGenerationChunk:
        """The last chunk, marked ``chunk_position="last"``, with the answer's ``cost``."""
        held = self._held
        self._held = None
        if held is None:
            message = AIMessageChunk(
                content="", chunk_position="last", response_metadata={"model_provider": PROVIDER}
            )
            self._stamp_first(message)
            held = ChatGenerationChunk(message=message)
        last = held.message
        if isinstance(last, AIMessageChunk):
            last.chunk_position = "last"
        if cost is not None:
            last.response_metadata["cost"] = cost.metadata()
        return held

    def _stamp_first(self, message: AIMessageChunk) -> None:
        self._started = True
        message.response_metadata["model_provider"] = PROVIDER
        if self._id:
            message.id = self._id

    def _message(self, delta: ChoiceDelta | None, event: StreamEvent) -> AIMessageChunk | None:
        metadata: dict[str, Any] = {"model_provider": PROVIDER} if self._every_chunk else {}
        fields: dict[str, Any] = {}
        content = ""
        if delta is not None:
            content = delta.content
            if delta.reasoning:
                fields["additional_kwargs"] = {REASONING_KEY: delta.reasoning}
            if delta.tool_calls:
                fields["tool_call_chunks"] = [
                    ToolCallChunk(
                        name=call.name,
                        args=call.arguments,
                        id=call.id,
                        index=call.index,
                        type="tool_call_chunk",
                    )
                    for call in delta.tool_calls
                ]
            if delta.finish_reason:
                metadata["finish_reason"] = delta.finish_reason
                metadata["model_name"] = self._model
            if delta.logprobs:
                metadata["logprobs"] = {"content": delta.logprobs}
        if event.usage is not None:
            fields["usage_metadata"] = usage_metadata(event.usage)
        if not content and not fields and len(metadata) == (1 if self._every_chunk else 0):
            return None  # an empty delta: the role chunk, a keep-alive
        if metadata:
            fields["response_metadata"] = metadata
        message = AIMessageChunk(content=content, **fields)
        if not self._started:
            self._stamp_first(message)
        return message


def _first_choice(deltas: list[ChoiceDelta]) -> ChoiceDelta | None:
    if not deltas:
        return None
    first = deltas[0]
    if first.index == 0:
        return first
    for delta in deltas:
        if delta.index == 0:
            return delta
    return None
