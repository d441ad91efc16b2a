"""The readers fed anything: SSE bytes, stream chunks, completion bodies, error bodies, headers.

Only the documented exceptions may come out (``StreamError`` for what cannot be read; for a
non-streamed answer also ``UnexpectedResponseError``), never a
crash of another type and never a hang (each example has a deadline); and how bytes are cut
into reads never changes what is decoded.
"""

from __future__ import annotations

import contextlib
import json
import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from telnyx_inference.chat.response import Completion, parse_completion
from telnyx_inference.chat.stream import StreamAccumulator
from telnyx_inference.error_bodies import error_from_body, ratelimit_reset_seconds
from telnyx_inference.errors import (
    APIStatusError,
    StreamError,
    StreamInterruptedError,
    UnexpectedResponseError,
)
from telnyx_inference.transport.sse import SSEDecoder

FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
chunk_keys = st.sampled_from(
    [
        "id",
        "model",
        "created",
        "choices",
        "usage",
        "delta",
        "message",
        "index",
        "content",
        "reasoning_content",
        "tool_calls",
        "function",
        "name",
        "arguments",
        "finish_reason",
        "logprobs",
        "role",
        "error",
        "object",
    ]
)
chunkish = st.recursive(
    json_values,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(chunk_keys, inner, max_size=5),
    max_leaves=25,
)

pytestmark = pytest.mark.timeout(90)  # the hang guard (hypothesis deadlines flake on busy CI)


def _decode(pieces: list[bytes]) -> tuple[list[dict[str, Any]], type[BaseException] | None]:
    decoder, events = SSEDecoder(), []
    try:
        for piece in pieces:
            events.extend(decoder.feed(piece))
        events.extend(decoder.flush())
    except StreamError as exc:
        return events, type(exc)
    return events, None


def _cut(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts})
    return [data[a:b] for a, b in zip([0, *points], [*points, len(data)], strict=True)]


@FAST
@given(st.binary(max_size=3000), st.lists(st.integers(min_value=0), max_size=20))
def test_sse_decoder_on_arbitrary_bytes(data: bytes, cuts: list[int]) -> None:
    whole_events, whole_error = _decode([data])
    split_events, split_error = _decode(_cut(data, cuts))
    assert whole_error == split_error
    if whole_error is None:
        assert whole_events == split_events
        assert all(isinstance(e, dict) for e in whole_events)


frames = st.lists(
    st.dictionaries(st.text(max_size=10), json_values, max_size=4), min_size=0, max_size=8
)


@FAST
@given(
    frames,
    st.sampled_from([b"\n\n", b"\r\n\r\n", b"\r\r", b"\n\r\n"]),
    st.booleans(),
    st.booleans(),
    st.lists(st.integers(min_value=0), max_size=30),
)
def test_sse_frames_survive_any_framing(
    chunks: list[dict[str, Any]], sep: bytes, comments: bool, done: bool, cuts: list[int]
) -> None:
    body = b""
    for chunk in chunks:
        if comments:
            body += b": keep-alive" + sep
        body += b"data: " + json.dumps(chunk, ensure_ascii=False).encode() + sep
    if done:
        body += b"data: [DONE]" + sep + b"data: {ignored after done}" + sep
    events, error = _decode(_cut(body, cuts))
    if any("error" in c or c.get("object") == "error" for c in chunks):
        assert error is StreamError  # an error event ends the stream with StreamError
    else:
        assert error is None
        assert events == chunks


@FAST
@given(st.lists(chunkish, max_size=8))
def test_accumulator_reads_any_chunks_or_says_why_not(chunks: list[Any]) -> None:
    acc = StreamAccumulator()
    for chunk in chunks:
        with contextlib.suppress(StreamError):
            acc.feed(chunk if isinstance(chunk, dict) else {"choices": chunk})
    assert isinstance(acc.result(), Completion)
    if not acc.finished:
        with pytest.raises(StreamInterruptedError) as info:
            acc.finish()
        assert isinstance(info.value.partial, Completion)


@FAST
@given(chunkish)
def test_parse_completion_reads_any_body_or_says_why_not(body: Any) -> None:
    try:
        completion = parse_completion(body)
    except (StreamError, UnexpectedResponseError):  # an error body / a body it cannot use
        return
    assert isinstance(completion, Completion)


@FAST
@given(
    st.integers(min_value=100, max_value=599),
    st.binary(max_size=500) | st.text(max_size=200) | chunkish,
    st.dictionaries(
        st.sampled_from(["retry-after", "x-ratelimit-reset", "x-request-id"]),
        st.text(max_size=30),
    ),
)
def test_any_error_body_becomes_a_typed_error(
    status: int, body: Any, headers: dict[str, str]
) -> None:
    err = error_from_body(status, body, headers)
    assert isinstance(err, APIStatusError)
    assert err.status == status
    assert str(err).startswith(f"Telnyx API error {status}")
    wait = ratelimit_reset_seconds(headers)
    assert wait is None or (math.isfinite(wait) and wait >= 0)
