"""One style for every refused value: an :class:`InvalidParameterError` naming the parameter.

Constructors (pydantic models) and per-call arguments go through the same two helpers, so
``ChatTelnyx(temperature=3)`` and ``llm.invoke("hi", temperature=3)`` say the same thing::

    temperature: must be between 0 and 2, got 3
    temprature: is not a ChatTelnyx parameter (did you mean 'temperature'?)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import AliasChoices, BaseModel, ValidationError

from telnyx_inference.errors import InvalidParameterError, InvalidParameterTypeError, TelnyxError

__all__ = ["CheckedModel", "did_you_mean", "field_names", "parameter_error", "unknown_parameter"]

_SECRET_NAMES = frozenset({"api_key", "telnyx_api_key", "openai_api_key", "key"})
"""Fields whose value never appears in a message (a mistyped key is still a key)."""

_TYPE_TAGS = frozenset({"str", "int", "float", "bool", "none", "list", "dict"})
_RANGE_ERRORS = frozenset({"greater_than", "greater_than_equal", "less_than", "less_than_equal"})


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest candidate (case-insensitive), else ``""``."""
    import difflib  # only when something is refused: keeps the package import light

    known = {c.lower(): c for c in candidates}
    close = difflib.get_close_matches(name.lower(), list(known), n=1, cutoff=0.6)
    return f" (did you mean {known[close[0]]!r}?)" if close else ""


def unknown_parameter(name: str, candidates: Iterable[str], what: str, hint: str = "") -> Exception:
    """The error for an argument nobody knows: it names it and suggests the nearest known one."""
    rule = f"is not {what}{did_you_mean(name, candidates)}"
    return InvalidParameterError(name, f"{rule}; {hint}" if hint else rule)


def field_names(model: type[BaseModel]) -> list[str]:
    """Every name a model accepts: field names, aliases and alias choices."""
    names: list[str] = []
    for name, info in model.model_fields.items():
        names.append(name)
        if info.alias:
            names.append(info.alias)
        if isinstance(info.validation_alias, AliasChoices):
            names.extend(c for c in info.validation_alias.choices if isinstance(c, str))
        elif isinstance(info.validation_alias, str):
            names.append(info.validation_alias)
    return names


def _number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _bounds(model: type[BaseModel] | None, name: str) -> dict[str, Any]:
    """The ``ge`` / ``gt`` / ``le`` / ``lt`` constraints declared on field ``name``."""
    info = model.model_fields.get(name) if model is not None else None
    if info is None:
        return {}
    found: dict[str, Any] = {}
    for item in info.metadata:
        for bound in ("ge", "gt", "le", "lt"):
            value = getattr(item, bound, None)
            if value is not None:
                found[bound] = value
    return found


def _range_rule(bounds: dict[str, Any]) -> str | None:
    low = (
        ("ge", bounds["ge"]) if "ge" in bounds else ("gt", bounds["gt"]) if "gt" in bounds else None
    )
    high = (
        ("le", bounds["le"]) if "le" in bounds else ("lt", bounds["lt"]) if "lt" in bounds else None
    )
    if low and high and low[0] == "ge" and high[0] == "le":
        return f"must be between {_number(low[1])} and {_number(high[1])}"
    parts = []
    if low:
        parts.append(f"{'at least' if low[0] == 'ge' else 'greater than'} {_number(low[1])}")
    if high:
        parts.append(f"{'at most' if high[0] == 'le' else 'less than'} {_number(high[1])}")
    return f"must be {' and '.join(parts)}" if parts else None


def _is_type_tag(part: Any) -> bool:
    """Pydantic names the union member that failed (``stop.str``): not part of the path."""
    return isinstance(part, str) and (part in _TYPE_TAGS or "[" in part)


def _path(loc: Iterable[Any]) -> str:
    return ".".join(str(p) for p in loc if not _is_type_tag(p)) or "parameters"


def parameter_error(
    exc: ValidationError, model: type[BaseModel] | None = None, what: str = "a parameter"
) -> Exception:
    """The first problem of a pydantic ``ValidationError`` as this package's error.

    An error a validator raised on purpose (``InvalidParameterError``, an insecure URL …) is
    returned as it is; otherwise the message names the parameter, the rule (with the allowed
    range where the field declares one) and the value given (never for a key).
    """
    errors = exc.errors()
    # A misspelt name also shows up as the real one "missing": name the misspelling first.
    err = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
    cause = err.get("ctx", {}).get("error")
    if isinstance(cause, TelnyxError):
        return cause
    if isinstance(cause, ValidationError):
        return parameter_error(cause, None, what)
    parts = [p for p in err["loc"] if not _is_type_tag(p)]
    loc = _path(parts)
    name = str(parts[0]) if parts else loc
    kind = err["type"]
    if kind == "extra_forbidden":
        candidates = field_names(model) if model is not None else ()
        return unknown_parameter(loc, candidates, what)
    message = str(err["msg"]).removeprefix("Value error, ")
    if kind in _RANGE_ERRORS and len(parts) == 1:
        message = _range_rule(_bounds(model, name)) or message
    elif kind == "literal_error":
        message = f"must be one of {err.get('ctx', {}).get('expected', '')}"
    elif kind == "missing":
        return InvalidParameterError(loc, "is required")
    if name not in _SECRET_NAMES and ", got " not in message:
        message += f", got {err.get('input')!r:.80}"
    others = {_path(e["loc"]) for e in errors} - {_path(err["loc"])}
    if others:
        message += f" (and {len(others)} more: {', '.join(sorted(others))})"
    if kind.endswith(("_type", "_parsing")) or kind == "is_instance_of":
        return InvalidParameterTypeError(loc, message)
    return InvalidParameterError(loc, message)


class CheckedModel:
    """Mixed in before a pydantic model class, makes its constructor raise
    :func:`parameter_error`'s errors instead of pydantic's ``ValidationError``.

    A plain class (creating one more pydantic model class costs import time)::

        class Settings(CheckedModel, BaseModel): ...
    """

    __slots__ = ()

    def __init__(self, /, *args: Any, **data: Any) -> None:
        try:
            super().__init__(*args, **data)
        except ValidationError as exc:
            cls = type(self)
            what = f"a {cls.__name__} parameter"
            raise parameter_error(exc, cls if issubclass(cls, BaseModel) else None, what) from None
