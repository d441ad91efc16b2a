"""``with_structured_output`` for :class:`~langchain_telnyx.ChatTelnyx`.

The default, ``method="guided_json"`` (alias ``"json_schema"``), constrains decoding to the
schema on Telnyx's side and validates the answer here. Besides pydantic models, TypedDicts and
JSON Schema dicts, it takes a ``Literal`` or string ``Enum`` (sent as ``guided_choice``), a list
of choices, and a :class:`~telnyx_inference.chat.structured.Regex` (sent as ``guided_regex``)::

    llm.with_structured_output(Person).invoke("Ada, 36")           # Person(name='Ada', age=36)
    llm.with_structured_output(Literal["yes", "no"]).invoke("Is water wet?")   # "yes"
    llm.with_structured_output(Regex(r"\\d{3}-\\d{4}")).invoke("A phone number")

``"json_mode"`` without a schema asks for any JSON object (``response_format={"type":
"json_object"}``); given a schema, Telnyx can do better than hope the prompt is followed, so the
schema is enforced as ``guided_json`` (vLLM refuses both at once). ``"function_calling"`` forces
a call of a tool built from the schema. Pydantic v1 models work with every method.

Grounded answers come in one request: ``retrieval=`` (bucket names or
:class:`~langchain_telnyx.TelnyxRetrievalTool`\\ s) sends Telnyx's retrieval tool beside the
guided option, so the server searches the bucket and the answer follows the schema::

    llm.with_structured_output(Leave, retrieval="handbook").invoke("How many vacation days?")
    llm.bind_tools([TelnyxRetrievalTool(bucket_ids=["handbook"])]).with_structured_output(Leave)

Function tools cannot go with a guided answer, so binding them first is refused clearly.
"""

from __future__ import annotations

import enum
import json
import typing
from collections.abc import Mapping
from operator import itemgetter
from typing import TYPE_CHECKING, Any, Literal, cast

from langchain_core.exceptions import OutputParserException
from langchain_core.messages import BaseMessage
from langchain_core.output_parsers.openai_tools import (
    JsonOutputKeyToolsParser,
    PydanticToolsParser,
)
from langchain_core.runnables import Runnable, RunnableLambda, RunnableMap, RunnablePassthrough
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import BaseModel
from pydantic import v1 as pydantic_v1

from telnyx_inference.chat.grounding import guided_tools, retrieval_tools
from telnyx_inference.chat.structured import (
    Regex,
    StructuredOutputError,
    StructuredSpec,
    structured_spec,
)
from telnyx_inference.errors import InvalidParameterError

if TYPE_CHECKING:
    from langchain_telnyx.chat_models import ChatTelnyx

__all__ = ["METHODS", "StructuredMethod", "TelnyxOutputParserError", "structured_runnable"]

StructuredMethod = Literal["guided_json", "json_schema", "json_mode", "function_calling"]
METHODS: tuple[str, ...] = typing.get_args(StructuredMethod)


class TelnyxOutputParserError(OutputParserException, StructuredOutputError):
    """The answer did not match the schema; ``llm_output`` / ``text`` hold the answer."""

    def __init__(self, message: str, text: str) -> None:
        # Both parents' __init__ chain into each other; set their attributes directly.
        Exception.__init__(self, message)
        self.text = self.llm_output = text
        self.observation = None
        self.send_to_llm = False


def _function_schema(schema: Any) -> Any:
    """The JSON Schema inside an OpenAI tool or function dict; anything else unchanged."""
    if isinstance(schema, Mapping):
        function = schema.get("function") if schema.get("type") == "function" else schema
        if isinstance(function, Mapping) and "name" in function and "parameters" in function:
            return function["parameters"]
    return schema


def _is_v1_model(schema: Any) -> bool:
    return isinstance(schema, type) and issubclass(schema, pydantic_v1.BaseModel)


def _spec(schema: Any) -> StructuredSpec:
    """The core's spec; pydantic v1 models go through their JSON Schema and ``parse_obj``."""
    schema = _function_schema(schema)
    if not _is_v1_model(schema):
        return structured_spec(schema)
    base = structured_spec(schema.schema())

    def parse(text: str) -> Any:
        try:
            return schema.parse_obj(base.parse(text))
        except pydantic_v1.ValidationError as exc:
            raise StructuredOutputError(str(exc).replace("\n", " "), text) from None

    return StructuredSpec("json", base.params, base.schema, schema.__name__, parse)


def _ls_schema(schema: Any, spec: StructuredSpec | None) -> Any:
    """What tracing shows as the schema (core turns it into JSON Schema itself)."""
    if spec is None or spec.kind == "json":
        return schema
    if spec.kind == "choice":
        return {"title": spec.name, "type": "string", "enum": spec.params["guided_choice"]}
    return {"title": "regex", "type": "string", "pattern": spec.params["guided_regex"]}


def _text_parser(parse: typing.Callable[[str], Any]) -> Runnable[BaseMessage, Any]:
    def run(message: BaseMessage) -> Any:
        text = message.text
        try:
            return parse(text)
        except StructuredOutputError as exc:
            raise TelnyxOutputParserError(str(exc), text) from None

    return RunnableLambda(run, name="TelnyxStructuredParser")


def _load_json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as exc:
        raise StructuredOutputError(f"the answer is not valid JSON ({exc})", text) from None


def _is_choice_schema(schema: Any) -> bool:
    return (
        isinstance(schema, Regex | list | tuple)
        or typing.get_origin(schema) is Literal
        or (isinstance(schema, type) and issubclass(schema, enum.Enum))
    )


def _tool_parser(schema: Any, name: str) -> Runnable[BaseMessage, Any]:
    if isinstance(schema, type) and (issubclass(schema, BaseModel) or _is_v1_model(schema)):
        return cast(
            "Runnable[BaseMessage, Any]",
            PydanticToolsParser(tools=[schema], first_tool_only=True),
        )
    return cast(
        "Runnable[BaseMessage, Any]",
        JsonOutputKeyToolsParser(key_name=name, first_tool_only=True),
    )


def structured_runnable(
    llm: ChatTelnyx | Runnable[Any, BaseMessage],
    schema: Any,
    *,
    method: str,
    include_raw: bool,
    strict: bool | None,
    retrieval: Any = None,
    bound_tools: list[Any] | None = None,
) -> Runnable[Any, Any]:
    """Build ``llm`` bound for structured output, followed by its parser.

    ``retrieval`` (bucket names or retrieval tools) and ``bound_tools`` (tools bound before,
    by ``bind_tools``) travel with the guided option; function tools among them are refused.
    """
    if method not in METHODS:
        raise InvalidParameterError("method", f"must be one of {list(METHODS)}, got {method!r}")
    if method == "function_calling" and (retrieval is not None or bound_tools):
        raise InvalidParameterError(
            "retrieval" if retrieval is not None else "tools",
            "function_calling sends only the schema's tool, so other tools would be dropped; "
            "the retrieval tool goes with method='guided_json' or 'json_mode'",
        )
    grounding = retrieval_tools(retrieval) + guided_tools(bound_tools)
    tools: dict[str, Any] = {"tools": grounding} if grounding else {}
    trace_kwargs = {"method": method, "strict": strict}
    bound: Runnable[Any, BaseMessage]
    parser: Runnable[BaseMessage, Any]
    if method == "function_calling":
        if schema is None or _is_choice_schema(schema):
            raise InvalidParameterError(
                "schema", "function_calling needs a pydantic model, TypedDict or JSON Schema"
            )
        tool = convert_to_openai_tool(schema)
        name = tool["function"]["name"]
        fmt = {"kwargs": trace_kwargs, "schema": tool}
        bound = cast("ChatTelnyx", llm).bind_tools(
            [tool], tool_choice=name, ls_structured_output_format=fmt
        )
        parser = _tool_parser(schema, name)
    elif method == "json_mode":
        if _is_choice_schema(schema):
            raise InvalidParameterError(
                "schema", "json_mode returns a JSON object; use guided_json for choices and regexes"
            )
        fmt = {"kwargs": trace_kwargs, "schema": schema}
        if schema is None:
            bound = llm.bind(
                response_format={"type": "json_object"}, ls_structured_output_format=fmt, **tools
            )
            parser = _text_parser(_load_json)
        else:
            spec = _spec(schema)
            bound = llm.bind(**spec.params, ls_structured_output_format=fmt, **tools)
            parser = _text_parser(spec.parse)
    else:
        if schema is None:
            raise InvalidParameterError("schema", f"method={method!r} needs a schema")
        spec = _spec(schema)
        fmt = {"kwargs": trace_kwargs, "schema": _ls_schema(schema, spec)}
        bound = llm.bind(**spec.params, ls_structured_output_format=fmt, **tools)
        parser = _text_parser(spec.parse)
    if not include_raw:
        return bound | parser
    parse_raw = RunnablePassthrough.assign(
        parsed=itemgetter("raw") | parser, parsing_error=lambda _: None
    )
    no_parse = RunnablePassthrough.assign(parsed=lambda _: None)
    return RunnableMap(raw=bound) | parse_raw.with_fallbacks(
        [no_parse], exception_key="parsing_error"
    )
