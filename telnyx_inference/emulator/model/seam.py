"""A responder's answer (:mod:`telnyx_inference.emulator.responders`) as a :class:`Completion`,
held to the request's constraints the way constrained decoding would hold a real model.

:func:`completion` normalises the answer (text, tool calls, a JSON value, a ScriptedReply, a
``chat.completion`` body) and renders it through :func:`.engine.complete` as a scripted
reply, so call ids, ``n`` and usage come out as the model's would. :func:`problem` then says
what the request did not allow: a call to a tool it does not offer, arguments outside a tool's
schema, calls under ``tool_choice="none"``, text under ``"required"``, or text that breaks
``json_schema`` / ``guided_json`` / ``guided_choice`` / ``guided_regex`` / ``json_object``.
A choice that ends with ``finish_reason="length"`` is cut short on purpose: its text is not
checked. A responder's text is sent whole (``max_tokens`` and ``stop`` do not cut it).
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from telnyx_inference.emulator.model import engine, guided
from telnyx_inference.emulator.model.engine import Choice, Completion
from telnyx_inference.emulator.records import ScriptedReply
from telnyx_inference.emulator.responders import ResponderError, ToolCall, schema_of

ANSWER_FORMS = (
    "str, ToolCall, a list of ToolCall, ScriptedReply, a JSON value (dict, list, number, "
    "bool), a pydantic model, a chat.completion body, or None"
)


def _no_search(bucket: str, query: str, k: int) -> list[dict[str, Any]]:
    return []  # a scripted reply never searches


def completion(answer: Any, body: dict[str, Any], *, seed: int, name: str) -> Completion | None:
    """``answer`` rendered for ``body``; None when the responder deferred to the model.
    Raises :class:`ResponderError` for an answer of no known form or one the request forbids."""
    if answer is None:
        return None
    completion_body = _completion_body(answer)
    if completion_body is not None:
        comp = _from_completion_body(completion_body, body, seed, name)
    else:
        reply = _reply(answer, name)
        comp = engine.complete(
            body, seed=seed, is_reasoning=False, search=_no_search, scripted=reply
        )
    found = problem(comp, body)
    if found is not None:
        raise ResponderError(name, f"The emulator's responder {name} answered {found}.")
    return comp


def _reply(answer: Any, name: str) -> ScriptedReply:
    if isinstance(answer, ScriptedReply):
        calls = answer.tool_calls
        if calls:
            calls = [c.to_dict() if isinstance(c, ToolCall) else c for c in calls]
        return dataclasses.replace(answer, tool_calls=calls)
    if isinstance(answer, str):
        return ScriptedReply(content=answer)
    if isinstance(answer, ToolCall):
        return ScriptedReply(tool_calls=[answer.to_dict()])
    if _is_calls(answer):
        return ScriptedReply(tool_calls=[c.to_dict() for c in answer])
    try:
        text = json.dumps(_json_value(answer, name), ensure_ascii=False)
    except (TypeError, ValueError) as exc:
        raise ResponderError(
            name, f"The emulator's responder {name} returned a value JSON cannot encode: {exc}."
        ) from exc
    return ScriptedReply(content=text)


def _is_calls(answer: Any) -> bool:
    return (
        isinstance(answer, list | tuple)
        and bool(answer)
        and all(isinstance(c, ToolCall) for c in answer)
    )


def _json_value(answer: Any, name: str) -> Any:
    if hasattr(answer, "model_dump") and callable(answer.model_dump):  # a pydantic model
        return answer.model_dump(mode="json")
    if dataclasses.is_dataclass(answer) and not isinstance(answer, type):
        return dataclasses.asdict(answer)
    if isinstance(answer, Mapping | list | tuple | int | float | bool):
        return answer
    raise ResponderError(
        name,
        f"The emulator's responder {name} returned a {type(answer).__name__}; "
        f"return {ANSWER_FORMS}.",
    )


def _completion_body(answer: Any) -> dict[str, Any] | None:
    """A ``chat.completion`` body (a dict, or the openai SDK's ``ChatCompletion``), or None."""
    if getattr(answer, "object", None) == "chat.completion" and hasattr(answer, "model_dump"):
        dumped: dict[str, Any] = answer.model_dump(mode="json")
        return dumped
    if isinstance(answer, Mapping) and answer.get("object") == "chat.completion":
        return dict(answer)
    return None


def _from_completion_body(
    data: dict[str, Any], body: dict[str, Any], seed: int, name: str
) -> Completion:
    raw_choices = data.get("choices") or []
    if not raw_choices:
        raise ResponderError(
            name, f"The emulator's responder {name} returned a chat.completion with no choices."
        )
    key = engine.request_key(body, seed)
    choices: list[Choice] = []
    for index, raw in enumerate(raw_choices):
        message = raw.get("message") or {}
        reply = ScriptedReply(
            content=message.get("content"),
            tool_calls=message.get("tool_calls") or None,
            reasoning=message.get("reasoning_content") or message.get("reasoning"),
            finish_reason=raw.get("finish_reason"),
        )
        # The engine's private helpers, so ids and usage are counted exactly as for a script.
        choice = engine._scripted(reply, int(raw.get("index", index)), key + index)
        choice.stop_reason = raw.get("stop_reason")
        choice.logprobs = (raw.get("logprobs") or {}).get("content")
        choices.append(choice)
    usage = engine._usage(body, choices, ScriptedReply(usage=data.get("usage")))
    return Completion(str(data.get("model") or body.get("model")), choices, usage)


# --- what the request allows --------------------------------------------------------------


def problem(comp: Completion, body: Mapping[str, Any]) -> str | None:
    """What in ``comp`` the request's constraints forbid, or None when it conforms."""
    tools = _function_tools(body)
    for choice in comp.choices:
        if choice.tool_calls:
            found = _calls_problem(choice.tool_calls, tools, body.get("tool_choice"))
        else:
            found = _text_problem(choice, body, bool(tools))
        if found is not None:
            return found if len(comp.choices) == 1 else f"{found} (choice {choice.index})"
    return None


def _function_tools(body: Mapping[str, Any]) -> dict[str, Any]:
    tools: dict[str, Any] = {}
    for tool in body.get("tools") or []:
        if tool.get("type") == "function":
            fn = tool["function"]
            tools.setdefault(fn["name"], fn.get("parameters") or {})
    return tools


def _calls_problem(
    calls: Sequence[dict[str, Any]], tools: dict[str, Any], tool_choice: Any
) -> str | None:
    if tool_choice == "none":
        return "tool calls, but the request's tool_choice is 'none'"
    for call in calls:
        name, text = call["function"]["name"], call["function"]["arguments"]
        if name not in tools:
            offered = ", ".join(repr(t) for t in tools) or "none"
            return f"a call to {name!r}, a tool the request does not offer (it offers {offered})"
        try:
            args = json.loads(text)
        except ValueError:
            return f"arguments for {name!r} that are not JSON: {text!r:.80}"
        if not isinstance(args, dict):
            return f"arguments for {name!r} that are not a JSON object: {text!r:.80}"
        why = mismatch(args, tools[name])
        if why is not None:
            return f"arguments for {name!r} that do not match its parameters schema: {why}"
    return None


def _text_problem(choice: Choice, body: Mapping[str, Any], has_tools: bool) -> str | None:
    if choice.finish_reason == "length":
        return None
    text = choice.content or ""
    if body.get("tool_choice") == "required" and has_tools:
        return "text, but the request's tool_choice is 'required' (return a ToolCall)"
    schema = schema_of(body)
    if schema is not None:
        where = "guided_json" if body.get("guided_json") is not None else "json_schema"
        try:
            value = json.loads(text)
        except ValueError:
            return f"text that is not JSON ({text!r:.60}), but the request asks for {where}"
        why = mismatch(value, schema)
        return None if why is None else f"a value that does not match the request's {where}: {why}"
    options = body.get("guided_choice")
    if options is not None and text not in options:
        return f"{text!r:.60}, which is not one of the request's guided_choice {options!r:.120}"
    pattern = body.get("guided_regex")
    if pattern is not None and re.fullmatch(pattern, text) is None:
        return f"{text!r:.60}, which does not fully match the request's guided_regex {pattern!r}"
    if (body.get("response_format") or {}).get("type") == "json_object":
        try:
            is_object = isinstance(json.loads(text), dict)
        except ValueError:
            is_object = False
        if not is_object:
            return f"{text!r:.60}, but the request's response_format is json_object"
    return None


@lru_cache(maxsize=256)
def _validator(schema_key: str) -> Any:
    from jsonschema import validators

    schema = json.loads(schema_key)
    return validators.validator_for(schema)(schema)


def mismatch(value: Any, schema: Any) -> str | None:
    """Where and why ``value`` breaks ``schema`` (jsonschema's best match), or None. A schema
    jsonschema cannot use is not held against the answer."""
    from jsonschema.exceptions import best_match

    try:
        error = best_match(_validator(guided.canonical(schema)).iter_errors(value))
    except Exception:
        return None
    return None if error is None else f"at {error.json_path}: {error.message}"
