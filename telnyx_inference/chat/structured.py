"""Structured output: what a schema sends, and the check of the answer, whatever was sent.

Both framework adapters ask :func:`structured_spec` what to send and how to read the answer.
By default the schema travels as ``response_format: json_schema``, the way Telnyx's published
contract supports today::

    spec = structured_spec(Person)                  # a pydantic model
    spec.params     # {"response_format": {"type": "json_schema", "json_schema": {"name":
                    #   "Person", "description": "A person.", "schema": {...}}}}
    spec.parse('{"name": "Ada", "age": 36}')        # Person(name='Ada', age=36)

    structured_spec(Literal["yes", "no"]).params    # json_schema: {"value": "yes" | "no"}
    structured_spec(Literal["yes", "no"], method="guided").params   # {"guided_choice": [...]}
    structured_spec(Regex(r"\\d{3}-\\d{4}"), method="guided").params  # {"guided_regex": "..."}
    structured_spec(Person, method="guided").params  # {"guided_json": {...}}

``method="guided"`` sends the seed endpoint's constrained-decoding fields (``guided_json``,
``guided_choice``, ``guided_regex``), which today's published schema no longer lists. Either
way the answer is validated here; a mismatch raises :class:`StructuredOutputError`, and after
a guided field it says that the field was probably ignored upstream.
"""

from __future__ import annotations

import enum
import json
import re
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import TypeAdapter
from pydantic import ValidationError as PydanticValidationError

from telnyx_inference.chat.formats import (
    WRAPPED_FIELD,
    format_name,
    is_object_root,
    json_schema_format,
    wrap_root,
)
from telnyx_inference.chat.schema import to_json_schema, type_adapter
from telnyx_inference.errors import InvalidParameterError, TelnyxError

__all__ = [
    "MissingDependencyError",
    "Regex",
    "StructuredMethod",
    "StructuredOutputError",
    "StructuredSpec",
    "ignored_upstream_hint",
    "load_json",
    "structured_spec",
]

StructuredMethod = Literal["json_schema", "guided"]
"""How the constraint travels: ``response_format: json_schema`` (today's contract) or the
seed's ``guided_json`` / ``guided_choice`` / ``guided_regex``."""
STRUCTURED_METHODS: tuple[str, ...] = typing.get_args(StructuredMethod)


class MissingDependencyError(TelnyxError, ImportError):
    """A package this feature needs is not installed; the message says how to get it."""


class StructuredOutputError(TelnyxError, ValueError):
    """The model's answer did not match the requested structure; ``text`` holds the answer."""

    def __init__(self, message: str, text: str) -> None:
        super().__init__(f"{message}; the answer was: {text[:300]!r}")
        self.reason = message
        self.text = text


def ignored_upstream_hint(field: str) -> str:
    """Why an answer may not follow a ``guided_*`` field, and what to use instead."""
    return (
        f"{field} was probably ignored upstream: it left Telnyx's published chat schema, and "
        "vLLM servers answer unconstrained when sent it. Use response_format json_schema "
        "instead (the default method of structured output)"
    )


@dataclass(frozen=True, slots=True)
class Regex:
    """Ask for output that fully matches ``pattern`` (a string ``pattern`` schema under
    ``json_schema``, or ``guided_regex`` with ``method="guided"``)."""

    pattern: str

    def __post_init__(self) -> None:
        try:
            re.compile(self.pattern)
        except re.error as exc:
            raise InvalidParameterError(
                "guided_regex", f"not a valid regular expression: {exc}"
            ) from None


@dataclass(frozen=True, slots=True)
class StructuredSpec:
    kind: Literal["json", "choice", "regex"]
    method: StructuredMethod
    params: dict[str, Any]
    """What to merge into the request parameters: ``response_format`` or one guided field."""
    schema: dict[str, Any]
    """The JSON Schema of the answer's value (as the user gave it; never the wrapper)."""
    name: str
    _parse: Callable[[str], Any]

    def parse(self, text: str) -> Any:
        """Validate and convert the model's answer; raise :class:`StructuredOutputError`."""
        return self._parse(text)

    @property
    def wrapped(self) -> bool:
        """Whether the answer arrives as ``{"value": ...}`` (json_schema, non-object root)."""
        return self.method == "json_schema" and not is_object_root(self.schema)

    def unwrap(self, value: Any) -> Any:
        """The value inside a (possibly partial) decoded answer; anything else as it is."""
        if self.wrapped and isinstance(value, dict) and set(value) <= {WRAPPED_FIELD}:
            return value.get(WRAPPED_FIELD)
        return value


# --- reading an answer ------------------------------------------------------------------------


def _strip_fences(text: str) -> str:
    stripped = text.strip()
    if stripped.startswith("```"):
        stripped = stripped.split("\n", 1)[1] if "\n" in stripped else ""
        stripped = stripped.rsplit("```", 1)[0]
    return stripped.strip()


def load_json(text: str) -> Any:
    """The answer as JSON (code fences allowed); :class:`StructuredOutputError` otherwise."""
    try:
        return json.loads(_strip_fences(text))
    except ValueError as exc:
        raise StructuredOutputError(f"the answer is not valid JSON ({exc})", text) from None


Check = Callable[[Any, str], Any]
"""``check(value, text)``: the converted value, or :class:`StructuredOutputError` citing ``text``."""


def _schema_check(schema: Mapping[str, Any]) -> Check:
    try:
        import jsonschema
    except ImportError:
        raise MissingDependencyError(
            "checking answers against a JSON Schema dict needs the jsonschema package, which "
            "is not installed: pip install jsonschema (the langchain and llama-index extras "
            "bring it), or describe the output with a pydantic model or TypedDict instead"
        ) from None
    validator = jsonschema.validators.validator_for(schema)(schema)

    def check(value: Any, text: str) -> Any:
        errors = sorted(validator.iter_errors(value), key=str)
        if errors:
            where = "/".join(str(p) for p in errors[0].absolute_path) or "(root)"
            raise StructuredOutputError(f"{where}: {errors[0].message}", text)
        return value

    return check


def _type_check(adapter: TypeAdapter[Any]) -> Check:
    def check(value: Any, text: str) -> Any:
        try:
            return adapter.validate_json(json.dumps(value))
        except PydanticValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "(root)"
            raise StructuredOutputError(f"{where}: {first['msg']}", text) from None

    return check


def _choice_check(choices: list[str], convert: Callable[[str], Any]) -> Check:
    def check(value: Any, text: str) -> Any:
        answer = value.strip() if isinstance(value, str) else value
        if answer not in choices:
            raise StructuredOutputError(f"the answer is not one of {choices}", text)
        return convert(answer)

    return check


def _regex_check(pattern: str) -> Check:
    compiled = re.compile(pattern)

    def check(value: Any, text: str) -> Any:
        if not isinstance(value, str):
            raise StructuredOutputError(f"the answer is not a string matching {pattern!r}", text)
        if compiled.fullmatch(value) is not None:
            return value
        if compiled.fullmatch(value.strip()) is not None:
            return value.strip()
        raise StructuredOutputError(f"the answer does not match {pattern!r}", text)

    return check


def _from_json(check: Check, wrapped: bool) -> Callable[[str], Any]:
    """Decode the answer and check its value. A wrapped value is read from its one-field
    object; a bare answer (a model, a mock or a scripted reply that skipped the wrapper) is
    checked as the value itself: the envelope is forgiven, the value never is."""

    def parse(text: str) -> Any:
        if not wrapped:
            return check(load_json(text), text)
        try:
            value = load_json(text)
        except StructuredOutputError:
            value = text
        if isinstance(value, dict) and set(value) == {WRAPPED_FIELD}:
            value = value[WRAPPED_FIELD]
        return check(value, text)

    return parse


def _from_text(check: Check) -> Callable[[str], Any]:
    return lambda text: check(text, text)


def _hinted(parse: Callable[[str], Any], field: str) -> Callable[[str], Any]:
    def hinted(text: str) -> Any:
        try:
            return parse(text)
        except StructuredOutputError as exc:
            raise StructuredOutputError(
                f"{exc.reason}; {ignored_upstream_hint(field)}", text
            ) from None

    return hinted


# --- what to send -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Shape:
    """A schema, understood: its kind, its value schema, its name and its check."""

    kind: Literal["json", "choice", "regex"]
    schema: dict[str, Any]
    name: str
    check: Check
    guided: dict[str, Any]
    """The guided field that asks for the same thing."""


def _literal_choices(schema: Any) -> list[str] | None:
    if typing.get_origin(schema) is Literal:
        values = typing.get_args(schema)
        if values and all(isinstance(v, str) for v in values):
            return list(values)
    return None


def _choices(choices: list[str], name: str, convert: Callable[[str], Any] = str) -> _Shape:
    schema = {"title": name, "type": "string", "enum": choices}
    return _Shape(
        "choice", schema, name, _choice_check(choices, convert), {"guided_choice": choices}
    )


def _shape(schema: Any) -> _Shape:
    if isinstance(schema, Regex):
        value_schema = {"title": "regex", "type": "string", "pattern": f"^(?:{schema.pattern})$"}
        regex = _regex_check(schema.pattern)
        return _Shape("regex", value_schema, "regex", regex, {"guided_regex": schema.pattern})
    if isinstance(schema, list | tuple):
        if not schema:
            raise InvalidParameterError("schema", "a list of choices must not be empty")
        return _choices([str(c) for c in schema], "choice")
    literal = _literal_choices(schema)
    if literal is not None:
        return _choices(literal, "choice")
    if isinstance(schema, type) and issubclass(schema, enum.Enum):
        by_text = {str(member.value): member for member in schema}
        return _choices(list(by_text), format_name(schema.__name__), by_text.__getitem__)
    if isinstance(schema, Mapping):
        json_schema = to_json_schema(schema, "schema")
        name = format_name(json_schema.get("title"))
        check = _schema_check(json_schema)
        return _Shape("json", json_schema, name, check, {"guided_json": json_schema})
    if isinstance(schema, type) or typing.get_origin(schema) is not None:
        json_schema = to_json_schema(schema, "schema")
        named = json_schema.get("title") or (schema.__name__ if isinstance(schema, type) else None)
        name = format_name(named)
        check = _type_check(type_adapter(schema))
        return _Shape("json", json_schema, name, check, {"guided_json": json_schema})
    raise InvalidParameterError(
        "schema",
        f"cannot constrain output to {schema!r}: pass a pydantic model, a TypedDict, a JSON Schema "
        "dict, a Literal or Enum of strings, a list of choices or a Regex",
    )


def structured_spec(
    schema: Any, method: StructuredMethod = "json_schema", *, strict: bool | None = None
) -> StructuredSpec:
    """Decide what to send for ``schema`` and how to check the answer.

    ``schema`` may be a pydantic model class, a TypedDict or other type pydantic can
    describe, a JSON Schema dict, a ``Literal`` of strings or a string ``Enum``, a list of
    strings (choices) or a :class:`Regex`. ``method="json_schema"`` (default) sends
    ``response_format`` (a schema whose root is not an object goes inside ``{"value": ...}``,
    and comes out again); ``"guided"`` sends ``guided_json`` / ``guided_choice`` /
    ``guided_regex``. ``strict`` becomes ``json_schema.strict`` (``json_schema`` only).
    """
    if method not in STRUCTURED_METHODS:
        raise InvalidParameterError("method", f"must be one of {list(STRUCTURED_METHODS)}")
    shape = _shape(schema)
    if method == "guided":
        if strict is not None:
            raise InvalidParameterError("strict", "applies to json_schema, not to guided fields")
        field = next(iter(shape.guided))
        parse = (
            _from_json(shape.check, wrapped=False)
            if shape.kind == "json"
            else _from_text(shape.check)
        )
        return StructuredSpec(
            shape.kind, method, dict(shape.guided), shape.schema, shape.name, _hinted(parse, field)
        )
    wrapped = not is_object_root(shape.schema)
    sent = wrap_root(shape.schema) if wrapped else shape.schema
    described = shape.schema.get("description")
    fmt = json_schema_format(
        sent,
        name=shape.name,
        description=described if isinstance(described, str) else None,
        strict=strict,
    )
    return StructuredSpec(
        shape.kind,
        method,
        {"response_format": fmt},
        shape.schema,
        shape.name,
        _from_json(shape.check, wrapped),
    )
