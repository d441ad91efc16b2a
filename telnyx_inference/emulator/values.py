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
import uuid
from typing import Any

from telnyx_inference.emulator import guided, lexicon
from telnyx_inference.emulator.evidence import Evidence, Span, phrases

MISSING: Any = object()
_MAX_DEPTH = 8
_MAX_ITEMS = 20
_SCALARS = ("string", "integer", "number", "boolean", "null")


def field_words(name: str) -> list[str]:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)
    words = re.split(r"[\s_\-.]+", spaced.lower())
    return [w for w in words if w and w not in lexicon.GENERIC_FIELD_WORDS]


def _singular(name: str) -> str:
    if name.endswith("ies"):
        return name[:-3] + "y"
    return name[:-1] if name.endswith("s") and not name.endswith("ss") else name


def _humanise(name: str) -> str:
    return " ".join(field_words(name)) or "value"


def choose(options: list[Any], ev: Evidence) -> tuple[Any, bool]:
    """The option the conversation points at: one it mentions (earliest in the most relevant
    text), else a sentiment label that fits the wording, else the first option."""
    best: tuple[tuple[int, int], Any] | None = None
    for option in options:
        if isinstance(option, bool) or option is None:
            continue
        if isinstance(option, int | float):
            where = next(((s.source, s.start) for s in ev.of("number") if s.value == option), None)
        else:
            text = str(option)
            where = ev.mention(text) or ev.mention(text.replace("_", " "))
        if where is not None and (best is None or where < best[0]):
            best = (where, option)
    if best is not None:
        return best[1], True
    labels = {str(o).lower(): o for o in options}
    if "positive" in labels and "negative" in labels and ev.texts:
        words = set(re.findall(r"[a-z']+", ev.texts[0].lower()))
        pos, neg = len(words & lexicon.POSITIVE), len(words & lexicon.NEGATIVE)
        if pos != neg or "neutral" in labels:
            label = "positive" if pos > neg else "negative" if neg > pos else "neutral"
            return labels[label], True
    return options[0], False


class Filler:
    """One fill of one schema against one :class:`Evidence`."""

    def __init__(self, root: Any, ev: Evidence, key: int, used: set[Any] | None = None) -> None:
        self.root, self.ev, self.key = root, ev, key
        self.used: set[Any] = set() if used is None else used
        self.hits = 0
        defs = {k: root[k] for k in ("$defs", "definitions") if isinstance(root, dict) and k in root}
        self._defs = defs

    # --- schema plumbing ----------------------------------------------------------------

    def resolve(self, schema: Any, depth: int = 0) -> Any:
        while isinstance(schema, dict) and isinstance(schema.get("$ref"), str) and depth < 32:
            target: Any = self.root
            for part in schema["$ref"].lstrip("#").strip("/").split("/"):
                if not part:
                    continue
                part = part.replace("~1", "/").replace("~0", "~")
                target = target.get(part) if isinstance(target, dict) else None
            rest = {k: v for k, v in schema.items() if k != "$ref"}
            schema = {**(target if isinstance(target, dict) else {}), **rest}
            depth += 1
        if isinstance(schema, dict) and isinstance(schema.get("allOf"), list):
            merged = {k: v for k, v in schema.items() if k != "allOf"}
            for part in schema["allOf"]:
                part = self.resolve(part, depth + 1)
                if not isinstance(part, dict):
                    continue
                for k, v in part.items():
                    if k == "properties":
                        merged["properties"] = {**merged.get("properties", {}), **v}
                    elif k == "required":
                        merged["required"] = sorted({*merged.get("required", []), *v})
                    else:
                        merged.setdefault(k, v)
            schema = merged
        return schema

    def ok(self, value: Any, schema: Any) -> bool:
        return guided.conforms(value, {**schema, **self._defs} if isinstance(schema, dict) else schema)

    def _types(self, schema: dict[str, Any]) -> list[str]:
        t = schema.get("type")
        if isinstance(t, str):
            return [t]
        if isinstance(t, list) and t:
            return [x for x in t if x != "null"] + (["null"] if "null" in t else [])
        if "properties" in schema or "additionalProperties" in schema or "required" in schema:
            return ["object"]
        if "items" in schema or "prefixItems" in schema or "minItems" in schema:
            return ["array"]
        if any(k in schema for k in ("minimum", "maximum", "multipleOf", "exclusiveMinimum")):
            return ["number"]
        return ["string"]

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
            picked, found = choose(schema["enum"], self.ev)
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
        types = self._types(schema)
        for t in types:
            if t == "null":
                return MISSING if strict else None
            out = self._typed(t, schema, name, strict or len(types) > 1 and t != types[-1], depth)
            if out is not MISSING:
                return out
        return MISSING if strict else self._fallback(schema)

    def _counted(self, value: Any, found: bool, strict: bool, schema: Any) -> Any:
        if found:
            self.hits += 1
            return value
        if strict:
            return MISSING
        return schema.get("default", value) if self.ok(schema.get("default", value), schema) else value

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

    def _union(self, schema: dict[str, Any], alts: list[Any], name: str, strict: bool, depth: int) -> Any:
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
        return guided.for_schema({**schema, **self._defs} if isinstance(schema, dict) else schema, self.key)

    def _plain(self, schema: dict[str, Any], candidates: list[Any]) -> Any:
        for key in ("default",):
            if key in schema and self.ok(schema[key], schema):
                return schema[key]
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
            "org" if ws & lexicon.ORG_FIELDS
            else "place" if ws & lexicon.PLACE_FIELDS
            else "person" if ws & lexicon.NAME_FIELDS
            else None
        )

        def fits(span: Span) -> int:
            return int(role is not None and span.kind == "name" and role in self.ev.roles(span))

        return sorted(
            spans,
            key=lambda s: (-self.ev.affinity(s, long), rank[s.kind], -fits(s), s.source, s.start),
        )

    def _take(self, span: Span) -> None:
        self.used.add(span.ident)
        self.hits += 1

    # --- scalars ------------------------------------------------------------------------

    def _number(self, schema: dict[str, Any], name: str, strict: bool, integer: bool) -> Any:
        words = field_words(name)
        long = [w for w in words if len(w) >= 3]
        for span in self._ranked(("number",), words):
            if strict and not self.ev.affinity(span, long):
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
        return self._plain(schema, self._plausible_numbers(schema, words, integer))

    def _plausible_numbers(self, schema: dict[str, Any], words: list[str], integer: bool) -> list[Any]:
        lo = schema.get("minimum", schema.get("exclusiveMinimum"))
        hi = schema.get("maximum", schema.get("exclusiveMaximum"))
        lo = lo if isinstance(lo, int | float) and not isinstance(lo, bool) else None
        hi = hi if isinstance(hi, int | float) and not isinstance(hi, bool) else None
        out: list[Any] = [lexicon.PLAUSIBLE_NUMBERS[w] for w in words if w in lexicon.PLAUSIBLE_NUMBERS]
        out += [1, 0]
        step = schema.get("multipleOf")
        for edge in (lo, hi):
            if edge is None:
                continue
            for delta in (0, 1, -1, 0.5, -0.5):
                out.append(edge + delta)
            if isinstance(step, int | float) and step > 0:
                base = (edge // step) * step
                out += [base, base + step, base - step]
        if lo is not None and hi is not None:
            out.append((lo + hi) / 2)
        if isinstance(step, int | float) and step > 0:
            out.append(step)
        if integer:
            return [int(v) for v in out if float(v).is_integer()]
        return out

    def _boolean(self, schema: dict[str, Any], name: str, strict: bool) -> Any:
        for word in field_words(name):
            if len(word) < 3:
                continue
            for form in (word, f"un{word}", f"non-{word}"):
                where = self.ev.mention(form)
                if where is not None:
                    self.hits += 1
                    return form == word and not self.ev.negated(*where)
        words = field_words(name)
        for span in self._ranked(("bool",), words):
            if self.ev.affinity(span, [w for w in words if len(w) >= 3]):
                self._take(span)
                return span.value
        if strict:
            return MISSING
        picked = self._plain(schema, [False, True])
        return False if picked is MISSING else picked

    def _string_kinds(self, words: list[str], fmt: str | None) -> tuple[tuple[str, ...], bool]:
        """Span kinds a string field takes, and whether it is a specific kind (an email, a
        date…) rather than free text."""
        ws = set(words)
        if fmt == "email" or "email" in ws:
            return ("email",), True
        if fmt in ("date", "date-time") or ws & lexicon.DATE_FIELDS and not fmt:
            return ("date",), True
        if fmt == "time":
            return ("time",), True
        if fmt in ("uri", "url", "iri") or ws & {"url", "link", "website", "uri", "homepage"}:
            return ("url",), True
        if ws & {"phone", "mobile", "tel", "telephone", "fax"}:
            return ("phone", "number"), True
        if ws & lexicon.ID_FIELDS:
            return ("ident", "quoted", "number"), True
        if ws & lexicon.NAME_FIELDS:
            return ("quoted", "name", "phrase"), False
        return ("quoted", "name", "ident", "phrase"), False

    def _string(self, schema: dict[str, Any], name: str, strict: bool) -> Any:
        words = field_words(name)
        fmt = schema.get("format")
        pattern = schema.get("pattern")
        free_text = set(words) & lexicon.FREE_TEXT_FIELDS
        if free_text and not strict and not fmt and not pattern and self.ev.answer:
            fitted = self._fit_length(self.ev.answer, schema)
            if self.ok(fitted, schema):
                self.hits += 1
                return fitted
        kinds, specific = self._string_kinds(words, fmt)
        if pattern:
            kinds = ("ident", "quoted", "name", "number", "email", "url", "date", "phone", "time")
        long = [w for w in words if len(w) >= 3]
        for span in self._ranked(kinds, words):
            if strict and not specific and not self.ev.affinity(span, long):
                continue
            value = self._as_string(span, fmt)
            if value is not None and self.ok(value, schema):
                self._take(span)
                return value
        if strict:
            return MISSING
        plain = self._plain(schema, [self._plausible_string(schema, words, fmt)])
        if plain is not MISSING:
            return plain
        fitted = self._fit_length(self._plausible_string(schema, words, fmt), schema)
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

    @staticmethod
    def _as_string(span: Span, fmt: str | None) -> str | None:
        value = span.value
        if span.kind == "date":
            if fmt == "date":
                return str(value)[:10]
            if fmt == "date-time":
                return value if "T" in value else f"{value}T00:00:00Z"
        if isinstance(value, bool):
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value)

    def _plausible_string(self, schema: dict[str, Any], words: list[str], fmt: str | None) -> str:
        if fmt == "email":
            return "user@example.com"
        if fmt == "date":
            return "2026-01-01"
        if fmt == "date-time":
            return "2026-01-01T09:00:00Z"
        if fmt == "time":
            return "09:00:00"
        if fmt in ("uri", "url", "iri"):
            return "https://example.com/"
        if fmt == "uuid":
            return str(uuid.UUID(int=self.key % (1 << 128), version=4))
        if fmt == "ipv4":
            return "192.0.2.1"
        if fmt == "ipv6":
            return "2001:db8::1"
        if fmt in ("hostname", "idn-hostname"):
            return "example.com"
        for w in words:
            if w in lexicon.PLAUSIBLE_STRINGS:
                return lexicon.PLAUSIBLE_STRINGS[w]
        if set(words) & lexicon.ID_FIELDS:
            return f"{words[0][:3].upper()}-1"
        if set(words) & lexicon.FREE_TEXT_FIELDS and self.ev.texts:
            return self.ev.texts[0][:200] or "No details given."
        return f"sample {_humanise(' '.join(words))}"

    @staticmethod
    def _fit_length(text: str, schema: dict[str, Any]) -> str:
        lo, hi = schema.get("minLength"), schema.get("maxLength")
        if isinstance(hi, int) and len(text) > hi:
            cut = text[:hi]
            text = cut.rsplit(" ", 1)[0] if " " in cut and len(cut.rsplit(" ", 1)[0]) >= (lo or 1) else cut
        if isinstance(lo, int) and len(text) < lo:
            text = (text + " " + "x" * lo)[: max(lo, len(text))] if text else "x" * lo
        return text

    # --- containers ---------------------------------------------------------------------

    def _object(self, schema: dict[str, Any], name: str, strict: bool, depth: int) -> Any:
        props: dict[str, Any] = schema.get("properties") or {}
        required = [r for r in schema.get("required") or [] if isinstance(r, str)]
        before = self.hits
        out: dict[str, Any] = {}

        def scalar(prop: str) -> bool:
            resolved = self.resolve(props[prop])
            return isinstance(resolved, dict) and all(t in _SCALARS for t in self._types(resolved))

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
        item_name = _singular(name)
        out: list[Any] = [self.value(p, item_name, False, depth + 1) for p in prefix or []]
        resolved = self.resolve(items)
        if items is False or hi == 0:
            return out
        if isinstance(resolved, dict) and "object" in self._types(resolved) and resolved.get("properties"):
            out += self._object_items(resolved, item_name, hi - len(out), depth)
        elif isinstance(resolved, dict) and isinstance(resolved.get("enum"), list):
            for option in resolved["enum"]:
                if len(out) < hi and not isinstance(option, bool) and (
                    self.ev.mention(str(option)) if not isinstance(option, int | float) else None
                ):
                    out.append(option)
        else:
            while len(out) < hi:
                value = self.value(items, item_name, True, depth + 1)
                if value is MISSING or value in out:
                    break
                out.append(value)
        if strict and not out:
            return MISSING
        want = max(lo, 1 if not out and not strict else 0)
        attempt = 0
        while len(out) < want and attempt < want + 10:
            value = self.value(items, item_name, False, depth + 1)
            if schema.get("uniqueItems") and value in out:
                value = _vary(value, len(out))
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
                    s for s in self.ev.spans
                    if s.source == source and start <= s.start and s.end <= end and s.ident not in self.used
                ]
                clause = phrases(m.group(0), source)
                answer = str(clause[0].value) if clause else ""
                spans += [Span(p.value, "phrase", source, start + p.start, start + p.end) for p in clause]
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
    from telnyx_inference.emulator.evidence import literal

    value = literal(text)
    return MISSING if value == text else value


def _vary(value: Any, i: int) -> Any:
    if isinstance(value, str):
        return f"{value} {i + 2}"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value + i + 1
    return value


def fill(schema: Any, ev: Evidence, key: int) -> tuple[Any, int]:
    """A value valid against ``schema`` and how many of its fields came from the conversation."""
    filler = Filler(schema, ev, key)
    value = filler.value(schema, "")
    if value is not MISSING and guided.conforms(value, schema):
        return value, filler.hits
    return guided.for_schema(schema, key), 0
