"""The framework-free clients: build, send, read — in a few lines per call.

::

    client = TelnyxClient()                         # key from TELNYX_API_KEY
    body = build_chat_request([{"role": "user", "content": "Hi"}], model="moonshotai/Kimi-K2.6")
    completion = client.chat(body)
    for event in client.stream_chat(body):
        print(event.deltas[0].content if event.deltas else "", end="")

``AsyncTelnyxClient`` is the same with ``await`` / ``async for``.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any, Generic, TypeVar

import openai
from pydantic import SecretStr

from telnyx_inference._closing import AsyncClosing, Closing
from telnyx_inference._constants import CHAT_PATH, MODELS_PATH, ModelFacts
from telnyx_inference._flows import Flow
from telnyx_inference._hints import add_hint, explain
from telnyx_inference.chat.catalog import (
    cached_catalog,
    facts_for,
    known_facts,
    parse_models,
    store_catalog,
    store_failure,
)
from telnyx_inference.chat.guided_check import (
    GuidedCheck,
    check_guided_answer,
    checked_policy,
    refusal_hint,
    sends_guided,
)
from telnyx_inference.chat.response import Completion, parse_completion
from telnyx_inference.chat.stream import StreamAccumulator, StreamEvent
from telnyx_inference.errors import (
    InvalidParameterError,
    NotFoundError,
    RequestValidationError,
    StreamInterruptedError,
    TelnyxError,
)
from telnyx_inference.settings import TelnyxSettings, join_url
from telnyx_inference.transport.attempt import read_json
from telnyx_inference.transport.shells import AsyncTransport, SyncTransport
from telnyx_inference.transport.steps import Step

__all__ = ["AsyncTelnyxClient", "TelnyxClient"]

logger = logging.getLogger("telnyx_inference")

_SDKClient = TypeVar("_SDKClient", openai.OpenAI, openai.AsyncOpenAI)
_Transport = TypeVar("_Transport", SyncTransport, AsyncTransport)


def _settings(
    settings: TelnyxSettings | None,
    client: openai.OpenAI | openai.AsyncOpenAI | None,
    **kw: Any,
) -> TelnyxSettings:
    if settings is not None:
        return settings
    if client is not None and kw.get("base_url") is None:
        kw["base_url"] = str(client.base_url)
    if client is not None and kw.get("api_key") is None and client.api_key:
        kw["api_key"] = SecretStr(client.api_key)
    return TelnyxSettings.resolve(**kw)


def _check_stream_flag(body: Mapping[str, Any], streaming: bool) -> None:
    if bool(body.get("stream")) != streaming:
        raise InvalidParameterError(
            "stream", f"the body must be built with stream={streaming} for this call"
        )


def _policy(body: Mapping[str, Any], streaming: bool, guided_check: Any) -> GuidedCheck:
    """The call's checks before anything is sent; the ``guided_check`` policy."""
    _check_stream_flag(body, streaming)
    return checked_policy(guided_check)


def _completion(body: Mapping[str, Any], response: Any, policy: GuidedCheck) -> Completion:
    """The answer, failing closed: one that ignores the ``guided_*`` field sent is reported."""
    completion = parse_completion(read_json(response))
    check_guided_answer(body, completion, policy)
    return completion


def _checked_stream(body: Mapping[str, Any], acc: StreamAccumulator, policy: GuidedCheck) -> None:
    if policy != "off" and sends_guided(body):
        check_guided_answer(body, acc.result(), policy)


@contextlib.contextmanager
def _refusal_explained(body: Mapping[str, Any]) -> Iterator[None]:
    """A 422 refusing a structured-output field says what to send instead."""
    try:
        yield
    except RequestValidationError as err:
        add_hint(err, refusal_hint(err, body))
        raise


@contextlib.contextmanager
def _partial_on_interruption(acc: StreamAccumulator) -> Iterator[None]:
    """A connection that breaks mid-stream reports what had arrived, as ``partial``."""
    try:
        yield
    except StreamInterruptedError as err:
        if err.partial is None:
            err.partial = acc.result()
        raise


class _Base(Generic[_SDKClient, _Transport]):
    settings: TelnyxSettings
    transport: _Transport
    _transport_class: type[_Transport]

    def __init__(
        self,
        *,
        api_key: str | SecretStr | None = None,
        base_url: str | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        total_timeout: float | None = None,
        default_headers: Mapping[str, str] | None = None,
        allow_insecure_http: bool = False,
        async_transport: str | None = None,
        client: _SDKClient | None = None,
        settings: TelnyxSettings | None = None,
    ) -> None:
        self.settings = _settings(
            settings,
            client,
            api_key=api_key,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            total_timeout=total_timeout,
            default_headers=default_headers,
            allow_insecure_http=allow_insecure_http,
            async_transport=async_transport,
        )
        self.transport = self._transport_class(self.settings, client)  # type: ignore[arg-type]

    @property
    def native_root(self) -> str:
        """The Telnyx-native ``…/v2`` root (buckets live there)."""
        return self.settings.native_root

    def _native(self, path: str) -> str:
        return join_url(self.native_root, path)

    def _catalog_failed(self, exc: TelnyxError) -> None:
        """Remember why the catalog could not be read, apart from the catalog itself, and
        say in the error which request failed."""
        url = join_url(self.settings.base_url, MODELS_PATH)
        exc.add_note(f"(while reading the model catalog: GET {url})")
        store_failure(self.settings.base_url, exc)
        logger.debug("model catalog unavailable at %s (%s); using the fallback table", url, exc)

    # --- the flows: each call once, over the transport's steps (see transport.shells) ----

    def _opening(self, body: Mapping[str, Any], streaming: bool, send: Any) -> Flow[Step, Any]:
        """Send the chat request; returns the answer unread. A 404 names the near misses
        among the catalog's models; a 422 refusing a structured-output field says what to
        send instead."""
        try:
            with _refusal_explained(body):
                opened = self.transport.open_flow("POST", CHAT_PATH, body, stream=streaming, **send)
                return (yield from opened)
        except NotFoundError as err:
            explain(err, body, (yield from self._known_models()))
            raise

    def _models(self, refresh: bool) -> Flow[Step, dict[str, ModelFacts]]:
        catalog = None if refresh else cached_catalog(self.settings.base_url)
        if catalog is None:
            try:
                answer = yield from self.transport.request_flow("GET", MODELS_PATH, max_retries=0)
            except TelnyxError as exc:
                self._catalog_failed(exc)
                raise
            catalog = parse_models(answer)
            store_catalog(self.settings.base_url, catalog)
        return catalog

    def _known_models(self) -> Flow[Step, Mapping[str, ModelFacts] | None]:
        """The catalog for an error's hint: cached, else read now (this is an error path)."""
        try:
            return (yield from self._models(False))
        except TelnyxError:
            return None

    def _model_facts(self, model: str, refresh: bool) -> Flow[Step, ModelFacts]:
        hit = None if refresh else known_facts(self.settings.base_url, model)
        if hit is not None:
            return hit
        try:
            return facts_for(model, (yield from self._models(refresh)))
        except TelnyxError:
            return facts_for(model)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.settings.base_url!r})"


class TelnyxClient(Closing, _Base[openai.OpenAI, SyncTransport]):
    """Synchronous client for chat completions and the model catalog.

    Clients with the same base URL share one connection pool, each sending its own key;
    ``close()`` (or leaving a ``with TelnyxClient(...) as client:`` block) hands it back.
    """

    _transport_class = SyncTransport

    def close(self) -> None:
        """Hand back the shared connection pool (closed once no other client holds it); a
        user's own ``client=`` stays open. The client sends nothing afterwards."""
        self.transport.close()

    def chat(
        self, body: Mapping[str, Any], *, guided_check: GuidedCheck = "warn", **send: Any
    ) -> Completion:
        """Send a non-streamed chat request built by :func:`build_chat_request`.

        ``guided_check``: what an answer that ignores the ``guided_*`` field sent does
        (see :mod:`telnyx_inference.chat.guided_check`)."""
        policy = _policy(body, False, guided_check)
        return _completion(body, self.transport.run(self._opening(body, False, send)), policy)

    def stream_chat(
        self,
        body: Mapping[str, Any],
        *,
        accumulator: StreamAccumulator | None = None,
        guided_check: GuidedCheck = "warn",
        **send: Any,
    ) -> Iterator[StreamEvent]:
        """Yield one event per chunk; raise if the stream ends before a finish reason."""
        policy = _policy(body, True, guided_check)
        acc = accumulator if accumulator is not None else StreamAccumulator()
        chunks = self.transport.chunks(self._opening(body, True, send))
        with _partial_on_interruption(acc), contextlib.closing(chunks):
            for chunk in chunks:
                yield acc.feed(chunk)
        acc.finish()
        _checked_stream(body, acc, policy)

    def models(self, *, refresh: bool = False) -> dict[str, ModelFacts]:
        """The catalog of models, by id, read once per base URL and cached.

        A failed read raises (the error notes the URL) and is remembered apart from the
        catalog, so :meth:`model_facts` answers from the fallback table for a while instead
        of asking again; ``models()`` itself always tries again.
        """
        return self.transport.run(self._models(refresh))

    def model_facts(self, model: str, *, refresh: bool = False) -> ModelFacts:
        """Context window and capabilities of ``model``; the fallback table when offline."""
        return self.transport.run(self._model_facts(model, refresh))


class AsyncTelnyxClient(AsyncClosing, _Base[openai.AsyncOpenAI, AsyncTransport]):
    """The async twin of :class:`TelnyxClient` (``aclose()``, ``async with``)."""

    _transport_class = AsyncTransport

    async def aclose(self) -> None:
        await self.transport.aclose()

    async def chat(
        self, body: Mapping[str, Any], *, guided_check: GuidedCheck = "warn", **send: Any
    ) -> Completion:
        policy = _policy(body, False, guided_check)
        opened = await self.transport.run(self._opening(body, False, send))
        return _completion(body, opened, policy)

    async def stream_chat(
        self,
        body: Mapping[str, Any],
        *,
        accumulator: StreamAccumulator | None = None,
        guided_check: GuidedCheck = "warn",
        **send: Any,
    ) -> AsyncIterator[StreamEvent]:
        policy = _policy(body, True, guided_check)
        acc = accumulator if accumulator is not None else StreamAccumulator()
        chunks = self.transport.chunks(self._opening(body, True, send))
        # Closed here, not by the garbage collector, when the caller stops early.
        async with contextlib.aclosing(chunks):
            with _partial_on_interruption(acc):
                async for chunk in chunks:
                    yield acc.feed(chunk)
        acc.finish()
        _checked_stream(body, acc, policy)

    async def models(self, *, refresh: bool = False) -> dict[str, ModelFacts]:
        return await self.transport.run(self._models(refresh))

    async def model_facts(self, model: str, *, refresh: bool = False) -> ModelFacts:
        return await self.transport.run(self._model_facts(model, refresh))
