"""Faults: what can go wrong on purpose, queued from Python or asked for per request.

A fault is a :class:`Fault`. Queued faults (``emu.fault(...)``) apply to the next matching
requests, ``times`` times each. The ``X-Emulator-Fault`` request header asks for faults on
that request; its grammar is documented in the package docstring.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

STATUS = "status"
SLOW_FIRST_BYTE = "slow_first_byte"
STALL_AFTER = "stall_after"
DROP_AFTER = "drop_after"
ERROR_EVENT = "error_event"
MALFORMED_LINE = "malformed_line"
NO_DONE = "no_done"
SPLIT_FRAMES = "split_frames"
CRLF = "crlf"
KEEPALIVE_COMMENTS = "keepalive_comments"
DROP = "drop"
"""Close the connection without answering: a storage (S3) request before it is served, an API
request after (the work is done, the answer lost on the way back, as idempotency is tested)."""

KINDS = (
    STATUS,
    SLOW_FIRST_BYTE,
    STALL_AFTER,
    DROP_AFTER,
    ERROR_EVENT,
    MALFORMED_LINE,
    NO_DONE,
    SPLIT_FRAMES,
    CRLF,
    KEEPALIVE_COMMENTS,
    DROP,
)
STREAM_ONLY = frozenset(KINDS) - {STATUS, SLOW_FIRST_BYTE, DROP}
"""Kinds that only make sense on a streamed answer; they never match a plain request."""

BODY_SHAPES = ("telnyx", "fastapi", "openai", "flat")
EVENT_SHAPES = ("nested", "flat")

# The first bare value in the header form fills this field, per kind.
_PRIMARY: dict[str, str] = {
    STATUS: "status",
    SLOW_FIRST_BYTE: "seconds",
    STALL_AFTER: "after",
    DROP_AFTER: "after",
    ERROR_EVENT: "shape",
    MALFORMED_LINE: "after",
}
_INT_FIELDS = ("status", "times", "after", "n_chunks")
_FLOAT_FIELDS = ("seconds",)
_STR_FIELDS = ("shape", "body", "route", "match", "message")


@dataclass
class Fault:
    """One injected failure.

    >>> Fault(kind="status", status=429, times=2)        # two 429s, then success
    >>> Fault(kind="stall_after", after=3, seconds=5)    # 3 chunks, then 5 s of silence
    >>> Fault(kind="error_event", shape="flat", after=2)

    ``seconds`` is the pause of ``slow_first_byte`` and ``stall_after`` (ending early if the
    client hangs up) and, for a 429, when the rate-limit window resets.
    ``route`` limits the fault to paths containing it (default: any API route); ``match`` to
    requests whose body contains that text (say, one row's marker in a bulk job).
    ``body`` picks the error body shape of a status fault: telnyx, fastapi, openai, flat.
    ``n_chunks`` is an alias of ``after``.
    """

    kind: str
    status: int = 500
    times: int | None = 1
    seconds: float = 1.0
    after: int = 1
    shape: str = "nested"
    body: str = "telnyx"
    route: str | None = None
    match: str | None = None
    message: str | None = None
    n_chunks: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; expected one of {KINDS}")
        if self.n_chunks is not None:
            self.after = self.n_chunks
        self.seconds = float(self.seconds)  # a pause is a float in the frame sequence
        if self.shape not in EVENT_SHAPES:
            raise ValueError(f"fault shape must be one of {EVENT_SHAPES}, not {self.shape!r}")
        if self.body not in BODY_SHAPES:
            raise ValueError(f"fault body must be one of {BODY_SHAPES}, not {self.body!r}")
        if self.times is not None and self.times < 1:
            raise ValueError("fault times must be at least 1 (or None for always)")
        if self.after < 0 or self.seconds < 0:
            raise ValueError("fault after and seconds must not be negative")
        if not 100 <= self.status <= 599:
            raise ValueError(f"fault status must be an HTTP status code, not {self.status}")

    @property
    def stream_only(self) -> bool:
        return self.kind in STREAM_ONLY

    def matches(self, path: str, streaming: bool, body: bytes = b"") -> bool:
        if self.route is not None and self.route not in path:
            return False
        if self.match is not None and self.match.encode() not in body:
            return False
        return streaming or not self.stream_only

    def describe(self) -> str:
        return f"emulated {self.kind} fault"

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("n_chunks")
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Fault:
        fields = set(cls.__dataclass_fields__)
        unknown = set(data) - fields
        if unknown:
            raise ValueError(f"unknown Fault fields: {sorted(unknown)}")
        return cls(**dict(data))


def parse_fault_header(value: str) -> list[Fault]:
    """Parse ``X-Emulator-Fault``: faults separated by ``,``; each ``kind[=v][;k=v...]``.

    Header faults apply on every request that carries the header unless ``times`` is given.
    """
    faults: list[Fault] = []
    for part in value.split(","):
        part = part.strip()
        if not part:
            continue
        head, *params = [p.strip() for p in part.split(";")]
        kind, _, primary = head.partition("=")
        kind = kind.strip()
        fields: dict[str, Any] = {"kind": kind, "times": None}
        if primary:
            if kind not in _PRIMARY:
                raise ValueError(f"fault {kind!r} takes no value")
            fields[_PRIMARY[kind]] = primary.strip()
        for param in params:
            if not param:
                continue
            key, sep, val = param.partition("=")
            if not sep:
                raise ValueError(f"fault parameter {param!r} needs a value (key=value)")
            fields[key.strip()] = val.strip()
        faults.append(Fault.from_dict(_coerce(fields)))
    return faults


def _coerce(fields: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, val in fields.items():
        if not isinstance(val, str) or key == "kind":
            out[key] = val
        elif key in _INT_FIELDS:
            out[key] = None if key == "times" and val in ("", "always") else int(val)
        elif key in _FLOAT_FIELDS:
            out[key] = float(val)
        elif key in _STR_FIELDS:
            out[key] = val
        else:
            raise ValueError(f"unknown fault parameter {key!r}")
    return out


def pick(faults: Iterable[Fault]) -> dict[str, Fault]:
    """At most one fault per kind, the first one winning."""
    chosen: dict[str, Fault] = {}
    for fault in faults:
        chosen.setdefault(fault.kind, fault)
    return chosen
