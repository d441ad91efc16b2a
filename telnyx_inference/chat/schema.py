"""Turning pydantic models, TypedDicts and dicts into checked JSON Schemas."""

from __future__ import annotations

import functools
import typing
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import unquote

import typing_extensions
from pydantic import BaseModel, TypeAdapter

from telnyx_inference.errors import InvalidParameterError, InvalidParameterTypeError

__all__ = ["check_json_schema", "pydantic_compatible", "to_json_schema", "type_adapter"]

_TYPES = frozenset({"object", "array", "string", "number", "integer", "boolean", "null"})
_SUBSCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_SUBSCHEMA_MAPS = ("properties", "$defs", "definitions", "patternProperties", "dependentSchemas")
_SUBSCHEMAS = (
    "items",
    "additionalProperties",
    "not",
    "if",
    "then",
    "else",
    "contains",
    "propertyNames",
    "unevaluatedItems",
    "unevaluatedProperties",
)


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
        for where, ref in _refs(schema, param):
            _resolve(schema, ref, where)
    except RecursionError:  # the checks recurse once per level of nesting
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


def _subschemas(schema: Mapping[str, Any], path: str) -> Iterator[tuple[str, Any]]:
    """The schemas directly inside ``schema`` (not data such as ``enum`` or ``default``)."""
    for key in _SUBSCHEMA_LISTS:
        if isinstance(schema.get(key), list):
            yield from ((f"{path}.{key}[{i}]", s) for i, s in enumerate(schema[key]))
    for key in _SUBSCHEMA_MAPS:
        if isinstance(schema.get(key), Mapping):
            yield from ((f"{path}.{key}.{name}", s) for name, s in schema[key].items())
    for key in _SUBSCHEMAS:
        if key in schema:
            yield f"{path}.{key}", schema[key]


def _refs(schema: Any, path: str) -> Iterator[tuple[str, str]]:
    """Each ``$ref`` in the schema with where it is."""
    if not isinstance(schema, Mapping):
        return
    if isinstance(schema.get("$ref"), str):
        yield f"{path}.$ref", schema["$ref"]
    for where, sub in _subschemas(schema, path):
        yield from _refs(sub, where)


def _anchors(schema: Any) -> Iterator[str]:
    if isinstance(schema, Mapping):
        if isinstance(schema.get("$anchor"), str):
            yield schema["$anchor"]
        for _, sub in _subschemas(schema, ""):
            yield from _anchors(sub)


def _resolve(root: Mapping[str, Any], ref: str, where: str) -> None:
    """Raise unless ``ref`` points inside ``root``: a JSON Pointer (``#/$defs/Name``) to a
    schema, or a ``$anchor`` (``#name``). Nothing outside the schema can be fetched."""
    if not ref.startswith("#"):
        raise InvalidParameterError(
            where, f"{ref!r}: only references inside the schema (#/...) can be resolved"
        )
    fragment = unquote(ref[1:])
    if fragment and not fragment.startswith("/"):
        if fragment not in set(_anchors(root)):
            raise InvalidParameterError(where, f"{ref!r}: the schema has no $anchor {fragment!r}")
        return
    target: Any = root
    for token in fragment.split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(target, Mapping) and token in target:
            target = target[token]
        elif isinstance(target, list) and token.isdigit() and int(token) < len(target):
            target = target[int(token)]
        else:
            raise InvalidParameterError(where, f"{ref!r} points at nothing in the schema")
    if not isinstance(target, Mapping | bool):
        raise InvalidParameterError(where, f"{ref!r} points at {target!r:.60}, not a schema")
