"""Embeddings: pure request building and answer reading, then the shells on the emulator."""

from __future__ import annotations

import asyncio
import base64
import math
import struct
from collections.abc import Callable
from typing import Any

import pytest

from telnyx_inference import TelnyxClient
from telnyx_inference.chat.client import AsyncTelnyxClient
from telnyx_inference.embeddings import (
    AsyncEmbedder,
    Embedder,
    build_embedding_requests,
    decode_vector,
    read_embeddings,
)
from telnyx_inference.emulator import Emulator, Fault
from telnyx_inference.errors import (
    AuthenticationError,
    InvalidParameterError,
    InvalidParameterTypeError,
    ServerError,
    UnexpectedResponseError,
)

# --- pure ---------------------------------------------------------------------------------------


def test_batches_split_in_order_and_always_ask_for_floats() -> None:
    bodies = build_embedding_requests(["a", "b", "c", "d", "e"], batch_size=2, dimensions=64)
    assert [b["input"] for b in bodies] == [["a", "b"], ["c", "d"], ["e"]]
    assert all(b["encoding_format"] == "float" for b in bodies)
    assert all(b["dimensions"] == 64 and b["model"] == "thenlper/gte-large" for b in bodies)


def test_no_texts_means_no_request() -> None:
    assert build_embedding_requests([]) == []


def test_dimensions_left_out_unless_given() -> None:
    (body,) = build_embedding_requests(["a"], model="intfloat/multilingual-e5-large")
    assert "dimensions" not in body
    assert body["model"] == "intfloat/multilingual-e5-large"


@pytest.mark.parametrize(
    ("texts", "kw", "error", "param"),
    [
        ("just a string", {}, InvalidParameterTypeError, "input"),
        (["ok", 3], {}, InvalidParameterTypeError, "input[1]"),
        (["ok", ""], {}, InvalidParameterError, "input[1]"),
        (["ok"], {"batch_size": 0}, InvalidParameterError, "batch_size"),
        (["ok"], {"batch_size": True}, InvalidParameterTypeError, "batch_size"),
        (["ok"], {"dimensions": 0}, InvalidParameterError, "dimensions"),
        (["ok"], {"dimensions": 1.5}, InvalidParameterTypeError, "dimensions"),
    ],
)
def test_bad_input_names_the_parameter(
    texts: Any, kw: dict[str, Any], error: type[Exception], param: str
) -> None:
    with pytest.raises(error) as info:
        build_embedding_requests(texts, **kw)
    assert info.value.param == param  # type: ignore[attr-defined]


def _b64(values: list[float]) -> str:
    return base64.b64encode(struct.pack(f"<{len(values)}f", *values)).decode()


def test_answer_read_by_index_and_base64_decoded() -> None:
    answer = {
        "data": [
            {"index": 1, "embedding": _b64([0.5, -0.25])},
            {"index": 0, "embedding": [1, 0.0]},
        ]
    }
    assert read_embeddings(answer, 2) == [[1.0, 0.0], [0.5, -0.25]]
    assert all(isinstance(x, float) for v in read_embeddings(answer, 2) for x in v)


@pytest.mark.parametrize(
    "answer",
    [
        {"object": "list"},
        {"data": [{"index": 0, "embedding": [0.1]}]},
        {"data": [{"index": 0, "embedding": [0.1]}, {"index": 0, "embedding": [0.2]}]},
        {"data": [{"index": 0, "embedding": [0.1]}, {"index": 7, "embedding": [0.2]}]},
        {"data": [{"index": 0, "embedding": [0.1]}, {"index": 1, "embedding": ["x"]}]},
        {"data": [{"index": 0, "embedding": [0.1]}, {"index": 1, "embedding": "%%%"}]},
        {"data": [{"index": 0, "embedding": [0.1]}, "nope"]},
    ],
)
def test_malformed_answers_raise(answer: Any) -> None:
    with pytest.raises(UnexpectedResponseError):
        read_embeddings(answer, 2)


def test_base64_with_a_partial_float_is_refused() -> None:
    with pytest.raises(UnexpectedResponseError, match="multiple of 4"):
        decode_vector(base64.b64encode(b"abcde").decode())


def test_repr_never_shows_the_key() -> None:
    embedder = Embedder(api_key="sk-very-secret", base_url="http://127.0.0.1:9/v2/ai/openai")
    assert "sk-very-secret" not in repr(embedder)


# --- on the emulator ----------------------------------------------------------------------------


def _embedder(emu: Emulator, **kw: Any) -> Embedder:
    return Embedder(TelnyxClient(api_key="test-key", base_url=emu.base_url), **kw)


def _bodies(emu: Emulator) -> list[Any]:
    return [e.json for e in emu.journal if e.path.endswith("/openai/embeddings")]


def test_batched_embedding_keeps_order(telnyx_emulator: Emulator) -> None:
    texts = ["alpha", "beta", "gamma", "delta", "epsilon"]
    batched = _embedder(telnyx_emulator, batch_size=2).embed(texts)
    single = [_embedder(telnyx_emulator).embed_query(t) for t in texts]
    assert batched == single
    assert len(batched[0]) == 1024
    sent = _bodies(telnyx_emulator)[:3]
    assert [b["input"] for b in sent] == [["alpha", "beta"], ["gamma", "delta"], ["epsilon"]]
    assert {b["encoding_format"] for b in sent} == {"float"}


def test_dimensions_shorten_vectors(telnyx_emulator: Emulator) -> None:
    (vector,) = _embedder(telnyx_emulator, dimensions=256).embed(["some text to embed"])
    assert len(vector) == 256
    assert math.isclose(math.fsum(x * x for x in vector), 1.0, rel_tol=1e-6)


def test_empty_list_sends_nothing(telnyx_emulator: Emulator) -> None:
    assert _embedder(telnyx_emulator).embed([]) == []
    assert _bodies(telnyx_emulator) == []


def test_empty_query_is_a_value_error_before_sending(telnyx_emulator: Emulator) -> None:
    with pytest.raises(ValueError, match="query"):
        _embedder(telnyx_emulator).embed_query("   ")
    assert _bodies(telnyx_emulator) == []


def test_server_errors_surface_as_core_errors(telnyx_emulator: Emulator) -> None:
    telnyx_emulator.fault(Fault(kind="status", status=503, times=5, route="embeddings"))
    embedder = Embedder(
        TelnyxClient(api_key="test-key", base_url=telnyx_emulator.base_url, max_retries=0)
    )
    with pytest.raises(ServerError):
        embedder.embed(["x"])


async def test_async_twin_matches_sync(telnyx_emulator: Emulator) -> None:
    client = AsyncTelnyxClient(api_key="test-key", base_url=telnyx_emulator.base_url)
    embedder = AsyncEmbedder(client, batch_size=2)
    texts = ["one", "two", "three"]
    assert await embedder.embed(texts) == _embedder(telnyx_emulator).embed(texts)
    assert await embedder.embed([]) == []
    assert len(await embedder.embed_query("one")) == 1024
    with pytest.raises(ValueError, match="query"):
        await embedder.embed_query("")


async def _until(condition: Callable[[], bool]) -> None:
    """Return once ``condition()`` holds: it reads the emulator's journal, written on the
    server's thread, so it is looked at every few milliseconds (30 s: a hang guard)."""
    async with asyncio.timeout(30):
        while not condition():  # noqa: ASYNC110 - no asyncio.Event crosses the thread
            await asyncio.sleep(0.005)


async def test_async_batches_run_concurrently_in_order(telnyx_emulator: Emulator) -> None:
    texts = [f"text number {i}" for i in range(8)]
    expected = _embedder(telnyx_emulator, batch_size=2).embed(texts)
    telnyx_emulator.clear_journal()
    # The server holds every batch until its client hangs up: only batches sent together can
    # all be there at once (one after another, the second would never be sent).
    telnyx_emulator.fault(
        Fault(kind="slow_first_byte", seconds=3600, times=None, route="embeddings")
    )
    client = AsyncTelnyxClient(api_key="test-key", base_url=telnyx_emulator.base_url)
    embedder = AsyncEmbedder(client, batch_size=2, max_concurrency=4)
    held = asyncio.create_task(embedder.embed(texts))
    await _until(lambda: len(_bodies(telnyx_emulator)) == 4)
    held.cancel()
    with pytest.raises(asyncio.CancelledError):
        await held
    telnyx_emulator.clear_faults()
    telnyx_emulator.clear_journal()
    assert await embedder.embed(texts) == expected  # and the answers come back in order
    assert len(_bodies(telnyx_emulator)) == 4


async def test_async_batch_failure_is_the_core_error(telnyx_emulator: Emulator) -> None:
    telnyx_emulator.fault(Fault(kind="status", status=401, times=None, route="embeddings"))
    client = AsyncTelnyxClient(api_key="test-key", base_url=telnyx_emulator.base_url)
    with pytest.raises(AuthenticationError):
        await AsyncEmbedder(client, batch_size=1).embed(["a", "b", "c"])


def test_max_concurrency_checked() -> None:
    with pytest.raises(InvalidParameterError, match="max_concurrency"):
        Embedder(TelnyxClient(api_key="k"), max_concurrency=0)
