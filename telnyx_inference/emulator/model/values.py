"""Realistic values for a JSON Schema, taken from what the conversation says.

Each field is filled, in order, from: a value named for it (``age=36``, an earlier tool
argument); spans of the right kind in the conversation (numbers next to the field's name
first, then in order of appearance; names, emails, dates, identifiers…); the schema's
``default`` / ``examples`` / ``enum`` / ``const``; then a plausible value (a small in-range
number, a short string from the field's name). Scalars of an object are filled before its
nested objects and arrays, so "total $175" goes to ``total`` and not into a line item. A list
of objects gets one item per clause of the text that fills most of the item's fields.

Every leaf is checked against its own schema; the whole value is checked at the end, and if
it still fails (schemas this walker does not understand), Hypothesis draws a readable
conforming value instead. ``hits`` counts fields filled from evidence: the turn logic uses it
to pick the tool whose schema the conversation can fill.
"""

from __future__ import annotations

import re
from typing import Any

from telnyx_inference.emulator.model import fields, guided, lexicon
from telnyx_inference.emulator.model.evidence import Evidence, Span, literal, phrases

MISSING: Any = object()
_MAX_DEPTH = 8
_MAX_ITEMS = 20
_SCALARS = ("string", "integer", "number", "boolean", "null")


class Filler:
    """One fill of one schema against one :class:`Evidence`."""

    def __init__(self, root: Any, ev: Evidence, key: int, used: set[Any] | None = None) -> None:
        self.root, self.ev, self.key = root, ev, key
        self.used: set[Any] = set() if used is None else used
        self.hits = 0
        self.loose = False
        """Optional fields take any span of their kind, not only one next to their name."""
        defs = {
            k: root[k] for k in ("$defs", "definitions") if isinstance(root, dict) and k in root
        }
        self._defs = defs

    # --- schema plumbing ----------------------------------------------------------------

    def resolve(self, schema: Any) -> Any:
        return fields.resolve(self.root, schema)

    def ok(self, value: Any, schema: Any) -> bool:
        return guided.conforms(
            value, {**schema, **self._defs} if isinstance(schema, dict) else schema
        )

    # --- dispatch -----------------------------------------------------------------------

    def value(self, schema: Any, name: str, strict: bool = False, depth: int = 0) -> Any:
        """A value for ``schema`` (a field called ``name``), or MISSING when ``strict`` (an
        optional field) and the conversation says nothing about it."""
        schema = self.resolve(schema)
        if schema is False:
            raise guided.GenerationError("a schema of false admits no value")
        if not isinstance(schema, dict):
            schema = {}
        if "const" in schema:
            return MISSING if strict else schema["const"]
        if isinstance(schema.get("enum"), list) and schema["enum"]:
            picked, found = fields.choose(schema["enum"], self.ev)
            if not found:
                picked = self._named(name, schema, picked)
            return self._counted(picked, found, strict, schema)
        alts = schema.get("anyOf") or schema.get("oneOf")
        if isinstance(alts, list) and alts:
            return self._union(schema, alts, name, strict, depth)
        named = self._named(name, schema, MISSING)
        if named is not MISSING:
            self.hits += 1
            self.used |= {s.ident for s in self.ev.spans if s.value == named}
            return named
        if depth > _MAX_DEPTH:
            return MISSING if strict else self._fallback(schema)
        types = fields.types_of(schema)
        for t in types:
            if t == "null":
                return MISSING if strict else None
            out = self._typed(t, schema, name, strict or (len(types) > 1 and t != types[-1]), depth)
            if out is not MISSING:
                return out
        return MISSING if strict else self._fallback(schema)

    def _counted(self, value: Any, found: bool, strict: bool, schema: Any) -> Any:
        if found:
            self.hits += 1
            return value
        if strict:
            return MISSING
        return (
            schema.get("default", value) if self.ok(schema.get("default", value), schema) else value
        )

    def _named(self, name: str, schema: Any, default: Any) -> Any:
        if not name:
            return default
        keys = {name, name.lower(), name.replace("_", "")}
        for key, values in self.ev.named.items():
            if key in keys or key.lower() in keys:
                for v in values:
                    for option in (v, str(v)) if not isinstance(v, str) else (v, _parsed(v)):
                        if option is not MISSING and self.ok(option, schema):
                            return option
        return default

    def _union(
        self, schema: dict[str, Any], alts: list[Any], name: str, strict: bool, depth: int
    ) -> Any:
        base = {k: v for k, v in schema.items() if k not in ("anyOf", "oneOf")}
        branches = [{**base, **b} if isinstance(b, dict) else b for b in alts]
        resolved = [self.resolve(b) for b in branches]
        nullable = any(isinstance(b, dict) and b.get("type") == "null" for b in resolved)
        concrete = [b for b in resolved if not (isinstance(b, dict) and b.get("type") == "null")]
        for branch in concrete:
            saved, hits = set(self.used), self.hits
            out = self.value(branch, name, True, depth + 1)
            if out is not MISSING and self.ok(out, branch):
                return out
            self.used, self.hits = saved, hits
        if strict:
            return MISSING
        if nullable:
            return None
        for branch in concrete:
            out = self.value(branch, name, False, depth + 1)
            if self.ok(out, branch):
                return out
        return self._fallback(schema)

    def _typed(self, t: str, schema: dict[str, Any], name: str, strict: bool, depth: int) -> Any:
        if t == "object":
            return self._object(schema, name, strict, depth)
        if t == "array":
            return self._array(schema, name, strict, depth)
        if t in ("integer", "number"):
            return self._number(schema, name, strict, t == "integer")
        if t == "boolean":
            return self._boolean(schema, name, strict)
        if t == "string":
            return self._string(schema, name, strict)
        return MISSING

    def _fallback(self, schema: Any) -> Any:
        """Any readable conforming value (Hypothesis), for what this walker cannot build."""
        return guided.for_schema(
            {**schema, **self._defs} if isinstance(schema, dict) else schema, self.key
        )

    def _plain(self, schema: dict[str, Any], candidates: list[Any]) -> Any:
        if "default" in schema and self.ok(schema["default"], schema):
            return schema["default"]
        for example in schema.get("examples") or []:
            if self.ok(example, schema):
                return example
        for value in candidates:
            if self.ok(value, schema):
                return value
        return MISSING

    # --- spans --------------------------------------------------------------------------

    def _ranked(self, kinds: tuple[str, ...], words: list[str]) -> list[Span]:
        spans = [s for s in self.ev.of(*kinds) if s.ident not in self.used]
        long = [w for w in words if len(w) >= 3]
        rank = {k: i for i, k in enumerate(kinds)}
        ws = set(words)
        role = (
            "org"
            if ws & lexicon.ORG_FIELDS
            else "place"
            if ws & lexicon.PLACE_FIELDS
            else "person"
            if ws & lexicon.NAME_FIELDS
            else None
        )

        def fits(span: Span) -> int:
            return int(role is not None and span.kind == "name" and role in self.ev.roles(span))

        def weak(span: Span) -> bool:
            # One capitalised word opening a sentence ("Sunny in Paris") may be no name at all.
            return span.kind == "name" and " " not in str(span.value) and self.ev.opens(span)

        return sorted(
            spans,
            key=lambda s: (
                -self.ev.affinity(s, long),
                rank[s.kind],
                -fits(s),
                weak(s),
                s.source,
                s.start,
            ),
        )

    def _take(self, span: Span) -> None:
        # Texts overlap (a clause and its question; a question repeated in history): the same
        # value of the same kind elsewhere is the same evidence, used up with this one.
        self.used.add(span.ident)
        self.used |= {
            s.ident
            for s in self.ev.spans
            if s.source != span.source and s.kind == span.kind and s.value == span.value
        }
        self.hits += 1

    # --- scalars ------------------------------------------------------------------------

    def _number(self, schema: dict[str, Any], name: str, strict: bool, integer: bool) -> Any:
        words = fields.field_words(name)
        long = [w for w in words if len(w) >= 3]
        for span in self._ranked(("number",), words):
            if strict and not self.loose and not self.ev.affinity(span, long):
                break
            value = span.value
            if integer:
                if isinstance(value, float) and not value.is_integer():
                    continue
                value = int(value)
            if self.ok(value, schema):
                self._take(span)
                return value
        if strict:
            return MISSING
        return self._plain(schema, fields.plausible_numbers(schema, words, integer))

    def _boolean(self, schema: dict[str, Any], name: str, strict: bool) -> Any:
        for word in fields.field_words(name):
            if len(word) < 3:
                continue
            for form in (word, f"un{word}", f"non-{word}"):
                where = self.ev.mention(form)
                if where is not None and not self.ev.asked(*where):
                    self.hits += 1
                    return form == word and not self.ev.negated(*where)
        words = fields.field_words(name)
        for span in self._ranked(("bool",), words):
            if self.ev.affinity(span, [w for w in words if len(w) >= 3]):
                self._take(span)
                return span.value
        if strict:
            return MISSING
        picked = self._plain(schema, [False, True])
        return False if picked is MISSING else picked

    def _string(self, schema: dict[str, Any], name: str, strict: bool) -> Any:
        words = fields.field_words(name)
        fmt = schema.get("format")
        pattern = schema.get("pattern")
        free_text = set(words) & lexicon.FREE_TEXT_FIELDS
        if free_text and not strict and not fmt and not pattern and self.ev.answer:
            fitted = fields.fit_length(self.ev.answer, schema)
            if self.ok(fitted, schema):
                self.hits += 1
                return fitted
        kinds, specific = fields.string_kinds(words, fmt)
        if pattern:
            kinds = ("ident", "quoted", "name", "number", "email", "url", "date", "phone", "time")
        long = [w for w in words if len(w) >= 3]
        for span in self._ranked(kinds, words):
            if strict and not specific and not self.loose and not self.ev.affinity(span, long):
                continue
            value = fields.as_string(span, fmt)
            if value is not None and self.ok(value, schema):
                self._take(span)
                return value
        if strict:
            return MISSING
        plain = self._plain(schema, [fields.plausible_string(words, fmt, self.key, self.ev.texts)])
        if plain is not MISSING:
            return plain
        fitted = fields.fit_length(
            fields.plausible_string(words, fmt, self.key, self.ev.texts), schema
        )
        if self.ok(fitted, schema):
            return fitted
        if isinstance(pattern, str):
            try:
                for candidate in guided.regex_pool(pattern):
                    if self.ok(candidate, schema):
                        return candidate
            except (guided.GenerationError, re.error):
                pass
        return self._fallback(schema)

    # --- containers ---------------------------------------------------------------------

    def _object(self, schema: dict[str, Any], name: str, strict: bool, depth: int) -> Any:
        props: dict[str, Any] = schema.get("properties") or {}
        required = [r for r in schema.get("required") or [] if isinstance(r, str)]
        before = self.hits
        out: dict[str, Any] = {}

        def scalar(prop: str) -> bool:
            resolved = self.resolve(props[prop])
            return isinstance(resolved, dict) and all(
                t in _SCALARS for t in fields.types_of(resolved)
            )

        # ``required`` keeps declaration order where clients sort ``properties`` by name.
        declared = [r for r in required if r in props] + [p for p in props if p not in required]
        order = [p for p in declared if scalar(p)] + [p for p in declared if not scalar(p)]
        for prop in order:
            value = self.value(props[prop], prop, prop not in required, depth + 1)
            if value is not MISSING:
                out[prop] = value
        for prop in required:
            if prop not in out:  # required but not described: any small value
                out[prop] = self.value({}, prop, False, depth + 1)
        if strict and self.hits == before:
            return MISSING
        minimum = schema.get("minProperties") or 0
        for prop in props:
            if len(out) >= minimum:
                break
            if prop not in out:
                out[prop] = self.value(props[prop], prop, False, depth + 1)
        ordered = {p: out[p] for p in [*props, *out] if p in out}
        return ordered

    def _array(self, schema: dict[str, Any], name: str, strict: bool, depth: int) -> Any:
        lo = schema.get("minItems") or 0
        hi = schema.get("maxItems")
        hi = _MAX_ITEMS if not isinstance(hi, int) else min(hi, _MAX_ITEMS)
        prefix = schema.get("prefixItems")
        items = schema.get("items", {})
        if isinstance(items, list):  # draft-4 tuple form
            prefix, items = items, schema.get("additionalItems", {})
        item_name = fields.singular(name)
        out: list[Any] = [self.value(p, item_name, False, depth + 1) for p in prefix or []]
        resolved = self.resolve(items)
        if items is False or hi == 0:
            return out
        if (
            isinstance(resolved, dict)
            and "object" in fields.types_of(resolved)
            and resolved.get("properties")
        ):
            out += self._object_items(resolved, item_name, hi - len(out), depth)
        elif isinstance(resolved, dict) and isinstance(resolved.get("enum"), list):
            found = [
                (w, o) for o in resolved["enum"] if isinstance(o, str) and (w := self.ev.mention(o))
            ]
            out += [o for _, o in sorted(found)][: hi - len(out)]
            self.hits += len(found)
        else:
            # Every span of the item's kind is an item ("Paris, Rome and Oslo"), nearby field
            # words or not; plausible values only pad up to minItems below.
            self.loose, loose = True, self.loose
            while len(out) < hi:
                value = self.value(items, item_name, True, depth + 1)
                if value is MISSING or value in out:
                    break
                out.append(value)
            self.loose = loose
        if strict and not out:
            return MISSING
        want = max(lo, 1 if not out and not strict else 0)
        attempt = 0
        while len(out) < want and attempt < want + 10:
            value = self.value(items, item_name, False, depth + 1)
            if schema.get("uniqueItems") and value in out:
                value = fields.vary(value, len(out))
            out.append(value)
            attempt += 1
        return out

    def _object_items(self, item: dict[str, Any], name: str, room: int, depth: int) -> list[Any]:
        """One object per clause of the question (or of a tool result) that fills most of the
        item's required fields; clauses are split at line breaks, ';', ', ' and 'and'."""
        required = [r for r in item.get("required") or [] if isinstance(r, str)] or list(
            item.get("properties") or {}
        )
        out: list[Any] = []
        for source, text in enumerate(self.ev.texts[:3]):
            for m in re.finditer(r"[^;\n,:]+?(?=$|[;\n]|[,:]\s|\s+and\s+|\s+plus\s+)", text):
                if len(out) >= room:
                    return out
                start, end = m.start(), m.end()
                spans = [
                    s
                    for s in self.ev.spans
                    if s.source == source
                    and start <= s.start
                    and s.end <= end
                    and s.ident not in self.used
                ]
                clause = phrases(m.group(0), source)
                answer = str(clause[0].value) if clause else ""
                spans += [
                    Span(p.value, "phrase", source, start + p.start, start + p.end) for p in clause
                ]
                sub_ev = Evidence(self.ev.texts, spans, {}, answer)
                sub = Filler(self.root, sub_ev, self.key, set(self.used))
                value = sub.value(item, name, False, depth + 1)
                if sub.hits * 2 > len(required) and value not in out:
                    out.append(value)
                    self.used |= sub.used
                    self.hits += sub.hits
            if out:
                break
        return out


def _parsed(text: str) -> Any:
    value = literal(text)
    return MISSING if value == text else value


def fill(schema: Any, ev: Evidence, key: int) -> tuple[Any, int]:
    """A value valid against ``schema`` and how many of its fields came from the conversation."""
    filler = Filler(schema, ev, key)
    value = filler.value(schema, "")
    if value is not MISSING and guided.conforms(value, schema):
        return value, filler.hits
    return guided.for_schema(schema, key), 0
