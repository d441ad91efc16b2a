"""Ray Data callables: a Telnyx call per row, every row kept, failures in an error column.

Give one to ``Dataset.map_batches`` as a class, so Ray builds it once per worker and its
clients (and their connection pools) serve every batch that worker gets::

    budget = TokenBudget(redis="redis://budget-host:6379/0")      # shared by every worker
    ds = ray.data.from_items([{"prompt": p} for p in prompts])
    out = ds.map_batches(
        ChatRows,
        fn_constructor_kwargs={"model": "moonshotai/Kimi-K2.6", "budget": budget},
        concurrency=4,
        batch_size=64,
    )

Rows come out in the order and number they went in. A row whose call still fails after the
client's retries gets ``None`` in its output columns and ``"<ErrorType>: <message>"`` in
``error`` (the job goes on). The API key is read from ``TELNYX_API_KEY`` in each worker (set
it with ``ray.init(runtime_env={"env_vars": {...}})``): keys never travel inside pickles.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from telnyx_inference._constants import (
    DEFAULT_CHAT_MODEL,
    DEFAULT_EMBEDDING_MODEL,
    DEFAULT_NUM_OF_DOCS,
)
from telnyx_inference.budget import TokenBudget
from telnyx_inference.bulk.row_chat import RowChat
from telnyx_inference.errors import TelnyxError

__all__ = ["ChatRows", "EmbedRows", "SearchRows"]

Batch = Mapping[str, Sequence[Any]]


def _error_text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


class _Rows:
    """What every row callable shares: lazy clients, a thread pool, the error column."""

    def __init__(
        self,
        *,
        budget: TokenBudget | None = None,
        max_concurrency: int = 8,
        error_column: str = "error",
        client_kwargs: Mapping[str, Any] | None = None,
    ) -> None:
        if max_concurrency < 1:
            raise ValueError(f"max_concurrency must be at least 1; got {max_concurrency!r}")
        self.budget = budget
        self.max_concurrency = max_concurrency
        self.error_column = error_column
        self.client_kwargs = dict(client_kwargs or {})
        if "api_key" in self.client_kwargs:
            raise ValueError(
                "api_key cannot be given to a Ray callable (it would travel in a pickle): set "
                "TELNYX_API_KEY in the workers, e.g. ray.init(runtime_env={'env_vars': {...}})"
            )
        self._client: Any = None
        self._pool: ThreadPoolExecutor | None = None

    def _telnyx(self) -> Any:
        if self._client is None:
            from telnyx_inference.chat.client import TelnyxClient

            self._client = TelnyxClient(budget=self.budget, **self.client_kwargs)
        return self._client

    def _each(
        self, values: Sequence[Any], call: Callable[[Any], Any]
    ) -> list[tuple[Any, str | None]]:
        def guarded(value: Any) -> tuple[Any, str | None]:
            try:
                return call(value), None
            except (TelnyxError, ValueError, TypeError) as exc:
                return None, _error_text(exc)

        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.max_concurrency, thread_name_prefix="telnyx-rows")
        return list(self._pool.map(guarded, list(values)))

    def _table(
        self,
        batch: Batch,
        results: Sequence[tuple[Any, str | None]],
        columns: Callable[[list[Any]], Mapping[str, list[Any]]],
    ) -> dict[str, Any]:
        """The batch's own columns, the answers' (``columns`` of the values) and the errors."""
        out = {name: list(values) for name, values in batch.items()}
        out.update(columns([value for value, _ in results]))
        out[self.error_column] = [error for _, error in results]
        return out

    def __getstate__(self) -> dict[str, Any]:
        live = ("_client", "_pool", "_embedder", "_buckets")
        return {k: None if k in live else v for k, v in self.__dict__.items()}


class ChatRows(_Rows):
    """One chat completion per row: ``prompt_column`` in, ``output_column`` (and ``error``) out.

    With ``schema`` (a pydantic model, TypedDict or JSON Schema) the answer is structured and
    validated, and each top-level field becomes a column ``{field_prefix}{field}``.
    """

    def __init__(
        self,
        *,
        model: str = DEFAULT_CHAT_MODEL,
        prompt_column: str = "prompt",
        output_column: str = "response",
        system: str | None = None,
        schema: Any = None,
        field_prefix: str = "",
        params: Mapping[str, Any] | None = None,
        budget: TokenBudget | None = None,
        max_concurrency: int = 8,
        error_column: str = "error",
        **client_kwargs: Any,
    ) -> None:
        super().__init__(
            budget=budget,
            max_concurrency=max_concurrency,
            error_column=error_column,
            client_kwargs=client_kwargs,
        )
        self.prompt_column = prompt_column
        self._chat = RowChat(
            model=model,
            system=system,
            schema=schema,
            field_prefix=field_prefix,
            params=params,
            output_column=output_column,
        )

    def _one(self, prompt: Any) -> Any:
        answer = self._telnyx().chat(self._chat.body(prompt), guided_check="error")
        return self._chat.value(answer.choices[0].content or "")

    def __call__(self, batch: Batch) -> dict[str, Any]:
        results = self._each(batch[self.prompt_column], self._one)
        return self._table(batch, results, self._chat.batch_columns)


class EmbedRows(_Rows):
    """Embeddings of ``input_column`` into ``output_column`` (lists of floats), one request a
    batch; a batch that fails is retried row by row so only the bad rows carry the error."""

    def __init__(
        self,
        *,
        model: str | None = None,
        input_column: str = "text",
        output_column: str = "embedding",
        budget: TokenBudget | None = None,
        error_column: str = "error",
        **client_kwargs: Any,
    ) -> None:
        super().__init__(budget=budget, error_column=error_column, client_kwargs=client_kwargs)
        self.model, self.input_column, self.output_column = model, input_column, output_column
        self._embedder: Any = None

    def _embed(self, texts: list[str]) -> list[list[float]]:
        if self._embedder is None:
            from telnyx_inference.embeddings import Embedder

            self._embedder = Embedder(self._telnyx(), model=self.model or DEFAULT_EMBEDDING_MODEL)
        vectors: list[list[float]] = self._embedder.embed(texts)
        return vectors

    def __call__(self, batch: Batch) -> dict[str, Any]:
        texts = [str(t) for t in batch[self.input_column]]
        results: list[tuple[Any, str | None]]
        try:
            results = [(vector, None) for vector in self._embed(texts)]
        except (TelnyxError, ValueError, TypeError):
            results = self._each(texts, lambda text: self._embed([text])[0])
        return self._table(batch, results, lambda values: {self.output_column: values})


class SearchRows(_Rows):
    """The ``k`` chunks of ``bucket`` closest to each row's ``query_column``, as a list of
    ``{"text", "distance", "filename"}`` in ``output_column``."""

    def __init__(
        self,
        *,
        bucket: str,
        query_column: str = "query",
        output_column: str = "matches",
        k: int = DEFAULT_NUM_OF_DOCS,
        budget: TokenBudget | None = None,
        max_concurrency: int = 8,
        error_column: str = "error",
        **client_kwargs: Any,
    ) -> None:
        super().__init__(
            budget=budget,
            max_concurrency=max_concurrency,
            error_column=error_column,
            client_kwargs=client_kwargs,
        )
        from telnyx_inference.buckets.bucket_wire import check_positive_int
        from telnyx_inference.buckets.storage_wire import check_bucket

        self.bucket, self.k = check_bucket(bucket, "bucket"), check_positive_int(k, "k")
        self.query_column, self.output_column = query_column, output_column
        self._buckets: Any = None

    def _one(self, query: Any) -> list[dict[str, Any]]:
        if self._buckets is None:
            from telnyx_inference.buckets.bucket_api import Buckets

            self._buckets = Buckets(self._telnyx())
        hits = self._buckets.search(self.bucket, str(query), num_of_docs=self.k)
        return [{"text": h.chunk, "distance": h.distance, "filename": h.filename} for h in hits]

    def __call__(self, batch: Batch) -> dict[str, Any]:
        results = self._each(batch[self.query_column], self._one)
        return self._table(batch, results, lambda values: {self.output_column: values})
