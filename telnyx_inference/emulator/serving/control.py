"""The control API under ``/_emulator/`` and the operations behind it.

Each operation is a plain function over the emulator's :class:`~.state.State`, used both by
the HTTP routes here and by the Python methods of :class:`~.server.Emulator`, so the two
never drift apart. Control routes need no API key and are not journalled (bound beyond
loopback they need the control token, see :mod:`telnyx_inference.emulator.access`). Every route, with its request and
response bodies, is documented in ``docs/emulator-control-api.md``.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Awaitable, Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from telnyx_inference._constants import (
    DEFAULT_CHAT_MODEL,
    DEFAULT_CHUNK_OVERLAP,
    DEFAULT_CHUNK_SIZE,
    REASONING_EFFORTS,
    ModelFacts,
)
from telnyx_inference.chat.catalog import parse_pricing
from telnyx_inference.emulator import errors
from telnyx_inference.emulator.faults import Fault
from telnyx_inference.emulator.model.engine import Choice, Completion
from telnyx_inference.emulator.records import ScriptedReply
from telnyx_inference.emulator.responders import Responder
from telnyx_inference.emulator.serving import render
from telnyx_inference.emulator.serving.journal import encode_page
from telnyx_inference.emulator.serving.state import FixedReplies, State, check_setting
from telnyx_inference.emulator.storage.buckets import read_paths
from telnyx_inference.emulator.storage.s3 import storage_routes

FIXED_WORD = " emulated"


# --- operations --------------------------------------------------------------------------------


def script(state: State, replies: Iterable[ScriptedReply | Responder]) -> None:
    with state.lock:
        state.scripts.extend(replies)


def respond_with(state: State, responder: Responder | None) -> None:
    """Let ``responder`` answer chat requests from now on (None: the heuristic model)."""
    if responder is not None and not callable(responder):
        raise TypeError(f"a responder must be callable, got {responder!r:.80}")
    with state.lock:
        state.responder = responder


def add_faults(state: State, faults: Iterable[Fault]) -> None:
    with state.lock:
        # Copies, so counting down never changes the caller's objects.
        state.faults.extend(dataclasses.replace(f) for f in faults)


def clear_faults(state: State) -> None:
    with state.lock:
        state.faults.clear()
        state.header_uses.clear()


def seed_bucket(
    state: State,
    name: str,
    texts: Mapping[str, str] | None = None,
    paths: Iterable[str | Path] | None = None,
    *,
    embed: bool = True,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    chunk_overlap: int = DEFAULT_CHUNK_OVERLAP,
) -> None:
    files = dict(texts or {})
    files.update(read_paths(paths or []))
    state.buckets.seed(name, files, embed=embed, chunk_size=chunk_size, overlap=chunk_overlap)


def reset(state: State) -> None:
    """Back to the baseline: the settings, buckets and models the emulator started with;
    no scripts, faults or journal."""
    state.reset()
    if state.settings.mode == "fixed":
        set_fixed(state, True, state.settings.chunks)


def check_chunks(chunks: Any) -> int:
    """``chunks`` if it is a chunk count for the canned stream (at least one)."""
    if isinstance(chunks, bool) or not isinstance(chunks, int) or chunks < 1:
        raise ValueError(f"chunks must be a positive integer, got {chunks!r}")
    return chunks


def set_fixed(state: State, enabled: bool, chunks: int | None = None) -> None:
    """Switch the benchmark mode: canned completion and canned ``chunks``-chunk stream."""
    if chunks is not None:
        check_chunks(chunks)
    with state.lock:
        if chunks is not None:
            state.settings.chunks = chunks
        state.settings.mode = "fixed" if enabled else "normal"
        state.fixed = build_fixed(state.settings.chunks) if enabled else None


def build_fixed(chunks: int) -> FixedReplies:
    text = FIXED_WORD * max(chunks, 1)
    usage = {"prompt_tokens": 8, "completion_tokens": chunks, "total_tokens": 8 + chunks}
    comp = Completion(DEFAULT_CHAT_MODEL, [Choice(0, text.strip())], usage)
    body = json.dumps(render.completion_body(comp, "chatcmpl-fixed"), separators=(",", ":"))
    stream_comp = Completion(DEFAULT_CHAT_MODEL, [Choice(0, text)], usage)
    frames = [
        b"data: " + json.dumps(c, separators=(",", ":")).encode() + b"\n\n"
        for c in render.stream_chunks(stream_comp, True, "chatcmpl-fixed")
    ]
    frames.append(b"data: [DONE]\n\n")
    return FixedReplies(body.encode(), frames)


def configure(state: State, **changes: Any) -> None:
    allowed = {
        "api_key",
        "strict",
        "seed",
        "adversarial",
        "contract",
        "guided",
        "refuse_max_tokens_with_tools",
        "token_limits",
        "token_budget_scale",
        "token_window_seconds",
    }
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"unknown settings: {sorted(unknown)}; allowed: {sorted(allowed)}")
    for key, value in changes.items():
        check_setting(key, value)
    with state.lock:
        for key, value in changes.items():
            setattr(state.settings, key, value)


def token_limits(state: State) -> dict[str, Any]:
    """``GET /_emulator/limits``: the settings, the limits set per model, and each scope's use."""
    s = state.settings
    return {
        "enabled": s.token_limits,
        "scale": s.token_budget_scale,
        "window_seconds": s.token_window_seconds,
        **state.limits.state(),
    }


def add_model(
    state: State,
    model_id: str,
    context_length: int,
    *,
    max_completion_tokens: int | None = None,
    is_reasoning: bool = False,
    is_vision: bool = False,
    task: str = "text-generation",
    tier: str | None = None,
    service_tiers: Iterable[str] = (),
    regions: Iterable[str] = (),
    pricing: Mapping[str, Any] | None = None,
    reasoning_efforts: Iterable[str] | None = None,
) -> None:
    """Add (or replace) a model. ``pricing``: ``{"prompt", "completion"[, "cached_prompt",
    "currency", "unit"]}`` with prices as strings; ``reasoning_efforts``: the levels it
    accepts (all seven when left out)."""
    price = parse_pricing(pricing)
    if pricing is not None and price is None:
        raise ValueError("pricing needs decimal 'prompt' and 'completion' prices (strings)")
    unknown = set(reasoning_efforts or ()) - set(REASONING_EFFORTS)
    if unknown:
        raise ValueError(f"unknown reasoning_efforts {sorted(unknown)}: use {REASONING_EFFORTS}")
    facts = ModelFacts(
        context_length,
        max_completion_tokens,
        is_vision=is_vision,
        is_reasoning=is_reasoning,
        task=task,
        tier=tier,
        service_tiers=tuple(service_tiers),
        regions=tuple(regions),
        pricing=price,
    )
    efforts = None if reasoning_efforts is None else tuple(reasoning_efforts)
    with state.lock:
        state.catalog.add(model_id, facts, efforts)


# --- routes ----------------------------------------------------------------------------------


def _ok(data: Any = None) -> Response:
    return errors.json_response({"ok": True} if data is None else data)


def _items(body: Any) -> list[dict[str, Any]]:
    items = body if isinstance(body, list) else [body]
    if not all(isinstance(i, dict) for i in items):
        raise ValueError("expected an object or a list of objects")
    return items


def control_routes(state: State) -> list[Route]:
    async def read(request: Request) -> Any:
        raw = await request.body()
        return json.loads(raw) if raw.strip() else {}

    def wrap(fn: Callable[[Any], Response]) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            try:
                # Off the event loop: seeding a big bucket embeds it, and the API routes must
                # keep answering meanwhile (the state has its own locks).
                return await run_in_threadpool(fn, await read(request))
            except (ValueError, TypeError, KeyError, OSError) as exc:
                return errors.json_response({"error": str(exc)}, 400)

        return endpoint

    def health(_: Any) -> Response:
        return _ok()

    def post_reset(_: Any) -> Response:
        reset(state)
        return _ok()

    def snapshot(_: Any) -> Response:
        return _ok(state.snapshot())

    def post_script(body: Any) -> Response:
        script(state, [ScriptedReply.from_dict(i) for i in _items(body)])
        return _ok()

    def post_faults(body: Any) -> Response:
        add_faults(state, [Fault.from_dict(i) for i in _items(body)])
        return _ok()

    def delete_faults(_: Any) -> Response:
        clear_faults(state)
        return _ok()

    async def get_journal(request: Request) -> Response:
        try:
            page = state.journal.page(**request.query_params)
        except ValueError as exc:
            return errors.json_response({"error": str(exc)}, 400)
        # Streamed a slice at a time: a big journal never holds up the API routes.
        return StreamingResponse(encode_page(page), media_type="application/json")

    def delete_journal(_: Any) -> Response:
        state.journal.clear()
        return _ok()

    def post_baseline(_: Any) -> Response:
        state.mark_baseline()
        return _ok()

    def post_bucket(body: Any) -> Response:
        seed_bucket(
            state,
            body["name"],
            body.get("texts"),
            body.get("paths"),
            embed=body.get("embed", True),
            chunk_size=body.get("chunk_size", DEFAULT_CHUNK_SIZE),
            chunk_overlap=body.get("chunk_overlap", DEFAULT_CHUNK_OVERLAP),
        )
        return _ok()

    def post_outcome(body: Any) -> Response:
        state.buckets.script_outcome(body["status"], body.get("failures"))
        return _ok()

    def post_fixed(body: Any) -> Response:
        set_fixed(state, bool(body.get("enabled", True)), body.get("chunks"))
        return _ok()

    def post_settings(body: Any) -> Response:
        configure(state, **body)
        return _ok()

    def post_model(body: Any) -> Response:
        add_model(state, body.pop("id"), **body)
        return _ok()

    def get_limits(_: Any) -> Response:
        return _ok(token_limits(state))

    def post_limits(body: Any) -> Response:
        unknown = set(body) - {"models", "organizations"}
        if unknown:
            raise ValueError(f"unknown fields {sorted(unknown)}: use models, organizations")
        state.limits.configure(models=body.get("models"), organizations=body.get("organizations"))
        return _ok()

    table: list[tuple[str, Callable[[Any], Response], str]] = [
        ("health", health, "GET"),
        ("reset", post_reset, "POST"),
        ("state", snapshot, "GET"),
        ("script", post_script, "POST"),
        ("faults", post_faults, "POST"),
        ("faults", delete_faults, "DELETE"),
        ("journal", delete_journal, "DELETE"),
        ("baseline", post_baseline, "POST"),
        ("buckets", post_bucket, "POST"),
        ("jobs/outcome", post_outcome, "POST"),
        ("fixed", post_fixed, "POST"),
        ("settings", post_settings, "POST"),
        ("models", post_model, "POST"),
        ("limits", get_limits, "GET"),
        ("limits", post_limits, "POST"),
    ]
    routes = [Route(f"/_emulator/{path}", wrap(fn), methods=[method]) for path, fn, method in table]
    return [
        *routes,
        Route("/_emulator/journal", get_journal, methods=["GET"]),
        *storage_routes(state),
    ]


_T = TypeVar("_T")


def flatten_items(
    items: tuple[Any, ...], kind: type[_T], method: str, *, functions: bool = False
) -> list[_T]:
    """``items`` with lists opened up; anything not of ``kind`` (or callable, with
    ``functions``) is refused here, not by a 500."""
    out: list[_T] = []
    for item in items:
        for one in item if isinstance(item, list | tuple) else (item,):
            if not (isinstance(one, kind) or (functions and callable(one))):
                also = " or functions" if functions else ""
                raise TypeError(
                    f"emu.{method}() takes {kind.__name__} objects{also}, got {one!r:.80}"
                )
            out.append(one)
    return out
