"""``ChatTelnyx``: LangChain's chat model for Telnyx Inference, on the ``telnyx_inference`` core."""

from __future__ import annotations

import math
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from typing import Any

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import (
    BaseChatModel,
    LangSmithParams,
    LanguageModelInput,
    ModelProfile,
)
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool
from pydantic import ConfigDict, Field, model_validator

from langchain_telnyx import _blocks  # noqa: F401  (registers the content-block translator)
from langchain_telnyx._binding import ToolBinding
from langchain_telnyx._chunks import ChunkTranslator
from langchain_telnyx._errors import translated_errors
from langchain_telnyx._messages import to_wire_messages
from langchain_telnyx._request import (
    checked_params,
    merge_params,
    split_call_kwargs,
    warn_no_parallel_switch,
)
from langchain_telnyx._response import PROVIDER, to_chat_result
from langchain_telnyx._structured import StructuredMethod, structured_runnable
from langchain_telnyx._tools import check_tool_choice, format_tools
from langchain_telnyx.rate_limiters import as_budget
from telnyx_inference._constants import API_KEY_ENV, DEFAULT_CHAT_MODEL
from telnyx_inference.chat.catalog import ModelFacts, facts_for, known_facts, when_catalog_read
from telnyx_inference.chat.grounding import Retrieval
from telnyx_inference.chat.params import ChatParamFields
from telnyx_inference.chat.request import MaxTokensWithTools, build_chat_request
from telnyx_inference.chat.stream import StreamAccumulator
from telnyx_inference.connection import ConnectionFields
from telnyx_inference.errors import InvalidParameterError

__all__ = ["ChatTelnyx"]


def _profile(facts: ModelFacts) -> ModelProfile:
    profile = ModelProfile(
        max_input_tokens=facts.context_length,
        text_inputs=True,
        text_outputs=True,
        image_inputs=facts.is_vision,
        image_url_inputs=facts.is_vision,
        pdf_inputs=False,
        audio_inputs=False,
        video_inputs=False,
        reasoning_output=facts.is_reasoning,
        tool_calling=True,
        tool_choice=True,
        tool_call_streaming=True,
        # Deliberately False although Telnyx takes json_schema: create_agent would then pick
        # the provider strategy, sending json_schema *beside* the agent's tools on every turn,
        # and a vLLM server holds the whole answer to the schema, so no turn could call a tool.
        # The tool strategy (the schema as one more tool) works on every model;
        # ProviderStrategy(Schema) remains one argument away, and with_structured_output
        # defaults to json_schema whatever this says.
        structured_output=False,
    )
    if facts.max_completion_tokens:
        profile["max_output_tokens"] = facts.max_completion_tokens
    return profile


class ChatTelnyx(ConnectionFields, BaseChatModel, ChatParamFields):
    """Chat with a Telnyx Inference model.

    ```python
    from langchain_telnyx import ChatTelnyx, TelnyxRetrievalTool

    llm = ChatTelnyx(model="moonshotai/Kimi-K2.6", temperature=0.2)   # key: TELNYX_API_KEY
    llm.invoke("Hello").content
    llm.invoke("Hi", temperature=0.7, service_tier="flex")           # any parameter, per call
    llm.bind_tools([get_weather, TelnyxRetrievalTool(bucket_ids=["docs"])])
    llm.with_structured_output(Person).invoke("Ada is 36")           # response_format json_schema
    ```
    """

    model_config = ConfigDict(populate_by_name=True, arbitrary_types_allowed=True, extra="forbid")

    model_name: str = Field(default=DEFAULT_CHAT_MODEL, alias="model")
    """The Telnyx model id."""
    streaming: bool = False
    """Make ``invoke`` stream under the hood (callbacks see every token)."""
    stream_usage: bool = True
    """Ask for token usage at the end of a stream."""
    model_kwargs: dict[str, Any] = Field(default_factory=dict)
    """More body fields; sampling parameters among them are validated like the typed ones."""
    extra_body: dict[str, Any] | None = None
    """Body fields sent as they are."""
    max_tokens_with_tools: MaxTokensWithTools = "retry"
    """``max_tokens`` beside function tools: sent; on the 400 (code 10015) Telnyx-hosted models
    gave for it in 2025 the call is sent once more without it (``"retry"``, the default; a
    ``TelnyxWarning`` once per model). ``"drop"`` leaves it out of such calls, ``"keep"``
    raises that 400."""

    @model_validator(mode="before")
    @classmethod
    def _official_spellings(cls, values: Any) -> Any:
        if isinstance(values, dict) and "max_completion_tokens" in values:  # langchain-openai's
            values = dict(values)
            values.setdefault("max_tokens", values.pop("max_completion_tokens"))
        if isinstance(values, dict) and ("rate_limiter" in values or "budget" in values):
            values = as_budget(dict(values))  # a TokenBudget as LangChain's rate limiter
        return values

    # --- LangChain plumbing -------------------------------------------------------------

    @property
    def _llm_type(self) -> str:
        return "telnyx-chat"

    @property
    def lc_secrets(self) -> dict[str, str]:
        return {"api_key": API_KEY_ENV}

    @classmethod
    def is_lc_serializable(cls) -> bool:
        return True

    @classmethod
    def get_lc_namespace(cls) -> list[str]:
        return ["langchain_telnyx", "chat_models"]

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_name": self.model_name, **self.param_values()}

    def _get_ls_params(self, stop: list[str] | None = None, **kwargs: Any) -> LangSmithParams:
        params = LangSmithParams(
            ls_provider=PROVIDER,
            ls_model_name=kwargs.get("model") or self.model_name,
            ls_model_type="chat",
        )
        temperature = kwargs.get("temperature", self.temperature)
        if temperature is not None:
            params["ls_temperature"] = temperature
        max_tokens = kwargs.get("max_tokens", self.max_tokens)
        if max_tokens is not None:
            params["ls_max_tokens"] = max_tokens
        stops = stop or kwargs.get("stop") or self.stop
        if isinstance(stops, str):
            params["ls_stop"] = [stops]
        elif isinstance(stops, list | tuple) and stops:  # anything else is refused when checked
            params["ls_stop"] = list(stops)
        return params

    def _resolve_model_profile(self) -> ModelProfile | None:
        """From the model catalog when this process has read it, else the built-in table
        (no I/O here); a catalog read later (by any client, or :meth:`load_profile`) updates
        a profile made this way."""
        base_url = self.resolved_base_url()
        facts = known_facts(base_url, self.model_name)
        if facts is None:
            when_catalog_read(base_url, self._catalog_read)
            facts = facts_for(self.model_name)
        return _profile(facts)

    def _catalog_read(self, catalog: dict[str, ModelFacts]) -> None:
        if self.profile is not None and self.profile == _profile(facts_for(self.model_name)):
            self.profile = _profile(facts_for(self.model_name, catalog))  # not the user's own

    def load_profile(self) -> ModelProfile:
        """Read Telnyx's model catalog (once per process and base URL) and set ``profile``
        from it: context window, output limit, vision and reasoning. Raises when the
        catalog cannot be read."""
        self.profile = _profile(facts_for(self.model_name, self.telnyx_client().models()))
        return self.profile

    async def aload_profile(self) -> ModelProfile:
        """The async twin of :meth:`load_profile`."""
        catalog = await self.telnyx_async_client().models()
        self.profile = _profile(facts_for(self.model_name, catalog))
        return self.profile

    # --- Build, send, translate -----------------------------------------------------------

    def _request(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None,
        kwargs: Mapping[str, Any],
        *,
        stream: bool,
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """The one request builder: (body, send options) for this call."""
        call = split_call_kwargs(kwargs)
        policy = call.max_tokens_with_tools or self.max_tokens_with_tools
        base = self.param_values()
        extra: dict[str, Any] = {}
        for name, value in self.model_kwargs.items():
            (base if name in ChatParamFields.model_fields else extra)[name] = value
        if self.extra_body:
            extra.update(self.extra_body)
        extra.update(call.extra_body)
        body = build_chat_request(
            to_wire_messages(messages),
            model=call.model or self.model_name,
            params=checked_params(merge_params(base, call.params, stop)),
            tools=call.tools,
            tool_choice=call.tool_choice,
            stream=stream,
            include_usage=self.stream_usage if call.stream_usage is None else call.stream_usage,
            extra_body=extra,
            max_tokens_with_tools=policy,  # type: ignore[arg-type]
        )
        return body, {**call.send, "retry_without_max_tokens": policy == "retry"}

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        body, send = self._request(messages, stop, kwargs, stream=False)
        with translated_errors():
            return to_chat_result(self.telnyx_client().chat(body, **send))

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        body, send = self._request(messages, stop, kwargs, stream=False)
        with translated_errors():
            return to_chat_result(await self.telnyx_async_client().chat(body, **send))

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        body, send = self._request(messages, stop, kwargs, stream=True)
        translator = ChunkTranslator(provider_on_every_chunk=self.output_version == "v1")
        acc = StreamAccumulator()
        with translated_errors():
            for event in self.telnyx_client().stream_chat(body, accumulator=acc, **send):
                chunk = translator.feed(event)
                if chunk is not None:
                    yield chunk
        yield translator.finish(acc.cost)

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        body, send = self._request(messages, stop, kwargs, stream=True)
        translator = ChunkTranslator(provider_on_every_chunk=self.output_version == "v1")
        acc = StreamAccumulator()
        with translated_errors():
            async for event in self.telnyx_async_client().stream_chat(
                body, accumulator=acc, **send
            ):
                chunk = translator.feed(event)
                if chunk is not None:
                    yield chunk
        yield translator.finish(acc.cost)

    # --- Tools and structured output -------------------------------------------------------

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool | Any],
        *,
        tool_choice: str | bool | dict[str, Any] | None = None,
        strict: bool | None = None,
        parallel_tool_calls: bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """Bind function tools and Telnyx retrieval tools.

        ``tool_choice`` may name a tool, or be ``"auto"``, ``"none"``, ``"required"``,
        ``"any"`` or ``True``; Telnyx only takes strings, so a named tool is sent as
        ``"required"`` with that tool alone. ``strict`` is accepted for compatibility and
        ignored (Telnyx function tools have no strict mode; use structured output for that).
        """
        formatted = format_tools(tools)
        if tool_choice is not None:
            check_tool_choice(tool_choice, formatted)
            kwargs["tool_choice"] = tool_choice
        if parallel_tool_calls is False:
            warn_no_parallel_switch()
        return ToolBinding(bound=self, kwargs={"tools": formatted, **kwargs}, config={})

    def with_structured_output(  # type: ignore[override]
        self,
        schema: Any = None,
        *,
        method: StructuredMethod = "json_schema",
        include_raw: bool = False,
        strict: bool | None = None,
        retrieval: Retrieval | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, Any]:
        """Answers parsed into ``schema``; see :mod:`langchain_telnyx._structured`.

        ``method``: ``"json_schema"`` (default: ``response_format`` json_schema, Telnyx's
        supported way; ``strict`` becomes ``json_schema.strict``), ``"guided_json"`` (the seed
        endpoint's ``guided_json`` / ``guided_choice`` / ``guided_regex``), ``"json_mode"`` or
        ``"function_calling"``. Answers are validated whatever the method. With
        ``include_raw=True`` the result is
        ``{"raw": AIMessage, "parsed": ... | None, "parsing_error": Exception | None}``.
        ``retrieval``: bucket names or :class:`~langchain_telnyx.TelnyxRetrievalTool`\\ s; Telnyx
        searches them and the answer follows the schema, in one request ("grounded" output).
        """
        bound_tools = kwargs.pop("_bound_tools", None)  # from ToolBinding.with_structured_output
        bound = kwargs.pop("_bound", None)
        if kwargs:
            raise InvalidParameterError(
                next(iter(kwargs)), "is not an argument of with_structured_output"
            )
        return structured_runnable(
            self.bind(**bound) if bound else self,
            schema,
            method=method,
            include_raw=include_raw,
            strict=strict,
            retrieval=retrieval,
            bound_tools=bound_tools,
        )

    # --- Token counting without downloading a tokenizer -------------------------------------

    def get_token_ids(self, text: str) -> list[int]:
        if self.custom_get_token_ids is not None:
            return self.custom_get_token_ids(text)
        raise NotImplementedError(
            "Telnyx models have no public tokenizer here; pass custom_get_token_ids=... "
            "or use get_num_tokens(), which estimates."
        )

    def get_num_tokens(self, text: str) -> int:
        """Estimated at four characters per token unless ``custom_get_token_ids`` is set."""
        if self.custom_get_token_ids is not None:
            return len(self.custom_get_token_ids(text))
        return math.ceil(len(text) / 4)

    def get_num_tokens_from_messages(
        self, messages: list[BaseMessage], tools: Sequence[Any] | None = None
    ) -> int:
        if self.custom_get_token_ids is not None:
            return super().get_num_tokens_from_messages(messages, tools)
        from langchain_core.messages.utils import count_tokens_approximately

        return count_tokens_approximately(messages, tools=list(tools) if tools else None)
