"""Request validation in Telnyx's layers: FastAPI 422s first, then the documented 400s.

The field specs follow Telnyx's published request schemas, with what the issue and live
behaviour add (``min_p`` in [0, 1], ``top_logprobs`` in [0, 20], ``guided_json`` must be a
valid JSON Schema, image parts must be strings). Unknown top-level fields are returned to
the caller, which ignores them (and says so in a header) or, in strict mode, rejects them.

Two chat contracts (:func:`validate_chat`): ``"current"`` (default) is Telnyx's published
schema of autumn 2026 (telnyx SDK 4.189): ``response_format`` takes ``json_schema``;
``reasoning_effort``, ``region`` and ``mode`` are fields; ``guided_*`` and ``logit_bias`` are
not, and the ``guided`` setting decides what happens to the guided fields (``honour``,
``ignore``: answered unconstrained, ``reject``: 422). ``stream_options`` is not in that schema
but accepted live (checked by Telnyx's own plugin), so it stays known. ``"seed"`` is the
endpoint doc the project started from: ``guided_*`` honoured, ``json_schema`` refused.
"""

from __future__ import annotations

import json
from typing import Any

from telnyx_inference._constants import (
    BUCKET_LOADERS,
    EMBEDDING_MODELS,
    ERROR_CODE_MAX_TOKENS_WITH_TOOLS,
    GUIDED_FIELDS,
    MAX_STOP_SEQUENCES,
    MAX_TOP_LOGPROBS,
    RESPONSE_FORMAT_TYPES,
    ROLES,
    SERVICE_TIERS,
    TOOL_CHOICES,
)
from telnyx_inference.chat.catalog import is_hosted_model
from telnyx_inference.emulator.model import guided
from telnyx_inference.emulator.serving import schema as s

BAD_REQUEST = "400"
"""Code for 400s that Telnyx documents no specific code for."""

# Transcribed from Telnyx's published chat request schema (telnyx SDK 4.189, autumn 2026).
PUBLISHED_REASONING_EFFORTS = ("none", "minimal", "low", "medium", "high", "xhigh", "max")
PUBLISHED_REGIONS = ("USA", "EU", "AUS", "UAE")
PUBLISHED_RESIDENCY_MODES = ("preferred", "strict")
SEED_RESPONSE_FORMAT_TYPES = ("text", "json_object")
"""The seed endpoint doc's formats: no ``json_schema``."""

_part = s.model(
    {
        "type": (s.enum(("text", "image_url")), True),
        "text": (s.string, False),
        "image_url": (s.string, False),
    },
    forbid_extra=True,
)

_message = s.model(
    {
        "content": (
            s.union([("str", s.string), ("list[ChatCompletionContentPart]", s.list_of(_part))]),
            True,
        ),
        "role": (s.enum(ROLES), True),
    }
)

_function_tool = s.model(
    {
        "function": (s.model({"name": (s.string, True), "parameters": (s.any_dict, False)}), True),
        "type": (s.enum(("function",)), True),
    }
)
_retrieval_tool = s.model(
    {
        "retrieval": (
            s.model(
                {"bucket_ids": (s.list_of(s.string), True), "max_num_results": (s.integer, False)}
            ),
            True,
        ),
        "type": (s.enum(("retrieval",)), True),
    }
)
_any_tool = s.union([("ChatCompletionToolParam", _function_tool), ("Retrieval", _retrieval_tool)])


def _tool(value: Any, loc: s.Loc) -> s.Result:
    # Dispatch on "type" when it names a branch, as a tagged union would; else report both.
    kind = value.get("type") if isinstance(value, dict) else None
    if kind == "function":
        return _function_tool(value, loc)
    if kind == "retrieval":
        return _retrieval_tool(value, loc)
    return _any_tool(value, loc)


def _schema_problem(value: Any) -> str | None:
    problem = guided.schema_problem(value)
    return f"guided_json is not a valid JSON Schema: {problem}" if problem else None


def _regex_problem(value: Any) -> str | None:
    problem = guided.regex_problem(value)
    return f"guided_regex is not valid: {problem}" if problem else None


_COMMON_CHAT_FIELDS: dict[str, tuple[s.Validator, bool]] = {
    "messages": (s.list_of(_message), True),
    "model": (s.string, False),
    "stream": (s.boolean, False),
    "stream_options": (
        s.model(
            {"include_usage": (s.boolean, False), "continuous_usage_stats": (s.boolean, False)}
        ),
        False,
    ),
    "temperature": (s.number, False),
    "top_p": (s.number, False),
    "min_p": (s.bounded(s.number, ge=0, le=1), False),
    "frequency_penalty": (s.number, False),
    "presence_penalty": (s.number, False),
    "length_penalty": (s.number, False),
    "seed": (s.integer, False),
    "n": (s.number, False),
    "best_of": (s.integer, False),
    "stop": (
        s.union(
            [("str", s.string), ("list[str]", s.list_of(s.string, max_length=MAX_STOP_SEQUENCES))]
        ),
        False,
    ),
    "logprobs": (s.boolean, False),
    "top_logprobs": (s.bounded(s.integer, ge=0, le=MAX_TOP_LOGPROBS), False),
    "tools": (s.list_of(_tool), False),
    "tool_choice": (s.enum(TOOL_CHOICES), False),
    "use_beam_search": (s.boolean, False),
    "early_stopping": (s.boolean, False),
    "enable_thinking": (s.boolean, False),
    "api_key_ref": (s.string, False),
}

GUIDED_CHAT_FIELDS: dict[str, tuple[s.Validator, bool]] = {
    "guided_json": (s.checked(s.any_dict, _schema_problem), False),
    "guided_regex": (s.checked(s.string, _regex_problem), False),
    "guided_choice": (s.list_of(s.string), False),
}

SEED_CHAT_FIELDS: dict[str, tuple[s.Validator, bool]] = {
    **_COMMON_CHAT_FIELDS,
    "max_tokens": (s.integer, False),
    "logit_bias": (s.any_dict, False),
    "response_format": (s.model({"type": (s.enum(SEED_RESPONSE_FORMAT_TYPES), True)}), False),
    "service_tier": (s.enum(SERVICE_TIERS), False),
    **GUIDED_CHAT_FIELDS,
}
"""The seed endpoint doc's fields: guided decoding, no json_schema format."""

_json_schema_spec = s.model(
    {
        "name": (s.string, True),
        "description": (s.string, False),
        "schema": (s.any_dict, False),
        "strict": (s.boolean, False),
    }
)
_plain_format = s.model({"type": (s.enum(RESPONSE_FORMAT_TYPES), True)})
_schema_format = s.model(
    {"type": (s.enum(("json_schema",)), True), "json_schema": (_json_schema_spec, True)}
)


def _response_format(value: Any, loc: s.Loc) -> s.Result:
    kind = value.get("type") if isinstance(value, dict) else None
    return (_schema_format if kind == "json_schema" else _plain_format)(value, loc)


CURRENT_CHAT_FIELDS: dict[str, tuple[s.Validator, bool]] = {
    **_COMMON_CHAT_FIELDS,
    "max_tokens": (s.nullable(s.integer), False),
    "response_format": (_response_format, False),
    "reasoning_effort": (s.enum(PUBLISHED_REASONING_EFFORTS), False),
    "region": (s.enum(PUBLISHED_REGIONS), False),
    "mode": (s.enum(PUBLISHED_RESIDENCY_MODES), False),
    "service_tier": (s.string, False),
}
"""Today's published schema (autumn 2026), ``stream_options`` included (accepted live)."""


def validate_chat(
    body: Any, contract: str = "current", guided_mode: str = "honour", strict: bool = False
) -> tuple[list[s.Error], dict[str, Any], list[str]]:
    """:func:`validate` under one contract. Strict means exactly that contract's fields, so
    under the current contract ``guided_*`` are refused whatever ``guided_mode`` says."""
    if contract == "seed":
        return validate(SEED_CHAT_FIELDS, body, strict)
    honoured = guided_mode == "honour" and not strict
    fields = {**CURRENT_CHAT_FIELDS, **GUIDED_CHAT_FIELDS} if honoured else CURRENT_CHAT_FIELDS
    errs, value, unknown = validate(fields, body, strict)
    if not honoured:
        guided_sent = [k for k in GUIDED_FIELDS if k in value]
        if guided_mode == "reject" and not strict:
            errs += [
                s.error("extra_forbidden", ("body", k), "Extra inputs are not permitted", value[k])
                for k in guided_sent
            ]
        for k in guided_sent:  # ignored: the model never sees them
            value.pop(k)
    return errs, value, unknown


EMBEDDING_FIELDS: dict[str, tuple[s.Validator, bool]] = {
    "input": (s.union([("str", s.string), ("list[str]", s.list_of(s.string))]), True),
    "model": (s.string, True),
    "encoding_format": (s.enum(("float", "base64")), False),
    "dimensions": (s.integer, False),
    "user": (s.string, False),
}

SIMILARITY_FIELDS: dict[str, tuple[s.Validator, bool]] = {
    "bucket_name": (s.string, True),
    "query": (s.string, True),
    "num_of_docs": (s.integer, False),
}

BUCKET_JOB_FIELDS: dict[str, tuple[s.Validator, bool]] = {
    "bucket_name": (s.string, True),
    "document_chunk_size": (s.integer, False),
    "document_chunk_overlap_size": (s.integer, False),
    "embedding_model": (s.enum(EMBEDDING_MODELS), False),
    "loader": (s.enum(BUCKET_LOADERS), False),
}


def parse_body(raw: bytes) -> tuple[list[s.Error], Any]:
    """Decode a JSON body the way FastAPI does, including its error for bad JSON."""
    if not raw.strip():
        return [s.error("missing", ("body",), "Field required", None)], None
    try:
        return [], json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        pos = exc.pos if isinstance(exc, json.JSONDecodeError) else exc.start
        reason = exc.msg if isinstance(exc, json.JSONDecodeError) else "Invalid UTF-8"
        return [
            s.error("json_invalid", ("body", pos), "JSON decode error", {}, {"error": reason})
        ], None


def validate(
    fields: dict[str, tuple[s.Validator, bool]], body: Any, strict: bool = False
) -> tuple[list[s.Error], dict[str, Any], list[str]]:
    """Errors (FastAPI detail items), the coerced body and the unknown top-level fields."""
    errs, value = s.model(fields, forbid_extra=strict)(body, ("body",))
    unknown = [k for k in body if k not in fields] if isinstance(body, dict) else []
    return errs, value if isinstance(value, dict) else {}, unknown


def json_schema_of(body: dict[str, Any]) -> dict[str, Any] | None:
    """``response_format.json_schema`` when the request asks for one, else None."""
    fmt = body.get("response_format")
    if isinstance(fmt, dict) and fmt.get("type") == "json_schema":
        spec = fmt.get("json_schema")
        return spec if isinstance(spec, dict) else None
    return None


def _structured_quirk(body: dict[str, Any]) -> tuple[str, str, str] | None:
    guided_used = [f for f in GUIDED_FIELDS if body.get(f) is not None]
    if len(guided_used) > 1:
        return (
            BAD_REQUEST,
            guided_used[1],
            f"Only one guided decoding option may be used; got {', '.join(guided_used)}.",
        )
    spec = json_schema_of(body)
    if spec is None:
        return None
    if guided_used:
        return (
            BAD_REQUEST,
            guided_used[0],
            f"{guided_used[0]} and response_format json_schema cannot be used together.",
        )
    problem = guided.schema_problem(spec["schema"]) if "schema" in spec else None
    if problem:
        return (
            BAD_REQUEST,
            "response_format",
            f"response_format.json_schema.schema is not a valid JSON Schema: {problem}",
        )
    return None


def chat_quirk(body: dict[str, Any]) -> tuple[str, str, str] | None:
    """The first documented 400 this request triggers, as ``(code, field, detail)``."""
    if structured := _structured_quirk(body):
        return structured
    function_tools = [t for t in body.get("tools") or [] if t.get("type") == "function"]
    model = str(body.get("model") or "")
    if function_tools and body.get("max_tokens") is not None and is_hosted_model(model):
        return (
            ERROR_CODE_MAX_TOKENS_WITH_TOOLS,
            "max_tokens",
            "max_tokens is not supported together with function tools on Telnyx-hosted "
            "models; remove max_tokens.",
        )
    n = body.get("n")
    if n is not None and (n < 1 or float(n) != int(n)):
        return (BAD_REQUEST, "n", f"n must be a positive integer, not {n}.")
    tier = body.get("service_tier")
    if tier is not None and tier not in SERVICE_TIERS:
        return (
            BAD_REQUEST,
            "service_tier",
            f"Service tier {tier!r} is not available for {model}; use one of "
            f"{', '.join(SERVICE_TIERS)}.",
        )
    if body.get("guided_choice") == []:
        return (BAD_REQUEST, "guided_choice", "guided_choice must list at least one choice.")
    if body.get("top_logprobs") and not body.get("logprobs"):
        return (BAD_REQUEST, "top_logprobs", "top_logprobs requires logprobs to be true.")
    if body.get("tool_choice") == "required" and not function_tools:
        return (
            BAD_REQUEST,
            "tool_choice",
            "tool_choice 'required' needs at least one function tool.",
        )
    return None
