"""What a stream yielded stays as it was; allow_parallel_tool_calls=False holds when
streaming too (stream_chat_with_tools, FunctionAgent)."""

from __future__ import annotations

import itertools

from llama_index.core.agent.workflow import FunctionAgent, ToolCall, ToolCallResult
from llama_index.core.base.llms.types import ChatMessage, ChatResponse, ToolCallBlock
from llama_index.core.tools import FunctionTool

from llama_index_telnyx import Telnyx
from telnyx_inference.emulator import Emulator, ScriptedReply

HELLO = [ChatMessage(role="user", content="Hello there")]
CALLS = [
    {"id": "call_a", "name": "add", "arguments": {"a": 1, "b": 2}},
    {"id": "call_b", "name": "multiply", "arguments": {"a": 3, "b": 4}},
]


def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


def multiply(a: int, b: int) -> int:
    """Multiply two integers."""
    return a * b


TOOLS = [FunctionTool.from_defaults(add), FunctionTool.from_defaults(multiply)]


def _prefixes(text: str, pieces: list[str]) -> list[str]:
    out, so_far = [], ""
    for piece in pieces:
        so_far += piece
        out.append(so_far)
    assert so_far == text
    return out


def test_stream_complete_keeps_what_it_yielded(llm: Telnyx, emu: Emulator) -> None:
    emu.script(ScriptedReply(content="ab cd ef gh"))
    kept = list(llm.stream_complete("hi"))
    deltas = [r.delta or "" for r in kept]
    assert [r.text for r in kept] == _prefixes("ab cd ef gh", deltas)


async def test_astream_complete_keeps_what_it_yielded(llm: Telnyx, emu: Emulator) -> None:
    emu.script(ScriptedReply(content="one two three four"))
    kept = [r async for r in await llm.astream_complete("hi")]
    deltas = [r.delta or "" for r in kept]
    assert [r.text for r in kept] == _prefixes("one two three four", deltas)


def test_stream_chat_keeps_what_it_yielded(llm: Telnyx, emu: Emulator) -> None:
    emu.script(ScriptedReply(content="Calling now.", tool_calls=CALLS))
    kept = list(llm.stream_chat(HELLO))
    contents = [r.message.content or "" for r in kept[:-1]]
    assert contents == _prefixes("Calling now.", [r.delta or "" for r in kept[:-1]])
    arguments = [
        [b.tool_kwargs for b in r.message.blocks if isinstance(b, ToolCallBlock)] for r in kept
    ]
    # each snapshot's arguments are what had arrived by then: they only ever grow
    for before, after in itertools.pairwise(arguments):
        assert len(before) <= len(after)
    assert len({id(r.message) for r in kept}) == len(kept)


async def test_astream_chat_keeps_what_it_yielded(reasoning_llm: Telnyx, emu: Emulator) -> None:
    emu.script(ScriptedReply(content="The answer.", reasoning="Let me think about it."))
    kept = [r async for r in await reasoning_llm.astream_chat(HELLO)]
    texts = [r.message.content or "" for r in kept[:-1]]
    assert texts[-1] == "The answer."
    assert all(b.startswith(a) for a, b in itertools.pairwise(texts))
    assert not kept[0].message.content  # the reasoning came first; no text yet
    assert kept[0].message.blocks[0].content == "Let"  # type: ignore[union-attr]


def _names(response: ChatResponse) -> list[str]:
    return [b.tool_name for b in response.message.blocks if isinstance(b, ToolCallBlock)]


def test_stream_chat_with_tools_keeps_only_the_first_call(llm: Telnyx, emu: Emulator) -> None:
    emu.script(ScriptedReply(tool_calls=CALLS), ScriptedReply(tool_calls=CALLS))
    responses = list(llm.stream_chat_with_tools(TOOLS, user_msg="go"))
    assert all(len(_names(r)) <= 1 for r in responses)
    last = responses[-1]
    assert [c.tool_name for c in llm.get_tool_calls_from_response(last)] == ["add"]
    assert len(last.message.additional_kwargs["tool_calls"]) == 1
    both = list(llm.stream_chat_with_tools(TOOLS, user_msg="go", allow_parallel_tool_calls=True))
    assert _names(both[-1]) == ["add", "multiply"]


async def test_astream_chat_with_tools_keeps_only_the_first_call(
    llm: Telnyx, emu: Emulator
) -> None:
    emu.script(ScriptedReply(tool_calls=CALLS))
    responses = [r async for r in await llm.astream_chat_with_tools(TOOLS, user_msg="go")]
    assert _names(responses[-1]) == ["add"]


async def test_function_agent_runs_one_call_per_turn_when_told(llm: Telnyx, emu: Emulator) -> None:
    emu.script(ScriptedReply(tool_calls=CALLS), ScriptedReply(content="Done."))
    agent = FunctionAgent(tools=[add, multiply], llm=llm, allow_parallel_tool_calls=False)
    handler = agent.run(user_msg="add and multiply")
    events = [event async for event in handler.stream_events()]
    await handler
    ran = [e.tool_name for e in events if isinstance(e, ToolCallResult)]
    asked = [
        e.tool_name for e in events if isinstance(e, ToolCall) and not isinstance(e, ToolCallResult)
    ]
    assert ran == ["add"]
    assert asked == ["add"]
