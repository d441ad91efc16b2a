"""Output that provably conforms: guided_choice, guided_regex and guided_json.

Candidates come from Hypothesis (``from_regex(..., fullmatch=True)``) and hypothesis-jsonschema
(``from_schema``), drawn straight from the strategy under a fixed ``Random`` (no test engine:
no shrinking, no database; see :mod:`.hypothesis_setup`), so a given regex or schema always
yields the same small pool. Each candidate is checked (``re.fullmatch`` / jsonschema) before it joins the
pool; requests then pick from the pool by a hash of their content. Pools and validators are
cached, so a repeated schema costs a dict lookup.
"""

from __future__ import annotations

import json
import random
import re
import threading
import types
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from telnyx_inference.emulator.model import hypothesis_setup

POOL_SIZE = 8
_MAX_EXAMPLES = 200
_LOCK = threading.Lock()


class GenerationError(ValueError):
    """No conforming output could be produced (the constraint is unsatisfiable or unsupported)."""


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


# --- schema checks ---------------------------------------------------------------------------


@lru_cache(maxsize=512)
def _validator(schema_key: str) -> Any:
    from jsonschema import validators

    schema = json.loads(schema_key)
    cls = validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def schema_problem(schema: Any) -> str | None:
    """Why ``schema`` is not a usable JSON Schema, or None when it is."""
    from jsonschema.exceptions import SchemaError

    if not isinstance(schema, dict | bool):
        return "a JSON Schema must be an object"
    try:
        _validator(canonical(schema))
    except SchemaError as exc:
        return str(exc.message)
    except Exception as exc:  # unknown $schema dialects and the like
        return str(exc)
    return None


def conforms(value: Any, schema: Any) -> bool:
    try:
        return bool(_validator(canonical(schema)).is_valid(value))
    except Exception:
        return False


def regex_problem(pattern: str) -> str | None:
    try:
        re.compile(pattern)
    except re.error as exc:
        return f"invalid regular expression: {exc}"
    return None


# --- Hypothesis plumbing --------------------------------------------------------------------

_patched = False


def _patch_hypothesis_jsonschema() -> None:
    """hypothesis-jsonschema 0.23 calls ``many.more()``, which newer Hypothesis replaced by
    iteration; give it a small adapter when (and only when) the old method is missing."""
    global _patched
    if _patched:
        return
    _patched = True
    from hypothesis.internal.conjecture import utils as cu
    from hypothesis_jsonschema import _from_schema

    if hasattr(cu.many, "more"):
        return

    class _Many:
        def __init__(self, data: Any, **kwargs: Any) -> None:
            self._many = cu.many(data, **kwargs)
            self._many.__enter__()
            self._it = iter(self._many)

        def more(self) -> bool:
            try:
                next(self._it)
            except StopIteration:
                self._many.__exit__(None, None, None)
                return False
            return True

        def reject(self, why: str | None = None) -> None:
            self._many.reject(why)

    shim = types.SimpleNamespace(**{k: getattr(cu, k) for k in dir(cu) if not k.startswith("__")})
    shim.many = _Many
    setattr(_from_schema, "cu", shim)  # noqa: B010 - the module's own name for it


def _draw_pool(strategy: Any, accept: Callable[[Any], bool], seed: int) -> list[Any]:
    from hypothesis.errors import HypothesisException

    pool: list[Any] = []
    try:
        strategy.validate()
    except HypothesisException:
        return pool
    rng = random.Random(seed)
    for _ in range(_MAX_EXAMPLES):  # fewer than POOL_SIZE distinct values may exist
        try:
            value = hypothesis_setup.draw(strategy, rng)
        except hypothesis_setup.Rejected:
            continue
        if accept(value) and value not in pool:
            pool.append(value)
            if len(pool) >= POOL_SIZE:
                break
    return pool


@lru_cache(maxsize=1024)
def regex_pool(pattern: str) -> tuple[str, ...]:
    """Distinct strings that fully match ``pattern``, readable ASCII first when possible."""
    import hypothesis.strategies as st

    compiled = re.compile(pattern)

    def accept(value: Any) -> bool:
        return isinstance(value, str) and compiled.fullmatch(value) is not None

    with _LOCK:
        printable = st.characters(min_codepoint=32, max_codepoint=126)
        pool = _draw_pool(st.from_regex(compiled, fullmatch=True, alphabet=printable), accept, 0)
        if not pool:
            pool = _draw_pool(st.from_regex(compiled, fullmatch=True), accept, 0)
    if not pool:
        raise GenerationError(f"no string matching {pattern!r} could be generated")
    return tuple(pool)


def _printable(value: Any) -> bool:
    if isinstance(value, str):
        return value.isprintable()
    if isinstance(value, list):
        return all(_printable(v) for v in value)
    if isinstance(value, dict):
        return all(_printable(k) and _printable(v) for k, v in value.items())
    return True


def _closed(schema: Any) -> Any:
    """``schema`` with every object that names its properties closed to other keys.

    Every value valid against the result is valid against ``schema``; a model asked for a
    schema answers with the keys it names, not with arbitrary extra ones.
    """
    if isinstance(schema, list):
        return [_closed(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: _closed(value) for key, value in schema.items()}
    if "properties" in out and "additionalProperties" not in out and "patternProperties" not in out:
        out["additionalProperties"] = False
    return out


@lru_cache(maxsize=1024)
def _schema_pool(schema_key: str) -> tuple[str, ...]:
    from hypothesis_jsonschema import from_schema

    _patch_hypothesis_jsonschema()
    schema = json.loads(schema_key)

    def accept(value: Any) -> bool:
        return conforms(value, schema)

    def readable(value: Any) -> bool:
        return accept(value) and _printable(value)

    pool: list[Any] = []
    with _LOCK:
        # Readable ASCII text first; any conforming value if the schema rules that out.
        attempts = [(_closed(schema), "ascii", readable), (schema, "ascii", readable)]
        attempts.append((schema, "utf-8", accept))
        for target, codec, check in attempts:
            try:
                strategy = from_schema(target, allow_x00=False, codec=codec)
                pool = _draw_pool(strategy, check, 0)
            except Exception:
                pool = []
            if pool:
                break
    if not pool:
        raise GenerationError("no JSON value satisfying the schema could be generated")
    # Stored as JSON text so callers can never mutate a cached value.
    return tuple(json.dumps(v, ensure_ascii=False) for v in pool)


def for_schema(schema: Any, key: int) -> Any:
    """A value valid against ``schema``, picked from its pool by ``key``; verified again."""
    pool = _schema_pool(canonical(schema))
    value = json.loads(pool[key % len(pool)])
    if not conforms(value, schema):  # pragma: no cover - the pool only holds valid values
        raise GenerationError("generated value failed validation")
    return value


def for_regex(pattern: str, key: int) -> str:
    pool = regex_pool(pattern)
    value = pool[key % len(pool)]
    if re.fullmatch(pattern, value) is None:  # pragma: no cover
        raise GenerationError("generated string failed to match")
    return value


def for_choice(choices: list[str], key: int) -> str:
    if not choices:
        raise GenerationError("guided_choice is empty")
    return choices[key % len(choices)]


_WARM_UP_SCHEMA = {
    "type": "object",
    "properties": {
        "text": {"type": "string", "minLength": 1},
        "list": {"type": "array", "items": {"type": "integer"}},
        "any": {},
        "pick": {"enum": ["x", 1]},
        "number": {"type": "number", "minimum": 0},
    },
    "required": ["text"],
}
"""A schema touching the common strategies, whose first draw describes their lambdas once."""


def warm_up() -> None:
    """Import and build what drawing needs and draw once, on the calling thread (the
    emulator's start): no request thread then imports a module or writes a file, and the
    first request does not pay Hypothesis's start-up."""
    hypothesis_setup.prepare()
    for_regex(r"[a-z]{1,3}\d", 0)
    for_schema(_WARM_UP_SCHEMA, 0)
