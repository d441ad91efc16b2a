"""What a conversation says, as typed spans a model could copy into its output.

``Evidence`` holds the texts of a request in order of relevance (the question first, then
tool results and retrieved chunks, then older turns) and every span found in them: numbers
("$1,250.00" → 1250.0, "36." → 36), proper names ("Ada Lovelace", "ACME Telecom"), quoted
strings, emails, URLs, dates (ISO or "April 2, 2026"), phone numbers, identifiers ("T-1001")
and booleans. Values named outright (``city="Paris"``, ``a = 2``, earlier tool arguments) are
kept per name. :mod:`.values` picks from these to fill a JSON Schema.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from telnyx_inference.emulator.model import lexicon


@dataclass(frozen=True)
class Span:
    value: Any
    kind: str
    """number, name, quoted, email, url, date, time, phone, ident, bool, phrase"""
    source: int
    start: int
    end: int

    @property
    def ident(self) -> tuple[int, int, int]:
        return (self.source, self.start, self.end)


_TOKEN = re.compile(r"\S+")
_LEAD = "([{\"'“‘$€£¥#"
_TRAIL = ")]}\"'”’.,;:!?%…"
_NUM = re.compile(r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[-+]?\.\d+")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_URL = re.compile(r"https?://[^\s<>\"')\]]+")
_QUOTED = re.compile(r"\"([^\"\n]{1,200})\"|“([^”\n]{1,200})”|(?<!\w)'([^'\n]{1,200})'(?!\w)")
_ISO_DATE = re.compile(
    r"\b(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2})?)(Z|[+-]\d{2}:\d{2})?)?"
)
_MONTH_DAY = re.compile(
    rf"\b({lexicon.MONTH_PATTERN})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(\d{{4}}))?\b",
    re.IGNORECASE,
)
_DAY_MONTH = re.compile(
    rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({lexicon.MONTH_PATTERN})\.?(?:,?\s+(\d{{4}}))?\b",
    re.IGNORECASE,
)
_TIME = re.compile(r"\b([01]?\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?\b")
_PHONE = re.compile(r"(?<![\w-])\+?\d[\d ().-]{6,}\d(?![\w-])")
_NAMED = re.compile(r"\b([A-Za-z_][\w]*)\s*[=:]\s*(\"[^\"]*\"|'[^']*'|[^\s,;)]+)")
_CLAUSE = re.compile(r"[,;.:!?\n]")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
DEFAULT_YEAR = 2026


def _strip(token: str, start: int) -> tuple[str, int]:
    lead = len(token) - len(token.lstrip(_LEAD))
    core = token[lead:].rstrip(_TRAIL)
    return core, start + lead


def parse_number(text: str) -> int | float | None:
    if not _NUM.fullmatch(text):
        return None
    clean = text.replace(",", "")
    value = float(clean)
    return int(value) if "." not in clean and value.is_integer() else value


def literal(text: str) -> Any:
    """A value written in a prompt: a number, a boolean, null, or the text unquoted."""
    text = text.strip()
    number = parse_number(text)
    if number is not None:
        return number
    low = text.lower()
    if low in ("true", "false"):
        return low == "true"
    if low in ("none", "null"):
        return None
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    return text


def _iso(year: int, month: int, day: int) -> str | None:
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


@dataclass
class Evidence:
    texts: list[str]
    spans: list[Span] = field(default_factory=list)
    named: dict[str, list[Any]] = field(default_factory=dict)
    answer: str = ""
    """The reply the model would give in text, for free-text fields (answer, summary, …)."""

    @classmethod
    def build(
        cls,
        texts: list[str],
        named: dict[str, list[Any]] | None = None,
        answer: str = "",
        exclude: frozenset[str] = frozenset(),
        phrase_texts: frozenset[str] | None = None,
    ) -> Evidence:
        """Scan ``texts`` (most relevant first); ``exclude`` are words never taken as names.
        Short phrases are taken from ``phrase_texts`` (tool results, documents; by default
        every text but the first), never from the question."""
        spans = [s for source, text in enumerate(texts) for s in _scan(text, source, exclude)]
        spans += [
            p
            for source, text in enumerate(texts)
            if (source if phrase_texts is None else text in phrase_texts)
            for p in phrases(text, source)
        ]
        found = named_values(texts)
        for key, values in (named or {}).items():
            found.setdefault(key, []).extend(values)
        return cls(texts, spans, found, answer)

    def of(self, *kinds: str) -> list[Span]:
        return [s for s in self.spans if s.kind in kinds]

    def affinity(self, span: Span, words: list[str]) -> int:
        """How strongly a field's words sit next to ``span``: 2 per word in the same clause,
        1 per word a comma away (prefix match, so "seat" finds "seats")."""
        if not words:
            return 0
        text = self.texts[span.source]
        before_text = text[max(0, span.start - 32) : span.start].lower()
        after_text = text[span.end : span.end + 32].lower()
        near = _WORD.findall(before_text)[-3:] + _WORD.findall(after_text)[:3]
        same = (
            _WORD.findall(_CLAUSE.split(before_text)[-1])[-3:]
            + _WORD.findall(_CLAUSE.split(after_text)[0])[:3]
        )
        return sum(
            any(n.startswith(w[:5]) for n in near) + any(n.startswith(w[:5]) for n in same)
            for w in words
        )

    def opens(self, span: Span) -> bool:
        """Whether the span opens its text or a sentence of it."""
        return re.search(r"(?:^|[.!?:]\s)\s*$", self.texts[span.source][: span.start]) is not None

    def roles(self, span: Span) -> set[str]:
        """What a name looks like from its neighbours: "org" (from Acme, ACME Telecom),
        "person" (Hi, Ada), "place" (in Rome)."""
        text = self.texts[span.source]
        before = _WORD.findall(
            _CLAUSE.split(text[max(0, span.start - 24) : span.start].lower())[-1]
        )
        before_any = _WORD.findall(text[max(0, span.start - 24) : span.start].lower())[-2:]
        last = before[-1] if before else ""
        words = str(span.value).lower().split()
        roles = set()
        if last in lexicon.ORG_CUES or (words and words[-1] in lexicon.ORG_SUFFIXES):
            roles.add("org")
        if last in lexicon.PLACE_CUES:
            roles.add("place")
        if set(before_any) & lexicon.PERSON_CUES or not roles:
            roles.add("person")
        return roles

    def mention(self, word: str) -> tuple[int, int] | None:
        """(source, position) of the first whole-word mention of ``word``, any case."""
        pattern = re.compile(rf"(?<![\w-]){re.escape(word)}(?![\w-])", re.IGNORECASE)
        for source, text in enumerate(self.texts):
            m = pattern.search(text)
            if m:
                return source, m.start()
        return None

    def asked(self, source: int, position: int) -> bool:
        """True when the sentence at ``position`` is a question ("Is this spam?"): what it
        mentions is asked about, not stated."""
        end = re.search(r"[.!?\n]", self.texts[source][position:])
        return end is not None and end.group(0) == "?"

    def negated(self, source: int, position: int) -> bool:
        before = _WORD.findall(self.texts[source][max(0, position - 24) : position].lower())
        return any(w in lexicon.NEGATIONS for w in before[-3:])


def _scan(text: str, source: int, exclude: frozenset[str]) -> list[Span]:
    spans: list[Span] = []
    taken: list[tuple[int, int]] = []

    def add(value: Any, kind: str, start: int, end: int, claim: bool = True) -> None:
        spans.append(Span(value, kind, source, start, end))
        if claim:
            taken.append((start, end))

    def free(start: int, end: int) -> bool:
        return all(end <= a or start >= b for a, b in taken)

    for m in _QUOTED.finditer(text):
        inner = next(g for g in m.groups() if g is not None)
        add(inner, "quoted", m.start(), m.end(), claim=False)
    for m in _URL.finditer(text):
        add(m.group(0).rstrip(".,;:!?"), "url", m.start(), m.end())
    for m in _EMAIL.finditer(text):
        if free(m.start(), m.end()):
            add(m.group(0), "email", m.start(), m.end())
    for m in _ISO_DATE.finditer(text):
        date = _iso(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if date and free(m.start(), m.end()):
            value = f"{date}T{m.group(4)}{m.group(5) or ''}" if m.group(4) else date
            add(value, "date", m.start(), m.end())
    years = [int(y) for y in re.findall(r"\b(19\d\d|20\d\d)\b", text)]
    year = years[0] if years else DEFAULT_YEAR
    for m in _MONTH_DAY.finditer(text):
        month = lexicon.month_number(m.group(1))
        date = _iso(int(m.group(3) or year), month, int(m.group(2)))
        if date and free(m.start(), m.end()):
            add(date, "date", m.start(), m.end())
    for m in _DAY_MONTH.finditer(text):
        month = lexicon.month_number(m.group(2))
        date = _iso(int(m.group(3) or year), month, int(m.group(1)))
        if date and free(m.start(), m.end()):
            add(date, "date", m.start(), m.end())
    for m in _TIME.finditer(text):
        if free(m.start(), m.end()):
            add(
                f"{int(m.group(1)):02d}:{m.group(2)}" + (f":{m.group(3)}" if m.group(3) else ""),
                "time",
                m.start(),
                m.end(),
            )
    for m in _PHONE.finditer(text):
        digits = re.sub(r"\D", "", m.group(0))
        if 7 <= len(digits) <= 15 and free(m.start(), m.end()) and not _NUM.fullmatch(m.group(0)):
            add(m.group(0), "phone", m.start(), m.end())
    _scan_tokens(text, source, exclude, add, free)
    return spans


def _scan_tokens(text: str, source: int, exclude: frozenset[str], add: Any, free: Any) -> None:
    name: list[tuple[str, int, int]] = []

    def flush() -> None:
        words = [w for w in name]
        while words and words[0][0].lower() in lexicon.COMMON:
            words.pop(0)
        while words and words[-1][0].lower() in lexicon.COMMON:
            words.pop()
        if words:
            value = " ".join(w for w, _, _ in words)
            add(value, "name", words[0][1], words[-1][2], claim=False)
        name.clear()

    for m in _TOKEN.finditer(text):
        core, start = _strip(m.group(0), m.start())
        end = start + len(core)
        if not core or not free(start, end):
            flush()
            continue
        number = parse_number(core)
        if number is not None:
            flush()
            add(number, "number", start, end)
            continue
        low = core.lower()
        if low in lexicon.NUMBER_WORDS:
            add(lexicon.NUMBER_WORDS[low], "number", start, end)
        if low in ("true", "false", "yes", "no"):
            add(low in ("true", "yes"), "bool", start, end)
        if re.fullmatch(
            r"[A-Za-z][\w-]*\d[\w-]*|\d+[A-Za-z][\w-]*|[A-Z]{2,}(?:[-_][A-Z0-9]+)+", core
        ):
            flush()
            add(core, "ident", start, end)
            continue
        capital = re.fullmatch(r"[A-Z][A-Za-z'’.-]*", core) is not None
        if capital and core not in exclude and not lexicon.is_calendar(low):
            name.append((core, start, end))
            if m.group(0)[-1] in ',.;:!?)"”':
                flush()
        else:
            flush()
    flush()


def phrases(text: str, source: int) -> list[Span]:
    """Comma- or line-separated pieces of ``text`` that read as short phrases ("light rain"),
    numbers and filler words removed; the fallback for free-form string fields."""
    out: list[Span] = []
    for m in re.finditer(r"[^,;\n|]+", text):
        words = [
            w
            for w in re.findall(r"[^\s]+", m.group(0))
            if parse_number(w.strip(_LEAD + _TRAIL)) is None
        ]
        words = [w.strip(_LEAD + _TRAIL) for w in words]
        while words and words[0].lower() in lexicon.FILLER:
            words.pop(0)
        while words and words[-1].lower() in lexicon.FILLER:
            words.pop()
        phrase = " ".join(w for w in words if w)
        if sum(c.isalpha() for c in phrase) >= 3 and len(phrase.split()) <= 8:
            out.append(Span(phrase, "phrase", source, m.start(), m.end()))
    return out


def named_values(texts: list[str]) -> dict[str, list[Any]]:
    """``name=value`` and ``name: value`` pairs written in the texts, by name."""
    out: dict[str, list[Any]] = {}
    for text in texts:
        for m in _NAMED.finditer(text):
            out.setdefault(m.group(1), []).append(literal(m.group(2)))
    return out
