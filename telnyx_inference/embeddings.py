"""OpenAI-compatible embeddings: batched requests, float vectors back in input order.

Request building and response reading are pure functions; :class:`Embedder` and
:class:`AsyncEmbedder` only send::

    embedder = Embedder(TelnyxClient(), batch_size=64)
    vectors = embedder.embed(["first text", "second text"])   # list[list[float]]
    query = embedder.embed_query("what is in the bucket?")

Vectors always come back as floats: the request asks for ``encoding_format="float"``, and a
base64 answer (from a proxy or an older server) is decoded all the same.
"""

from __future__ import annotations

import base64
import struct
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from telnyx_inference._constants import (
    DEFAULT_EMBEDDING_MODEL,
    EMBEDDING_MODELS,
    EMBEDDINGS_PATH,
)
from telnyx_inference._hints import add_hint, model_hint
from telnyx_inference.chat.owners import AclosesClient, ClientUser, ClosesClient
from telnyx_inference.errors import (
    InvalidParameterError,
    InvalidParameterTypeError,
    NotFoundError,
    UnexpectedResponseError,
)
from telnyx_inference.transport.steps import Together

if TYPE_CHECKING:  # the clients import the openai SDK; the pure functions here need not
    from telnyx_inference._flows import Flow
    from telnyx_inference.chat.client import AsyncTelnyxClient, TelnyxClient
    from telnyx_inference.transport.steps import Step

__all__ = [
    "DEFAULT_EMBEDDING_BATCH_SIZE",
    "AsyncEmbedder",
    "Embedder",
    "build_embedding_requests",
    "check_query",
    "check_texts",
    "decode_vector",
    "read_embeddings",
]

DEFAULT_EMBEDDING_BATCH_SIZE = 128
DEFAULT_EMBEDDING_CONCURRENCY = 4
"""Batches the async embedder keeps in flight at once."""
"""Texts per request. Telnyx publishes no limit; this keeps request bodies moderate."""

_FLOAT = "float"


def check_texts(texts: Any, param: str = "input") -> list[str]:
    """The texts as a list, or an error naming the first one that is not a non-empty string."""
    if isinstance(texts, str) or not isinstance(texts, Sequence):
        raise InvalidParameterTypeError(
            param, f"expected a list of strings, got {type(texts).__name__}"
        )
    out = list(texts)
    for i, text in enumerate(out):
        if not isinstance(text, str):
            raise InvalidParameterTypeError(
                f"{param}[{i}]", f"expected a string, got {type(text).__name__}"
            )
        if not text:
            raise InvalidParameterError(f"{param}[{i}]", "must not be empty")
    return out


def check_query(query: Any, param: str = "query") -> str:
    """A query must be a string with something in it besides whitespace."""
    if not isinstance(query, str):
        raise InvalidParameterTypeError(param, f"expected a string, got {type(query).__name__}")
    if not query.strip():
        raise InvalidParameterError(param, "must not be empty")
    return query


def check_batch_size(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidParameterTypeError("batch_size", f"expected an int, got {value!r}")
    if value < 1:
        raise InvalidParameterError("batch_size", f"must be at least 1, got {value}")
    return value


def check_dimensions(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidParameterTypeError("dimensions", f"expected an int or None, got {value!r}")
    if value < 1:
        raise InvalidParameterError("dimensions", f"must be at least 1, got {value}")
    return value


def build_embedding_requests(
    texts: Sequence[str],
    *,
    model: str = DEFAULT_EMBEDDING_MODEL,
    dimensions: int | None = None,
    batch_size: int = DEFAULT_EMBEDDING_BATCH_SIZE,
) -> list[dict[str, Any]]:
    """One ``POST embeddings`` body per batch of ``batch_size`` texts (none for no texts)."""
    items = check_texts(texts)
    size = check_batch_size(batch_size)
    dims = check_dimensions(dimensions)
    bodies: list[dict[str, Any]] = []
    for start in range(0, len(items), size):
        body: dict[str, Any] = {
            "model": model,
            "input": items[start : start + size],
            "encoding_format": _FLOAT,
        }
        if dims is not None:
            body["dimensions"] = dims
        bodies.append(body)
    return bodies


def decode_vector(value: Any, where: str = "embedding") -> list[float]:
    """A vector from a list of numbers or OpenAI's base64 (little-endian float32)."""
    if isinstance(value, str):
        try:
            raw = base64.b64decode(value, validate=True)
        except ValueError:
            raise UnexpectedResponseError(f"{where} is neither a list nor base64") from None
        if len(raw) % 4:
            raise UnexpectedResponseError(f"{where}: base64 length is not a multiple of 4 bytes")
        return list(struct.unpack(f"<{len(raw) // 4}f", raw))
    if isinstance(value, list) and all(
        isinstance(x, int | float) and not isinstance(x, bool) for x in value
    ):
        return [float(x) for x in value]
    raise UnexpectedResponseError(f"{where} is not a list of numbers: {str(value)[:100]!r}")


def read_embeddings(data: Any, expected: int) -> list[list[float]]:
    """The vectors of one ``POST embeddings`` answer, in input order (by ``index``)."""
    items = data.get("data") if isinstance(data, Mapping) else None
    if not isinstance(items, list):
        raise UnexpectedResponseError(
            f"the embeddings answer has no data list: {str(data)[:200]!r}", body=data
        )
    by_index: dict[int, list[float]] = {}
    for position, item in enumerate(items):
        if not isinstance(item, Mapping):
            raise UnexpectedResponseError(f"data[{position}] is not an object", body=data)
        index = item.get("index", position)
        if not isinstance(index, int) or not 0 <= index < expected or index in by_index:
            raise UnexpectedResponseError(
                f"data[{position}] has a bad or repeated index {index!r}", body=data
            )
        by_index[index] = decode_vector(item.get("embedding"), f"data[{position}].embedding")
    if len(by_index) != expected:
        raise UnexpectedResponseError(
            f"asked for {expected} embeddings, got {len(by_index)}", body=data
        )
    return [by_index[i] for i in range(expected)]


_Client = TypeVar("_Client", "TelnyxClient", "AsyncTelnyxClient")


class _EmbedderBase(ClientUser[_Client]):
    def __init__(
        self,
        client: _Client | None = None,
        *,
        model: str = DEFAULT_EMBEDDING_MODEL,
        dimensions: int | None = None,
        batch_size: int = DEFAULT_EMBEDDING_BATCH_SIZE,
        max_concurrency: int = DEFAULT_EMBEDDING_CONCURRENCY,
        **client_kwargs: Any,
    ) -> None:
        if not isinstance(max_concurrency, int) or max_concurrency < 1:
            raise InvalidParameterError(
                "max_concurrency", f"must be a whole number ≥ 1, got {max_concurrency!r}"
            )
        super().__init__(client, **client_kwargs)
        self.model = model
        self.dimensions = check_dimensions(dimensions)
        self.batch_size = check_batch_size(batch_size)
        self.max_concurrency = max_concurrency

    # --- the flows: each call once, over the transport's steps (see transport.shells) ----

    def _embed(self, texts: Sequence[str]) -> Flow[Step, list[list[float]]]:
        bodies = build_embedding_requests(
            texts, model=self.model, dimensions=self.dimensions, batch_size=self.batch_size
        )
        batches = [self._batch(body) for body in bodies]
        done = yield Together(batches, self.max_concurrency)  # in order when sync
        return [vector for vectors in done for vector in vectors]

    def _batch(self, body: dict[str, Any]) -> Flow[Step, list[list[float]]]:
        try:
            answer = yield from self.client.spend(
                body,
                self.model,
                lambda limited: self.client.transport.request_flow(
                    "POST", EMBEDDINGS_PATH, body, limited=limited
                ),
            )
        except NotFoundError as err:  # the model: name the near miss among the known ones
            add_hint(err, model_hint(self.model, EMBEDDING_MODELS))
            raise
        return read_embeddings(answer, len(body["input"]))

    def _query(self, text: str) -> Flow[Step, list[float]]:
        return (yield from self._embed([check_query(text)]))[0]

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(model={self.model!r}, dimensions={self.dimensions}, "
            f"batch_size={self.batch_size}, client={self.client!r})"
        )


class Embedder(ClosesClient, _EmbedderBase["TelnyxClient"]):
    """Embeds texts with ``POST embeddings``, one request per batch.

    ::

        Embedder(TelnyxClient(api_key="..."), dimensions=256).embed(["a", "b"])
    """

    _client_class = "TelnyxClient"

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """One vector per text, in order; ``[]`` (and no request) for no texts."""
        return self.client.transport.run(self._embed(texts))

    def embed_query(self, text: str) -> list[float]:
        """The vector of one query; an empty query is a ``ValueError``."""
        return self.client.transport.run(self._query(text))


class AsyncEmbedder(AclosesClient, _EmbedderBase["AsyncTelnyxClient"]):
    """The async twin of :class:`Embedder` (``aclose()``, ``async with``)."""

    _client_class = "AsyncTelnyxClient"

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """Like :meth:`Embedder.embed`, with up to ``max_concurrency`` batches in flight (a
        failing batch cancels the others and waits for them to end)."""
        return await self.client.transport.run(self._embed(texts))

    async def embed_query(self, text: str) -> list[float]:
        return await self.client.transport.run(self._query(text))
