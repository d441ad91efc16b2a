"""``with_structured_output`` for :class:`~langchain_telnyx.ChatTelnyx`.

The default, ``method="json_schema"``, sends the schema as ``response_format: json_schema``,
which Telnyx's published contract calls the supported way to guaranteed structured output, and
validates the answer here. Besides pydantic models, TypedDicts and JSON Schema dicts, it takes
a ``Literal`` or string ``Enum``, a list of choices and a
:class:`~telnyx_inference.chat.structured.Regex` (a string schema with ``enum`` / ``pattern``,
inside a one-field object, unwrapped again)::

    llm.with_structured_output(Person).invoke("Ada, 36")           # Person(name='Ada', age=36)
    llm.with_structured_output(Literal["yes", "no"]).invoke("Is water wet?")   # "yes"
    llm.with_structured_output(Regex(r"\\d{3}-\\d{4}")).invoke("A phone number")
    llm.with_structured_output(Person, strict=True)                 # json_schema.strict

``method="guided_json"`` sends the seed endpoint's constrained decoding instead: ``guided_json``,
or ``guided_choice`` / ``guided_regex`` for choices and regexes. Those fields left Telnyx's
published schema, so a mismatch raises an error saying the field was probably ignored.
``"json_mode"`` without a schema asks for any JSON object (``response_format={"type":
"json_object"}``); given a schema, Telnyx can enforce it, so it is sent as ``json_schema``.
``"function_calling"`` forces a call of a tool built from the schema. Pydantic v1 models work
with every method.

Grounded answers come in one request: ``retrieval=`` (bucket names or
:class:`~langchain_telnyx.TelnyxRetrievalTool`\\ s) sends Telnyx's retrieval tool beside the
format, so the server searches the bucket and the answer follows the schema::

    llm.with_structured_output(Leave, retrieval="handbook").invoke("How many vacation days?")
    llm.bind_tools([TelnyxRetrievalTool(bucket_ids=["handbook"])]).with_structured_output(Leave)

Function tools cannot go with an answer held to a schema, so binding them first is refused.
"""

from __future__ import annotations

import enum
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

from telnyx_inference.chat.formats import wrap_root
from telnyx_inference.chat.grounding import retrieval_tools, structured_tools
from telnyx_inference.chat.structured import (
    Regex,
    StructuredOutputError,
    StructuredSpec,
    load_json,
    structured_spec,
)
from telnyx_inference.chat.structured import StructuredMethod as CoreMethod
from telnyx_inference.errors import InvalidParameterError

if TYPE_CHECKING:
    from langchain_telnyx.chat_models import ChatTelnyx

__all__ = ["METHODS", "StructuredMethod", "TelnyxOutputParserError", "structured_runnable"]

StructuredMethod = Literal["json_schema", "guided_json", "json_mode", "function_calling"]
METHODS: tuple[str, ...] = typing.get_args(StructuredMethod)
_CORE_METHOD: dict[str, CoreMethod] = {"guided_json": "guided"}


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


def _spec(schema: Any, method: str, strict: bool | None) -> StructuredSpec:
    """The core's spec; pydantic v1 models go through their JSON Schema and ``parse_obj``."""
    schema = _function_schema(schema)
    core = _CORE_METHOD.get(method, "json_schema")
    if not _is_v1_model(schema):
        return structured_spec(schema, core, strict=strict)
    base = structured_spec(schema.schema(), core, strict=strict)

    def parse(text: str) -> Any:
        try:
            return schema.parse_obj(base.parse(text))
        except pydantic_v1.ValidationError as exc:
            raise StructuredOutputError(str(exc).replace("\n", " "), text) from None

    return StructuredSpec("json", base.method, base.params, base.schema, base.name, parse)


def _ls_schema(schema: Any, spec: StructuredSpec | None) -> Any:
    """What tracing shows as the schema (core turns it into JSON Schema itself, keeping only
    object schemas: a choice or a regex shows as the one-field object json_schema sends)."""
    if spec is None or spec.kind == "json":
        return schema
    return wrap_root(spec.schema)


def _text_parser(parse: typing.Callable[[str], Any]) -> Runnable[BaseMessage, Any]:
    def run(message: BaseMessage) -> Any:
        text = message.text
        try:
            return parse(text)
        except StructuredOutputError as exc:
            raise TelnyxOutputParserError(str(exc), text) from None

    return RunnableLambda(run, name="TelnyxStructuredParser")


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
    by ``bind_tools``) travel with the format; function tools among them are refused.
    """
    if method not in METHODS:
        raise InvalidParameterError("method", f"must be one of {list(METHODS)}, got {method!r}")
    if method == "function_calling" and (retrieval is not None or bound_tools):
        raise InvalidParameterError(
            "retrieval" if retrieval is not None else "tools",
            "function_calling sends only the schema's tool, so other tools would be dropped; "
            "the retrieval tool goes with method='json_schema', 'guided_json' or 'json_mode'",
        )
    grounding = retrieval_tools(retrieval) + structured_tools(bound_tools)
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
        fmt: dict[str, Any] = {"kwargs": trace_kwargs, "schema": tool}
        bound = cast("ChatTelnyx", llm).bind_tools(
            [tool], tool_choice=name, ls_structured_output_format=fmt
        )
        parser = _tool_parser(schema, name)
    elif method == "json_mode" and schema is None:
        fmt = {"kwargs": trace_kwargs, "schema": schema}
        bound = llm.bind(
            response_format={"type": "json_object"}, ls_structured_output_format=fmt, **tools
        )
        parser = _text_parser(load_json)
    else:
        if schema is None:
            raise InvalidParameterError("schema", f"method={method!r} needs a schema")
        if method == "json_mode" and _is_choice_schema(schema):
            raise InvalidParameterError(
                "schema", "json_mode returns a JSON object; use json_schema for choices and regexes"
            )
        spec = _spec(schema, method, strict)
        fmt = {"kwargs": trace_kwargs, "schema": _ls_schema(schema, spec)}
        # A guided answer is checked by the parser below, which raises: no warning as well.
        check = {"guided_check": "off"} if spec.method == "guided" else {}
        bound = llm.bind(**spec.params, **check, ls_structured_output_format=fmt, **tools)
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
