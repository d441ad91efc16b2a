"""Streaming: the same answer as without streaming, tool calls keyed by index, O(1) per chunk."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

from llama_index.core.base.llms.types import ChatMessage, ToolCallBlock

from llama_index_telnyx import Telnyx
from llama_index_telnyx._stream import CompletionView, StreamReader
from telnyx_inference.emulator import Emulator, ScriptedReply

HELLO = [ChatMessage(role="user", content="Hello there")]
CALLS = [
    {"id": "call_a", "name": "add", "arguments": {"a": 1, "b": 2}},
    {"id": "call_b", "name": "multiply", "arguments": {"a": 3, "b": 4}},
]


def test_streamed_answer_equals_the_non_streamed_one(llm: Telnyx, emu: Emulator) -> None:
    for reply in (
        ScriptedReply(content="Plain text answer."),
        ScriptedReply(content="Calling.", tool_calls=CALLS),
        ScriptedReply(tool_calls=CALLS[:1]),
        ScriptedReply(content=""),
    ):
        emu.script(reply, reply)
        done = llm.chat(HELLO)
        last = list(llm.stream_chat(HELLO))[-1]
        assert last.message == done.message
        assert last.additional_kwargs == done.additional_kwargs
        assert last.raw.choices == done.raw.choices  # the same Completion type, accumulated
        assert last.raw.usage == done.raw.usage


def test_every_chunk_has_its_own_message(llm: Telnyx, emu: Emulator) -> None:
    emu.script(ScriptedReply(content="a b c d"))
    seen = list(llm.stream_chat(HELLO))
    assert len({id(r.message) for r in seen}) == len(seen)
    # read after the stream ended, each message is still the text so far at its chunk
    running = ""
    for response in seen[:-1]:
        running += response.delta or ""
        assert response.message.content == running


def test_streamed_tool_calls_with_partial_arguments(llm: Telnyx, emu: Emulator) -> None:
    emu.script(ScriptedReply(tool_calls=CALLS))
    responses = list(llm.stream_chat(HELLO))
    partial = [
        b.tool_kwargs
        for r in responses[:-1]
        for b in r.message.blocks
        if isinstance(b, ToolCallBlock)
    ]
    assert partial
    final = [b for b in responses[-1].message.blocks if isinstance(b, ToolCallBlock)]
    assert [(b.tool_call_id, b.tool_name, b.tool_kwargs) for b in final] == [
        ("call_a", "add", {"a": 1, "b": 2}),
        ("call_b", "multiply", {"a": 3, "b": 4}),
    ]
    wire = responses[-1].message.additional_kwargs["tool_calls"]
    assert [c["function"]["arguments"] for c in wire] == ['{"a": 1, "b": 2}', '{"a": 3, "b": 4}']


def _chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    return {
        "id": "x",
        "model": "m",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


def _tool_delta(
    index: int, arguments: str, id: str | None = None, name: str | None = None
) -> dict[str, Any]:
    call: dict[str, Any] = {"index": index, "function": {"arguments": arguments}}
    if id:
        call["id"] = id
        call["type"] = "function"
        call["function"]["name"] = name
    return {"tool_calls": [call]}


def _read(chunks: list[dict[str, Any]]) -> StreamReader:
    reader = StreamReader()
    for chunk in chunks:
        reader.feed(reader.accumulator.feed(chunk))
    reader.accumulator.finish()
    return reader


def test_vllm_repeated_index_zero_with_new_ids_gives_two_calls() -> None:
    reader = _read(
        [
            _chunk({"role": "assistant", "content": ""}),
            _chunk(_tool_delta(0, '{"a":', id="c1", name="add")),
            _chunk(_tool_delta(0, " 1}")),
            _chunk(_tool_delta(0, '{"x":', id="c2", name="neg")),
            _chunk(_tool_delta(0, " 5}")),
            _chunk({}, finish="tool_calls"),
        ]
    )
    message = reader.finish().message
    calls = [(b.tool_call_id, b.tool_name, b.tool_kwargs) for b in message.blocks]
    assert calls == [("c1", "add", {"a": 1}), ("c2", "neg", {"x": 5})]


def test_unparsable_final_arguments_are_kept_not_dropped() -> None:
    reader = _read(
        [_chunk(_tool_delta(0, '{"a": 1', id="c1", name="add")), _chunk({}, finish="length")]
    )
    block = reader.finish().message.blocks[0]
    assert isinstance(block, ToolCallBlock)
    assert block.tool_kwargs == '{"a": 1'


# -- constant cost per chunk ----------------------------------------------------------------


def _content_chunks(n: int) -> Iterator[dict[str, Any]]:
    yield _chunk({"role": "assistant", "content": ""})
    for i in range(n):
        yield _chunk({"content": f"w{i % 10} "})
    yield _chunk({}, finish="stop")


def _calls_per_chunk(n: int, completion: bool) -> float:
    """Python and C calls made per chunk by the reader (and the core's accumulator)."""
    reader = StreamReader()
    view = CompletionView(reader)
    chunks = list(_content_chunks(n))
    count = 0

    def profile(frame: Any, event: str, arg: Any) -> None:
        nonlocal count
        if event in ("call", "c_call"):
            count += 1

    sys.setprofile(profile)
    try:
        for chunk in chunks:
            response = reader.feed(reader.accumulator.feed(chunk))
            if completion and response is not None:
                view(response)
    finally:
        sys.setprofile(None)
    assert reader.message.content == "".join(f"w{i % 10} " for i in range(n))
    return count / n


def test_work_per_chunk_does_not_grow_with_the_answer() -> None:
    for completion in (False, True):
        small = _calls_per_chunk(200, completion)
        large = _calls_per_chunk(20_000, completion)
        assert large <= small * 1.02, (small, large)


def test_a_long_stream_through_the_whole_stack(llm: Telnyx, emu: Emulator) -> None:
    emu.set_fixed(True, chunks=2000)
    try:
        responses = list(llm.stream_chat(HELLO))
    finally:
        emu.set_fixed(False)
    assert len(responses) >= 2000
    assert responses[-1].message.content == "".join(r.delta or "" for r in responses)
