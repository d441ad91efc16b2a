"""Tools: LlamaIndex tools to wire tools, Telnyx's retrieval tool, and reading tool calls back."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from llama_index.core.base.llms.types import ChatMessage, ChatResponse, MessageRole, ToolCallBlock
from llama_index.core.llms.llm import ToolSelection
from llama_index.core.llms.utils import parse_partial_json
from llama_index.core.tools.types import AsyncBaseTool, BaseTool, ToolMetadata, ToolOutput

from telnyx_inference.chat.tools import RetrievalTool

__all__ = [
    "TelnyxRetrievalTool",
    "keep_first_tool_call",
    "prepare_chat_with_tools",
    "to_wire_tools",
    "tool_selections",
]

_RETRIEVAL_DESCRIPTION = (
    "Telnyx searches these storage buckets on its side and adds what it finds to the context."
)


class TelnyxRetrievalTool(AsyncBaseTool):
    """Telnyx's server-side bucket search, usable in any tools list next to function tools.

    ::

        docs = TelnyxRetrievalTool(bucket_ids=["handbook"], max_num_results=3)
        llm.chat_with_tools([get_weather, docs], user_msg="What is our leave policy?")
        FunctionAgent(tools=[get_weather, docs], llm=llm)

    Telnyx runs the search itself, so the model never calls this tool from the client side.
    """

    def __init__(
        self,
        bucket_ids: Sequence[str],
        max_num_results: int | None = None,
        *,
        name: str = "telnyx_retrieval",
        description: str = _RETRIEVAL_DESCRIPTION,
    ) -> None:
        self.spec = RetrievalTool(bucket_ids=list(bucket_ids), max_num_results=max_num_results)
        self._metadata = ToolMetadata(name=name, description=description)

    @property
    def metadata(self) -> ToolMetadata:
        return self._metadata

    def call(self, input: Any) -> ToolOutput:
        return ToolOutput(
            tool_name=self._metadata.get_name(),
            content="This search runs on Telnyx's side and cannot be called from the client.",
            raw_input={"input": input},
            raw_output=None,
            is_error=True,
        )

    async def acall(self, input: Any) -> ToolOutput:
        return self.call(input)


def _wire_tool(tool: Any) -> Any:
    tool = getattr(tool, "base_tool", tool)  # unwrap LlamaIndex's async adapter
    if isinstance(tool, TelnyxRetrievalTool):
        return tool.spec
    if isinstance(tool, BaseTool):
        return tool.metadata.to_openai_tool(skip_length_check=True)
    return tool  # OpenAI tool dicts and RetrievalTool: the core checks them


def to_wire_tools(tools: Sequence[Any] | None) -> list[Any]:
    """Tools for :func:`telnyx_inference.build_chat_request`."""
    return [_wire_tool(tool) for tool in tools or ()]


def prepare_chat_with_tools(
    tools: Sequence[Any],
    user_msg: str | ChatMessage | None,
    chat_history: Sequence[ChatMessage] | None,
    tool_required: bool,
    tool_choice: Any,
    kwargs: dict[str, Any],
) -> dict[str, Any]:
    messages = list(chat_history or ())
    if isinstance(user_msg, str):
        messages.append(ChatMessage(role=MessageRole.USER, content=user_msg))
    elif user_msg is not None:
        messages.append(user_msg)
    if tool_choice is None and tool_required:
        tool_choice = "required"
    return {
        "messages": messages,
        "tools": to_wire_tools(tools),
        "tool_choice": tool_choice,
        **kwargs,
    }


def _in_progress(response: ChatResponse) -> bool:
    """A streamed chunk before the end: its tool arguments may still be partial JSON."""
    return response.delta is not None and "finish_reason" not in response.additional_kwargs


def _arguments(value: Any, name: str, in_progress: bool) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    text = value if isinstance(value, str) else ""
    if not text.strip():
        return {}
    try:
        parsed = json.loads(text)
    except ValueError:
        if not in_progress:
            raise ValueError(
                f"The arguments of the call to tool {name!r} are not valid JSON: {text[:300]!r}"
            ) from None
        try:
            parsed = parse_partial_json(text)
        except ValueError:
            return {}
    if isinstance(parsed, dict):
        return parsed
    if in_progress:
        return {}
    raise ValueError(
        f"The arguments of the call to tool {name!r} are not a JSON object: {text[:300]!r}"
    )


def _from_kwargs(call: Any) -> tuple[str, str, Any]:
    if not isinstance(call, dict) and hasattr(call, "model_dump"):
        call = call.model_dump()
    function = call.get("function") or {}
    return str(call.get("id") or ""), str(function.get("name") or ""), function.get("arguments")


def tool_selections(response: ChatResponse, error_on_no_tool_call: bool) -> list[ToolSelection]:
    """The tool calls of a response; partial JSON is read leniently only while streaming."""
    message = response.message
    calls = [
        (b.tool_call_id or "", b.tool_name, b.tool_kwargs)
        for b in message.blocks
        if isinstance(b, ToolCallBlock)
    ] or [_from_kwargs(c) for c in message.additional_kwargs.get("tool_calls") or ()]
    if not calls:
        if error_on_no_tool_call:
            raise ValueError("Expected at least one tool call, but got 0 tool calls.")
        return []
    in_progress = _in_progress(response)
    return [
        ToolSelection(
            tool_id=call_id, tool_name=name, tool_kwargs=_arguments(args, name, in_progress)
        )
        for call_id, name, args in calls
    ]


def keep_first_tool_call(response: ChatResponse) -> ChatResponse:
    """Drop all but the first tool call (Telnyx has no switch for parallel calls)."""
    message = response.message
    seen = False
    blocks = []
    for block in message.blocks:
        if isinstance(block, ToolCallBlock):
            if seen:
                continue
            seen = True
        blocks.append(block)
    message.blocks = blocks
    calls = message.additional_kwargs.get("tool_calls")
    if calls:
        message.additional_kwargs["tool_calls"] = calls[:1]
    return response
