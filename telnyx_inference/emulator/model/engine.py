"""The emulator's deterministic "model": a request in, a :class:`Completion` out.

Same request, same seed → same answer. In order of precedence: a scripted reply; the tool
calls a tool-using model would make at this point of the turn (:mod:`.planner`; ReAct
requests get them as ``Action:`` text); structured output (``response_format`` json_schema
or ``json_object``, guided choice, regex, JSON Schema) filled from the conversation
(:mod:`.values`) and checked against its schema; otherwise a text answer
(:mod:`.answers`) from tool results, retrieved chunks, context in the prompt, or the prompt
itself. Then ``stop`` and ``max_tokens`` cut the text, and logprobs and usage are counted.

``adversarial=True`` swaps the realistic values for Hypothesis edge cases (:mod:`.guided`);
the turn logic stays the same, so agent loops still end.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from telnyx_inference.emulator.model import answers, fields, guided, planner, tokens, turns, values
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


def request_key(body: dict[str, Any], seed: int) -> int:
    material = json.dumps(
        [body.get("messages"), body.get("model"), body.get("seed"), seed],
        sort_keys=True,
        default=str,
    )
    # blake2b rather than crc32: crc32 is linear, so inputs differing in one character
    # often agree in their low bits and would pick the same pool entry.
    return int.from_bytes(hashlib.blake2b(material.encode(), digest_size=8).digest(), "big")


def _call(
    name: str, arguments: str, key: int, i: int, call_id: str | None = None
) -> dict[str, Any]:
    digest = hashlib.blake2b(f"{key}:{i}:{name}".encode(), digest_size=12).hexdigest()
    cid = call_id or f"chatcmpl-tool-{digest}"
    return {"id": cid, "type": "function", "function": {"name": name, "arguments": arguments}}


@dataclass
class _Request:
    """Everything about one request that every choice shares."""

    situation: planner.Situation
    reply: str
    kind: str
    react: bool


def _function_tools(body: dict[str, Any]) -> dict[str, Any]:
    tools: dict[str, Any] = {}
    for tool in body.get("tools") or []:
        if tool.get("type") == "function":
            fn = tool["function"]
            tools.setdefault(fn["name"], fn.get("parameters") or {})
    return tools


def _read(body: dict[str, Any], search: Search, adversarial: bool) -> _Request:
    turn = turns.read(body["messages"])
    question, rag_context = answers.split_question(turn.question)
    hits: list[dict[str, Any]] = []
    retrieval = [t for t in body.get("tools") or [] if t.get("type") == "retrieval"]
    for tool in retrieval:
        spec = tool["retrieval"]
        for bucket in spec["bucket_ids"]:
            hits.extend(search(bucket, question, spec.get("max_num_results") or 3))
    hits.sort(key=lambda h: h["distance"])
    contexts = [("context", rag_context)] if rag_context else []
    contexts += [("context", s) for s in turn.system if _is_context(s)]
    contexts += [("user", u) for u in turn.earlier_user]
    if turn.final_answer is not None:
        reply, kind = turn.final_answer, "results"
    elif turn.results:
        reply, kind = answers.from_results(turn.results), "results"
    elif retrieval:
        reply, kind = answers.from_retrieval(question, hits), "retrieval"
    elif (found := answers.from_context(question, contexts)) is not None:
        reply, kind = found, "context"
    else:
        reply, kind = answers.plain(turn.question), "plain"
    tools = turn.react_tools if turn.react_tools is not None else _function_tools(body)
    texts = [str(h.get("document_chunk") or "") for h in hits]
    texts += [text for _, text in contexts] + turn.history
    situation = planner.Situation(
        turn,
        tools,
        body.get("tool_choice"),
        texts,
        reply,
        adversarial,
    )
    return _Request(situation, reply, kind, turn.react_tools is not None)


_CONTEXT_MARKERS = ("context", "document", "source", "passage", "excerpt", "[1]", "---")


def _is_context(system: str) -> bool:
    """A system message that carries material to answer from, not only instructions."""
    low = system.lower()
    return len(system) >= 200 or any(m in low for m in _CONTEXT_MARKERS)


def _guided_text(body: dict[str, Any], req: _Request, key: int) -> str | None:
    s = req.situation
    adversarial = s.adversarial
    if body.get("guided_choice") is not None:
        options = body["guided_choice"]
        if adversarial or not options:
            return guided.for_choice(options, key)
        return str(fields.choose(options, s.evidence([]))[0])
    if body.get("guided_regex") is not None:
        pattern = body["guided_regex"]
        if not adversarial:
            found = _regex_from_conversation(pattern, s)
            if found is not None:
                return found
        return guided.for_regex(pattern, key)
    if body.get("guided_json") is not None:
        return json.dumps(_schema_value(body["guided_json"], s, key), ensure_ascii=False)
    fmt = body.get("response_format") or {}
    spec = fmt.get("json_schema") if fmt.get("type") == "json_schema" else None
    if isinstance(spec, dict) and isinstance(spec.get("schema"), dict):
        try:
            return json.dumps(_schema_value(spec["schema"], s, key), ensure_ascii=False)
        except guided.GenerationError as exc:
            if spec.get("strict"):  # "the request fails instead of returning non-conformant output"
                raise guided.GenerationError(
                    f"no output follows response_format.json_schema {spec.get('name')!r} "
                    f"(strict): {exc}"
                ) from None
    if fmt.get("type") in ("json_object", "json_schema"):
        return json.dumps({"answer": req.reply}, ensure_ascii=False)
    return None


def _schema_value(schema: Any, s: planner.Situation, key: int) -> Any:
    """A value that follows ``schema``: from the conversation, or an edge case (adversarial);
    both are checked against the schema before they are sent."""
    if s.adversarial:
        return guided.for_schema(schema, key)
    return values.fill(schema, s.evidence([], _named_args(s)), key)[0]


def _named_args(s: planner.Situation) -> dict[str, list[Any]]:
    named: dict[str, list[Any]] = {}
    for call in s.turn.calls:
        for k, v in call.args.items():
            named.setdefault(k, []).append(v)
    return named


def _regex_from_conversation(pattern: str, s: planner.Situation) -> str | None:
    compiled = re.compile(pattern)
    ev = s.evidence([])
    candidates = [str(span.value) for span in ev.spans]
    for text in ev.texts[:2]:
        candidates += [t.strip(".,;:!?()\"'") for t in text.split()]
    return next((c for c in candidates if c and compiled.fullmatch(c)), None)


def _reasoning(
    body: dict[str, Any], is_reasoning: bool, req: _Request, calls: list[planner.Call]
) -> str | None:
    if not is_reasoning or body.get("enable_thinking") is False:
        return None
    turn = req.situation.turn
    names = [c.name for c in calls]
    return answers.reasoning(turn.question, names, turn.results, req.kind)


def _react_text(calls: list[planner.Call], reply: str) -> str:
    if calls:
        call = calls[0]
        return (
            "Thought: The current language of the user is: English. I need to use a tool "
            f"to help me answer the question.\nAction: {call.name}\n"
            f"Action Input: {json.dumps(call.args, ensure_ascii=False)}"
        )
    return (
        "Thought: I can answer without using any more tools. I'll use the user's language "
        f"to answer\nAnswer: {reply}"
    )


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
    adversarial: bool = False,
) -> Completion:
    """Answer a validated chat request (``adversarial``: edge-case values, see :mod:`.guided`)."""
    key = request_key(body, seed)
    n = int(body.get("n") or 1)
    choices: list[Choice] = []
    req = None if scripted is not None else _read(body, search, adversarial)
    for index in range(n):
        k = key + index
        if req is None:
            assert scripted is not None
            choices.append(_scripted(scripted, index, k))
            continue
        calls = planner.next_calls(req.situation, k, react=req.react)
        reasoning = _reasoning(body, is_reasoning, req, calls)
        if calls and not req.react:
            tool_calls = [
                _call(c.name, json.dumps(c.args, ensure_ascii=False), k, i)
                for i, c in enumerate(calls)
            ]
            choices.append(Choice(index, None, reasoning, tool_calls, "tool_calls"))
            continue
        text = _react_text(calls, req.reply) if req.react else _guided_text(body, req, k)
        reply = answers.variant(req.reply, index)
        choice = Choice(index, text if text is not None else reply, reasoning)
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
