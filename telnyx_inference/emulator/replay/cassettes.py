"""Cassettes: what one recorded interaction looks like on disk, and the scrubbing that keeps
secrets out of it. Pure functions over plain data; :mod:`.tape` does the file I/O.

A cassette is a folder with one indented JSON file per interaction, named
``0001-post-v2-ai-openai-chat-completions.json`` (order first, then what it was). One file per
interaction keeps diffs small when a single answer is re-recorded, lets the recorder write
each interaction the moment it ends (nothing is lost if the process dies), and needs no
dependency beyond ``json``. A file holds::

    {
      "request":  {"method": "POST", "path": "/v2/ai/openai/chat/completions", "query": "",
                   "headers": {"content-type": "application/json"}, "json": {...}},
      "response": {"status": 200, "headers": {"content-type": "text/event-stream"},
                   "stream": {"separator": "\\n\\n", "frames": [{"t": 0.031, "data": {...}},
                              ..., {"t": 0.2, "text": "data: [DONE]"}],
                              "cut": false, "tail": ""}}
    }

A plain answer has ``"json"`` (or ``"text"``) instead of ``"stream"``. ``t`` is seconds since
the request went upstream. A frame that is one ``data:`` line of JSON is kept parsed (with
``"style"`` when its spacing was not compact, so replay is byte for byte); anything else is
kept as ``"text"``. A stream the upstream cut has ``"cut": true`` and the bytes received after
the last whole frame in ``"tail"``.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from telnyx_inference.emulator import records
from telnyx_inference.emulator.access import bearer_token

FORMAT_VERSION = 1
REDACTED = records.REDACTED

SECRET_FIELDS = frozenset(
    {"api_key_ref", "api_key", "apikey", "authorization", "password", "client_secret"}
)
"""Body fields whose values are never written, whatever they hold."""

MIN_SECRET_LENGTH = 8
"""Shorter strings are not replaced inside text: a dummy key such as ``test`` or ``k`` is no
secret, and replacing it would rewrite every prompt that contains the word. Headers and
``SECRET_FIELDS`` are hidden whatever their length."""

RECORDED_REQUEST_HEADERS = ("content-type", "accept", "x-emulator-fault")
"""Request headers kept (for the reader's benefit; matching ignores headers)."""

_RECORDED_RESPONSE_HEADERS = ("content-type", "retry-after", "x-request-id")
_RECORDED_RESPONSE_PREFIXES = ("x-ratelimit-",)

_STYLES: dict[str, dict[str, Any]] = {
    "compact": {"separators": (",", ":"), "ensure_ascii": False},
    "spaced": {"ensure_ascii": False},
    "ascii": {"separators": (",", ":")},
    "spaced-ascii": {},
}


class CassettePathError(ValueError):
    """A cassette name that would put files outside the cassette folder."""


# --- the record ------------------------------------------------------------------------------


@dataclass
class Frame:
    """One SSE frame (without its blank-line separator), ``t`` seconds after the request."""

    t: float
    text: str

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"t": round(self.t, 4)}
        payload = self.text[len("data: ") :] if self.text.startswith("data: ") else None
        if payload is not None and "\n" not in payload and payload != "[DONE]":
            parsed = _parse_styled(payload)
            if parsed is not None:
                out["data"], style = parsed
                if style != "compact":
                    out["style"] = style
                return out
        out["text"] = self.text
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Frame:
        if "data" in data:
            text = "data: " + dump_json(data["data"], str(data.get("style", "compact")))
        else:
            text = str(data["text"])
        return cls(float(data.get("t", 0.0)), text)


@dataclass
class Stream:
    frames: list[Frame] = field(default_factory=list)
    separator: str = "\n\n"
    cut: bool = False
    tail: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "separator": self.separator,
            "frames": [f.to_dict() for f in self.frames],
            "cut": self.cut,
            "tail": self.tail,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Stream:
        return cls(
            [Frame.from_dict(f) for f in data.get("frames", [])],
            str(data.get("separator", "\n\n")),
            bool(data.get("cut", False)),
            str(data.get("tail", "")),
        )


@dataclass
class Interaction:
    """One request and what the upstream answered."""

    method: str
    path: str
    query: str = ""
    request_headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    """The request's JSON body (already scrubbed), or None."""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    content: bytes = b""
    """A plain answer's body, exactly as received (scrubbed)."""
    stream: Stream | None = None
    name: str = ""
    """The file it came from (for messages), empty until written or loaded."""

    def to_dict(self) -> dict[str, Any]:
        request: dict[str, Any] = {"method": self.method, "path": self.path, "query": self.query}
        request["headers"] = self.request_headers
        request["json"] = self.body
        response: dict[str, Any] = {"status": self.status, "headers": self.headers}
        if self.stream is not None:
            response["stream"] = self.stream.to_dict()
        else:
            text = self.content.decode("utf-8", "replace")
            parsed = _parse_styled(text) if text else None
            if parsed is not None:
                response["json"], style = parsed
                if style != "compact":
                    response["style"] = style
            else:
                response["text"] = text
        return {"version": FORMAT_VERSION, "request": request, "response": response}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], name: str = "") -> Interaction:
        req, resp = data["request"], data["response"]
        if "json" in resp:
            content = dump_json(resp["json"], str(resp.get("style", "compact"))).encode()
        else:
            content = str(resp.get("text", "")).encode()
        stream = Stream.from_dict(resp["stream"]) if "stream" in resp else None
        return cls(
            method=str(req["method"]).upper(),
            path=str(req["path"]),
            query=str(req.get("query", "")),
            request_headers=dict(req.get("headers") or {}),
            body=req.get("json"),
            status=int(resp["status"]),
            headers=dict(resp.get("headers") or {}),
            content=content,
            stream=stream,
            name=name,
        )


def dump_json(value: Any, style: str = "compact") -> str:
    return json.dumps(value, **_STYLES.get(style, _STYLES["compact"]))


def _parse_styled(text: str) -> tuple[Any, str] | None:
    """``text`` parsed, with the spacing style that writes it back byte for byte (or None)."""
    try:
        value = json.loads(text)
    except ValueError:
        return None
    for style in _STYLES:
        if dump_json(value, style) == text:
            return value, style
    return None


def recorded_response_headers(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    """The response headers worth keeping: content type, request id, rate-limit figures."""
    out: dict[str, str] = {}
    for name, value in headers:
        low = name.lower()
        if low in _RECORDED_RESPONSE_HEADERS or low.startswith(_RECORDED_RESPONSE_PREFIXES):
            out[low] = value
    return out


def recorded_request_headers(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    return {n.lower(): v for n, v in headers if n.lower() in RECORDED_REQUEST_HEADERS}


# --- secrets -----------------------------------------------------------------------------------


def bearer_key(authorization: str | None) -> str | None:
    """The key in an ``Authorization: Bearer <key>`` header."""
    return bearer_token(authorization)


def text_secrets(secrets: Iterable[str | None]) -> list[str]:
    """The secrets worth replacing inside text: at least :data:`MIN_SECRET_LENGTH` long."""
    return [s for s in secrets if s and len(s) >= MIN_SECRET_LENGTH]


def scrub_text(text: str, secrets: Iterable[str]) -> str:
    for secret in text_secrets(secrets):
        text = text.replace(secret, REDACTED)
    return text


def scrub_json(value: Any, secrets: Iterable[str]) -> Any:
    """``value`` with every secret string replaced and every ``SECRET_FIELDS`` value hidden
    (with no secrets: only the fields are hidden)."""
    keys = text_secrets(secrets)
    if isinstance(value, dict):
        return {
            k: (REDACTED if k.lower() in SECRET_FIELDS and v is not None else scrub_json(v, keys))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [scrub_json(v, keys) for v in value]
    if isinstance(value, str):
        return scrub_text(value, keys)
    return value


def scrub_pieces(pieces: Sequence[str], secrets: Iterable[str]) -> list[str]:
    """``pieces`` with every secret found in their joined text hidden, even one split across
    pieces: the marker goes where the secret starts and its other characters are dropped, so
    the pieces joined read as the joined text scrubbed."""
    keys, joined = text_secrets(secrets), "".join(pieces)
    spans = sorted(
        (m.start(), m.start() + len(key))
        for key in keys
        for m in re.finditer(f"(?={re.escape(key)})", joined)
    )
    if not spans:
        return list(pieces)
    mark = bytearray(len(joined))  # 2: a secret starts here, 1: inside one
    end = 0
    for start, stop in spans:
        if start >= end:  # overlapping finds make one secret, adjacent ones two
            mark[start] = 2
        mark[max(start + 1, end) : stop] = b"\x01" * (stop - max(start + 1, end))
        end = max(end, stop)
    out, at = [], 0
    for piece in pieces:
        kept = [REDACTED if mark[i] == 2 else c for i, c in enumerate(piece, at) if mark[i] != 1]
        out.append("".join(kept))
        at += len(piece)
    return out


def _strings(value: Any, path: tuple[Any, ...], found: dict[tuple[Any, ...], list[Any]]) -> None:
    """Every string in ``value``, as ``(container, key)``, grouped by where it sits."""
    items = value.items() if isinstance(value, dict) else enumerate(value)
    for key, inner in items:
        if isinstance(inner, str):
            found.setdefault((*path, key), []).append((value, key))
        elif isinstance(inner, dict | list):
            _strings(inner, (*path, key), found)


def scrub_stream(stream: Stream, secrets: Iterable[str]) -> Stream:
    """A copy of ``stream`` with no secret in it, also where the upstream split one across
    frames (``" KEY0123_ab"``, ``"-"``, ``"cd"``): the strings at one place of the chunks
    (``choices.0.delta.content``, a tool call's arguments, ...) are scrubbed as one text, and
    so are the frames that are not JSON, with the tail."""
    keys = text_secrets(secrets)
    frames = [f.to_dict() for f in stream.frames]
    places: dict[tuple[Any, ...], list[Any]] = {}
    texts = [f for f in frames if "text" in f]
    for frame in frames:
        if isinstance(frame.get("data"), dict | list):
            _strings(frame["data"], (), places)
        elif isinstance(frame.get("data"), str):
            places.setdefault((), []).append((frame, "data"))
    for slots in places.values():
        for (container, key), text in zip(
            slots, scrub_pieces([c[k] for c, k in slots], keys), strict=True
        ):
            container[key] = text
    *scrubbed, tail = scrub_pieces([*(f["text"] for f in texts), stream.tail], keys)
    for frame, text in zip(texts, scrubbed, strict=True):
        frame["text"] = text
    for frame in frames:
        if "data" in frame:
            frame["data"] = scrub_json(frame["data"], keys)
    return Stream([Frame.from_dict(f) for f in frames], stream.separator, stream.cut, tail)


def scrub_interaction(item: Interaction, secrets: Iterable[str]) -> Interaction:
    """A copy of ``item`` with no secret left anywhere in it (headers, bodies, frames)."""
    keys = text_secrets(secrets)

    def headers(h: Mapping[str, str]) -> dict[str, str]:
        return {
            k: REDACTED if k.lower() in records.SECRET_HEADERS else scrub_text(v, keys)
            for k, v in h.items()
        }

    content = item.content
    parsed = _parse_styled(content.decode("utf-8", "replace")) if content else None
    if parsed is not None:
        content = dump_json(scrub_json(parsed[0], keys), parsed[1]).encode()
    elif content:
        content = scrub_text(content.decode("utf-8", "replace"), keys).encode()
    stream = scrub_stream(item.stream, keys) if item.stream is not None else None
    return Interaction(
        method=item.method,
        path=scrub_text(item.path, keys),
        query=scrub_text(item.query, keys),
        request_headers=headers(item.request_headers),
        body=scrub_json(item.body, keys),
        status=item.status,
        headers=headers(item.headers),
        content=content,
        stream=stream,
        name=item.name,
    )


# --- SSE framing -------------------------------------------------------------------------------


class FrameSplitter:
    """Cut a byte stream into SSE frames as it arrives (``feed`` returns the whole ones)."""

    def __init__(self) -> None:
        self._buf = b""
        self.separator: str | None = None

    def feed(self, data: bytes) -> list[str]:
        self._buf += data
        out: list[str] = []
        while True:
            lf, crlf = self._buf.find(b"\n\n"), self._buf.find(b"\r\n\r\n")
            if crlf != -1 and (lf == -1 or crlf < lf):
                cut, sep = crlf, b"\r\n\r\n"
            elif lf != -1:
                cut, sep = lf, b"\n\n"
            else:
                return out
            self.separator = self.separator or sep.decode()
            out.append(self._buf[:cut].decode("utf-8", "replace"))
            self._buf = self._buf[cut + len(sep) :]

    @property
    def tail(self) -> str:
        """Bytes after the last whole frame."""
        return self._buf.decode("utf-8", "replace")


# --- paths -------------------------------------------------------------------------------------

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def slug(text: str, limit: int = 60) -> str:
    """A file-name-safe version of ``text`` (letters, digits, ``.-_``)."""
    return _UNSAFE.sub("-", text).strip("-.")[:limit] or "x"


def unique_slug(text: str, limit: int = 80) -> str:
    """A readable, file-name-safe form of ``text`` that no other text shares: when making it
    safe changed anything, a short hash of the original follows, so ``test_answer[What is
    2+2?]`` and ``test_answer[What is 2-2?]`` get ``test_answer-What-is-2-2-`` and two hashes."""
    safe = slug(text, limit)
    if safe == text:
        return safe
    return f"{safe}-{hashlib.sha256(text.encode()).hexdigest()[:8]}"


def interaction_file_name(seq: int, method: str, path: str) -> str:
    name = slug(f"{method}-{path.strip('/')}".lower())
    return f"{seq:04d}-{name}.json"


def cassette_path(root: str | Path, name: str) -> Path:
    """The folder of the cassette ``name`` under ``root``; refuses names that leave it.

    ``name`` may have ``/`` separated parts (``test_module/test_name``); absolute paths, ``..``
    parts and anything resolving outside ``root`` (through symlinks too) are refused.
    """
    if not name or name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        raise CassettePathError(f"cassette name {name!r} must be a relative name")
    parts = re.split(r"[/\\]", name)
    if any(p in ("", ".", "..") for p in parts):
        raise CassettePathError(f"cassette name {name!r} may not contain '.', '..' or '//'")
    base = Path(root).resolve()
    target = base.joinpath(*parts).resolve()
    if not target.is_relative_to(base):
        raise CassettePathError(f"cassette name {name!r} leaves the cassette folder {base}")
    return target
