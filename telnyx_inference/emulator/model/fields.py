"""Field-level knowledge for :mod:`.values`: a field's words, which kinds of span a string
field takes, how a span reads as a string, plausible values when the conversation is silent,
and which of several options the conversation points at."""

from __future__ import annotations

import re
import uuid
from typing import Any

from telnyx_inference.emulator.model import lexicon
from telnyx_inference.emulator.model.evidence import Evidence, Span


def resolve(root: Any, schema: Any, depth: int = 0) -> Any:
    """``schema`` with local ``$ref``s followed and ``allOf`` merged."""
    while isinstance(schema, dict) and isinstance(schema.get("$ref"), str) and depth < 32:
        target: Any = root
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
            part = resolve(root, part, depth + 1)
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


def types_of(schema: dict[str, Any]) -> list[str]:
    """The JSON types a schema allows, null last; inferred from its keywords if unstated."""
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


def field_words(name: str) -> list[str]:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)
    words = re.split(r"[\s_\-.]+", spaced.lower())
    return [w for w in words if w and w not in lexicon.GENERIC_FIELD_WORDS]


def singular(name: str) -> str:
    if name.endswith("ies"):
        return name[:-3] + "y"
    return name[:-1] if name.endswith("s") and not name.endswith("ss") else name


def humanise(name: str) -> str:
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
    words = re.findall(r"[a-z']+", ev.texts[0].lower()) if ev.texts else []
    hinted = [
        (sum(w in lexicon.LABEL_HINTS[label] for w in words), -i, label)
        for i, label in enumerate(labels)
        if label in lexicon.LABEL_HINTS
    ]
    if hinted and max(hinted)[0] > 0:
        return labels[max(hinted)[2]], True
    if "positive" in labels and "negative" in labels and ev.texts:
        said = set(words)
        pos, neg = len(said & lexicon.POSITIVE), len(said & lexicon.NEGATIVE)
        if pos != neg or "neutral" in labels:
            label = "positive" if pos > neg else "negative" if neg > pos else "neutral"
            return labels[label], True
    return options[0], False


def string_kinds(words: list[str], fmt: str | None) -> tuple[tuple[str, ...], bool]:
    """Span kinds a string field takes, and whether it is a specific kind (an email, a
    date…) rather than free text."""
    ws = set(words)
    if fmt == "email" or "email" in ws:
        return ("email",), True
    if fmt in ("date", "date-time") or (ws & lexicon.DATE_FIELDS and not fmt):
        return ("date",), True
    if fmt == "time" or ws & {"time", "hour", "clock"}:
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


def as_string(span: Span, fmt: str | None) -> str | None:
    value = span.value
    if span.kind == "time" and fmt == "time":
        return f"{value}:00" if value.count(":") == 1 else str(value)
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


def plausible_string(words: list[str], fmt: str | None, key: int, texts: list[str]) -> str:
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
        return str(uuid.UUID(int=key % (1 << 128), version=4))
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
    if set(words) & lexicon.FREE_TEXT_FIELDS and texts:
        return texts[0][:200] or "No details given."
    return f"sample {humanise(' '.join(words))}"


def fit_length(text: str, schema: dict[str, Any]) -> str:
    lo, hi = schema.get("minLength"), schema.get("maxLength")
    if isinstance(hi, int) and len(text) > hi:
        cut = text[:hi]
        text = (
            cut.rsplit(" ", 1)[0] if " " in cut and len(cut.rsplit(" ", 1)[0]) >= (lo or 1) else cut
        )
    if isinstance(lo, int) and len(text) < lo:
        text = (text + " " + "x" * lo)[: max(lo, len(text))] if text else "x" * lo
    return text


def plausible_numbers(schema: dict[str, Any], words: list[str], integer: bool) -> list[Any]:
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


def vary(value: Any, i: int) -> Any:
    if isinstance(value, str):
        return f"{value} {i + 2}"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value + i + 1
    return value
