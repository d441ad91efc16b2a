"""Turning pydantic models, TypedDicts and dicts into checked JSON Schemas."""

from __future__ import annotations

import functools
import typing
from collections.abc import Mapping
from typing import Any

import typing_extensions
from pydantic import BaseModel, TypeAdapter

from telnyx_inference.errors import InvalidParameterError, InvalidParameterTypeError

__all__ = ["check_json_schema", "pydantic_compatible", "to_json_schema", "type_adapter"]

_TYPES = frozenset({"object", "array", "string", "number", "integer", "boolean", "null"})
_SUBSCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_SUBSCHEMA_MAPS = ("properties", "$defs", "definitions", "patternProperties")
_SUBSCHEMAS = ("items", "additionalProperties", "not", "if", "then", "else", "contains")


def pydantic_compatible(tp: Any) -> Any:
    """``tp`` with every ``typing.TypedDict`` rebuilt as a ``typing_extensions`` one.

    Pydantic refuses ``typing.TypedDict`` before Python 3.12, yet that is what users write.
    """
    if typing.is_typeddict(tp) and not hasattr(tp, "__closed__"):
        hints = typing.get_type_hints(tp, include_extras=True)
        required = getattr(tp, "__required_keys__", frozenset(hints))
        fields = {
            name: (
                typing_extensions.Required[pydantic_compatible(hint)]
                if name in required
                else typing_extensions.NotRequired[pydantic_compatible(hint)]
            )
            for name, hint in hints.items()
        }
        rebuilt: Any = typing_extensions.TypedDict(tp.__name__, fields)  # type: ignore[misc]
        rebuilt.__doc__ = tp.__doc__
        return rebuilt
    args = typing.get_args(tp)
    origin = typing.get_origin(tp)
    if args and origin is not None and origin is not typing.Literal:
        converted = tuple(pydantic_compatible(a) for a in args)
        if converted != args:
            try:
                return tp.copy_with(converted)
            except AttributeError:
                return origin[converted]
    return tp


@functools.lru_cache(maxsize=256)
def type_adapter(tp: Any) -> TypeAdapter[Any]:
    return TypeAdapter(pydantic_compatible(tp))


@functools.lru_cache(maxsize=256)
def _schema_of_type(tp: Any) -> dict[str, Any]:
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return tp.model_json_schema()
    schema = type_adapter(tp).json_schema()
    doc = getattr(tp, "__doc__", None)
    if typing.is_typeddict(tp) and doc and "description" not in schema:
        schema["description"] = doc.strip()
    return schema


def to_json_schema(value: Any, param: str = "guided_json") -> dict[str, Any]:
    """A JSON Schema dict for a dict, a pydantic model class or a TypedDict (checked)."""
    if isinstance(value, Mapping):
        schema = dict(value)
    elif isinstance(value, type) or typing.get_origin(value) is not None:
        try:
            schema = _schema_of_type(value)
        except Exception as exc:  # pydantic raises several types for unsupported classes
            raise InvalidParameterTypeError(
                param, f"cannot build a JSON Schema from {value!r}: {exc}"
            ) from exc
    else:
        raise InvalidParameterTypeError(
            param,
            f"expected a JSON Schema dict, a pydantic model class or a TypedDict, "
            f"got {type(value).__name__}",
        )
    check_json_schema(schema, param)
    return schema


def check_json_schema(schema: Any, param: str = "guided_json") -> None:
    """Raise :class:`InvalidParameterError` unless ``schema`` is a well-formed JSON Schema.

    Uses the ``jsonschema`` package's meta-schema check when it is installed, and a
    structural walk otherwise (the core depends on nothing but openai and pydantic).
    """
    if not isinstance(schema, Mapping):
        raise InvalidParameterTypeError(param, f"a JSON Schema must be an object, got {schema!r}")
    try:
        _check(schema, param)
    except RecursionError:  # both checks recurse once per level of nesting
        raise InvalidParameterError(
            param, "is nested too deeply to check (hundreds of levels); flatten it with $defs"
        ) from None


def _check(schema: Mapping[str, Any], param: str) -> None:
    try:
        import jsonschema
    except ImportError:
        _walk(schema, param)
        return
    try:
        jsonschema.validators.validator_for(schema).check_schema(schema)
    except jsonschema.SchemaError as exc:
        where = ".".join(str(p) for p in exc.absolute_path)
        raise InvalidParameterError(
            f"{param}{'.' + where if where else ''}", f"not a valid JSON Schema: {exc.message}"
        ) from None


def _walk(schema: Any, path: str) -> None:
    if isinstance(schema, bool):
        return
    if not isinstance(schema, Mapping):
        raise InvalidParameterError(
            path, f"a JSON Schema must be an object or a boolean, got {schema!r}"
        )
    kind = schema.get("type")
    kinds = kind if isinstance(kind, list) else [kind] if kind is not None else []
    for item in kinds:
        if item not in _TYPES:
            raise InvalidParameterError(f"{path}.type", f"unknown JSON Schema type {item!r}")
    required = schema.get("required")
    if required is not None and not (
        isinstance(required, list) and all(isinstance(r, str) for r in required)
    ):
        raise InvalidParameterError(f"{path}.required", "must be a list of property names")
    if "enum" in schema and not isinstance(schema["enum"], list):
        raise InvalidParameterError(f"{path}.enum", "must be a list")
    for key in _SUBSCHEMA_LISTS:
        if key in schema:
            if not isinstance(schema[key], list):
                raise InvalidParameterError(f"{path}.{key}", "must be a list of schemas")
            for i, sub in enumerate(schema[key]):
                _walk(sub, f"{path}.{key}[{i}]")
    for key in _SUBSCHEMA_MAPS:
        if key in schema:
            if not isinstance(schema[key], Mapping):
                raise InvalidParameterError(f"{path}.{key}", "must map names to schemas")
            for name, sub in schema[key].items():
                _walk(sub, f"{path}.{key}.{name}")
    for key in _SUBSCHEMAS:
        if key in schema:
            _walk(schema[key], f"{path}.{key}")
