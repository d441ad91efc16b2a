"""The journal: a bounded ring of the requests received, and how it is read.

The ring holds at most ``max_entries`` entries and ``max_bytes`` bytes (request bodies as
received, kept as bytes and parsed only when read, plus method, path, query and headers); the oldest entries are dropped to make room
and counted. A request bigger than the whole byte cap is kept without its body
(``truncated``), so the journal still shows that it came; only under a cap too small for
even that is it dropped as well.

Reading never holds up the API: :meth:`Journal.snapshot` copies references under the lock (no
encoding), and :func:`encode_page` turns the snapshot into JSON a slice at a time, handing
the event loop back between slices.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections import deque
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from telnyx_inference.emulator.records import JournalEntry

DEFAULT_MAX_ENTRIES = 1000
DEFAULT_MAX_BYTES = 32 * 1024 * 1024
ENTRY_OVERHEAD = 64
"""Bytes counted per entry beyond its fields, so tiny entries still cost something."""
SLICE_BYTES = 64 * 1024
"""How much JSON :func:`encode_page` writes before it lets other requests run."""
FILTERS = ("last", "path", "method", "status")


def _check_limit(name: str, value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return value


def entry_size(entry: JournalEntry, body_bytes: int | None) -> int:
    """Bytes an entry counts against the cap: its body as received plus its other fields."""
    if body_bytes is None:
        body_bytes = len(entry.body or b"")
    head = sum(len(k) + len(v) + 4 for k, v in entry.headers.items())
    return (
        ENTRY_OVERHEAD + len(entry.method) + len(entry.path) + len(entry.query) + head + body_bytes
    )


@dataclass
class JournalPage:
    """One read of the journal: the selected entries and the ring's counters.

    ``to_dict()`` is exactly the body of ``GET /_emulator/journal``.
    """

    entries: list[JournalEntry]
    kept: int
    kept_bytes: int
    dropped: int
    max_entries: int
    max_bytes: int
    filters: dict[str, Any] = field(default_factory=dict)

    def header(self) -> dict[str, Any]:
        return {
            "returned": len(self.entries),
            "kept": self.kept,
            "kept_bytes": self.kept_bytes,
            "dropped": self.dropped,
            "max_entries": self.max_entries,
            "max_bytes": self.max_bytes,
            "filters": self.filters,
        }

    def to_dict(self) -> dict[str, Any]:
        return {**self.header(), "entries": [e.to_dict() for e in self.entries]}


class Journal:
    """A thread-safe ring of :class:`JournalEntry`, bounded in entries and in bytes."""

    def __init__(
        self, max_entries: int = DEFAULT_MAX_ENTRIES, max_bytes: int = DEFAULT_MAX_BYTES
    ) -> None:
        self.max_entries = _check_limit("journal_max_entries", max_entries)
        self.max_bytes = _check_limit("journal_max_bytes", max_bytes)
        self._lock = threading.Lock()
        self._ring: deque[tuple[JournalEntry, int]] = deque()
        self._bytes = 0
        self._dropped = 0

    def append(self, entry: JournalEntry, body_bytes: int | None = None) -> None:
        """Keep ``entry`` (``body_bytes``: the size of its body as received, when known)."""
        size = entry_size(entry, body_bytes)
        if size > self.max_bytes:
            entry.body, entry.truncated = None, True
            size = entry_size(entry, 0)
        entry.size = size
        with self._lock:
            if size > self.max_bytes:  # not even without its body: counted, not kept
                self._dropped += 1
                return
            self._ring.append((entry, size))
            self._bytes += size
            while len(self._ring) > self.max_entries or self._bytes > self.max_bytes:
                _, old = self._ring.popleft()
                self._bytes -= old
                self._dropped += 1

    def clear(self) -> None:
        """Forget every entry and reset the dropped count."""
        with self._lock:
            self._ring.clear()
            self._bytes = 0
            self._dropped = 0

    def snapshot(self) -> list[JournalEntry]:
        """The entries, oldest first: a copy of references, cheap enough to take anywhere."""
        with self._lock:
            return [e for e, _ in self._ring]

    def page(self, **filters: Any) -> JournalPage:
        """The entries that pass ``filters`` (see :func:`select`) with the ring's counters."""
        checked = parse_filters(filters)
        with self._lock:
            entries = [e for e, _ in self._ring]
            kept, kept_bytes, dropped = len(self._ring), self._bytes, self._dropped
        return JournalPage(
            select(entries, **checked),
            kept,
            kept_bytes,
            dropped,
            self.max_entries,
            self.max_bytes,
            checked,
        )

    def __len__(self) -> int:
        return len(self._ring)

    def __iter__(self) -> Iterator[JournalEntry]:
        return iter(self.snapshot())


def parse_filters(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Checked filters from keyword arguments or query parameters (strings are converted).

    Raises ValueError naming the parameter for unknown filters and bad values.
    """
    unknown = sorted(set(raw) - set(FILTERS))
    if unknown:
        raise ValueError(f"unknown journal filter(s) {unknown}; known: {list(FILTERS)}")
    out: dict[str, Any] = {}
    for name in ("last", "status"):
        value = raw.get(name)
        if value is None:
            continue
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise ValueError(f"{name} must be an integer, got {value!r}") from None
        if number < 0:
            raise ValueError(f"{name} must not be negative, got {number}")
        out[name] = number
    for name in ("path", "method"):
        value = raw.get(name)
        if value is not None:
            if not isinstance(value, str) or not value:
                raise ValueError(f"{name} must be a non-empty string, got {value!r}")
            out[name] = value.upper() if name == "method" else value
    return out


def select(
    entries: Iterable[JournalEntry],
    *,
    last: int | None = None,
    path: str | None = None,
    method: str | None = None,
    status: int | None = None,
) -> list[JournalEntry]:
    """Entries whose path contains ``path``, with that ``method`` and ``status``; then the
    ``last`` N of those (oldest first)."""
    out = [
        e
        for e in entries
        if (path is None or path in e.path)
        and (method is None or e.method == method)
        and (status is None or e.status == status)
    ]
    if last is not None:
        out = out[-last:] if last else []
    return out


def _entry_json(entry: JournalEntry) -> bytes:
    return json.dumps(entry.to_dict()).encode()


async def encode_page(page: JournalPage) -> AsyncIterator[bytes]:
    """``page.to_dict()`` as JSON bytes, in slices of about :data:`SLICE_BYTES`, yielding
    to the event loop between slices so API requests are served during a big read."""
    head = json.dumps(page.header())
    buffer = bytearray(head[:-1].encode() + b', "entries": [')
    for i, entry in enumerate(page.entries):
        if i:
            buffer += b", "
        buffer += _entry_json(entry)
        if len(buffer) >= SLICE_BYTES:
            yield bytes(buffer)
            buffer.clear()
            await asyncio.sleep(0)
    buffer += b"]}"
    yield bytes(buffer)
