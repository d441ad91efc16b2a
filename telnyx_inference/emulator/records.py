"""Plain records shared by the emulator's modules: scripted replies and journal entries.

Only the standard library is imported here, so ``from telnyx_inference.emulator import
ScriptedReply`` works even where the ``emulator`` extra is not installed.
"""

from __future__ import annotations

import json as _json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class ScriptedReply:
    """The next reply the emulator gives, overriding its deterministic model.

    >>> ScriptedReply(content="hi")
    >>> ScriptedReply(tool_calls=[{"name": "add", "arguments": {"a": 1}}])

    ``tool_calls`` items may be ``{"name", "arguments"[, "id"]}`` (arguments a dict or a JSON
    string) or the OpenAI shape ``{"id", "type", "function": {"name", "arguments"}}``.
    ``finish_reason`` defaults to ``tool_calls`` when there are calls, else ``stop``.
    ``usage`` replaces the counted usage (missing keys are counted as usual).
    """

    content: str | None = None
    tool_calls: list[dict[str, Any]] | None = None
    reasoning: str | None = None
    finish_reason: str | None = None
    usage: dict[str, int] | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ScriptedReply:
        known = {"content", "tool_calls", "reasoning", "finish_reason", "usage"}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown ScriptedReply fields: {sorted(unknown)}")
        return cls(**dict(data))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class JournalEntry:
    """One request the emulator received (control routes excluded).

    Readable as attributes (``entry.json``) or as a mapping (``entry["json"]``).
    The ``Authorization`` header is redacted before it is stored. ``body`` is the body as
    received: the journal keeps bytes, which cost what its byte cap counts, and ``json``
    parses them on each read (a fresh value every time; None when there is no JSON body).
    ``size`` is what the entry counts against the cap; ``truncated`` says its body was too
    big to keep; ``error`` says why a responder's answer became a 500 (see
    :mod:`.responders`).
    """

    method: str
    path: str
    query: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = field(default=None, repr=False)
    status: int | None = None
    size: int = 0
    truncated: bool = False
    error: str | None = None

    @property
    def json(self) -> Any:
        if not self.body:
            return None
        try:
            return _json.loads(self.body)
        except ValueError:  # not JSON, or not UTF-8 (UnicodeDecodeError is a ValueError)
            return None

    def __getitem__(self, key: str) -> Any:
        if key not in JOURNAL_FIELDS:
            raise KeyError(key)
        return getattr(self, key)

    def get(self, key: str, default: Any = None) -> Any:
        return getattr(self, key) if key in JOURNAL_FIELDS else default

    def to_dict(self) -> dict[str, Any]:
        """The entry as ``GET /_emulator/journal`` shows it (the body parsed, as ``json``)."""
        out = {name: getattr(self, name) for name in JOURNAL_FIELDS}
        out["headers"] = dict(self.headers)
        return out


JOURNAL_FIELDS = (
    "method",
    "path",
    "query",
    "headers",
    "json",
    "status",
    "size",
    "truncated",
    "error",
)
"""What an entry shows, in order."""


REDACTED = "[REDACTED]"
SECRET_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "x-api-key", "api-key", "cookie", "set-cookie"}
)
"""Headers whose values are never kept: not in the journal (which shows an authorization
header's scheme) nor in a cassette."""


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Lower-case header names and hide credentials, so a journal can be printed safely."""
    out: dict[str, str] = {}
    for name, value in headers.items():
        low = name.lower()
        if low not in SECRET_HEADERS:
            out[low] = value
        elif low.endswith("authorization") and " " in value:
            out[low] = f"{value.split(' ', 1)[0]} {REDACTED}"
        else:
            out[low] = REDACTED
    return out
