"""Message and tool conversion of both frameworks, fed odd input.

Every message type, content blocks of every known and unknown kind with odd fields, long text,
text that is not valid Unicode, and tool schemas nested deep (strings stay short, so a failure
prints a reproduction one can read; huge text has its own plain tests). Conversion plus request building
either refuses with a documented error naming the field, or yields a body that encodes as
UTF-8 JSON — never another exception, never a hang.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from langchain_core import messages as lc
from llama_index.core.base.llms import types as li

from langchain_telnyx._messages import to_wire_messages as lc_to_wire
from langchain_telnyx._tools import format_tools
from llama_index_telnyx._messages import to_wire_messages as li_to_wire
from llama_index_telnyx._tools import to_wire_tools
from telnyx_inference.chat.request import build_chat_request
from telnyx_inference.errors import InvalidParameterError, InvalidParameterTypeError

DOCUMENTED = (InvalidParameterError, InvalidParameterTypeError)
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
LONG = "x" * 300
MAX_REPRODUCTION = 20_000
"""Characters a drawn conversation may take when printed (a shrunk failure is far shorter;
what must not be drawn is a giant that cannot shrink)."""
LONE_SURROGATE = b"\xff".decode("utf-8", "surrogateescape")

short_texts = st.one_of(
    st.text(max_size=40),
    st.just(f"caf{LONE_SURROGATE}"),
    st.sampled_from(["", "\x00", "\u2028", "😀" * 3, "\ufeff"]),
)
texts = short_texts | st.just(LONG)
scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | short_texts
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=10,
)
block_types = st.sampled_from(
    [
        "text",
        "image_url",
        "image",
        "file",
        "audio",
        "video",
        "reasoning",
        "thinking",
        "tool_call",
        "tool_use",
        "non_standard",
        "weird",
        None,
        5,
    ]
)
lc_blocks = st.builds(
    lambda kind, extra: {"type": kind, **extra},
    block_types,
    st.dictionaries(
        st.sampled_from(
            [
                "text",
                "image_url",
                "url",
                "base64",
                "mime_type",
                "data",
                "id",
                "source_type",
                "reasoning",
                "name",
                "args",
                "extras",
            ]
        ),
        json_values,
        max_size=4,
    ),
)
lc_content = texts | st.lists(texts | lc_blocks, max_size=4)
tool_calls = st.lists(
    st.fixed_dictionaries(
        {
            "name": st.text(max_size=10),
            "args": st.dictionaries(st.text(max_size=5), json_values, max_size=3),
            "id": st.text(max_size=8) | st.none(),
        }
    ),
    max_size=2,
)

pytestmark = pytest.mark.timeout(90)  # the hang guard (hypothesis deadlines flake on busy CI)


def _lc_message(kind: str, content: Any, calls: list[dict[str, Any]], role: str) -> Any:
    if kind == "system":
        return lc.SystemMessage(content=content)
    if kind == "human":
        return lc.HumanMessage(content=content)
    if kind == "ai":
        return lc.AIMessage(content=content, tool_calls=calls)
    if kind == "ai_invalid":
        return lc.AIMessage(
            content=content,
            invalid_tool_calls=[{"name": "f", "args": "{oops", "id": "1", "error": "bad"}],
        )
    if kind == "tool":
        return lc.ToolMessage(content=content, tool_call_id=role or "call")
    if kind == "function":
        return lc.FunctionMessage(content=content, name=role or "f")
    return lc.ChatMessage(content=content, role=role)


lc_messages = st.lists(
    st.builds(
        _lc_message,
        st.sampled_from(["system", "human", "ai", "ai_invalid", "tool", "function", "chat"]),
        lc_content,
        tool_calls,
        st.sampled_from(["user", "assistant", "system", "developer", "tool", "critic", ""]),
    ),
    min_size=1,
    max_size=4,
)


def _attempt(build: Callable[[], dict[str, Any]]) -> tuple[dict[str, Any], str | None]:
    """The body, or the name of the field a documented refusal points at."""
    try:
        return build(), None
    except DOCUMENTED as err:
        return {}, err.param


def _sendable(body: dict[str, Any]) -> None:
    json.dumps(body, ensure_ascii=False, allow_nan=False).encode("utf-8")


def _deep_schema(depth: int, width: int) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    for level in range(depth):
        schema = {
            "type": "object",
            "properties": {f"p{level}_{i}": schema for i in range(width)},
            "required": [f"p{level}_0"],
        }
    return schema


@FUZZ
@given(st.data())
def test_langchain_messages(data: st.DataObject) -> None:
    try:
        messages = data.draw(lc_messages)
    except Exception:  # langchain refused to build the message itself
        assume(False)
        return
    body, refused = _attempt(lambda: build_chat_request(lc_to_wire(messages)))
    if refused is not None:
        assert refused.startswith(("messages", "content"))
        return
    _sendable(body)


li_blocks = st.one_of(
    st.builds(li.TextBlock, text=texts),
    st.builds(
        li.ImageBlock, url=st.sampled_from(["https://x.test/a.png", "data:image/png;base64,AA"])
    ),
    st.builds(li.ImageBlock, image=st.binary(min_size=1, max_size=40)),
    st.builds(li.AudioBlock, audio=st.binary(min_size=1, max_size=20)),
    st.builds(li.DocumentBlock, data=st.binary(min_size=1, max_size=20)),
    st.builds(li.ThinkingBlock, content=texts),
    st.builds(
        li.ToolCallBlock,
        tool_call_id=st.text(max_size=6) | st.none(),
        tool_name=st.text(max_size=8),
        tool_kwargs=st.dictionaries(st.text(max_size=5), json_values, max_size=3) | texts,
    ),
)
li_messages = st.lists(
    st.builds(
        lambda role, blocks, kwargs: li.ChatMessage(
            role=role, blocks=blocks, additional_kwargs=kwargs
        ),
        st.sampled_from(list(li.MessageRole)),
        st.lists(li_blocks, max_size=4),
        st.dictionaries(
            st.sampled_from(["tool_call_id", "name", "thinking", "other"]), json_values, max_size=2
        )
        | st.fixed_dictionaries(
            # a list, as the field is typed; other shapes are pinned by the xfail below
            {"tool_calls": st.lists(json_values, max_size=2)}
        ),
    ),
    min_size=1,
    max_size=4,
)


@FUZZ
@given(st.data())
def test_llama_index_messages(data: st.DataObject) -> None:
    try:
        messages = data.draw(li_messages)
    except Exception:  # llama-index refused to build the message itself
        assume(False)
        return
    body, refused = _attempt(lambda: build_chat_request(li_to_wire(messages)))
    if refused is not None:
        assert refused.startswith(("messages", "content", "additional_kwargs"))
        return
    _sendable(body)


@settings(max_examples=15, deadline=None)
@given(
    st.one_of(
        st.tuples(st.integers(min_value=1, max_value=600), st.just(1)),
        st.tuples(st.integers(min_value=1, max_value=6), st.integers(min_value=2, max_value=4)),
    )
)
def test_deep_tool_schemas(shape: tuple[int, int]) -> None:
    depth, width = shape  # a wide schema repeats its subtree per property: keep it shallow
    hi = [{"role": "user", "content": "hi"}]
    tool = {
        "type": "function",
        "function": {"name": "deep", "description": "d", "parameters": _deep_schema(depth, width)},
    }
    for wire in (format_tools([tool]), to_wire_tools([tool])):
        body, refused = _attempt(lambda wire=wire: build_chat_request(hi, tools=wire))
        if refused is not None:
            assert refused.startswith("tools")
            continue
        _sendable(body)
        assert body["tools"][0]["function"]["name"] == "deep"
    deep = _deep_schema(depth, width)
    body, refused = _attempt(lambda: build_chat_request(hi, params={"guided_json": deep}))
    assert refused is None or refused == "guided_json"
    recursive = {
        "type": "object",
        "$defs": {"node": {"type": "object", "properties": {"next": {"$ref": "#/$defs/node"}}}},
        "properties": {"head": {"$ref": "#/$defs/node"}},
    }
    _sendable(build_chat_request(hi, params={"guided_json": recursive}))


@pytest.mark.parametrize("value", [True, 5])
def test_llama_index_tool_calls_not_a_list(value: Any) -> None:
    message = li.ChatMessage(role="assistant", content="", additional_kwargs={"tool_calls": value})
    with pytest.raises(InvalidParameterTypeError):
        li_to_wire([message])


def test_no_example_database_in_the_checkout() -> None:
    # A saved failure would replay on every later run in this checkout (tests/conftest.py).
    assert settings().database is None
    assert settings().print_blob


@FUZZ
@given(st.data())
def test_drawn_conversations_print_short(data: st.DataObject) -> None:
    for strategy in (lc_messages, li_messages):
        try:
            drawn = data.draw(strategy)
        except Exception:  # the framework refused to build the message itself
            assume(False)
            return
        assert len(repr(drawn)) < MAX_REPRODUCTION
