"""Grounded structured output: a schema and the retrieval tool in one request.

Telnyx can search a bucket on its side *and* constrain the answer to a schema in the same
call: the retrieved chunks go into the model's context and ``response_format: json_schema``
(or a ``guided_*`` field) shapes the reply. Function tools are another matter: an answer held
to a schema leaves the model no way to call them, so they are refused next to one (use a
tool-calling structured method instead)::

    tools = retrieval_tools("handbook")                 # a bucket name, a list of names,
    tools = retrieval_tools(RetrievalTool(bucket_ids=["handbook"], max_num_results=3))
    structured_tools(tools + bound_tools)               # raises if a function tool is among them
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from telnyx_inference.chat.tools import RetrievalTool, is_retrieval_tool, normalize_tool
from telnyx_inference.errors import InvalidParameterError, InvalidParameterTypeError

__all__ = ["Retrieval", "retrieval_tools", "structured_tools"]

Retrieval = (
    str | RetrievalTool | Mapping[str, Any] | Sequence[str | RetrievalTool | Mapping[str, Any]]
)
"""What ``retrieval=`` accepts: bucket names, retrieval tools (model or wire dict), or a list."""


def _one(item: Any, where: str) -> RetrievalTool:
    if isinstance(item, RetrievalTool):
        return item
    spec = getattr(item, "spec", None)  # the framework wrappers carry the core model as .spec
    if isinstance(spec, RetrievalTool):
        return spec
    if isinstance(item, Mapping) and is_retrieval_tool(item):
        wire = normalize_tool(item)  # checks the dict, naming the field
        return RetrievalTool(**wire["retrieval"])
    raise InvalidParameterTypeError(
        where,
        f"expected a bucket name or a retrieval tool, got {type(item).__name__}",
    )


def retrieval_tools(retrieval: Any, parameter: str = "retrieval") -> list[dict[str, Any]]:
    """The wire retrieval tools for ``retrieval``; bucket names are gathered into one tool.

    ``None`` gives ``[]``. Anything that is not a bucket name or a retrieval tool is refused
    naming ``parameter``.
    """
    if retrieval is None:
        return []
    items = (
        [retrieval]
        if isinstance(retrieval, str | Mapping) or not isinstance(retrieval, Sequence)
        else list(retrieval)
    )
    if not items:
        raise InvalidParameterError(parameter, "must name at least one bucket")
    names: list[str] = []
    tools: list[RetrievalTool] = []
    for index, item in enumerate(items):
        where = parameter if len(items) == 1 else f"{parameter}[{index}]"
        if isinstance(item, str):
            if not item.strip():
                raise InvalidParameterError(where, "a bucket name must not be empty")
            names.append(item)
        else:
            tools.append(_one(item, where))
    if names:
        tools.insert(0, RetrievalTool(bucket_ids=names))
    return [tool.to_dict() for tool in tools]


def structured_tools(tools: Sequence[Any] | None, parameter: str = "tools") -> list[dict[str, Any]]:
    """Check that ``tools`` may go with structured output; return them in wire form.

    Retrieval tools may (the server searches, the answer follows the schema); function tools
    may not (an answer held to a schema cannot call them), so they are refused naming
    ``parameter``.
    """
    wire = [normalize_tool(tool, i) for i, tool in enumerate(tools or ())]
    functions = [t["function"]["name"] for t in wire if t["type"] == "function"]
    if functions:
        raise InvalidParameterError(
            parameter,
            f"structured output cannot go with function tools {functions}: the answer must "
            "follow the schema, so no tool could be called. Only the retrieval "
            "tool goes with it (pass retrieval=...); for a tool call use "
            "method='function_calling'",
        )
    return wire
