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

from telnyx_inference._constants import CHAT_PATH, DEFAULT_CHAT_MODEL, MODELS_PATH, ModelFacts
from telnyx_inference._hints import add_hint, explain
from telnyx_inference.chat.catalog import (
    cached_catalog,
    facts_for,
    known_facts,
    parse_models,
    store_catalog,
    store_failure,
)
from telnyx_inference.chat.cost import Cost, cost_of
from telnyx_inference.chat.guards import (
    body_without_refused_cap,
    check_against_catalog,
    region_refusal,
    warn_if_budget_spent,
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
from telnyx_inference.chat.tracking import record_answer, tracking
from telnyx_inference.errors import (
    BadRequestError,
    InvalidParameterError,
    NotFoundError,
    RequestValidationError,
    StreamInterruptedError,
    TelnyxError,
)
from telnyx_inference.settings import TelnyxSettings, join_url
from telnyx_inference.transport.shells import AsyncTransport, SyncTransport

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


def _model_of(body: Mapping[str, Any]) -> str:
    return str(body.get("model") or DEFAULT_CHAT_MODEL)


def _checked(body: Mapping[str, Any], completion: Completion, policy: GuidedCheck) -> Completion:
    """Fail closed: an answer that ignores the ``guided_*`` field sent is reported."""
    check_guided_answer(body, completion, policy)
    return completion


def _checked_stream(body: Mapping[str, Any], acc: StreamAccumulator, policy: GuidedCheck) -> None:
    if policy != "off" and sends_guided(body):
        check_guided_answer(body, acc.result(), policy)


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

    def _catalog_hit(self, model: str, refresh: bool) -> ModelFacts | None:
        return None if refresh else known_facts(self.settings.base_url, model)

    def _before_send(self, body: Mapping[str, Any], streaming: bool) -> None:
        _check_stream_flag(body, streaming)
        check_against_catalog(body, known_facts(self.settings.base_url, _model_of(body)))

    @staticmethod
    def _sent_again(
        err: BadRequestError, body: Mapping[str, Any], retry: bool
    ) -> Mapping[str, Any]:
        """The body without a ``max_tokens`` the server refused (10015); else raise ``err``."""
        again = body_without_refused_cap(err, body) if retry else None
        if again is None:
            raise err
        return again

    def _refined(self, err: RequestValidationError, body: Mapping[str, Any]) -> TelnyxError:
        """A 422 that refuses a structured-output field says what to send instead; one to
        ``mode="strict"`` names the region and the model."""
        facts = known_facts(self.settings.base_url, _model_of(body))
        return region_refusal(err, body, facts) or add_hint(err, refusal_hint(err, body))

    def _settle(
        self, completion: Completion, body: Mapping[str, Any], facts: ModelFacts | None
    ) -> Cost:
        """Price a finished answer, count it in the active ``telnyx_usage`` blocks, and say
        when its budget went to reasoning."""
        cost = cost_of(completion.usage, facts.pricing if facts is not None else None)
        completion.cost = cost
        record_answer(completion.usage, cost)
        warn_if_budget_spent(completion, body)
        return cost

    def _catalog_failed(self, exc: TelnyxError) -> None:
        """Remember why the catalog could not be read, apart from the catalog itself, and
        say in the error which request failed."""
        url = join_url(self.settings.base_url, MODELS_PATH)
        exc.add_note(f"(while reading the model catalog: GET {url})")
        store_failure(self.settings.base_url, exc)
        logger.debug("model catalog unavailable at %s (%s); using the fallback table", url, exc)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.settings.base_url!r})"


class TelnyxClient(_Base[openai.OpenAI, SyncTransport]):
    """Synchronous client for chat completions and the model catalog."""

    _transport_class = SyncTransport

    def chat(
        self,
        body: Mapping[str, Any],
        *,
        guided_check: GuidedCheck = "warn",
        retry_without_max_tokens: bool = True,
        **send: Any,
    ) -> Completion:
        """Send a non-streamed chat request built by :func:`build_chat_request`.

        ``guided_check``: what an answer that ignores the ``guided_*`` field sent does (see
        :mod:`telnyx_inference.chat.guided_check`). On the 400 that refuses ``max_tokens``
        beside function tools (code 10015), the request is sent once more without it (unless
        ``retry_without_max_tokens=False``).
        """
        self._before_send(body, False)
        policy = checked_policy(guided_check)
        try:
            answer = self._post(body, send)
        except BadRequestError as err:
            body = self._sent_again(err, body, retry_without_max_tokens)
            answer = self._post(body, send)
        completion = parse_completion(answer)
        self._settle(completion, body, self._pricing_facts(_model_of(body)))
        return _checked(body, completion, policy)

    def _post(self, body: Mapping[str, Any], send: Mapping[str, Any]) -> Any:
        try:
            return self.transport.request("POST", CHAT_PATH, body=body, **send)
        except NotFoundError as err:
            explain(err, body, self._known_models())
            raise
        except RequestValidationError as err:
            raise self._refined(err, body) from None

    def stream_chat(
        self,
        body: Mapping[str, Any],
        *,
        accumulator: StreamAccumulator | None = None,
        guided_check: GuidedCheck = "warn",
        retry_without_max_tokens: bool = True,
        **send: Any,
    ) -> Iterator[StreamEvent]:
        """Yield one event per chunk; raise if the stream ends before a finish reason."""
        self._before_send(body, True)
        policy = checked_policy(guided_check)
        acc = accumulator if accumulator is not None else StreamAccumulator()
        for _ in range(2):  # a second time only without a refused max_tokens
            chunks = self.transport.stream(CHAT_PATH, body, **send)
            with _partial_on_interruption(acc), contextlib.closing(chunks):
                try:
                    for chunk in chunks:
                        yield acc.feed(chunk)
                    break
                except BadRequestError as err:  # an HTTP status: before the first chunk
                    body = self._sent_again(err, body, retry_without_max_tokens)
                    retry_without_max_tokens = False
                except NotFoundError as err:
                    explain(err, body, self._known_models())
                    raise
                except RequestValidationError as err:
                    raise self._refined(err, body) from None
        completion = acc.finish()
        acc.cost = self._settle(completion, body, self._pricing_facts(_model_of(body)))
        _checked_stream(body, acc, policy)

    def _pricing_facts(self, model: str) -> ModelFacts | None:
        """The model's facts for pricing: known without I/O, else (inside a ``telnyx_usage``
        block, which asks for costs) read from the catalog once per base URL."""
        known = known_facts(self.settings.base_url, model)
        if known is None and tracking():
            return self.model_facts(model)
        return known

    def models(self, *, refresh: bool = False) -> dict[str, ModelFacts]:
        """The catalog of models, by id, read once per base URL and cached.

        A failed read raises (the error notes the URL) and is remembered apart from the
        catalog, so :meth:`model_facts` answers from the fallback table for a while instead
        of asking again; ``models()`` itself always tries again.
        """
        catalog = None if refresh else cached_catalog(self.settings.base_url)
        if catalog is None:
            try:
                catalog = parse_models(self.transport.request("GET", MODELS_PATH, max_retries=0))
            except TelnyxError as exc:
                self._catalog_failed(exc)
                raise
            store_catalog(self.settings.base_url, catalog)
        return catalog

    def _known_models(self) -> Mapping[str, ModelFacts] | None:
        """The catalog for an error's hint: cached, else read now (this is an error path)."""
        with contextlib.suppress(TelnyxError):
            return self.models()
        return None

    def model_facts(self, model: str, *, refresh: bool = False) -> ModelFacts:
        """Context window and capabilities of ``model``; the fallback table when offline."""
        hit = self._catalog_hit(model, refresh)
        if hit is not None:
            return hit
        try:
            return facts_for(model, self.models(refresh=refresh))
        except TelnyxError:
            return facts_for(model)


class AsyncTelnyxClient(_Base[openai.AsyncOpenAI, AsyncTransport]):
    """The async twin of :class:`TelnyxClient`."""

    _transport_class = AsyncTransport

    async def chat(
        self,
        body: Mapping[str, Any],
        *,
        guided_check: GuidedCheck = "warn",
        retry_without_max_tokens: bool = True,
        **send: Any,
    ) -> Completion:
        self._before_send(body, False)
        policy = checked_policy(guided_check)
        try:
            answer = await self._post(body, send)
        except BadRequestError as err:
            body = self._sent_again(err, body, retry_without_max_tokens)
            answer = await self._post(body, send)
        completion = parse_completion(answer)
        self._settle(completion, body, await self._pricing_facts(_model_of(body)))
        return _checked(body, completion, policy)

    async def _post(self, body: Mapping[str, Any], send: Mapping[str, Any]) -> Any:
        try:
            return await self.transport.request("POST", CHAT_PATH, body=body, **send)
        except NotFoundError as err:
            explain(err, body, await self._known_models())
            raise
        except RequestValidationError as err:
            raise self._refined(err, body) from None

    async def stream_chat(
        self,
        body: Mapping[str, Any],
        *,
        accumulator: StreamAccumulator | None = None,
        guided_check: GuidedCheck = "warn",
        retry_without_max_tokens: bool = True,
        **send: Any,
    ) -> AsyncIterator[StreamEvent]:
        self._before_send(body, True)
        policy = checked_policy(guided_check)
        acc = accumulator if accumulator is not None else StreamAccumulator()
        for _ in range(2):  # a second time only without a refused max_tokens
            chunks = self.transport.stream(CHAT_PATH, body, **send)
            # Closed here, not by the garbage collector, when the caller stops early.
            async with contextlib.aclosing(chunks):
                with _partial_on_interruption(acc):
                    try:
                        async for chunk in chunks:
                            yield acc.feed(chunk)
                        break
                    except BadRequestError as err:  # an HTTP status: before the first chunk
                        body = self._sent_again(err, body, retry_without_max_tokens)
                        retry_without_max_tokens = False
                    except NotFoundError as err:
                        explain(err, body, await self._known_models())
                        raise
                    except RequestValidationError as err:
                        raise self._refined(err, body) from None
        completion = acc.finish()
        facts = await self._pricing_facts(_model_of(body))
        acc.cost = self._settle(completion, body, facts)
        _checked_stream(body, acc, policy)

    async def _pricing_facts(self, model: str) -> ModelFacts | None:
        known = known_facts(self.settings.base_url, model)
        if known is None and tracking():
            return await self.model_facts(model)
        return known

    async def models(self, *, refresh: bool = False) -> dict[str, ModelFacts]:
        catalog = None if refresh else cached_catalog(self.settings.base_url)
        if catalog is None:
            try:
                body = await self.transport.request("GET", MODELS_PATH, max_retries=0)
            except TelnyxError as exc:
                self._catalog_failed(exc)
                raise
            catalog = parse_models(body)
            store_catalog(self.settings.base_url, catalog)
        return catalog

    async def _known_models(self) -> Mapping[str, ModelFacts] | None:
        with contextlib.suppress(TelnyxError):
            return await self.models()
        return None

    async def model_facts(self, model: str, *, refresh: bool = False) -> ModelFacts:
        hit = self._catalog_hit(model, refresh)
        if hit is not None:
            return hit
        try:
            return facts_for(model, await self.models(refresh=refresh))
        except TelnyxError:
            return facts_for(model)
