"""A small validator that reports errors exactly as FastAPI (pydantic v2) does.

Each validator takes ``(value, loc)`` and returns ``(errors, value)``, the value coerced the
way pydantic's lax mode would (``"3"`` → ``3`` for an integer). Errors are FastAPI ``detail``
items: ``{"type", "loc", "msg", "input"[, "ctx"]}``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

Loc = tuple[str | int, ...]
Error = dict[str, Any]
Result = tuple[list[Error], Any]
Validator = Callable[[Any, Loc], Result]

_TRUE = {"1", "on", "t", "true", "y", "yes"}
_FALSE = {"0", "off", "f", "false", "n", "no"}


def error(kind: str, loc: Loc, msg: str, value: Any, ctx: dict[str, Any] | None = None) -> Error:
    err: Error = {"type": kind, "loc": list(loc), "msg": msg, "input": value}
    if ctx is not None:
        err["ctx"] = ctx
    return err


def string(value: Any, loc: Loc) -> Result:
    if isinstance(value, str):
        return [], value
    return [error("string_type", loc, "Input should be a valid string", value)], value


def integer(value: Any, loc: Loc) -> Result:
    if isinstance(value, bool):
        return [], int(value)
    if isinstance(value, int):
        return [], value
    if isinstance(value, float):
        if value.is_integer():
            return [], int(value)
        return [
            error(
                "int_from_float",
                loc,
                "Input should be a valid integer, got a number with a fractional part",
                value,
            )
        ], value
    if isinstance(value, str):
        try:
            return [], int(value.strip())
        except ValueError:
            return [
                error(
                    "int_parsing",
                    loc,
                    "Input should be a valid integer, unable to parse string as an integer",
                    value,
                )
            ], value
    return [error("int_type", loc, "Input should be a valid integer", value)], value


def number(value: Any, loc: Loc) -> Result:
    if isinstance(value, bool | int | float):
        return [], float(value) if isinstance(value, bool) else value
    if isinstance(value, str):
        try:
            return [], float(value.strip())
        except ValueError:
            return [
                error(
                    "float_parsing",
                    loc,
                    "Input should be a valid number, unable to parse string as a number",
                    value,
                )
            ], value
    return [error("float_type", loc, "Input should be a valid number", value)], value


def boolean(value: Any, loc: Loc) -> Result:
    if isinstance(value, bool):
        return [], value
    if isinstance(value, int) and value in (0, 1):
        return [], bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return [], value.strip().lower() in _TRUE
    if isinstance(value, str | int | float):
        return [
            error(
                "bool_parsing",
                loc,
                "Input should be a valid boolean, unable to interpret input",
                value,
            )
        ], value
    return [error("bool_type", loc, "Input should be a valid boolean", value)], value


def nullable(inner: Validator) -> Validator:
    """``inner``, or JSON ``null``."""

    def check(value: Any, loc: Loc) -> Result:
        return ([], None) if value is None else inner(value, loc)

    return check


def any_dict(value: Any, loc: Loc) -> Result:
    if isinstance(value, dict):
        return [], value
    return [error("dict_type", loc, "Input should be a valid dictionary", value)], value


def _expected(values: Sequence[str]) -> str:
    quoted = [f"'{v}'" for v in values]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


def enum(values: Sequence[str]) -> Validator:
    expected = _expected(values)

    def check(value: Any, loc: Loc) -> Result:
        if isinstance(value, str) and value in values:
            return [], value
        return [
            error("enum", loc, f"Input should be {expected}", value, {"expected": expected})
        ], value

    return check


def bounded(inner: Validator, *, ge: float | None = None, le: float | None = None) -> Validator:
    def check(value: Any, loc: Loc) -> Result:
        errs, val = inner(value, loc)
        if errs:
            return errs, val
        if ge is not None and val < ge:
            return [
                error(
                    "greater_than_equal",
                    loc,
                    f"Input should be greater than or equal to {ge}",
                    value,
                    {"ge": ge},
                )
            ], val
        if le is not None and val > le:
            return [
                error(
                    "less_than_equal",
                    loc,
                    f"Input should be less than or equal to {le}",
                    value,
                    {"le": le},
                )
            ], val
        return [], val

    return check


def list_of(item: Validator, max_length: int | None = None) -> Validator:
    def check(value: Any, loc: Loc) -> Result:
        if not isinstance(value, list):
            return [error("list_type", loc, "Input should be a valid list", value)], value
        errs: list[Error] = []
        out = []
        for i, element in enumerate(value):
            e, v = item(element, (*loc, i))
            errs.extend(e)
            out.append(v)
        if max_length is not None and len(value) > max_length:
            errs.append(
                error(
                    "too_long",
                    loc,
                    f"List should have at most {max_length} items after validation, not {len(value)}",
                    value,
                    {"field_type": "List", "max_length": max_length, "actual_length": len(value)},
                )
            )
        return errs, out

    return check


def union(branches: Sequence[tuple[str, Validator]]) -> Validator:
    """Smart-mode union: the first branch that accepts wins; otherwise every branch's errors,
    each under the branch's tag (``str``, ``list[str]``, a model name), as pydantic reports."""

    def check(value: Any, loc: Loc) -> Result:
        all_errs: list[Error] = []
        for tag, branch in branches:
            errs, val = branch(value, (*loc, tag))
            if not errs:
                return [], val
            all_errs.extend(errs)
        return all_errs, value

    return check


def model(fields: Mapping[str, tuple[Validator, bool]], *, forbid_extra: bool = False) -> Validator:
    """An object: ``fields`` maps names to ``(validator, required)``."""

    def check(value: Any, loc: Loc) -> Result:
        if not isinstance(value, dict):
            return [
                error(
                    "model_attributes_type",
                    loc,
                    "Input should be a valid dictionary or object to extract fields from",
                    value,
                )
            ], value
        errs: list[Error] = []
        out = dict(value)
        for name, (validator, required) in fields.items():
            if name not in value:
                if required:
                    errs.append(error("missing", (*loc, name), "Field required", value))
                continue
            e, v = validator(value[name], (*loc, name))
            errs.extend(e)
            out[name] = v
        if forbid_extra:
            errs.extend(
                error("extra_forbidden", (*loc, k), "Extra inputs are not permitted", value[k])
                for k in value
                if k not in fields
            )
        return errs, out

    return check


def checked(inner: Validator, problem: Callable[[Any], str | None]) -> Validator:
    """``inner`` plus a semantic check; a problem becomes a pydantic ``value_error``."""

    def check(value: Any, loc: Loc) -> Result:
        errs, val = inner(value, loc)
        if errs:
            return errs, val
        reason = problem(val)
        if reason:
            return [
                error("value_error", loc, f"Value error, {reason}", value, {"error": reason})
            ], val
        return [], val

    return check
