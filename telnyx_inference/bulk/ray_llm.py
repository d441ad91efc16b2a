"""A ready ``ray.data.llm`` HTTP processor for Telnyx chat completions.

Ray's own HTTP stage sends the requests; this module gives it Telnyx's URL, a key read in each
worker, the request body our client would send (parameters checked on the driver, structured
output as ``response_format: json_schema``) and a postprocess that turns answers into the same
columns as :class:`~.ray_data.ChatRows`::

    processor = http_processor(schema=Person, concurrency=4, qps=20)
    out = processor(ray.data.from_items(rows))

Against :class:`~.ray_data.ChatRows` it lacks a token budget: ``qps`` paces the requests of
one batch in one worker, each batch anew, and nothing is shared between workers or jobs. A row
whose request still meets 408/429/502/503/504 or a connection error after ``max_retries``
fails the whole job (Ray's stage raises); other error answers (a 400, a 500) and answers that
fail the schema land in the error column. Use :class:`~.ray_data.ChatRows` with a shared
:class:`~telnyx_inference.TokenBudget` when a job must stay under Telnyx's token limits.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from telnyx_inference._constants import DEFAULT_CHAT_MODEL, DEFAULT_TIMEOUT
from telnyx_inference.bulk.row_chat import RowChat
from telnyx_inference.chat.response import parse_completion
from telnyx_inference.chat.structured import MissingDependencyError
from telnyx_inference.error_bodies import describe_error_body
from telnyx_inference.errors import InvalidParameterError, TelnyxError
from telnyx_inference.settings import TelnyxSettings, join_url

__all__ = ["http_processor"]

PAYLOAD = "payload"
RESPONSE = "http_response"
"""The columns Ray's HTTP stage reads and writes."""


class TelnyxSession:
    """Opens the aiohttp session Ray's HTTP stage posts with, carrying the key it reads from
    ``TELNYX_API_KEY`` in the worker: the key is never in the processor's config (which Ray
    logs and pickles), only in the worker's environment."""

    def __init__(self, settings: TelnyxSettings) -> None:
        self.settings = settings  # pickles without its key

    def __call__(self) -> Any:
        import aiohttp

        headers = {
            **dict(self.settings.default_headers or {}),
            "Authorization": f"Bearer {self.settings.require_key()}",
        }
        timeout = aiohttp.ClientTimeout(total=self.settings.timeout)
        return aiohttp.ClientSession(headers=headers, timeout=timeout)

    def __repr__(self) -> str:
        return f"TelnyxSession(base_url={self.settings.base_url!r})"


class _Request:
    """The preprocess: a row's prompt into the request body."""

    def __init__(self, chat: RowChat, prompt_column: str) -> None:
        self.chat, self.prompt_column = chat, prompt_column

    def __call__(self, row: Mapping[str, Any]) -> dict[str, Any]:
        return {PAYLOAD: self.chat.body(row[self.prompt_column])}


class _Answer:
    """The postprocess: the row's own columns, the answer's columns, and the error column."""

    def __init__(self, chat: RowChat, error_column: str) -> None:
        self.chat, self.error_column = chat, error_column

    def __call__(self, row: Mapping[str, Any]) -> dict[str, Any]:
        out = {k: v for k, v in row.items() if k not in (PAYLOAD, RESPONSE)}
        value, error = self.read(row.get(RESPONSE))
        out.update(self.chat.cells(value))
        out[self.error_column] = error
        return out

    def read(self, body: Any) -> tuple[Any, str | None]:
        if isinstance(body, Mapping):  # in Arrow, every row has every key: absent ones are None
            body = {k: v for k, v in body.items() if v is not None}
        if not isinstance(body, Mapping) or len(body.get("choices") or ()) == 0:
            return None, f"APIStatusError: {describe_error_body(body)}"
        try:
            text = parse_completion(body).choices[0].content or ""
            return self.chat.value(text), None
        except (TelnyxError, ValueError, TypeError) as exc:
            return None, f"{type(exc).__name__}: {exc}"


def http_processor(
    *,
    model: str = DEFAULT_CHAT_MODEL,
    prompt_column: str = "prompt",
    output_column: str = "response",
    system: str | None = None,
    schema: Any = None,
    field_prefix: str = "",
    params: Mapping[str, Any] | None = None,
    error_column: str = "error",
    base_url: str | None = None,
    allow_insecure_http: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
    concurrency: int = 1,
    batch_size: int = 64,
    qps: int | None = None,
    max_retries: int = 3,
    retry_wait_seconds: float = 1.0,
) -> Any:
    """A ``ray.data.llm`` processor that sends one Telnyx chat completion per row.

    The columns are :class:`~.ray_data.ChatRows`'s: the row's own, ``output_column`` (or one
    column per schema field, prefixed with ``field_prefix``) and ``error_column``. Parameters
    and the schema are checked here, before any row is read; the base URL comes from
    ``base_url``, ``TELNYX_API_BASE`` or Telnyx's, and the key from ``TELNYX_API_KEY`` in each
    worker (``ray.init(runtime_env={"env_vars": {...}})``). ``concurrency`` is the number of
    workers, ``batch_size`` the requests each has in flight, ``qps`` an optional pace per
    batch, and ``max_retries`` / ``retry_wait_seconds`` Ray's retries (exponential backoff)
    of 408, 429, 502, 503, 504 and connection errors.
    """
    try:
        from ray.data.llm import HttpRequestProcessorConfig, build_processor
    except ImportError as exc:
        raise MissingDependencyError(
            "http_processor needs Ray Data's LLM module: pip install 'telnyx-inference[ray]'"
        ) from exc
    if "session_factory" not in HttpRequestProcessorConfig.model_fields:
        raise MissingDependencyError(
            "http_processor needs a Ray whose HttpRequestProcessorConfig takes session_factory "
            "(the key is set per worker through it): pip install -U 'ray[data]'"
        )
    for name, number in (("concurrency", concurrency), ("batch_size", batch_size)):
        if number < 1:
            raise InvalidParameterError(name, f"must be at least 1, got {number!r}")
    if qps is not None and qps < 1:
        raise InvalidParameterError("qps", f"must be at least 1 or None, got {qps!r}")
    if max_retries < 0:
        raise InvalidParameterError("max_retries", f"must be 0 or more, got {max_retries!r}")
    settings = TelnyxSettings.resolve(
        base_url=base_url, allow_insecure_http=allow_insecure_http, timeout=timeout
    ).model_copy(update={"api_key": None})  # each worker reads its own
    chat = RowChat(
        model=model,
        system=system,
        schema=schema,
        field_prefix=field_prefix,
        params=params,
        output_column=output_column,
    )
    config = HttpRequestProcessorConfig(
        url=join_url(settings.base_url, "chat/completions"),
        session_factory=TelnyxSession(settings),
        concurrency=concurrency,
        batch_size=batch_size,
        qps=qps,
        max_retries=max_retries,
        base_retry_wait_time_in_s=retry_wait_seconds,
    )
    return build_processor(
        config, preprocess=_Request(chat, prompt_column), postprocess=_Answer(chat, error_column)
    )
