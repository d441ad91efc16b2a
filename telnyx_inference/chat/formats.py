"""``response_format: json_schema``: Telnyx's supported way to structured output, built and checked.

Since autumn 2026 Telnyx's published chat schema takes OpenAI's format, and calls it "the
supported way to get guaranteed structured output on Telnyx-hosted models"::

    json_schema_format({"type": "object", "title": "Person", ...}, strict=True)
    # {"type": "json_schema",
    #  "json_schema": {"name": "Person", "schema": {...}, "strict": True}}

    wrap_root({"type": "string", "enum": ["yes", "no"]})
    # {"type": "object", "properties": {"value": {...}}, "required": ["value"], ...}

The ``name`` follows OpenAI's rule (letters, digits, ``_`` and ``-``, at most 64), derived from
the schema's title; the ``description`` is the schema's (a model's docstring). A schema whose
root is not an object (a ``Literal``, a list, a ``Regex``) travels inside a one-field object,
as OpenAI requires, and the answer is unwrapped again (:data:`WRAPPED_FIELD`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from telnyx_inference._constants import (
    JSON_SCHEMA_FORMAT_FIELDS,
    JSON_SCHEMA_NAME_PATTERN,
    RESPONSE_FORMAT_TYPES,
)
from telnyx_inference.chat.schema import check_json_schema
from telnyx_inference.errors import InvalidParameterError, InvalidParameterTypeError

__all__ = [
    "WRAPPED_FIELD",
    "check_response_format",
    "format_name",
    "is_object_root",
    "json_schema_format",
    "wrap_root",
]

WRAPPED_FIELD = "value"
"""The one property of the object a non-object schema is wrapped in."""
_NAME = re.compile(JSON_SCHEMA_NAME_PATTERN)
_NOT_ALLOWED = re.compile(r"[^a-zA-Z0-9_-]+")
_DEFS = ("$defs", "definitions")


def format_name(title: Any, fallback: str = "output") -> str:
    """A ``json_schema.name`` from a schema title: other characters become ``_``, at most 64."""
    name = _NOT_ALLOWED.sub("_", str(title or "")).strip("_")[:64]
    return name or fallback


def is_object_root(schema: Mapping[str, Any]) -> bool:
    """Whether ``schema`` describes an object, as a json_schema format's root must."""
    return schema.get("type") == "object"


def wrap_root(schema: Mapping[str, Any]) -> dict[str, Any]:
    """``schema`` as the one required property of a closed object; ``$defs`` stay at the root
    so that ``#/$defs/...`` references still resolve."""
    inner = {k: v for k, v in schema.items() if k not in _DEFS}
    wrapper: dict[str, Any] = {
        "type": "object",
        "properties": {WRAPPED_FIELD: inner},
        "required": [WRAPPED_FIELD],
        "additionalProperties": False,
    }
    if "title" in schema:
        wrapper["title"] = schema["title"]
    for key in _DEFS:
        if key in schema:
            wrapper[key] = schema[key]
    return wrapper


def json_schema_format(
    schema: Mapping[str, Any],
    *,
    name: str | None = None,
    description: str | None = None,
    strict: bool | None = None,
) -> dict[str, Any]:
    """The ``response_format`` asking for answers that follow ``schema`` (an object root).

    ``name`` defaults to the schema's title (sanitised), ``description`` to the schema's own;
    ``strict`` is sent only when given.
    """
    spec: dict[str, Any] = {"name": format_name(name or schema.get("title"))}
    described = description if description is not None else schema.get("description")
    if isinstance(described, str) and described.strip():
        spec["description"] = described.strip()
    spec["schema"] = dict(schema)
    if strict is not None:
        spec["strict"] = strict
    return {"type": "json_schema", "json_schema": spec}


def check_response_format(value: Mapping[str, Any]) -> None:
    """Refuse a ``response_format`` Telnyx would refuse, naming the key; sent as is otherwise."""
    kind = value.get("type")
    if kind not in RESPONSE_FORMAT_TYPES:
        raise InvalidParameterError(
            "response_format.type", f"must be one of {list(RESPONSE_FORMAT_TYPES)}, got {kind!r}"
        )
    if kind != "json_schema":
        return
    spec = value.get("json_schema")
    if not isinstance(spec, Mapping):
        raise InvalidParameterTypeError(
            "response_format.json_schema",
            "must be an object with name, and optionally schema, description and strict",
        )
    unknown = sorted(set(spec) - set(JSON_SCHEMA_FORMAT_FIELDS))
    if unknown:
        raise InvalidParameterError(
            f"response_format.json_schema.{unknown[0]}",
            f"is not a key of the format; the keys are {list(JSON_SCHEMA_FORMAT_FIELDS)}",
        )
    name = spec.get("name")
    if not isinstance(name, str) or _NAME.fullmatch(name) is None:
        raise InvalidParameterError(
            "response_format.json_schema.name",
            f"must be 1 to 64 letters, digits, '_' or '-', got {name!r}",
        )
    if "schema" in spec:
        check_json_schema(spec["schema"], "response_format.json_schema.schema")
    if "strict" in spec and not isinstance(spec["strict"], bool):
        raise InvalidParameterTypeError(
            "response_format.json_schema.strict", f"must be true or false, got {spec['strict']!r}"
        )
    if "description" in spec and not isinstance(spec["description"], str):
        raise InvalidParameterTypeError(
            "response_format.json_schema.description", "must be a string"
        )
