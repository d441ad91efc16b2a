"""The emulator's front door, wrapped around every request: the control-token check, one log
line per request, quiet handling of clients that hang up mid-response, pauses that end
when the client does, and a count of the requests in progress (:func:`settle` waits for
none).

Log lines go to the ``telnyx_inference.emulator.requests`` logger at INFO::

    POST /v2/ai/openai/chat/completions 200 3.4ms
    POST /v2/ai/openai/chat/completions 503 0.9ms fault=status=503

A client that closes the connection before the response is complete (a stream closed early)
is logged once at DEBUG. The body writes of a streamed response each hand the event loop one
turn, so the server learns of the hang-up at once instead of writing into a dead socket (which
made asyncio warn ``socket.send() raised exception.`` once per remaining frame).
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import time
from collections.abc import Mapping, MutableMapping
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from telnyx_inference.emulator import faults as fk
from telnyx_inference.emulator.access import needs_token, token_matches
from telnyx_inference.emulator.faults import Fault
from telnyx_inference.emulator.serving.state import State

REQUEST_LOGGER = "telnyx_inference.emulator.requests"
HEALTH_PROBE = b"GET /_emulator/health HTTP/1.1\r\nHost: emulator\r\nConnection: close\r\n\r\n"
FAULTS_KEY = "telnyx_emulator_faults"
log = logging.getLogger(REQUEST_LOGGER)

_MAIN_VALUE = {
    fk.STATUS: "status",
    fk.SLOW_FIRST_BYTE: "seconds",
    fk.STALL_AFTER: "after",
    fk.DROP_AFTER: "after",
    fk.ERROR_EVENT: "shape",
    fk.MALFORMED_LINE: "after",
}


def describe_faults(faults: Mapping[str, Fault]) -> str:
    """``status=503,crlf``: each applied fault's kind and main value, for the log line."""
    parts = []
    for kind, fault in faults.items():
        attr = _MAIN_VALUE.get(kind)
        parts.append(f"{kind}={getattr(fault, attr)}" if attr else kind)
    return ",".join(parts)


async def pause(receive: Receive, seconds: float) -> bool:
    """Wait ``seconds`` before answering, or less if the client hangs up meanwhile (then
    True): a ``slow_first_byte`` of an hour costs the server nothing once the client's timeout
    has given up on it. ``receive`` is the request's, its body already read, so what comes
    next is the hang-up."""

    async def hang_up() -> None:
        while (await receive())["type"] != "http.disconnect":
            pass

    waiter = asyncio.ensure_future(hang_up())
    try:
        done, _ = await asyncio.wait((waiter,), timeout=seconds)
    finally:
        waiter.cancel()
    return bool(done)


def settle(state: State, host: str, port: int, timeout: float) -> bool:
    """Wait until the server has read every request already sent to it and finished each.

    A request its client gave up on (cancelled, timed out) is still in the server's socket
    buffers and may be read after the client has moved on: a later journal would show it. A
    health request on a new connection makes the event loop take in everything delivered
    before it; then the requests in progress are waited for. False if some are still going
    after ``timeout`` seconds (a stream whose client is still reading, say).
    """
    deadline = time.monotonic() + timeout
    # A plain socket: HTTP libraries may be patched by the caller's test tools (VCR.py).
    with socket.create_connection((host, port), timeout=timeout) as probe:
        probe.sendall(HEALTH_PROBE)
        while probe.recv(4096):  # until the server closes: the answer is all there
            pass
    while state.in_flight:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.002)
    return True


def note_faults(scope: MutableMapping[str, Any], faults: Mapping[str, Fault]) -> None:
    """Called by the API pipeline: the faults applied to this request, for its log line."""
    if faults:
        scope.setdefault("state", {})[FAULTS_KEY] = describe_faults(faults)


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}


async def _deny(send: Send) -> None:
    body = json.dumps(
        {
            "error": "This emulator is bound beyond loopback: its control routes need the "
            "control token, sent as 'X-Emulator-Token: <token>'.",
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 401,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": body})


class Operations:
    """ASGI middleware: token check on control routes, request log line, quiet hang-ups."""

    def __init__(self, app: ASGIApp, state: State) -> None:
        self.app, self.state = app, state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 0
        complete = hung_up = False
        self.state.in_flight += 1

        async def tracking_send(message: Message) -> None:
            nonlocal status, complete
            kind = message["type"]
            if kind == "http.response.start":
                status = message["status"]
            await send(message)
            if kind == "http.response.body":
                if message.get("more_body", False):
                    # One loop turn: a hang-up is noticed before the next frame is written.
                    await asyncio.sleep(0)
                else:
                    complete = True

        async def tracking_receive() -> Message:
            nonlocal hung_up
            message = await receive()
            if message["type"] == "http.disconnect" and not complete:
                hung_up = True
            return message

        token = self.state.settings.control_token
        path: str = scope["path"]
        failure: BaseException | None = None
        try:
            if (
                token is not None
                and needs_token(path)
                and not token_matches(_headers(scope), token)
            ):
                await _deny(tracking_send)
            else:
                await self.app(scope, tracking_receive, tracking_send)
        except BaseException as exc:
            failure = exc
            raise
        finally:
            self.state.in_flight -= 1
            ms = (time.perf_counter() - started) * 1000
            if not complete:
                why = "client disconnected" if hung_up else "connection closed"
                if failure is not None and not hung_up:
                    why = f"{type(failure).__name__} raised"
                log.debug(
                    "%s %s: %s after %.1fms, before the response was complete",
                    scope["method"],
                    path,
                    why,
                    ms,
                )
            if log.isEnabledFor(logging.INFO):
                fault = scope.get("state", {}).get(FAULTS_KEY)
                log.info(
                    "%s %s %s %.1fms%s%s",
                    scope["method"],
                    path,
                    status or "-",
                    ms,
                    f" fault={fault}" if fault else "",
                    "" if complete else " (incomplete)",
                )


def configure_cli_logging(level: str, quiet: bool) -> str:
    """Log the emulator's messages to stderr at ``level`` (request lines are INFO; ``quiet``
    silences them). Returns the level for uvicorn's own loggers: never chattier than
    WARNING unless ``level`` is DEBUG, so start-up banners do not bury the request lines."""
    number = logging.getLevelNamesMapping()[level.upper()]
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(message)s", "%H:%M:%S"))
    root = logging.getLogger("telnyx_inference.emulator")
    root.addHandler(handler)
    root.setLevel(number)
    root.propagate = False
    if quiet:
        logging.getLogger(REQUEST_LOGGER).setLevel(max(number, logging.WARNING))
    return (
        "debug"
        if number <= logging.DEBUG
        else logging.getLevelName(max(number, logging.WARNING)).lower()
    )
