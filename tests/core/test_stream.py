"""Reading streams: SSE framing, chunk accumulation, and stream == non-stream."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from telnyx_inference import SSEDecoder, StreamAccumulator, StreamError, StreamInterruptedError
from telnyx_inference.chat.response import parse_completion


def frames(chunks: list[dict[str, Any]], *, sep: bytes = b"\n", done: bool = True) -> bytes:
    out = b"".join(b"data: " + json.dumps(c).encode() + sep + sep for c in chunks)
    return out + (b"data: [DONE]" + sep + sep if done else b"")


def chunk(
    delta: dict[str, Any], finish: str | None = None, index: int = 0, **extra: Any
) -> dict[str, Any]:
    return {
        "id": "chatcmpl-1",
        "model": "m",
        "created": 7,
        "choices": [{"index": index, "delta": delta, "finish_reason": finish}],
        **extra,
    }


TEXT_STREAM = [
    chunk({"role": "assistant", "content": ""}),
    chunk({"reasoning_content": "Think"}),
    chunk({"reasoning_content": "ing."}),
    chunk({"content": "Hel"}),
    chunk({"content": "lo"}),
    chunk({}, "stop"),
    {
        "id": "chatcmpl-1",
        "model": "m",
        "choices": [],
        "usage": {"prompt_tokens": 4, "completion_tokens": 2, "total_tokens": 6},
    },
]

TEXT_COMPLETE = {
    "id": "chatcmpl-1",
    "model": "m",
    "created": 7,
    "choices": [
        {
            "index": 0,
            "message": {"role": "assistant", "content": "Hello", "reasoning_content": "Thinking."},
            "finish_reason": "stop",
        }
    ],
    "usage": {"prompt_tokens": 4, "completion_tokens": 2, "total_tokens": 6},
}


def decode_all(data: bytes, cuts: list[int]) -> list[dict[str, Any]]:
    decoder = SSEDecoder()
    out: list[dict[str, Any]] = []
    start = 0
    for cut in [*sorted(cuts), len(data)]:
        out.extend(decoder.feed(data[start:cut]))
        start = cut
    out.extend(decoder.flush())
    return out


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(min_value=0, max_value=2000), max_size=12),
    st.sampled_from([b"\n", b"\r\n", b"\r"]),
)
def test_frames_split_anywhere_decode_the_same(cuts: list[int], sep: bytes) -> None:
    data = frames(TEXT_STREAM, sep=sep)
    assert decode_all(data, [c % (len(data) + 1) for c in cuts]) == TEXT_STREAM


def test_comments_multiline_data_and_done() -> None:
    data = (
        b": keep-alive\n\n"
        b'event: message\ndata: {"a":\ndata: 1}\n\n'
        b"data: [DONE]\n\n"
        b'data: {"ignored": true}\n\n'
    )
    decoder = SSEDecoder()
    assert decoder.feed(data) == [{"a": 1}]
    assert decoder.done


def test_event_without_trailing_blank_line_is_flushed() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b'data: {"x": 1}') == []
    assert decoder.flush() == [{"x": 1}]


def test_malformed_event_is_an_error() -> None:
    with pytest.raises(StreamError, match="malformed"):
        SSEDecoder().feed(b"data: {not json\n\n")


@pytest.mark.parametrize(
    "event",
    [
        {"error": {"message": "model overloaded", "code": 503}},
        {
            "object": "error",
            "message": "model overloaded",
            "type": "ServiceUnavailable",
            "code": 503,
        },
    ],
)
def test_error_events_both_shapes(event: dict[str, Any]) -> None:
    with pytest.raises(StreamError, match="model overloaded") as info:
        SSEDecoder().feed(frames([chunk({"content": "a"}), event]))
    assert info.value.status == 503


def accumulate(chunks: list[dict[str, Any]]) -> StreamAccumulator:
    acc = StreamAccumulator()
    for c in chunks:
        acc.feed(c)
    return acc


def test_accumulated_stream_equals_complete_answer() -> None:
    assert accumulate(TEXT_STREAM).finish() == parse_completion(TEXT_COMPLETE)


def test_first_event_carries_model_and_id_only_once() -> None:
    acc = StreamAccumulator()
    events = [acc.feed(c) for c in TEXT_STREAM]
    assert [e.model for e in events].count("m") == 1
    assert [e.usage is not None for e in events].count(True) == 1


def call(
    index: int | None, id_: str | None = None, name: str | None = None, args: str = ""
) -> dict[str, Any]:
    raw: dict[str, Any] = {"function": {"arguments": args}}
    if index is not None:
        raw["index"] = index
    if id_:
        raw["id"] = id_
        raw["type"] = "function"
    if name:
        raw["function"]["name"] = name
    return raw


def test_parallel_calls_with_distinct_indices() -> None:
    acc = accumulate(
        [
            chunk({"tool_calls": [call(0, "a", "add", ""), call(1, "b", "mul", "")]}),
            chunk({"tool_calls": [call(0, args='{"x": 1}'), call(1, args='{"y": 2}')]}),
            chunk({}, "tool_calls"),
        ]
    )
    calls = acc.finish().first.tool_calls
    assert [(c.id, c.name, c.arguments) for c in calls] == [
        ("a", "add", '{"x": 1}'),
        ("b", "mul", '{"y": 2}'),
    ]


def test_vllm_repeated_index_zero_with_new_ids_starts_new_calls() -> None:
    acc = StreamAccumulator()
    events = [
        acc.feed(c)
        for c in [
            chunk({"tool_calls": [call(0, "a", "read_file", '{"p": ')]}),
            chunk({"tool_calls": [call(0, args='"x"}')]}),
            chunk({"tool_calls": [call(0, "b", "read_file", '{"p": "y"}')]}),
            chunk({}, "tool_calls"),
        ]
    ]
    deltas = [d for e in events for cd in e.deltas for d in cd.tool_calls]
    assert [d.index for d in deltas] == [0, 0, 1]
    assert [d.name for d in deltas] == ["read_file", None, "read_file"]  # never repeated per call
    calls = acc.finish().first.tool_calls
    assert [(c.id, c.arguments) for c in calls] == [("a", '{"p": "x"}'), ("b", '{"p": "y"}')]


def test_missing_ids_are_synthesised_and_missing_index_continues() -> None:
    acc = accumulate(
        [
            chunk({"tool_calls": [call(None, None, "lookup", '{"q"')]}),
            chunk({"tool_calls": [call(None, args=': "z"}')]}),
            chunk({"tool_calls": [call(None, None, "other", "{}")]}),
            chunk({}, "tool_calls"),
        ]
    )
    calls = acc.finish().first.tool_calls
    assert [(c.name, c.arguments) for c in calls] == [("lookup", '{"q": "z"}'), ("other", "{}")]
    assert all(c.id.startswith("call_") for c in calls)
    assert calls[0].id != calls[1].id


def test_n_choices_and_logprobs() -> None:
    lp = {"content": [{"token": "a", "logprob": -0.1, "bytes": [97], "top_logprobs": []}]}
    acc = accumulate(
        [
            {
                "id": "x",
                "model": "m",
                "choices": [{"index": 0, "delta": {"content": "a"}, "logprobs": lp}],
            },
            {"id": "x", "model": "m", "choices": [{"index": 1, "delta": {"content": "b"}}]},
            {
                "id": "x",
                "model": "m",
                "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
            },
            {
                "id": "x",
                "model": "m",
                "choices": [{"index": 1, "delta": {}, "finish_reason": "length"}],
            },
        ]
    )
    result = acc.finish()
    assert [(c.content, c.finish_reason) for c in result.choices] == [
        ("a", "stop"),
        ("b", "length"),
    ]
    assert result.choices[0].logprobs == lp["content"]


def test_cut_short_stream_is_an_error_with_the_partial_answer() -> None:
    acc = accumulate(TEXT_STREAM[:4])
    assert not acc.finished
    with pytest.raises(StreamInterruptedError, match="incomplete") as info:
        acc.finish()
    assert info.value.partial.first.content == "Hel"


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=400))
def test_decoder_on_arbitrary_bytes_raises_only_stream_errors(data: bytes) -> None:
    decoder = SSEDecoder()
    try:
        decoder.feed(data)
        decoder.flush()
    except StreamError:
        pass


@settings(max_examples=100, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=5),
        lambda c: (
            st.lists(c, max_size=3)
            | st.dictionaries(
                st.sampled_from(
                    [
                        "choices",
                        "delta",
                        "index",
                        "content",
                        "tool_calls",
                        "usage",
                        "finish_reason",
                        "function",
                        "id",
                    ]
                ),
                c,
                max_size=4,
            )
        ),
        max_leaves=20,
    )
)
def test_accumulator_raises_only_stream_errors_on_odd_chunks(value: Any) -> None:
    acc = StreamAccumulator()
    try:
        acc.feed(value if isinstance(value, dict) else {"choices": value})
    except StreamError:
        return
    acc.result()
