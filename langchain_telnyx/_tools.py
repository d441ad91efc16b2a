"""Tools for ``bind_tools``: LangChain's tool shapes plus Telnyx's retrieval tool.

``convert_to_openai_tool`` turns functions, pydantic models, ``@tool``\\ s and OpenAI dicts into
function tools; it raises on ``{"type": "retrieval", ...}``, so retrieval tools (the
:class:`~telnyx_inference.RetrievalTool` helper or a raw dict) are passed through untouched.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langchain_core.utils.function_calling import convert_to_openai_tool

from telnyx_inference.chat.tools import (
    RetrievalTool,
    is_retrieval_tool,
    map_tool_choice,
    normalize_tools,
)

__all__ = ["check_tool_choice", "format_tool", "format_tools"]


def format_tool(tool: Any) -> dict[str, Any]:
    """One tool in the OpenAI / Telnyx wire shape."""
    if isinstance(tool, RetrievalTool):
        return tool.to_dict()
    if is_retrieval_tool(tool):  # convert_to_openai_tool would raise on it: pass it through
        return dict(tool)
    return convert_to_openai_tool(tool)


def format_tools(tools: Sequence[Any]) -> list[dict[str, Any]]:
    return [format_tool(tool) for tool in tools]


def check_tool_choice(tool_choice: Any, tools: list[dict[str, Any]]) -> None:
    """Fail at bind time, not at the first call, for tools or a choice Telnyx would refuse."""
    map_tool_choice(tool_choice, normalize_tools(tools))
