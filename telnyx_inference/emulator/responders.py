"""The seam: a function of yours answers the emulator's chat requests instead of its heuristic
model, the way pydantic-ai's ``FunctionModel`` stands in for a real model.

A responder takes a :class:`ChatRequest` (a typed view of one validated request) and returns
something small; sync or ``async``::

    def answer(request: ChatRequest) -> object:
        if request.tool_results:                        # the tools have answered
            return f"It is {request.tool_results[-1].content}."
        if "weather" in request.prompt and "get_weather" in request.tools:
            return ToolCall("get_weather", {"city": "Oslo"})
        if request.schema is not None:                  # json_schema / guided_json asked
            return {"name": "Ada", "age": 36}
        return None                                     # the heuristic model answers

What it may return: ``str`` (text), a :class:`ToolCall` or a list of them, any JSON value or
a pydantic model (a structured answer, sent as JSON text), a
:class:`~telnyx_inference.emulator.records.ScriptedReply` (text, calls, ``reasoning``,
``finish_reason``, ``usage`` at once), a whole ``chat.completion`` body (a dict or the openai
SDK's ``ChatCompletion``), or ``None`` to let the heuristic model answer. The answer is
rendered like the model's (body, stream chunks, usage) and checked against the request's
constraints; see ``docs/emulator-model.md``.

Only the standard library is imported here, so these names load on installs without the
``emulator`` extra (the pytest plugin's markers can name a responder anywhere).
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

Responder = Callable[["ChatRequest"], "Any | Awaitable[Any]"]
"""``fn(request) -> answer`` (or an awaitable of one); see the module docstring for answers."""


@dataclass(frozen=True)
class ToolCall:
    """A call a responder makes: ``ToolCall("get_weather", {"city": "Oslo"})``.

    ``arguments`` is a mapping or a JSON string; ``id`` is generated when left out.
    """

    name: str
    arguments: Mapping[str, Any] | str = field(default_factory=dict)
    id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The shape :class:`~telnyx_inference.emulator.records.ScriptedReply` takes."""
        out: dict[str, Any] = {"name": self.name, "arguments": self.arguments}
        if self.id is not None:
            out["id"] = self.id
        if not isinstance(self.arguments, str):
            out["arguments"] = dict(self.arguments)
        return out


@dataclass(frozen=True)
class ToolResult:
    """What a tool returned, as the conversation reports it (a ``tool`` message)."""

    name: str
    """The tool's name, from the assistant message that called it ("" when not found)."""
    content: str
    call_id: str | None = None


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(
            str(p.get("text") or "") for p in content if isinstance(p, dict) and "text" in p
        )
    return ""


@dataclass(frozen=True)
class ChatRequest:
    """One chat request, as a responder sees it: validated, with the default model filled in.

    ``body`` is the request as sent; the properties read it for you. ``headers`` are
    lower-cased with credentials redacted, so a responder can act per request on a header of
    your own (``request.headers.get("x-test-case")``).
    """

    body: Mapping[str, Any]
    headers: Mapping[str, str] = field(default_factory=dict, repr=False)

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.body.get("messages") or [])

    @property
    def model(self) -> str:
        return str(self.body.get("model") or "")

    @property
    def stream(self) -> bool:
        return bool(self.body.get("stream"))

    @property
    def n(self) -> int:
        return int(self.body.get("n") or 1)

    @property
    def prompt(self) -> str:
        """The text of the last user message ("" when there is none)."""
        for message in reversed(self.messages):
            if message.get("role") == "user":
                return _text(message.get("content"))
        return ""

    @property
    def system(self) -> str:
        """The system (and developer) messages' text, joined by blank lines."""
        return "\n\n".join(
            _text(m.get("content"))
            for m in self.messages
            if m.get("role") in ("system", "developer")
        )

    @property
    def tools(self) -> dict[str, dict[str, Any]]:
        """Function tools offered: name → parameters schema (retrieval tools are in
        ``body["tools"]``)."""
        out: dict[str, dict[str, Any]] = {}
        for tool in self.body.get("tools") or []:
            if isinstance(tool, dict) and tool.get("type") == "function":
                fn = tool.get("function") or {}
                out.setdefault(str(fn.get("name")), dict(fn.get("parameters") or {}))
        return out

    @property
    def tool_choice(self) -> str | None:
        """``"none"``, ``"auto"``, ``"required"`` or None (not sent)."""
        choice = self.body.get("tool_choice")
        return None if choice is None else str(choice)

    @property
    def tool_results(self) -> list[ToolResult]:
        """The ``tool`` messages since the last user message, in order."""
        names: dict[str, str] = {}
        results: list[ToolResult] = []
        for message in self.messages:
            role = message.get("role")
            if role == "user":
                results = []
            if role == "assistant":
                for call in message.get("tool_calls") or []:
                    names[str(call.get("id"))] = str((call.get("function") or {}).get("name", ""))
            if role == "tool":
                call_id = message.get("tool_call_id")
                name = names.get(str(call_id), str(message.get("name") or ""))
                results.append(ToolResult(name, _text(message.get("content")), call_id))
        return results

    @property
    def schema(self) -> dict[str, Any] | None:
        """The JSON Schema the answer must match: ``response_format``'s ``json_schema`` or
        ``guided_json``; None when neither was asked for."""
        return schema_of(self.body)

    @property
    def json_object(self) -> bool:
        """``response_format: {"type": "json_object"}``: any JSON object will do."""
        return (self.body.get("response_format") or {}).get("type") == "json_object"

    @property
    def guided_choice(self) -> list[str] | None:
        return self.body.get("guided_choice")

    @property
    def guided_regex(self) -> str | None:
        return self.body.get("guided_regex")


def schema_of(body: Mapping[str, Any]) -> dict[str, Any] | None:
    fmt = body.get("response_format") or {}
    if fmt.get("type") == "json_schema":
        schema = (fmt.get("json_schema") or {}).get("schema")
        return schema if isinstance(schema, dict) else {}
    guided = body.get("guided_json")
    return guided if isinstance(guided, dict) else None


class ResponderError(RuntimeError):
    """A responder raised, or answered something the request does not allow. The emulator
    answers 500 with this message; the ``telnyx_emulator`` fixture raises it after the test
    unless the test took it with ``emu.take_responder_errors()``."""

    def __init__(self, responder: str, message: str) -> None:
        super().__init__(message)
        self.responder = responder


def responder_name(fn: Any) -> str:
    """``module.qualname`` of a function (or the repr of another callable), for messages."""
    qualname = getattr(fn, "__qualname__", None)
    if qualname is None:
        return repr(fn)
    module = getattr(fn, "__module__", None)
    return f"{module}.{qualname}" if module else str(qualname)


def load_responder(spec: str) -> Responder:
    """``"package.module:function"`` (attributes may be dotted) → the callable it names."""
    module_name, sep, attr = spec.partition(":")
    if not sep or not module_name or not attr:
        raise ValueError(f"expected MODULE:FUNCTION, got {spec!r}")
    try:
        target: Any = importlib.import_module(module_name)
    except ImportError as exc:
        raise ValueError(f"cannot import {module_name!r} for responder {spec!r}: {exc}") from exc
    for part in attr.split("."):
        try:
            target = getattr(target, part)
        except AttributeError:
            raise ValueError(f"{module_name!r} has no attribute {attr!r}") from None
    if not callable(target):
        raise ValueError(f"responder {spec!r} is not callable: {target!r:.80}")
    return target  # type: ignore[no-any-return]
