"""Text that reads like an answer, built only from what the request contains.

- After tool results: each call with its arguments and what it returned.
- With the retrieval tool: the best sentences of the best chunks, naming their files.
- With context in the prompt (a RAG template, a system message of documents, something the
  user said earlier): the sentences that share the most words with the question.
- Otherwise a short reply that restates the prompt and keeps its punctuation.

Reasoning models think in one or two short sentences about which of these they do.
"""

from __future__ import annotations

import json
import operator
import re
from typing import Any

from telnyx_inference.emulator.model import lexicon
from telnyx_inference.emulator.model.turns import ToolCall

_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+|$)")
_META_LINE = re.compile(r"^\s*[\w ]{1,30}:\s*\S.{0,200}$")
_SOURCE_LINE = re.compile(
    r"^\s*(?:file_?name|file_path|source)\s*:\s*(\S.*?)\s*$", re.IGNORECASE | re.MULTILINE
)
_QUERY = re.compile(
    r"(?:^|\n)\s*(?:Query|Question)\s*:\s*(.+?)(?:\n\s*Answer\s*:.*)?$", re.DOTALL | re.IGNORECASE
)
_GREETING = re.compile(
    r"^\s*(hi|hello|hey|good (morning|afternoon|evening))\b[\s!,.]*(\w+[\s!,.]*){0,2}$",
    re.IGNORECASE,
)
MAX_WORDS = 30


def finish(text: str, end: str = ".") -> str:
    """``text`` ending in exactly one sentence mark (never "..")."""
    text = text.strip()
    return text if text[-1:] in ".!?…" else text + end


def snippet(text: str, words: int = MAX_WORDS) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + "…" if len(parts) > words else " ".join(parts)


def content_words(text: str) -> set[str]:
    return {
        w[:5]
        for w in re.findall(r"[a-z0-9][a-z0-9'-]*", text.lower())
        if len(w) >= 3 and w not in lexicon.STOPWORDS
    }


def split_question(text: str) -> tuple[str, str]:
    """(question, context) of a user message: a RAG template's ``Query:`` part and the rest,
    else the whole message and nothing."""
    m = _QUERY.search(text)
    if m and m.start() > 0:
        return m.group(1).strip(), text[: m.start()]
    return text.strip(), ""


def _call_text(call: ToolCall) -> str:
    args = ", ".join(f"{k}={json.dumps(v, ensure_ascii=False)}" for k, v in call.args.items())
    return f"{call.name}({args})"


def from_results(calls: list[ToolCall]) -> str:
    parts = []
    for call in calls:
        result = snippet(re.sub(r"\s+", " ", call.result or "").strip(), 40) or "nothing"
        parts.append(f"{_call_text(call)} returned {result.rstrip('.')}")
    return finish("; ".join(parts))


def best_sentences(question: str, text: str, limit: int = 2) -> list[tuple[int, int, str]]:
    """(score, position, sentence) of the sentences of ``text`` sharing the most words with
    ``question``; metadata lines ("filename: a.md") are skipped."""
    wanted = content_words(question)
    scored = []
    for line_match in re.finditer(r"[^\n]+", text):
        line = line_match.group(0)
        if _META_LINE.match(line) and len(line.split()) <= 6:
            continue
        for m in _SENTENCE.finditer(line):
            sentence = m.group(0).strip()
            if len(sentence) < 3 or not re.search(r"[A-Za-z]", sentence):
                continue
            score = len(wanted & content_words(sentence))
            scored.append((score, line_match.start() + m.start(), sentence))
    top = sorted(scored, key=lambda s: (-s[0], s[1]))[:limit]
    return sorted(top, key=lambda s: s[1])


def source_of(text: str, position: int) -> str | None:
    found = [m.group(1) for m in _SOURCE_LINE.finditer(text[:position])]
    if not found:
        return None
    name = found[-1].strip()
    return name.rsplit("/", 1)[-1] if "/" in name else name


def from_retrieval(question: str, hits: list[dict[str, Any]]) -> str:
    if not hits:
        return "I found nothing relevant in the bucket."
    parts: list[str] = []
    seen: set[str] = set()
    for hit in sorted(hits, key=lambda h: h["distance"]):
        filename = str(hit.get("metadata", {}).get("filename") or "the bucket")
        if filename in seen or len(parts) == 2:
            continue
        seen.add(filename)
        chunk = str(hit.get("document_chunk") or "")
        sentences = [s for _, _, s in best_sentences(question, chunk)]
        quote = snippet(" ".join(sentences) or chunk, 45)
        parts.append(
            f"{filename}: {finish(quote)}" if parts else f"According to {filename}: {finish(quote)}"
        )
    return " Also, ".join(parts)


def from_context(question: str, contexts: list[tuple[str, str]]) -> str | None:
    """An answer quoting the context that matches the question, or None when nothing does.
    ``contexts`` are (kind, text): kind "context" (documents) or "user" (earlier turns)."""
    if not content_words(question):
        return None
    best: tuple[int, str, str, list[tuple[int, int, str]]] | None = None
    for kind, text in contexts:
        found = best_sentences(question, text)
        score = max((s for s, _, _ in found), default=0)
        if score and (best is None or score > best[0]):
            best = (score, kind, text, [f for f in found if f[0]])
    if best is None:
        return None
    _, kind, text, found = best
    # "[1] Refunds take five days." is cited the way a model would: "Refunds take five days [1]."
    cited = [re.sub(r"^\[(\d+)\]\s*(.*?)([.!?]*)$", r"\2 [\1]\3", s) for _, _, s in found]
    quote = snippet(" ".join(cited), 45)
    if kind == "user":
        return f"You said: {finish(quote)}"
    source = source_of(text, found[0][1])
    return (
        f"According to {source}: {finish(quote)}"
        if source
        else f"From the context: {finish(quote)}"
    )


_EXPRESSION = re.compile(r"[(\d][\d\s.+\-*/×÷()]*[\d)]")
_TOKEN = re.compile(r"\s*(?:(\d+(?:\.\d+)?)|(.))")
_OPERATORS = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
}


class _Sum:
    """A tiny recursive-descent reader of + - * / and brackets. (Not ``ast``: on CPython 3.11
    the ast module is not thread-safe, gh-106905, and this runs on the emulator's thread
    beside the user's own code, which pytest's assertion rewriting parses.)"""

    def __init__(self, text: str) -> None:
        self.tokens = [num or op for num, op in _TOKEN.findall(text) if (num or op).strip()]
        self.at = 0

    def _peek(self) -> str | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def _take(self) -> str:
        token = self._peek()
        if token is None:
            raise ValueError("unexpected end")
        self.at += 1
        return token

    def value(self) -> float:
        result = self._expression()
        if self._peek() is not None:
            raise ValueError("trailing input")
        return result

    def _expression(self) -> float:
        result = self._term()
        while self._peek() in ("+", "-"):
            result = _OPERATORS[self._take()](result, self._term())
        return result

    def _term(self) -> float:
        result = self._factor()
        while self._peek() in ("*", "/"):
            result = _OPERATORS[self._take()](result, self._factor())
        return result

    def _factor(self) -> float:
        token = self._take()
        if token == "-":
            return -self._factor()
        if token == "(":
            result = self._expression()
            if self._take() != ")":
                raise ValueError("unbalanced brackets")
            return result
        return float(token)


def arithmetic(text: str) -> str | None:
    """ "2 + 3 = 5." for a question holding a sum (+ - * / and brackets only)."""
    for m in _EXPRESSION.finditer(text):
        expression = m.group(0).strip()
        if not re.search(r"\d\s*[-+*/×÷]\s*[\d(]", expression) or re.search(
            r"\d+[-/]\d+[-/]\d+", expression
        ):  # no operator, or a phone number / date rather than a sum
            continue
        try:
            value = _Sum(expression.replace("×", "*").replace("÷", "/")).value()
        except (ValueError, ZeroDivisionError, OverflowError, RecursionError):
            continue
        shown = int(value) if value.is_integer() else round(value, 6)
        return f"{expression} = {shown}."
    return None


_SUMMARY = frozenset({"summarise", "summarize", "summary", "tl;dr", "tldr"})


def plain(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    if not text:
        return "Hello! How can I help?"
    if _GREETING.match(text):
        return "Hello! How can I help?"
    if (sum := arithmetic(text)) is not None:
        return sum
    first = text.split()[0].lower().strip(",.!:;")
    rest = text.split(None, 1)[1] if " " in text else ""
    if first in _SUMMARY and rest:
        body = text.split(":", 1)[1] if ":" in text else rest
        sentences = [x.strip() for x in _SENTENCE.findall(body) if x.strip()]
        return f"In short: {finish(snippet(sentences[0] if sentences else body))}"
    said = finish(snippet(text))
    if said.endswith("?"):
        return f"You asked: {said} This is the Telnyx emulator's offline answer."
    if first in lexicon.IMPERATIVES:
        return f"You asked me to {said[0].lower()}{said[1:]} This is the Telnyx emulator's offline reply."
    return f"Noted: {said} This is the Telnyx emulator's offline reply."


_VARIANTS = ("", "In short: ", "Briefly: ", "To sum up: ")


def variant(reply: str, index: int) -> str:
    """The reply of choice ``index`` when ``n > 1``: the same answer, worded a little apart."""
    prefix = _VARIANTS[index % len(_VARIANTS)]
    if index and not prefix:
        prefix = f"Option {index + 1}: "
    return f"{prefix}{reply}"


def reasoning(question: str, calls: list[str], results: list[ToolCall], kind: str) -> str:
    about = snippet(question, 10).rstrip("?.!…") or "this"
    if calls:
        return f"The question is about {about}. I will call {', '.join(calls)}."
    if results:
        return f"{', '.join(sorted({c.name for c in results}))} answered; I will report the result."
    if kind == "context":
        return f"The question is about {about}. The context covers it, so I will quote it."
    return f'The user wrote "{snippet(question, 16)}". A short reply fits.'
