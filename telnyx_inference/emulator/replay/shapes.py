"""Compare the *shape* of two answers to the same request: which keys, which JSON types,
which error body, how a stream is framed. Values (text, ids, numbers) are ignored.

This is how the emulator is kept honest: record a probe set against real Telnyx and against
the emulator (:mod:`.drift`), then every line :func:`compare_interactions` returns is a way the
emulator's answers differ from Telnyx's. Pure functions over plain data.
"""

from __future__ import annotations

import json
from typing import Any

from telnyx_inference.emulator.replay.cassettes import Interaction, Stream

Shape = Any
"""A type name (``"str"``, ``"number"``, ``"bool"``, ``"null"``, alternatives as ``"str|null"``),
a dict of shapes, or a one-item list holding the shape of the items (``[]`` if empty)."""


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "str"
    return type(value).__name__


def merge(a: Shape, b: Shape) -> Shape:
    """One shape that covers both (keys present in only one are kept: they are optional)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return {k: merge(a[k], b[k]) if k in a and k in b else a.get(k, b.get(k)) for k in a | b}
    if isinstance(a, list) and isinstance(b, list):
        if not a or not b:
            return a or b
        return [merge(a[0], b[0])]
    if a == b:
        return a
    names = set(_names(a)) | set(_names(b))
    return "|".join(sorted(names))


def _names(shape: Shape) -> list[str]:
    if isinstance(shape, dict):
        return ["object"]
    if isinstance(shape, list):
        return ["array"]
    return str(shape).split("|")


def shape_of(value: Any) -> Shape:
    if isinstance(value, dict):
        return {k: shape_of(v) for k, v in value.items()}
    if isinstance(value, list):
        out: Shape = []
        for item in value:
            out = merge(out, [shape_of(item)]) if out else [shape_of(item)]
        return out
    return _scalar(value)


def _label(shape: Shape) -> str:
    return "|".join(_names(shape))


def compare_shapes(real: Shape, emulated: Shape, path: str = "$") -> list[str]:
    """Every way ``emulated`` differs from ``real``, one line each."""
    if isinstance(real, dict) and isinstance(emulated, dict):
        out: list[str] = []
        for key in sorted(set(real) | set(emulated)):
            sub = f"{path}.{key}"
            if key not in emulated:
                out.append(f"{sub}: sent by Telnyx, missing from the emulator")
            elif key not in real:
                out.append(f"{sub}: sent by the emulator only")
            else:
                out.extend(compare_shapes(real[key], emulated[key], sub))
        return out
    if isinstance(real, list) and isinstance(emulated, list):
        if real and emulated:
            return compare_shapes(real[0], emulated[0], f"{path}[]")
        return []
    if real != emulated:
        return [f"{path}: Telnyx sends {_label(real)}, the emulator {_label(emulated)}"]
    return []


# --- streams -----------------------------------------------------------------------------------


def _payload(text: str) -> Any:
    if not text.startswith("data: "):
        return None
    try:
        return json.loads(text[len("data: ") :])
    except ValueError:
        return None


def frame_kind(text: str) -> str:
    """What one SSE frame carries: role, content, reasoning, tool_calls, finish, usage, error,
    done, comment or other."""
    if text.startswith(":"):
        return "comment"
    if text.strip() == "data: [DONE]":
        return "done"
    data = _payload(text)
    if not isinstance(data, dict):
        return "other"
    if "error" in data or data.get("object") == "error":
        return "error"
    choices = data.get("choices") or []
    if not choices:
        return "usage" if data.get("usage") else "other"
    choice = choices[0]
    delta = choice.get("delta") or {}
    if choice.get("finish_reason"):
        return "finish"
    for kind in ("tool_calls", "reasoning_content", "content"):
        if delta.get(kind):
            return "reasoning" if kind == "reasoning_content" else kind
    return "role" if delta.get("role") else "other"


def framing(stream: Stream) -> list[str]:
    """The frame kinds in order, repeats collapsed: ``role, content, finish, usage, done``."""
    kinds: list[str] = []
    for frame in stream.frames:
        kind = frame_kind(frame.text)
        if not kinds or kinds[-1] != kind:
            kinds.append(kind)
    if stream.cut:
        kinds.append("(cut)")
    return kinds


def _chunk_shape(stream: Stream) -> Shape:
    shape: Shape = {}
    for frame in stream.frames:
        data = _payload(frame.text)
        if isinstance(data, dict):
            shape = merge(shape, shape_of(data))
    return shape


def compare_streams(real: Stream, emulated: Stream) -> list[str]:
    out = []
    if real.separator != emulated.separator:
        out.append(
            f"stream: frames separated by {real.separator!r} at Telnyx, "
            f"{emulated.separator!r} by the emulator"
        )
    if framing(real) != framing(emulated):
        out.append(
            f"stream framing: Telnyx {', '.join(framing(real))}; "
            f"emulator {', '.join(framing(emulated))}"
        )
    out.extend(compare_shapes(_chunk_shape(real), _chunk_shape(emulated), "chunk"))
    return out


# --- whole interactions -----------------------------------------------------------------------


def _body(item: Interaction) -> Any:
    try:
        return json.loads(item.content) if item.content else None
    except ValueError:
        return item.content.decode("utf-8", "replace")


def compare_interactions(real: Interaction, emulated: Interaction) -> list[str]:
    """How the emulator's answer differs in shape from Telnyx's answer to the same request."""
    out = []
    if real.status != emulated.status:
        out.append(f"status: Telnyx {real.status}, emulator {emulated.status}")
    real_type = real.headers.get("content-type", "").split(";")[0]
    emu_type = emulated.headers.get("content-type", "").split(";")[0]
    if real_type != emu_type:
        out.append(f"content-type: Telnyx {real_type!r}, emulator {emu_type!r}")
    for name in sorted(set(real.headers) - set(emulated.headers) - {"x-request-id"}):
        out.append(f"header {name}: sent by Telnyx, missing from the emulator")
    if real.stream is not None and emulated.stream is not None:
        return out + compare_streams(real.stream, emulated.stream)
    if (real.stream is None) != (emulated.stream is None):
        which = "Telnyx" if real.stream is not None else "the emulator"
        return [*out, f"body: only {which} answered with a stream"]
    return out + compare_shapes(shape_of(_body(real)), shape_of(_body(emulated)), "body")
