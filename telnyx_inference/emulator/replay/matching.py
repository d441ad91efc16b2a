"""Which recorded interaction answers a request: pure functions over plain data.

A request matches a recording when the method, the path (with its query, parameters in any
order) and the canonical JSON body agree. Canonical means key order does not matter and the
fields in the ignore list are left out. The default list is :data:`DEFAULT_IGNORED_FIELDS`;
pass your own (``Emulator(replay=..., ignore_fields=[...])``, ``--replay-ignore a,b.c``). A
field is a dotted path into the body; ``*`` stands for every item of a list or every key of an
object (``messages.*.name``).

Identical requests recorded several times are answered in the order they were recorded; once
all are used, the request is a miss. A miss names the closest recording and how it differs.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

from telnyx_inference.emulator.replay.cassettes import Interaction

DEFAULT_IGNORED_FIELDS: tuple[str, ...] = ("user",)
"""Fields left out of matching by default: ``user`` names the end user, not the question."""

_MAX_DIFFS = 8


def _drop(value: Any, path: Sequence[str]) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        if head == "*":
            return {k: _drop(v, rest) for k, v in value.items()}
        if head not in value:
            return value
        if not rest:
            return {k: v for k, v in value.items() if k != head}
        return {k: (_drop(v, rest) if k == head else v) for k, v in value.items()}
    if isinstance(value, list) and head == "*":
        return [_drop(v, rest) for v in value]
    return value


def without_fields(body: Any, ignored: Iterable[str]) -> Any:
    """``body`` with each ignored dotted path removed."""
    for field in ignored:
        body = _drop(body, field.split("."))
    return body


def canonical(body: Any, ignored: Iterable[str] = DEFAULT_IGNORED_FIELDS) -> str:
    """The body as one string that is equal for equal requests, whatever their key order."""
    return json.dumps(
        without_fields(body, ignored), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )


def canonical_query(query: str) -> str:
    return urlencode(sorted(parse_qsl(query, keep_blank_values=True)))


def request_key(
    method: str, path: str, query: str, body: Any, ignored: Iterable[str]
) -> tuple[str, str, str, str]:
    return (method.upper(), path, canonical_query(query), canonical(body, ignored))


# --- differences ------------------------------------------------------------------------------


def _where(path: str) -> str:
    return path or "(the whole body)"


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= 60 else text[:57] + "..."


def body_differences(recorded: Any, received: Any, path: str = "") -> list[str]:
    """What changed from ``recorded`` to ``received``, one line per difference."""
    if isinstance(recorded, dict) and isinstance(received, dict):
        out: list[str] = []
        for key in sorted(set(recorded) | set(received)):
            sub = f"{path}.{key}" if path else key
            if key not in received:
                out.append(f"{sub}: recorded {_short(recorded[key])}, missing now")
            elif key not in recorded:
                out.append(f"{sub}: not recorded, now {_short(received[key])}")
            else:
                out.extend(body_differences(recorded[key], received[key], sub))
        return out
    if isinstance(recorded, list) and isinstance(received, list):
        out = []
        for i in range(max(len(recorded), len(received))):
            sub = f"{path}[{i}]"
            if i >= len(received):
                out.append(f"{sub}: recorded {_short(recorded[i])}, missing now")
            elif i >= len(recorded):
                out.append(f"{sub}: not recorded, now {_short(received[i])}")
            else:
                out.extend(body_differences(recorded[i], received[i], sub))
        return out
    if recorded != received or type(recorded) is not type(received):
        return [f"{_where(path)}: recorded {_short(recorded)}, now {_short(received)}"]
    return []


# --- the library of recordings -----------------------------------------------------------------


@dataclass
class Miss:
    """Why no recording answered: the closest one (if any) and how it differs."""

    method: str
    path: str
    closest: Interaction | None
    differences: list[str]
    used_up: bool = False

    def describe(self) -> str:
        head = f"No recorded answer for {self.method} {self.path}."
        if self.closest is None:
            return f"{head} The cassette has no recording of {self.method} requests."
        where = f"{self.closest.method} {self.closest.path} ({self.closest.name or 'unsaved'})"
        if self.used_up:
            return (
                f"{head} Every recording of this request has been used already; the last was "
                f"{where}. Record it once more or reset the emulator to replay from the start."
            )
        diffs = self.differences[:_MAX_DIFFS]
        more = len(self.differences) - len(diffs)
        lines = "; ".join(diffs) + (f"; and {more} more" if more > 0 else "")
        return f"{head} Closest recording: {where}; differences: {lines}."


class Library:
    """Recorded interactions, indexed for matching, each served once in recorded order."""

    def __init__(
        self, items: Iterable[Interaction], ignored: Iterable[str] = DEFAULT_IGNORED_FIELDS
    ) -> None:
        self.ignored = tuple(ignored)
        self.items = list(items)
        self._queues: dict[tuple[str, str, str, str], list[Interaction]] = {}
        self._used: dict[tuple[str, str, str, str], int] = {}
        for item in self.items:
            self._queues.setdefault(self._key_of(item), []).append(item)

    def _key_of(self, item: Interaction) -> tuple[str, str, str, str]:
        return request_key(item.method, item.path, item.query, item.body, self.ignored)

    def rewind(self) -> None:
        self._used.clear()

    def take(self, method: str, path: str, query: str, body: Any) -> Interaction | Miss:
        """The next unused recording of this request, or a :class:`Miss` explaining why not."""
        key = request_key(method, path, query, body, self.ignored)
        queue = self._queues.get(key, [])
        used = self._used.get(key, 0)
        if used < len(queue):
            self._used[key] = used + 1
            return queue[used]
        if queue:
            return Miss(method.upper(), path, queue[-1], [], used_up=True)
        return self._closest(method.upper(), path, query, body)

    def _closest(self, method: str, path: str, query: str, body: Any) -> Miss:
        best: tuple[tuple[int, int], Interaction, list[str]] | None = None
        received = without_fields(body, self.ignored)
        for item in self.items:
            if item.method != method:
                continue
            diffs = body_differences(without_fields(item.body, self.ignored), received)
            if item.path != path:
                diffs.insert(0, f"path: recorded {item.path}, now {path}")
            if canonical_query(item.query) != canonical_query(query):
                diffs.insert(0, f"query: recorded {item.query!r}, now {query!r}")
            score = (int(item.path != path), len(diffs))
            if best is None or score < best[0]:
                best = (score, item, diffs)
        if best is None:
            return Miss(method, path, None, [])
        return Miss(method, path, best[1], best[2])
