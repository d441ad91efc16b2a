"""A core :class:`~telnyx_inference.Completion` → LangChain's ``ChatResult``.

Each choice becomes one generation (``n`` > 1 gives several). Tool-call arguments that are not
a JSON object become ``invalid_tool_calls`` with the raw text, never an empty dict.
"""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage, InvalidToolCall, ToolCall
from langchain_core.messages.ai import InputTokenDetails, OutputTokenDetails, UsageMetadata
from langchain_core.messages.tool import invalid_tool_call, tool_call
from langchain_core.outputs import ChatGeneration, ChatResult

from telnyx_inference.chat.response import Choice, Completion, Usage
from telnyx_inference.chat.response import ToolCall as CoreToolCall
from telnyx_inference.errors import UnexpectedResponseError

__all__ = ["PROVIDER", "REASONING_KEY", "to_chat_result", "usage_metadata"]

PROVIDER = "telnyx"
REASONING_KEY = "reasoning_content"


def usage_metadata(usage: Usage) -> UsageMetadata:
    out = UsageMetadata(
        input_tokens=usage.prompt_tokens,
        output_tokens=usage.completion_tokens,
        total_tokens=usage.total_tokens,
    )
    if usage.cached_tokens is not None:
        out["input_token_details"] = InputTokenDetails(cache_read=usage.cached_tokens)
    if usage.reasoning_tokens is not None:
        out["output_token_details"] = OutputTokenDetails(reasoning=usage.reasoning_tokens)
    return out


def _tool_calls(calls: list[CoreToolCall]) -> tuple[list[ToolCall], list[InvalidToolCall]]:
    valid: list[ToolCall] = []
    invalid: list[InvalidToolCall] = []
    for call in calls:
        try:
            valid.append(tool_call(name=call.name, args=call.parsed_arguments(), id=call.id))
        except ValueError as exc:
            invalid.append(
                invalid_tool_call(
                    name=call.name,
                    args=call.arguments,
                    id=call.id,
                    error=f"the arguments are not a JSON object: {exc}",
                )
            )
    return valid, invalid


def _metadata(completion: Completion, choice: Choice, first: bool) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "model_name": completion.model,
        "model_provider": PROVIDER,
        "finish_reason": choice.finish_reason,
    }
    if completion.id:
        meta["id"] = completion.id
    if choice.logprobs is not None:
        meta["logprobs"] = {"content": choice.logprobs}
    if completion.system_fingerprint:
        meta["system_fingerprint"] = completion.system_fingerprint
    if completion.service_tier:
        meta["service_tier"] = completion.service_tier
    if first and completion.cost is not None:  # like usage: the request's, on the first choice
        meta["cost"] = completion.cost.metadata()
    return meta


def _message(
    completion: Completion, choice: Choice, usage: UsageMetadata | None, first: bool
) -> AIMessage:
    valid, invalid = _tool_calls(choice.tool_calls)
    extra = {REASONING_KEY: choice.reasoning} if choice.reasoning else {}
    return AIMessage(
        content=choice.content,
        additional_kwargs=extra,
        tool_calls=valid,
        invalid_tool_calls=invalid,
        usage_metadata=usage,
        response_metadata=_metadata(completion, choice, first),
        id=completion.id,
    )


def to_chat_result(completion: Completion) -> ChatResult:
    """One generation per choice; usage and cost ride on the first (they cover the whole
    request): ``response_metadata["cost"]`` is ``{"total", "currency", "prompt",
    "cached_prompt", "completion"}`` as exact decimal text (``Decimal(text)`` reads it), with
    ``"total": "unknown"`` without prices."""
    usage = usage_metadata(completion.usage) if completion.usage else None
    generations = [
        ChatGeneration(message=_message(completion, choice, usage if i == 0 else None, i == 0))
        for i, choice in enumerate(completion.choices)
    ]
    if not generations:
        raise UnexpectedResponseError(f"Telnyx answered with no choices (id {completion.id!r})")
    llm_output: dict[str, Any] = {"model_name": completion.model, "id": completion.id}
    if usage is not None:
        llm_output["token_usage"] = {
            "prompt_tokens": usage["input_tokens"],
            "completion_tokens": usage["output_tokens"],
            "total_tokens": usage["total_tokens"],
        }
    return ChatResult(generations=generations, llm_output=llm_output)
