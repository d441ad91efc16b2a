"""Structured output: ``response_format: json_schema`` by default, the seed's guided fields on request.

``structured_predict`` and friends send the output class's JSON Schema as ``response_format``
``json_schema`` (Telnyx's supported way; a ``Literal``, an ``Enum``, a list of choices or a
``Regex`` travels as a string schema inside a one-field object) and validate the answer here,
instead of LlamaIndex's default of asking for a function call. ``as_structured_llm`` and
``FunctionAgent(output_cls=...)`` go through these paths too.

``structured_method="guided_json"`` (a field, ``llm_kwargs={"structured_method": ...}`` per
call, or ``as_structured_llm(cls, method="guided_json")``) sends the seed endpoint's
``guided_json`` / ``guided_choice`` / ``guided_regex`` instead; a mismatch then says the field
was probably ignored upstream. ``structured_strict`` becomes ``json_schema.strict``.

Grounded answers: ``llm_kwargs={"retrieval": "handbook"}`` (or the LLM's ``retrieval`` field)
sends Telnyx's retrieval tool beside the format in the same request; function tools are
refused there, as an answer held to a schema could never call them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from llama_index.core.base.llms.types import ChatMessage, ChatResponse
from llama_index.core.bridge.pydantic import BaseModel, Field, ValidationError, field_validator
from llama_index.core.instrumentation.events.llm import (
    LLMStructuredPredictEndEvent,
    LLMStructuredPredictInProgressEvent,
    LLMStructuredPredictStartEvent,
)
from llama_index.core.llms.utils import parse_partial_json
from llama_index_instrumentation import get_dispatcher

from llama_index_telnyx._tools import to_wire_tools
from telnyx_inference.chat.grounding import retrieval_tools, structured_tools
from telnyx_inference.chat.structured import StructuredSpec, structured_spec
from telnyx_inference.errors import InvalidParameterError

if TYPE_CHECKING:
    from llama_index.core.llms.llm import LLM
    from llama_index.core.prompts import BasePromptTemplate

__all__ = ["PartialOutputs", "StructuredFields", "begin", "end"]

dispatcher = get_dispatcher(__name__)

StructuredMethod = Literal["json_schema", "guided_json"]
_METHODS = ("json_schema", "guided_json")


class StructuredFields(BaseModel):
    """The structured-output fields of :class:`~llama_index_telnyx.Telnyx` and what uses them."""

    structured_method: StructuredMethod = Field(
        default="json_schema",
        description="How structured output asks for its schema: response_format json_schema "
        "(Telnyx's supported way) or guided_json (the seed endpoint's guided_* fields).",
    )
    structured_strict: bool | None = Field(
        default=None, description="Sent as response_format.json_schema.strict when set."
    )

    retrieval: list[dict[str, Any]] | None = Field(
        default=None,
        description="Buckets Telnyx searches for every request (bucket names or retrieval "
        "tools; per call: retrieval=...). With structured output: grounded answers in one call.",
    )

    @field_validator("retrieval", mode="before")
    @classmethod
    def _retrieval_tools(cls, value: Any) -> list[dict[str, Any]] | None:
        return retrieval_tools(value) or None

    def retrieval_for(self, kwargs: dict[str, Any]) -> list[dict[str, Any]]:
        """The retrieval tools of one call: its ``retrieval=``, else the field's."""
        if "retrieval" in kwargs:
            return retrieval_tools(kwargs["retrieval"])
        return list(self.retrieval or ())

    def as_structured_llm(self, output_cls: Any, **kwargs: Any) -> Any:
        """A ``StructuredLLM`` answering in ``output_cls``; ``retrieval=`` (bucket names or
        ``TelnyxRetrievalTool``) grounds it: Telnyx searches in the same call. ``method=``
        (``"json_schema"`` or ``"guided_json"``) and ``strict=`` set the structured fields."""
        from llama_index.core.llms.llm import LLM

        update: dict[str, Any] = {}
        if "retrieval" in kwargs:
            update["retrieval"] = retrieval_tools(kwargs.pop("retrieval"))
        if "method" in kwargs:
            update["structured_method"] = _method(kwargs.pop("method"), "method")
        if "strict" in kwargs:
            update["structured_strict"] = kwargs.pop("strict")
        llm: Any = self.model_copy(update=update) if update else self
        return LLM.as_structured_llm(llm, output_cls, **kwargs)


def _method(value: Any, parameter: str) -> StructuredMethod:
    if value not in _METHODS:
        raise InvalidParameterError(parameter, f"must be one of {list(_METHODS)}, got {value!r}")
    return value  # type: ignore[no-any-return]


def begin(
    llm: LLM,
    output_cls: Any,
    prompt: BasePromptTemplate,
    llm_kwargs: dict[str, Any] | None,
    prompt_args: dict[str, Any],
) -> tuple[StructuredSpec, list[ChatMessage], dict[str, Any]]:
    """Announce the call; return the spec, the formatted messages and the chat kwargs."""
    dispatcher.event(
        LLMStructuredPredictStartEvent(
            output_cls=output_cls, template=prompt, template_args=prompt_args
        )
    )
    kwargs = dict(llm_kwargs or {})
    fields: Any = llm
    method = _method(
        kwargs.pop("structured_method", fields.structured_method), "llm_kwargs.structured_method"
    )
    strict = kwargs.pop("structured_strict", fields.structured_strict)
    spec = structured_spec(
        output_cls, "guided" if method == "guided_json" else "json_schema", strict=strict
    )
    structured_tools(to_wire_tools(kwargs.get("tools")), "llm_kwargs.tools")
    if "retrieval" in kwargs:
        retrieval_tools(kwargs["retrieval"], "llm_kwargs.retrieval")
    messages = llm._get_messages(prompt, **prompt_args)
    # A guided answer is checked by end(), which raises: no warning from the client as well.
    check = {"guided_check": "off"} if spec.method == "guided" else {}
    return spec, messages, {**kwargs, **spec.params, **check}


def end(spec: StructuredSpec, response: ChatResponse) -> Any:
    """Validate the finished answer (raises ``StructuredOutputError``) and announce it."""
    result = spec.parse(response.message.content or "")
    dispatcher.event(LLMStructuredPredictEndEvent(output=result))
    return result


class PartialOutputs:
    """While streaming: the object as far as it has arrived.

    Pydantic outputs come as the class itself once the partial data validates, else as
    LlamaIndex's ``Flexible<Class>`` with the fields seen so far (what its own structured
    streaming yields); other JSON outputs as a dict (unwrapped from ``{"value": ...}``);
    choices and regexes as the value so far (the text so far, by guided decoding).
    """

    __slots__ = ("_flexible", "_model", "spec")

    def __init__(self, spec: StructuredSpec, output_cls: Any) -> None:
        self.spec = spec
        is_model = isinstance(output_cls, type) and issubclass(output_cls, BaseModel)
        self._model: type[BaseModel] | None = output_cls if is_model else None
        self._flexible: type[BaseModel] | None = None
        if self._model is not None and spec.kind == "json":
            from llama_index.core.program.utils import create_flexible_model

            self._flexible = create_flexible_model(self._model)

    def feed(self, response: ChatResponse) -> Any | None:
        """The partial output after this chunk, or ``None`` when nothing can be read yet."""
        if not response.delta:
            return None
        partial = self._partial(response.message.content or "")
        if partial is not None:
            dispatcher.event(LLMStructuredPredictInProgressEvent(output=partial))
        return partial

    def _partial(self, text: str) -> Any | None:
        if self.spec.kind != "json" and not self.spec.wrapped:
            return text  # a guided choice or regex: the text so far
        try:
            data = self.spec.unwrap(parse_partial_json(text))
        except ValueError:
            return None
        if self.spec.kind != "json" or self._model is None or self._flexible is None:
            return data
        try:
            return self._model.model_validate(data)
        except ValidationError:
            try:
                return self._flexible.model_validate(data)
            except ValidationError:
                return None
