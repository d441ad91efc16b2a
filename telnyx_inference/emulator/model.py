"""The emulator's deterministic "model": a request in, a :class:`Completion` out.

Same request, same seed → same answer. In order of precedence: a scripted reply; tool calls
(``tool_choice="required"``, or the last turn is a user turn naming bound function tools);
guided output (choice, regex, JSON Schema, ``json_object``); an answer from the seeded
buckets when a retrieval tool is bound; otherwise a short reply derived from the prompt.
Then ``stop`` and ``max_tokens`` cut the text, and logprobs and usage are counted.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from telnyx_inference.emulator import guided, tokens, toolargs
from telnyx_inference.emulator.records import ScriptedReply

Search = Callable[[str, str, int], list[dict[str, Any]]]
"""``search(bucket, query, k)`` → similarity-search documents; KeyError for an unknown bucket."""


@dataclass
class Choice:
    index: int
    content: str | None = None
    reasoning: str | None = None
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    finish_reason: str = "stop"
    stop_reason: str | None = None
    logprobs: list[dict[str, Any]] | None = None


@dataclass
class Completion:
    model: str
    choices: list[Choice]
    usage: dict[str, int]


def text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(
            str(p.get("text") or "")
            for p in content
            if isinstance(p, dict) and p.get("type") == "text"
        )
    return ""


def request_key(body: dict[str, Any], seed: int) -> int:
    material = json.dumps(
        [body.get("messages"), body.get("model"), body.get("seed"), seed],
        sort_keys=True,
        default=str,
    )
    # blake2b rather than crc32: crc32 is linear, so inputs differing in one character
    # often agree in their low bits and would pick the same pool entry.
    return int.from_bytes(hashlib.blake2b(material.encode(), digest_size=8).digest(), "big")


def _snippet(text: str, words: int = 12) -> str:
    parts = text.split()
    out = " ".join(parts[:words])
    return out + "…" if len(parts) > words else out.rstrip(".?!")


_TEMPLATES = (
    "Here is a short answer about {s}.",
    "You asked: {s}. This is the Telnyx emulator's reply.",
    "Answering from the emulator: {s}.",
)


def _reply_text(messages: list[dict[str, Any]], key: int) -> str:
    last = messages[-1] if messages else {}
    if last.get("role") == "tool":
        results = []
        for msg in reversed(messages):
            if msg.get("role") != "tool":
                break
            results.append(text_of(msg.get("content")))
        joined = "; ".join(reversed(results))
        return f"The tool returned: {joined}." if joined else "The tool returned nothing."
    user = next(
        (text_of(m.get("content")) for m in reversed(messages) if m.get("role") == "user"), ""
    )
    if not user.strip():
        return "Hello from the Telnyx emulator."
    return _TEMPLATES[key % len(_TEMPLATES)].format(s=_snippet(user))


def _function_tools(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    tools: dict[str, dict[str, Any]] = {}
    for tool in body.get("tools") or []:
        if tool.get("type") == "function":
            fn = tool["function"]
            tools.setdefault(fn["name"], fn.get("parameters") or {})
    return tools


def _tool_calls(body: dict[str, Any], key: int) -> list[dict[str, Any]]:
    tools = _function_tools(body)
    choice = body.get("tool_choice")
    messages: list[dict[str, Any]] = body["messages"]
    if not tools or choice == "none":
        return []
    last = messages[-1] if messages else {}
    user_text = text_of(last.get("content")) if last.get("role") == "user" else ""
    calls = toolargs.named_calls(user_text, list(tools)) if user_text else []
    if not calls and user_text:
        topical = toolargs.topic_call(user_text, list(tools))
        calls = [topical] if topical is not None else []
    if not calls and choice == "required":
        last_user = next(
            (text_of(m.get("content")) for m in reversed(messages) if m.get("role") == "user"), ""
        )
        named = toolargs.named_calls(last_user, list(tools))
        calls = named[:1] or [toolargs.NamedCall(next(iter(tools)), None, 0)]
    texts = [user_text] + [text_of(m.get("content")) for m in reversed(messages[:-1])]
    out = []
    for i, call in enumerate(calls):
        args = toolargs.arguments(tools[call.name], call, texts, set(tools), key + i)
        out.append(_call(call.name, json.dumps(args, ensure_ascii=False), key, i))
    return out


def _call(
    name: str, arguments: str, key: int, i: int, call_id: str | None = None
) -> dict[str, Any]:
    digest = hashlib.blake2b(f"{key}:{i}:{name}".encode(), digest_size=12).hexdigest()
    cid = call_id or f"chatcmpl-tool-{digest}"
    return {"id": cid, "type": "function", "function": {"name": name, "arguments": arguments}}


def _guided_text(body: dict[str, Any], key: int, reply: str) -> str | None:
    if body.get("guided_choice") is not None:
        return guided.for_choice(body["guided_choice"], key)
    if body.get("guided_regex") is not None:
        return guided.for_regex(body["guided_regex"], key)
    if body.get("guided_json") is not None:
        return json.dumps(guided.for_schema(body["guided_json"], key), ensure_ascii=False)
    if (body.get("response_format") or {}).get("type") == "json_object":
        return json.dumps({"answer": reply}, ensure_ascii=False)
    return None


def _retrieval_text(body: dict[str, Any], search: Search) -> str | None:
    tools = [t for t in body.get("tools") or [] if t.get("type") == "retrieval"]
    if not tools:
        return None
    query = next(
        (text_of(m.get("content")) for m in reversed(body["messages"]) if m.get("role") == "user"),
        "",
    )
    hits: list[dict[str, Any]] = []
    for tool in tools:
        spec = tool["retrieval"]
        k = spec.get("max_num_results") or 3
        for bucket in spec["bucket_ids"]:
            hits.extend(search(bucket, query, k))
    if not hits:
        return "I found nothing relevant in the bucket."
    hits.sort(key=lambda h: h["distance"])
    best = hits[0]
    excerpt = re.sub(r"\s+", " ", best["document_chunk"]).strip()[:300]
    return f"According to {best['metadata']['filename']}: {excerpt}"


def _reasoning(body: dict[str, Any], is_reasoning: bool, calls: list[dict[str, Any]]) -> str | None:
    if not is_reasoning or body.get("enable_thinking") is False:
        return None
    if calls:
        names = ", ".join(c["function"]["name"] for c in calls)
        return f"The user wants a tool result, so I will call {names}."
    user = next(
        (text_of(m.get("content")) for m in reversed(body["messages"]) if m.get("role") == "user"),
        "",
    )
    return f"The user said: {_snippet(user, 8)}. I will answer briefly."


def _cut(choice: Choice, body: dict[str, Any]) -> list[str]:
    """Apply ``stop`` and ``max_tokens``; return the content tokens that were kept."""
    content = choice.content or ""
    stops = body.get("stop")
    stops = [stops] if isinstance(stops, str) else list(stops or [])
    hits = [(content.find(s), s) for s in stops if s and s in content]
    if hits:
        pos, stop = min(hits)
        content, choice.stop_reason = content[:pos], stop
    toks = tokens.tokenize(content)
    limit = body.get("max_tokens")
    if limit is not None and not choice.tool_calls:
        r_toks = tokens.tokenize(choice.reasoning or "")
        if len(r_toks) >= limit:
            choice.reasoning = "".join(r_toks[:limit])
            toks = []
            choice.finish_reason = "length"
        elif len(r_toks) + len(toks) > limit:
            toks = toks[: limit - len(r_toks)]
            choice.finish_reason = "length"
    choice.content = "".join(toks)
    return toks


def _scripted(reply: ScriptedReply, index: int, key: int) -> Choice:
    calls = []
    for i, raw in enumerate(reply.tool_calls or []):
        fn = raw.get("function", raw)
        args = fn.get("arguments", {})
        args = args if isinstance(args, str) else json.dumps(args, ensure_ascii=False)
        calls.append(_call(fn["name"], args, key, i, raw.get("id")))
    finish = reply.finish_reason or ("tool_calls" if calls else "stop")
    content = reply.content if reply.content is not None or calls else ""
    return Choice(index, content, reply.reasoning, calls, finish)


def complete(
    body: dict[str, Any],
    *,
    seed: int,
    is_reasoning: bool,
    search: Search,
    scripted: ScriptedReply | None = None,
) -> Completion:
    """Answer a validated chat request."""
    key = request_key(body, seed)
    n = int(body.get("n") or 1)
    choices: list[Choice] = []
    for index in range(n):
        k = key + index
        if scripted is not None:
            choices.append(_scripted(scripted, index, k))
            continue
        calls = _tool_calls(body, k)
        if calls:
            choices.append(
                Choice(index, None, _reasoning(body, is_reasoning, calls), calls, "tool_calls")
            )
            continue
        reply = _retrieval_text(body, search) or _reply_text(body["messages"], k)
        text = _guided_text(body, k, reply)
        choice = Choice(
            index, text if text is not None else reply, _reasoning(body, is_reasoning, [])
        )
        kept = _cut(choice, body)
        if body.get("logprobs"):
            choice.logprobs = tokens.logprob_entries(kept, int(body.get("top_logprobs") or 0))
        choices.append(choice)
    return Completion(str(body.get("model")), choices, _usage(body, choices, scripted))


def _usage(
    body: dict[str, Any], choices: list[Choice], scripted: ScriptedReply | None
) -> dict[str, int]:
    prompt = tokens.message_tokens(body["messages"])
    prompt += sum(tokens.count(json.dumps(t)) for t in body.get("tools") or [])
    completion = 0
    for c in choices:
        completion += tokens.count(c.content or "") + tokens.count(c.reasoning or "")
        completion += sum(tokens.count(t["function"]["arguments"]) + 2 for t in c.tool_calls)
    usage = {"prompt_tokens": prompt, "completion_tokens": completion}
    if scripted is not None and scripted.usage:
        usage.update(scripted.usage)
    usage.setdefault("total_tokens", usage["prompt_tokens"] + usage["completion_tokens"])
    if scripted is None or not scripted.usage or "total_tokens" not in scripted.usage:
        usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
    return usage
