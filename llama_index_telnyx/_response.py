"""Core results to LlamaIndex types: the one reader for non-streamed and finished answers."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    LogProb,
    MessageRole,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
)

from telnyx_inference.chat.response import Completion, ToolCall, Usage

__all__ = [
    "assistant_message",
    "chat_response",
    "order_blocks",
    "response_kwargs",
    "to_logprobs",
    "tool_kwargs",
]


def tool_kwargs(arguments: str) -> dict[str, Any] | str:
    """Arguments as a dict when they are a JSON object; otherwise the raw text, kept as is."""
    if not arguments.strip():
        return {}
    try:
        value = json.loads(arguments)
    except ValueError:
        return arguments
    return value if isinstance(value, dict) else arguments


def to_logprobs(entries: Iterable[Mapping[str, Any]] | None) -> list[list[LogProb]] | None:
    """One list per generated token: the sampled token first, then the other top candidates."""
    if entries is None:
        return None
    out = []
    for entry in entries:
        token = str(entry.get("token", ""))
        position = [_logprob(entry)]
        position.extend(
            _logprob(alt) for alt in entry.get("top_logprobs") or () if alt.get("token") != token
        )
        out.append(position)
    return out


def _logprob(entry: Mapping[str, Any]) -> LogProb:
    return LogProb(
        token=str(entry.get("token", "")),
        logprob=float(entry.get("logprob") or 0.0),
        bytes=list(entry.get("bytes") or ()),
    )


def response_kwargs(completion: Completion) -> dict[str, Any]:
    """``ChatResponse.additional_kwargs``: token counts (where LlamaIndex looks), the finish
    reason and the answer's ``cost`` (``{"total", "currency", "prompt", "cached_prompt",
    "completion"}`` as exact decimal text; ``"total": "unknown"`` without prices; ``raw.cost``
    holds the decimals)."""
    out: dict[str, Any] = {}
    usage: Usage | None = completion.usage
    if usage is not None:
        out["prompt_tokens"] = usage.prompt_tokens
        out["completion_tokens"] = usage.completion_tokens
        out["total_tokens"] = usage.total_tokens
        if usage.reasoning_tokens is not None:
            out["reasoning_tokens"] = usage.reasoning_tokens
        if usage.cached_tokens is not None:
            out["cached_tokens"] = usage.cached_tokens
    if completion.model:
        out["model"] = completion.model
    out["finish_reason"] = completion.first.finish_reason
    if completion.cost is not None:
        out["cost"] = completion.cost.metadata()
    return out


def order_blocks(blocks: Iterable[Any]) -> list[Any]:
    """Thinking, then text, then tool calls: the same order streamed or not."""
    return sorted(blocks, key=_block_rank)


def _block_rank(block: Any) -> int:
    if isinstance(block, ThinkingBlock):
        return 0
    if isinstance(block, ToolCallBlock):
        return 2
    return 1


def assistant_message(
    content: str,
    reasoning: str | None,
    calls: list[ToolCall],
    reasoning_tokens: int | None = None,
) -> ChatMessage:
    blocks: list[Any] = []
    if reasoning:
        blocks.append(ThinkingBlock(content=reasoning, num_tokens=reasoning_tokens))
    if content or not calls:
        blocks.append(TextBlock(text=content))
    blocks.extend(
        ToolCallBlock(tool_call_id=c.id, tool_name=c.name, tool_kwargs=tool_kwargs(c.arguments))
        for c in calls
    )
    extra = {"tool_calls": [c.to_dict() for c in calls]} if calls else {}
    return ChatMessage(role=MessageRole.ASSISTANT, blocks=blocks, additional_kwargs=extra)


def chat_response(completion: Completion) -> ChatResponse:
    """A finished answer (first choice) as a ``ChatResponse``; ``raw`` is the whole completion."""
    choice = completion.first
    usage = completion.usage
    message = assistant_message(
        choice.content,
        choice.reasoning,
        choice.tool_calls,
        usage.reasoning_tokens if usage is not None else None,
    )
    return ChatResponse(
        message=message,
        raw=completion,
        logprobs=to_logprobs(choice.logprobs),
        additional_kwargs=response_kwargs(completion),
    )
