"""Standard content blocks for Telnyx messages (``message.content_blocks``, ``output_version="v1"``).

Registered with langchain-core's translator registry under the provider name ``telnyx``.
Streamed reasoning and text blocks carry the fixed string indexes ``lc_reasoning`` and
``lc_text``: LangChain merges v1 blocks by ``index`` whatever their type, and the integer
indexes of tool-call chunks (0, 1, …) would otherwise collide with the ones it numbers
reasoning and text blocks with, gluing a tool call onto the reasoning before it.
"""

from __future__ import annotations

from typing import Any, cast

from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_core.messages import content as types
from langchain_core.messages.block_translators import register_translator

from langchain_telnyx._response import PROVIDER, REASONING_KEY

__all__ = ["translate_content", "translate_content_chunk"]

_STANDARD = frozenset(
    {
        "text",
        "reasoning",
        "image",
        "audio",
        "video",
        "file",
        "text-plain",
        "tool_call",
        "tool_call_chunk",
        "invalid_tool_call",
        "server_tool_call",
        "server_tool_call_chunk",
        "server_tool_result",
        "non_standard",
    }
)


def _content(message: AIMessage, streamed: bool) -> list[types.ContentBlock]:
    blocks: list[types.ContentBlock] = []
    reasoning = message.additional_kwargs.get(REASONING_KEY)
    if isinstance(reasoning, str) and reasoning:
        block: dict[str, Any] = {"type": "reasoning", "reasoning": reasoning}
        if streamed:
            block["index"] = "lc_reasoning"
        blocks.append(cast("types.ContentBlock", block))
    content = message.content
    if isinstance(content, str):
        if content:
            text: dict[str, Any] = {"type": "text", "text": content}
            if streamed:
                text["index"] = "lc_text"
            blocks.append(cast("types.ContentBlock", text))
        return blocks
    for item in content:
        if isinstance(item, str):
            blocks.append({"type": "text", "text": item})
        elif isinstance(item, dict) and item.get("type") in _STANDARD:
            blocks.append(cast("types.ContentBlock", item))
        else:
            blocks.append({"type": "non_standard", "value": cast("dict[str, Any]", item)})
    return blocks


def _has_block(blocks: list[types.ContentBlock], kind: str, call_id: str | None) -> bool:
    return any(b.get("type") == kind and b.get("id") == call_id for b in blocks)


def _calls(message: AIMessage, blocks: list[types.ContentBlock]) -> None:
    for call in message.tool_calls:
        if not _has_block(blocks, "tool_call", call.get("id")):
            blocks.append(
                {
                    "type": "tool_call",
                    "id": call.get("id"),
                    "name": call["name"],
                    "args": call["args"],
                }
            )
    for bad in message.invalid_tool_calls:
        if not _has_block(blocks, "invalid_tool_call", bad.get("id")):
            blocks.append(
                {
                    "type": "invalid_tool_call",
                    "id": bad.get("id"),
                    "name": bad.get("name"),
                    "args": bad.get("args"),
                    "error": bad.get("error"),
                }
            )


def translate_content(message: AIMessage) -> list[types.ContentBlock]:
    blocks = _content(message, streamed=False)
    _calls(message, blocks)
    return blocks


def translate_content_chunk(message: AIMessageChunk) -> list[types.ContentBlock]:
    blocks = _content(message, streamed=True)
    if message.tool_call_chunks and message.chunk_position != "last":
        for chunk in message.tool_call_chunks:
            block = types.ToolCallChunk(
                type="tool_call_chunk", id=chunk["id"], name=chunk["name"], args=chunk["args"]
            )
            if chunk["index"] is not None:
                block["index"] = chunk["index"]
            blocks.append(block)
    else:
        _calls(message, blocks)
    return blocks


register_translator(PROVIDER, translate_content, translate_content_chunk)
