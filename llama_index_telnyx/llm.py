"""``Telnyx``: Telnyx Inference as a LlamaIndex ``FunctionCallingLLM``."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator, Generator, Iterable, Iterator, Sequence
from typing import Any

from llama_index.core.base.llms.generic_utils import prompt_to_messages
from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    ChatResponseAsyncGen,
    ChatResponseGen,
    CompletionResponse,
    CompletionResponseAsyncGen,
    CompletionResponseGen,
    LLMMetadata,
    MessageRole,
)
from llama_index.core.constants import DEFAULT_NUM_OUTPUTS
from llama_index.core.llms.callbacks import llm_chat_callback, llm_completion_callback
from llama_index.core.llms.function_calling import FunctionCallingLLM
from llama_index.core.llms.llm import ToolSelection
from llama_index_instrumentation import get_dispatcher
from pydantic import ConfigDict, Field, PrivateAttr

from llama_index_telnyx import _structured
from llama_index_telnyx._messages import to_wire_messages
from llama_index_telnyx._response import chat_response
from llama_index_telnyx._stream import CompletionView, StreamReader
from llama_index_telnyx._structured import StructuredFields
from llama_index_telnyx._tools import (
    keep_first_tool_call,
    prepare_chat_with_tools,
    to_wire_tools,
    tool_selections,
)
from telnyx_inference import DEFAULT_CHAT_MODEL, ChatParamFields, ModelFacts, build_chat_request
from telnyx_inference._hints import warn_unknown_model_once
from telnyx_inference.chat.catalog import cached_catalog, facts_for, known_facts
from telnyx_inference.chat.params import PARAM_NAMES, check_call_names, overlay_params
from telnyx_inference.chat.request import MaxTokensWithTools
from telnyx_inference.chat.stream import StreamEvent
from telnyx_inference.connection import ConnectionFields

__all__ = ["Telnyx"]

dispatcher = get_dispatcher(__name__)

_PARAMS = frozenset(PARAM_NAMES)
_OWN_OPTIONS = frozenset({"allow_parallel_tool_calls", "retrieval"})
"""Per-call names of this adapter on top of the core's (see ``check_call_names``)."""


class Telnyx(ConnectionFields, StructuredFields, FunctionCallingLLM, ChatParamFields):
    """Telnyx Inference for LlamaIndex: chat, tools and agents, structured output.

    ::

        llm = Telnyx(model="moonshotai/Kimi-K2.6", temperature=0.2)  # key: TELNYX_API_KEY
        llm.complete("Say hi").text
        FunctionAgent(tools=[add, multiply], llm=llm)
        llm.structured_predict(Invoice, PromptTemplate("Extract: {text}"), text=email)  # json_schema
        llm.as_structured_llm(Leave, retrieval="handbook").complete("Vacation days?")  # grounded
        Telnyx(structured_method="guided_json")     # the seed's guided_* fields instead
        Telnyx(min_p=0.05, enable_thinking=False, service_tier="flex")  # Telnyx extensions

    Every sampling parameter and Telnyx extension is a field (inherited from the core's
    ``ChatParamFields``, validated there) and can be overridden per call:
    ``llm.chat(messages, temperature=0.7)``.
    """

    model_config = ConfigDict(extra="forbid")

    model: str = Field(default=DEFAULT_CHAT_MODEL, description="Telnyx model id.")
    additional_kwargs: dict[str, Any] = Field(
        default_factory=dict, description="Extra request body fields sent with every call."
    )
    context_window: int | None = Field(
        default=None, gt=0, description="Overrides the context window read from the catalog."
    )
    max_tokens_with_tools: MaxTokensWithTools = Field(
        default="drop",
        description="Telnyx-hosted models refuse max_tokens beside function tools: drop (warned "
        "once per model), keep or error. Proxied models (openai/…, anthropic/…) always keep it.",
    )

    _metadata: tuple[tuple[Any, ...], LLMMetadata] | None = PrivateAttr(default=None)
    _catalog_read: asyncio.Task[Any] | None = PrivateAttr(default=None)

    @classmethod
    def class_name(cls) -> str:
        return "telnyx_llm"

    @property
    def api_base(self) -> str | None:
        """The base URL in use (the name OpenAILike users know)."""
        return self.base_url

    # -- metadata ---------------------------------------------------------------------------

    @property
    def metadata(self) -> LLMMetadata:
        """Context window and output size from Telnyx's catalog (a built-in table offline)."""
        key = (self.model, self.context_window, self.max_tokens)
        cached = self._metadata
        if cached is not None and cached[0] == key:
            return cached[1]
        context, num_output = self.context_window, self.max_tokens
        final = True
        if context is None or num_output is None:
            facts, final = self._model_facts()
            context = context or facts.context_length
            num_output = num_output or facts.max_completion_tokens or DEFAULT_NUM_OUTPUTS
            if final:  # a guess is said once, with the way to set it
                warn_unknown_model_once(
                    self.model,
                    cached_catalog(self.base_url or ""),
                    context_window=None if self.context_window else context,
                    max_tokens=None if self.max_tokens else num_output,
                )
        metadata = LLMMetadata(
            context_window=context,
            num_output=num_output,
            is_chat_model=True,
            is_function_calling_model=True,
            model_name=self.model,
            system_role=MessageRole.SYSTEM,
        )
        if final:
            self._metadata = (key, metadata)
        return metadata

    def _model_facts(self) -> tuple[ModelFacts, bool]:
        """The model's facts, and whether they are final (from the catalog or the table).

        Inside a running event loop nothing may block: without a cached catalog the built-in
        table answers for now, and the catalog is read in the background for later calls.
        (LlamaIndex reads ``metadata`` before every call, async ones included.)
        """
        known = known_facts(self.base_url or "", self.model)
        if known is not None:
            return known, True
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return self.telnyx_client().model_facts(self.model), True
        if self._catalog_read is None or self._catalog_read.done():
            self._catalog_read = loop.create_task(
                self.telnyx_async_client().model_facts(self.model)
            )
        return facts_for(self.model), False

    # -- the one request builder ------------------------------------------------------------

    def _request(
        self, messages: Sequence[ChatMessage], stream: bool, kwargs: dict[str, Any]
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """The body and the send options of one call."""
        params = self.param_values()
        extra: dict[str, Any] = {}
        for name, value in self.additional_kwargs.items():
            (params if name in _PARAMS else extra)[name] = value
        check_call_names(kwargs, _OWN_OPTIONS)
        params = overlay_params(params, {k: v for k, v in kwargs.items() if k in _PARAMS})
        extra.update(kwargs.get("extra_body") or {})
        body = build_chat_request(
            to_wire_messages(messages),
            model=kwargs.get("model") or self.model,
            params=params,
            tools=to_wire_tools(kwargs.get("tools")) + self.retrieval_for(kwargs),
            tool_choice=kwargs.get("tool_choice"),
            stream=stream,
            extra_body=extra or None,
            max_tokens_with_tools=kwargs.get("max_tokens_with_tools", self.max_tokens_with_tools),
        )
        send: dict[str, Any] = {}
        if kwargs.get("timeout") is not None:
            send["timeout"] = kwargs["timeout"]
        if kwargs.get("extra_headers"):
            send["headers"] = kwargs["extra_headers"]
        if "guided_check" in kwargs:
            send["guided_check"] = kwargs["guided_check"]
        return body, send

    # -- chat -------------------------------------------------------------------------------

    @llm_chat_callback()
    def chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        return self._chat(messages, **kwargs)

    @llm_chat_callback()
    async def achat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        return await self._achat(messages, **kwargs)

    @llm_chat_callback()
    def stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
        return self._stream_chat(messages, **kwargs)

    @llm_chat_callback()
    async def astream_chat(
        self, messages: Sequence[ChatMessage], **kwargs: Any
    ) -> ChatResponseAsyncGen:
        return self._astream_chat(messages, **kwargs)

    def _chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        body, send = self._request(messages, False, kwargs)
        return _calls_allowed(chat_response(self.telnyx_client().chat(body, **send)), kwargs)

    async def _achat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        body, send = self._request(messages, False, kwargs)
        completion = await self.telnyx_async_client().chat(body, **send)
        return _calls_allowed(chat_response(completion), kwargs)

    def _stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
        return _read(*self._events(messages, kwargs))

    def _astream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseAsyncGen:
        return _aread(*self._aevents(messages, kwargs))

    def _events(
        self, messages: Sequence[ChatMessage], kwargs: dict[str, Any]
    ) -> tuple[StreamReader, Iterator[StreamEvent]]:
        body, send = self._request(messages, True, kwargs)
        reader = StreamReader(first_call_only=_first_call_only(kwargs))
        return reader, self.telnyx_client().stream_chat(
            body, accumulator=reader.accumulator, **send
        )

    def _aevents(
        self, messages: Sequence[ChatMessage], kwargs: dict[str, Any]
    ) -> tuple[StreamReader, AsyncIterator[StreamEvent]]:
        body, send = self._request(messages, True, kwargs)
        reader = StreamReader(first_call_only=_first_call_only(kwargs))
        return reader, self.telnyx_async_client().stream_chat(
            body, accumulator=reader.accumulator, **send
        )

    # -- completion, derived from chat ------------------------------------------------------

    @llm_completion_callback()
    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        return _completion(self._chat(prompt_to_messages(prompt), **kwargs))

    @llm_completion_callback()
    async def acomplete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponse:
        return _completion(await self._achat(prompt_to_messages(prompt), **kwargs))

    @llm_completion_callback()
    def stream_complete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponseGen:
        reader, events = self._events(prompt_to_messages(prompt), kwargs)
        view = CompletionView(reader)
        return (view(response) for response in _read(reader, events))

    @llm_completion_callback()
    async def astream_complete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponseAsyncGen:
        reader, events = self._aevents(prompt_to_messages(prompt), kwargs)
        view = CompletionView(reader)
        return (view(response) async for response in _aread(reader, events))

    # -- tools ------------------------------------------------------------------------------

    def _prepare_chat_with_tools(
        self,
        tools: Sequence[Any],
        user_msg: str | ChatMessage | None = None,
        chat_history: list[ChatMessage] | None = None,
        verbose: bool = False,
        allow_parallel_tool_calls: bool = False,
        tool_required: bool = False,
        tool_choice: Any = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """Messages, wire tools and ``tool_choice`` (a tool name, "auto", "required", …).

        ``allow_parallel_tool_calls`` travels on to the call, so that streamed answers
        (``stream_chat_with_tools``, ``FunctionAgent``) keep only the first call too.
        """
        kwargs = {**kwargs, "allow_parallel_tool_calls": allow_parallel_tool_calls}
        return prepare_chat_with_tools(
            tools, user_msg, chat_history, tool_required, tool_choice, kwargs
        )

    def _validate_chat_with_tools_response(
        self,
        response: ChatResponse,
        tools: Sequence[Any],
        allow_parallel_tool_calls: bool = False,
        **kwargs: Any,
    ) -> ChatResponse:
        return response if allow_parallel_tool_calls else keep_first_tool_call(response)

    def get_tool_calls_from_response(
        self,
        response: ChatResponse,
        error_on_no_tool_call: bool = True,
        **kwargs: Any,
    ) -> list[ToolSelection]:
        return tool_selections(response, error_on_no_tool_call)

    # -- structured output: json_schema by default, guided_* on request ----------------------

    @dispatcher.span
    def structured_predict(
        self,
        output_cls: Any,
        prompt: Any,
        llm_kwargs: dict[str, Any] | None = None,
        **prompt_args: Any,
    ) -> Any:
        spec, messages, kwargs = _structured.begin(
            self, output_cls, prompt, llm_kwargs, prompt_args
        )
        return _structured.end(spec, self.chat(messages, **kwargs))

    @dispatcher.span
    async def astructured_predict(
        self,
        output_cls: Any,
        prompt: Any,
        llm_kwargs: dict[str, Any] | None = None,
        **prompt_args: Any,
    ) -> Any:
        spec, messages, kwargs = _structured.begin(
            self, output_cls, prompt, llm_kwargs, prompt_args
        )
        return _structured.end(spec, await self.achat(messages, **kwargs))

    @dispatcher.span
    def stream_structured_predict(
        self,
        output_cls: Any,
        prompt: Any,
        llm_kwargs: dict[str, Any] | None = None,
        **prompt_args: Any,
    ) -> Generator[Any, None, None]:
        spec, messages, kwargs = _structured.begin(
            self, output_cls, prompt, llm_kwargs, prompt_args
        )
        partials = _structured.PartialOutputs(spec, output_cls)
        last = None
        for last in self.stream_chat(messages, **kwargs):
            partial = partials.feed(last)
            if partial is not None:
                yield partial
        if last is not None:
            yield _structured.end(spec, last)

    @dispatcher.span
    async def astream_structured_predict(
        self,
        output_cls: Any,
        prompt: Any,
        llm_kwargs: dict[str, Any] | None = None,
        **prompt_args: Any,
    ) -> AsyncGenerator[Any, None]:
        spec, messages, kwargs = _structured.begin(
            self, output_cls, prompt, llm_kwargs, prompt_args
        )
        partials = _structured.PartialOutputs(spec, output_cls)
        responses = await self.astream_chat(messages, **kwargs)

        async def gen() -> AsyncGenerator[Any, None]:
            last = None
            async for last in responses:
                partial = partials.feed(last)
                if partial is not None:
                    yield partial
            if last is not None:
                yield _structured.end(spec, last)

        return gen()


def _read(reader: StreamReader, events: Iterable[StreamEvent]) -> ChatResponseGen:
    for event in events:
        response = reader.feed(event)
        if response is not None:
            yield response
    yield reader.finish()


async def _aread(reader: StreamReader, events: AsyncIterator[StreamEvent]) -> ChatResponseAsyncGen:
    async for event in events:
        response = reader.feed(event)
        if response is not None:
            yield response
    yield reader.finish()


def _first_call_only(kwargs: dict[str, Any]) -> bool:
    """Telnyx has no switch for parallel calls: ``allow_parallel_tool_calls=False`` is kept
    here, by dropping every call after the first."""
    return kwargs.get("allow_parallel_tool_calls") is False


def _calls_allowed(response: ChatResponse, kwargs: dict[str, Any]) -> ChatResponse:
    return keep_first_tool_call(response) if _first_call_only(kwargs) else response


def _completion(response: ChatResponse) -> CompletionResponse:
    return CompletionResponse(
        text=response.message.content or "",
        raw=response.raw,
        logprobs=response.logprobs,
        additional_kwargs={**response.message.additional_kwargs, **response.additional_kwargs},
    )
