"""Structured output by constrained decoding: which guided option a schema needs, and the check.

Both framework adapters ask :func:`structured_spec` what to send and how to read the answer::

    spec = structured_spec(Person)                  # a pydantic model
    spec.params        # {"guided_json": {...Person's JSON Schema...}}
    spec.parse('{"name": "Ada", "age": 36}')        # Person(name='Ada', age=36)

    structured_spec(Literal["yes", "no"]).params    # {"guided_choice": ["yes", "no"]}
    structured_spec(Regex(r"\\d{3}-\\d{4}")).params  # {"guided_regex": "\\d{3}-\\d{4}"}

Telnyx is asked to constrain the output, and the answer is validated here anyway (whether
every model honours the guided options is not documented).
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

from telnyx_inference.chat.schema import to_json_schema, type_adapter
from telnyx_inference.errors import InvalidParameterError, TelnyxError

__all__ = [
    "MissingDependencyError",
    "Regex",
    "StructuredOutputError",
    "StructuredSpec",
    "structured_spec",
]


class StructuredOutputError(TelnyxError, ValueError):
    """The model's answer did not match the requested structure; ``text`` holds the answer."""

    def __init__(self, message: str, text: str) -> None:
        super().__init__(f"{message}; the answer was: {text[:300]!r}")
        self.text = text


class MissingDependencyError(TelnyxError, ImportError):
    """A package this feature needs is not installed; the message says how to get it."""


@dataclass(frozen=True, slots=True)
class Regex:
    """Ask for output that fully matches ``pattern`` (sent as ``guided_regex``)."""

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
    params: dict[str, Any]
    """The guided option to merge into the request parameters."""
    schema: dict[str, Any] | None
    """The JSON Schema, for ``kind == "json"``."""
    name: str
    _parse: Callable[[str], Any]

    def parse(self, text: str) -> Any:
        """Validate and convert the model's answer; raise :class:`StructuredOutputError`."""
        return self._parse(text)


def _strip_fences(text: str) -> str:
    stripped = text.strip()
    if stripped.startswith("```"):
        stripped = stripped.split("\n", 1)[1] if "\n" in stripped else ""
        stripped = stripped.rsplit("```", 1)[0]
    return stripped.strip()


def _load_json(text: str) -> Any:
    try:
        return json.loads(_strip_fences(text))
    except ValueError as exc:
        raise StructuredOutputError(f"the answer is not valid JSON ({exc})", text) from None


def _json_schema_parser(schema: Mapping[str, Any]) -> Callable[[str], Any]:
    try:
        import jsonschema
    except ImportError:
        raise MissingDependencyError(
            "checking answers against a JSON Schema dict needs the jsonschema package, which "
            "is not installed: pip install jsonschema (the langchain and llama-index extras "
            "bring it), or describe the output with a pydantic model or TypedDict instead"
        ) from None
    validator = jsonschema.validators.validator_for(schema)(schema)

    def parse(text: str) -> Any:
        value = _load_json(text)
        errors = sorted(validator.iter_errors(value), key=str)
        if errors:
            where = "/".join(str(p) for p in errors[0].absolute_path) or "(root)"
            raise StructuredOutputError(f"{where}: {errors[0].message}", text)
        return value

    return parse


def _type_parser(adapter: TypeAdapter[Any]) -> Callable[[str], Any]:
    def parse(text: str) -> Any:
        try:
            return adapter.validate_json(_strip_fences(text))
        except PydanticValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "(root)"
            raise StructuredOutputError(f"{where}: {first['msg']}", text) from None

    return parse


def _choice_parser(choices: list[str], convert: Callable[[str], Any]) -> Callable[[str], Any]:
    def parse(text: str) -> Any:
        answer = text.strip()
        if answer not in choices:
            raise StructuredOutputError(f"the answer is not one of {choices}", text)
        return convert(answer)

    return parse


def _regex_parser(pattern: str) -> Callable[[str], Any]:
    compiled = re.compile(pattern)

    def parse(text: str) -> Any:
        if compiled.fullmatch(text) is None:
            stripped = text.strip()
            if compiled.fullmatch(stripped) is None:
                raise StructuredOutputError(f"the answer does not match {pattern!r}", text)
            return stripped
        return text

    return parse


def _literal_choices(schema: Any) -> list[str] | None:
    if typing.get_origin(schema) is Literal:
        values = typing.get_args(schema)
        if values and all(isinstance(v, str) for v in values):
            return list(values)
    return None


def structured_spec(schema: Any) -> StructuredSpec:
    """Decide how to constrain the output for ``schema`` and how to check the answer.

    ``schema`` may be a pydantic model class, a TypedDict or other type pydantic can
    describe, a JSON Schema dict, a ``Literal`` of strings or a string ``Enum`` (sent as
    ``guided_choice``), a list of strings (``guided_choice``) or a :class:`Regex`.
    """
    if isinstance(schema, Regex):
        return StructuredSpec(
            "regex", {"guided_regex": schema.pattern}, None, "regex", _regex_parser(schema.pattern)
        )
    if isinstance(schema, list | tuple):
        choices = [str(c) for c in schema]
        if not choices:
            raise InvalidParameterError("schema", "a list of choices must not be empty")
        return StructuredSpec(
            "choice", {"guided_choice": choices}, None, "choice", _choice_parser(choices, str)
        )
    literal = _literal_choices(schema)
    if literal is not None:
        return StructuredSpec(
            "choice", {"guided_choice": literal}, None, "choice", _choice_parser(literal, str)
        )
    if isinstance(schema, type) and issubclass(schema, enum.Enum):
        choices = [str(member.value) for member in schema]
        by_text = {str(member.value): member for member in schema}
        return StructuredSpec(
            "choice",
            {"guided_choice": choices},
            None,
            schema.__name__,
            _choice_parser(choices, by_text.__getitem__),
        )
    if isinstance(schema, Mapping):
        json_schema = to_json_schema(schema, "schema")
        name = str(json_schema.get("title") or "output")
        return StructuredSpec(
            "json",
            {"guided_json": json_schema},
            json_schema,
            name,
            _json_schema_parser(json_schema),
        )
    if isinstance(schema, type) or typing.get_origin(schema) is not None:
        json_schema = to_json_schema(schema, "schema")
        adapter = type_adapter(schema)
        name = getattr(schema, "__name__", None) or str(json_schema.get("title") or "output")
        return StructuredSpec(
            "json", {"guided_json": json_schema}, json_schema, name, _type_parser(adapter)
        )
    raise InvalidParameterError(
        "schema",
        f"cannot constrain output to {schema!r}: pass a pydantic model, a TypedDict, a JSON Schema "
        "dict, a Literal or Enum of strings, a list of choices or a Regex",
    )
