"""Tools as Telnyx accepts them: OpenAI-shaped function tools and the ``retrieval`` tool.

Telnyx's ``tool_choice`` is a string (``none`` / ``auto`` / ``required``); the object form
that names one function is refused. :func:`map_tool_choice` turns every spelling the
frameworks use into one of those, sending only the named tool when one is named::

    tools = [RetrievalTool(bucket_ids=["docs"]).to_dict(), weather_tool]
    choice, sent = map_tool_choice("get_weather", [normalize_tool(t) for t in tools])
    # choice == "required", sent == [weather_tool]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from telnyx_inference._constants import TOOL_CHOICES
from telnyx_inference._validation import CheckedModel
from telnyx_inference.chat.schema import check_json_schema
from telnyx_inference.errors import InvalidParameterError, InvalidParameterTypeError

__all__ = [
    "RetrievalTool",
    "ToolChoice",
    "function_names",
    "is_retrieval_tool",
    "map_tool_choice",
    "normalize_tool",
    "normalize_tools",
]

ToolChoice = str | bool | Mapping[str, Any] | None


class RetrievalTool(CheckedModel, BaseModel):
    """Telnyx's server-side retrieval tool: search embedded buckets and add what is found.

    The answer does not say which documents were used; for citations use a bucket
    retriever instead.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    bucket_ids: list[str] = Field(min_length=1)
    """Names of embedded Telnyx Storage buckets."""
    max_num_results: int | None = Field(default=None, ge=1)

    def to_dict(self) -> dict[str, Any]:
        inner: dict[str, Any] = {"bucket_ids": list(self.bucket_ids)}
        if self.max_num_results is not None:
            inner["max_num_results"] = self.max_num_results
        return {"type": "retrieval", "retrieval": inner}


def is_retrieval_tool(tool: Any) -> bool:
    return isinstance(tool, RetrievalTool) or (
        isinstance(tool, Mapping) and tool.get("type") == "retrieval"
    )


def normalize_tool(tool: Any, index: int = 0) -> dict[str, Any]:
    """One tool in wire form. Accepts OpenAI tool dicts, bare function dicts, retrieval tools."""
    where = f"tools[{index}]"
    if isinstance(tool, RetrievalTool):
        return tool.to_dict()
    if not isinstance(tool, Mapping):
        raise InvalidParameterTypeError(where, f"expected a tool dict, got {type(tool).__name__}")
    if tool.get("type") == "retrieval":
        inner = tool.get("retrieval")
        if not isinstance(inner, Mapping):
            raise InvalidParameterError(f"{where}.retrieval", "must be an object with bucket_ids")
        try:
            return RetrievalTool(**inner).to_dict()
        except ValueError as exc:
            raise InvalidParameterError(f"{where}.retrieval", str(exc)) from None
    function = tool.get("function") if tool.get("type") == "function" else tool
    if not isinstance(function, Mapping) or not isinstance(function.get("name"), str):
        raise InvalidParameterError(where, "a function tool needs function.name")
    if not function["name"]:
        raise InvalidParameterError(f"{where}.function.name", "must not be empty")
    parameters = function.get("parameters")
    if parameters is not None:
        check_json_schema(parameters, f"{where}.function.parameters")
    return {"type": "function", "function": dict(function)}


def normalize_tools(tools: Sequence[Any] | None) -> list[dict[str, Any]]:
    return [normalize_tool(tool, i) for i, tool in enumerate(tools or ())]


def function_names(tools: Sequence[Mapping[str, Any]]) -> list[str]:
    return [t["function"]["name"] for t in tools if t.get("type") == "function"]


def _named(choice: Any) -> str | None:
    if isinstance(choice, str):
        return None if choice in TOOL_CHOICES or choice == "any" else choice
    if isinstance(choice, Mapping):
        function = choice.get("function")
        name = function.get("name") if isinstance(function, Mapping) else choice.get("name")
        if isinstance(name, str):
            return name
        if choice.get("type") in TOOL_CHOICES:
            return None
        raise InvalidParameterError("tool_choice", f"cannot read a tool name from {dict(choice)!r}")
    return None


def map_tool_choice(
    choice: ToolChoice, tools: Sequence[dict[str, Any]]
) -> tuple[str | None, list[dict[str, Any]]]:
    """Return the ``tool_choice`` string to send and the tools to send with it."""
    sent = list(tools)
    if choice is None:
        return None, sent
    if choice is True or choice == "any":
        return "required", sent
    if choice is False:
        return "none", sent
    if isinstance(choice, Mapping) and choice.get("type") in TOOL_CHOICES:
        return str(choice["type"]), sent
    name = _named(choice)
    if name is None:
        if not isinstance(choice, str):
            raise InvalidParameterTypeError("tool_choice", f"unsupported value {choice!r}")
        if choice != "none" and not sent:
            raise InvalidParameterError("tool_choice", f"{choice!r} needs at least one tool")
        return choice, sent
    chosen = [t for t in sent if t.get("type") == "function" and t["function"]["name"] == name]
    if not chosen:
        raise InvalidParameterError(
            "tool_choice", f"names {name!r}, which is not among the tools {function_names(sent)}"
        )
    return "required", chosen
