"""Who answers a chat request: the next queued script or responder, else the emulator's
responder, else the heuristic model (:func:`..model.engine.complete`, its one entry point).

A responder (:mod:`telnyx_inference.emulator.responders`) runs on a worker thread when it is
a plain function and on the server's event loop when it is ``async``. Whatever it raises, and
any answer the request does not allow, becomes a :class:`ResponderError`: logged with the
traceback, kept for the test (``emu.take_responder_errors()``), and answered as a 500 by the
chat route.
"""

from __future__ import annotations

import asyncio
import copy
import inspect
import logging
from collections.abc import Mapping
from typing import Any

from starlette.concurrency import run_in_threadpool

from telnyx_inference.emulator.model import engine, seam
from telnyx_inference.emulator.records import ScriptedReply, redact_headers
from telnyx_inference.emulator.responders import (
    ChatRequest,
    Responder,
    ResponderError,
    responder_name,
)
from telnyx_inference.emulator.serving.state import State

log = logging.getLogger("telnyx_inference.emulator.responders")

_HEAVY_FIELDS = ("guided_json", "guided_regex", "tools", "response_format")


async def answer(
    state: State,
    body: dict[str, Any],
    headers: Mapping[str, str],
    *,
    is_reasoning: bool,
    adversarial: bool,
) -> engine.Completion:
    """The completion for a validated chat request. Raises :class:`ResponderError`, and what
    the model raises (``GenerationError``, ``UnknownBucket``)."""
    queued = state.next_script()
    scripted: ScriptedReply | None = None
    responder = state.responder
    if isinstance(queued, ScriptedReply):
        scripted, responder = queued, None
    elif queued is not None:
        responder = queued
    if responder is not None:
        comp = await _ask(state, responder, body, headers)
        if comp is not None:
            return comp

    def run() -> engine.Completion:
        return engine.complete(
            body,
            seed=state.settings.seed,
            is_reasoning=is_reasoning,
            search=state.buckets.search,
            scripted=scripted,
            adversarial=adversarial,
        )

    heavy = scripted is None and any(body.get(k) is not None for k in _HEAVY_FIELDS)
    return await run_in_threadpool(run) if heavy else run()


def _is_async(fn: Any) -> bool:
    return inspect.iscoroutinefunction(fn) or inspect.iscoroutinefunction(
        getattr(fn, "__call__", None)  # noqa: B004 - a callable object's own method
    )


async def _ask(
    state: State, fn: Responder, body: dict[str, Any], headers: Mapping[str, str]
) -> engine.Completion | None:
    name = responder_name(fn)
    request = ChatRequest(copy.deepcopy(body), redact_headers(headers))
    try:
        if _is_async(fn):
            reply = await fn(request)  # type: ignore[misc]
        else:
            reply = await run_in_threadpool(fn, request)
            if inspect.isawaitable(reply):
                reply = await reply
        return seam.completion(reply, body, seed=state.settings.seed, name=name)
    except (asyncio.CancelledError, KeyboardInterrupt, SystemExit):
        raise
    except ResponderError as exc:
        failure = exc
    except BaseException as exc:  # pytest.fail() inside a responder is a BaseException too
        failure = ResponderError(
            name, f"The emulator's responder {name} raised {type(exc).__name__}: {exc}"
        )
        failure.__cause__ = exc
    state.note_responder_error(failure)
    log.error("%s", failure, exc_info=failure.__cause__)
    raise failure
