"""A :class:`~.model.Completion` as vLLM would send it: one body, or a list of stream chunks."""

from __future__ import annotations

import itertools
import time
import uuid
from typing import Any

from telnyx_inference.emulator.model import tokens
from telnyx_inference.emulator.model.engine import Choice, Completion

ARGUMENT_PIECE = 7
"""Tool-call arguments stream in pieces of this many characters (an odd size on purpose)."""


def completion_id() -> str:
    return f"chatcmpl-{uuid.uuid4().hex}"


def completion_body(comp: Completion, cid: str | None = None) -> dict[str, Any]:
    choices = []
    for c in comp.choices:
        message: dict[str, Any] = {
            "role": "assistant",
            "reasoning_content": c.reasoning,
            "content": c.content,
            "tool_calls": c.tool_calls,
        }
        choices.append(
            {
                "index": c.index,
                "message": message,
                "logprobs": {"content": c.logprobs} if c.logprobs is not None else None,
                "finish_reason": c.finish_reason,
                "stop_reason": c.stop_reason,
            }
        )
    return {
        "id": cid or completion_id(),
        "object": "chat.completion",
        "created": int(time.time()),
        "model": comp.model,
        "choices": choices,
        "usage": comp.usage,
        "prompt_logprobs": None,
    }


def _choice_deltas(c: Choice) -> list[dict[str, Any]]:
    """The per-choice ``choices[0]`` entries of every chunk, in order."""
    out: list[dict[str, Any]] = [
        {
            "index": c.index,
            "delta": {"role": "assistant", "content": ""},
            "logprobs": None,
            "finish_reason": None,
        }
    ]
    for tok in tokens.tokenize(c.reasoning or ""):
        out.append(
            {
                "index": c.index,
                "delta": {"reasoning_content": tok},
                "logprobs": None,
                "finish_reason": None,
            }
        )
    entries = iter(c.logprobs or [])
    for tok in tokens.tokenize(c.content or ""):
        entry = next(entries, None)
        out.append(
            {
                "index": c.index,
                "delta": {"content": tok},
                "logprobs": {"content": [entry]} if entry is not None else None,
                "finish_reason": None,
            }
        )
    for i, call in enumerate(c.tool_calls):
        fn = call["function"]
        out.append(
            {
                "index": c.index,
                "delta": {
                    "tool_calls": [
                        {
                            "id": call["id"],
                            "type": "function",
                            "index": i,
                            "function": {"name": fn["name"], "arguments": ""},
                        }
                    ]
                },
                "logprobs": None,
                "finish_reason": None,
            }
        )
        args: str = fn["arguments"]
        for start in range(0, len(args), ARGUMENT_PIECE):
            piece = args[start : start + ARGUMENT_PIECE]
            out.append(
                {
                    "index": c.index,
                    "delta": {"tool_calls": [{"index": i, "function": {"arguments": piece}}]},
                    "logprobs": None,
                    "finish_reason": None,
                }
            )
    final_delta: dict[str, Any] = {} if c.tool_calls else {"content": ""}
    out.append(
        {
            "index": c.index,
            "delta": final_delta,
            "logprobs": None,
            "finish_reason": c.finish_reason,
            "stop_reason": c.stop_reason,
        }
    )
    return out


def stream_chunks(
    comp: Completion, include_usage: bool, cid: str | None = None
) -> list[dict[str, Any]]:
    """All chunks of the stream, choices interleaved token by token as vLLM does for n > 1."""
    cid = cid or completion_id()
    created = int(time.time())
    per_choice = [_choice_deltas(c) for c in comp.choices]
    chunks = []
    for step in itertools.zip_longest(*per_choice):
        for entry in step:
            if entry is not None:
                chunks.append(
                    {
                        "id": cid,
                        "object": "chat.completion.chunk",
                        "created": created,
                        "model": comp.model,
                        "choices": [entry],
                    }
                )
    if include_usage:
        chunks.append(
            {
                "id": cid,
                "object": "chat.completion.chunk",
                "created": created,
                "model": comp.model,
                "choices": [],
                "usage": comp.usage,
            }
        )
    return chunks
