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
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import openai
from pydantic import SecretStr

from telnyx_inference._closing import AsyncClosing, Closing
from telnyx_inference._constants import CHAT_PATH, DEFAULT_CHAT_MODEL, MODELS_PATH, ModelFacts
from telnyx_inference._flows import Flow
from telnyx_inference._hints import add_hint, explain
from telnyx_inference.budget import Reservation, TokenBudget
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
from telnyx_inference.chat.spending import (
    Limited,
    answer_usage,
    hold,
    limited_by,
    release,
    settle,
    spend,
)
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
from telnyx_inference.transport.attempt import read_json
from telnyx_inference.transport.shells import AsyncTransport, SyncTransport
from telnyx_inference.transport.steps import Step

__all__ = ["AsyncTelnyxClient", "TelnyxClient"]

logger = logging.getLogger("telnyx_inference")

_SDKClient = TypeVar("_SDKClient", openai.OpenAI, openai.AsyncOpenAI)
_Transport = TypeVar("_Transport", SyncTransport, AsyncTransport)
T = TypeVar("T")


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


@dataclass(slots=True)
class _Sent:
    """The body as finally sent: a ``max_tokens`` the server refused (10015) may be dropped."""

    body: Mapping[str, Any]
    held: Reservation | None = None
    """The tokens a budget holds for this request until its usage is known."""


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
        budget: TokenBudget | None = None,
    ) -> None:
        self.budget = budget
        """A :class:`~telnyx_inference.budget.TokenBudget` every request of this client
        reserves its tokens in (chat, embeddings, bucket search); None: no budget."""
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

    def _checks(self, body: Mapping[str, Any], streaming: bool, guided_check: Any) -> GuidedCheck:
        """What is refused before anything is sent; the ``guided_check`` policy."""
        _check_stream_flag(body, streaming)
        check_against_catalog(body, known_facts(self.settings.base_url, _model_of(body)))
        return checked_policy(guided_check)

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

    def _finished(
        self, sent: _Sent, completion: Completion, facts: ModelFacts | None, policy: GuidedCheck
    ) -> Completion:
        """The answer, priced, and failing closed on a ``guided_*`` field it ignored."""
        self._settle(completion, sent.body, facts)
        check_guided_answer(sent.body, completion, policy)
        return completion

    # --- the flows: each call once, over the transport's steps (see transport.shells) ----

    def _tier(self, model: str) -> str | None:
        facts = known_facts(self.settings.base_url, model)
        return facts.tier if facts is not None else None

    def spend(
        self,
        body: Mapping[str, Any],
        model: str,
        send: Callable[[Limited | None], Flow[Step, T]],
        usage_of: Callable[[T], Any] = answer_usage,
    ) -> Flow[Step, T]:
        """``send(limited)`` under this client's budget (for the embedding and bucket calls)."""
        return spend(self.budget, body, model, self._tier(model), send, usage_of)

    def _opening(
        self, sent: _Sent, streaming: bool, send: Any, retry_without_max_tokens: bool
    ) -> Flow[Step, Any]:
        """Send the chat request; returns the answer unread. Under a budget its tokens are
        held first (``sent.held``) and given back if no answer comes. A 404 names the near
        misses among the catalog's models; a 422 is :meth:`_refined`; the 400 refusing
        ``max_tokens`` beside function tools (10015) sends the request once more without it."""
        model = _model_of(sent.body)
        sent.held = yield from hold(self.budget, sent.body, model, self._tier(model))
        limited = limited_by(self.budget, model, sent.body.get("region"))
        try:
            return (
                yield from self._sending(sent, streaming, send, retry_without_max_tokens, limited)
            )
        except Exception:
            yield from release(self.budget, sent.held)
            raise

    def _sending(
        self, sent: _Sent, streaming: bool, send: Any, retry: bool, limited: Limited | None
    ) -> Flow[Step, Any]:
        while True:
            try:
                try:
                    return (
                        yield from self.transport.open_flow(
                            "POST", CHAT_PATH, sent.body, stream=streaming, limited=limited, **send
                        )
                    )
                except RequestValidationError as err:
                    raise self._refined(err, sent.body) from None
            except BadRequestError as err:
                again = body_without_refused_cap(err, sent.body) if retry else None
                if again is None:
                    raise
                sent.body, retry = again, False
            except NotFoundError as err:
                explain(err, sent.body, (yield from self._known_models()))
                raise

    def _closing(self, sent: _Sent, usage: Any) -> Flow[Step, ModelFacts | None]:
        """After the answer: the budget settles with its usage; the facts to price it by."""
        yield from settle(self.budget, sent.held, usage)
        return (yield from self._pricing(_model_of(sent.body)))

    def _pricing(self, model: str) -> Flow[Step, ModelFacts | None]:
        """The model's facts for pricing: known without I/O, else (inside a ``telnyx_usage``
        block, which asks for costs) read from the catalog once per base URL."""
        known = known_facts(self.settings.base_url, model)
        if known is None and tracking():
            return (yield from self._model_facts(model, False))
        return known

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
        policy, sent = self._checks(body, False, guided_check), _Sent(body)
        response = self.transport.run(self._opening(sent, False, send, retry_without_max_tokens))
        completion = parse_completion(read_json(response))
        facts = self.transport.run(self._closing(sent, completion.usage))
        return self._finished(sent, completion, facts, policy)

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
        policy, sent = self._checks(body, True, guided_check), _Sent(body)
        acc = accumulator if accumulator is not None else StreamAccumulator()
        chunks = self.transport.chunks(self._opening(sent, True, send, retry_without_max_tokens))
        with _partial_on_interruption(acc), contextlib.closing(chunks):
            for chunk in chunks:
                yield acc.feed(chunk)
        completion = acc.finish()
        facts = self.transport.run(self._closing(sent, completion.usage))
        acc.cost = self._settle(completion, sent.body, facts)
        _checked_stream(sent.body, acc, policy)

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
        self,
        body: Mapping[str, Any],
        *,
        guided_check: GuidedCheck = "warn",
        retry_without_max_tokens: bool = True,
        **send: Any,
    ) -> Completion:
        policy, sent = self._checks(body, False, guided_check), _Sent(body)
        opening = self._opening(sent, False, send, retry_without_max_tokens)
        completion = parse_completion(read_json(await self.transport.run(opening)))
        facts = await self.transport.run(self._closing(sent, completion.usage))
        return self._finished(sent, completion, facts, policy)

    async def stream_chat(
        self,
        body: Mapping[str, Any],
        *,
        accumulator: StreamAccumulator | None = None,
        guided_check: GuidedCheck = "warn",
        retry_without_max_tokens: bool = True,
        **send: Any,
    ) -> AsyncIterator[StreamEvent]:
        policy, sent = self._checks(body, True, guided_check), _Sent(body)
        acc = accumulator if accumulator is not None else StreamAccumulator()
        chunks = self.transport.chunks(self._opening(sent, True, send, retry_without_max_tokens))
        # Closed here, not by the garbage collector, when the caller stops early.
        async with contextlib.aclosing(chunks):
            with _partial_on_interruption(acc):
                async for chunk in chunks:
                    yield acc.feed(chunk)
        completion = acc.finish()
        facts = await self.transport.run(self._closing(sent, completion.usage))
        acc.cost = self._settle(completion, sent.body, facts)
        _checked_stream(sent.body, acc, policy)

    async def models(self, *, refresh: bool = False) -> dict[str, ModelFacts]:
        return await self.transport.run(self._models(refresh))

    async def model_facts(self, model: str, *, refresh: bool = False) -> ModelFacts:
        return await self.transport.run(self._model_facts(model, refresh))
