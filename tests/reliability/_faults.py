"""Every fault of issue 9, with the connection settings it runs under and what must happen.

A case ends in one of two ways: a complete answer equal to the unfaulted one (``expect`` is
``None``; retried if the fault was transient), or a typed error (``expect`` names the core
type; the adapters' own types subclass it). ``requests`` bounds the number of requests the
server saw. Stream-only faults do not touch a plain request, so invoke paths must simply
succeed under them.

No case races two durations. A timeout that must not fire is 30 s (a hang guard); a pause
that must trip a timeout lasts an hour and ends when the client hangs up (``FOREVER``), so
the timeout is the only thing that can happen; a deadline that must stop the retries is
shorter than the wait before the next attempt (a server-directed wait, or the backoff set
long), so the first error is the last, whatever the machine's speed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from telnyx_inference import errors as core
from telnyx_inference.emulator import Fault

__all__ = ["CASES", "FOREVER", "STEADY", "FaultCase"]

CHAT_ROUTE = "chat/completions"
"""Faults hit chat requests only (a LlamaIndex model may read the model catalog first)."""
STEADY = {"timeout": 30.0, "max_retries": 2}
"""Timeouts as hang guards only: what happens is the fault's doing, never the clock's."""
FOREVER = 3600.0
"""A pause no case waits out: the emulator ends it when the client hangs up."""
FAST_BACKOFF = 0.001
"""The retry policy's first backoff in most cases: the matrix counts attempts; how long the
policy waits between them is checked by the unit tests of ``transport.retry``."""
LONG_BACKOFF = 8.0
"""Every backoff 6-8 s (the policy's cap, less jitter): longer than any budget below."""


@dataclass(frozen=True)
class FaultCase:
    name: str
    faults: tuple[dict[str, Any], ...]
    expect: type[BaseException] | None = None
    stream_only: bool = False
    connection: dict[str, Any] = field(default_factory=lambda: dict(STEADY))
    requests: tuple[int, int] = (1, 1)
    cancel: bool = False
    invoke_faults: tuple[dict[str, Any], ...] | None = None
    """Faults for invoke paths when they differ from the stream's."""
    backoff: float = FAST_BACKOFF
    """The retry policy's first backoff (``transport.retry.INITIAL_DELAY``) for this case."""
    attempts: int | None = None
    """The attempts the error must name, when the client alone can count them."""

    def build_faults(self, streaming: bool) -> list[Fault]:
        """Fresh ``Fault`` objects (the emulator counts ``times`` down on the ones it holds)."""
        specs = self.faults if streaming or self.invoke_faults is None else self.invoke_faults
        return [Fault(**{"route": CHAT_ROUTE, **spec}) for spec in specs]

    def connection_for(self, streaming: bool) -> dict[str, Any]:
        """A stream-only fault leaves a plain request alone: it gets the steady settings."""
        return dict(STEADY) if self.stream_only and not streaming else dict(self.connection)

    def expectation(self, streaming: bool) -> type[BaseException] | None:
        return None if self.stream_only and not streaming else self.expect


CASES: tuple[FaultCase, ...] = (
    FaultCase(
        "429_then_ok",
        ({"kind": "status", "status": 429, "times": 1, "seconds": 0},),  # window reset already
        requests=(2, 2),
    ),
    FaultCase(
        "429_past_deadline",
        # The window resets in 30 s, past the 10 s budget: no retry may start, and the caller
        # sees the 429 itself, not a timeout made up by the client.
        ({"kind": "status", "status": 429, "times": None, "seconds": 30},),
        expect=core.RateLimitError,
        connection={"timeout": 30.0, "max_retries": 6, "total_timeout": 10.0},
    ),
    FaultCase(
        "5xx_twice_then_ok",
        ({"kind": "status", "status": 503, "times": 2},),
        requests=(3, 3),
    ),
    FaultCase(
        "5xx_past_deadline",
        ({"kind": "status", "status": 500, "times": None},),
        expect=core.ServerError,
        connection={"timeout": 30.0, "max_retries": 8, "total_timeout": 4.0},
        backoff=LONG_BACKOFF,
    ),
    FaultCase(
        "401",
        ({"kind": "status", "status": 401, "times": None},),
        expect=core.AuthenticationError,
    ),
    FaultCase(
        "422",
        ({"kind": "status", "status": 422, "body": "fastapi", "times": None},),
        expect=core.RequestValidationError,
    ),
    FaultCase(
        "slow_first_byte_then_ok",
        # The first request that reaches the server never answers; the next one does. A
        # request starved past the 0.5 s timeout on a busy machine is simply one more retry.
        ({"kind": "slow_first_byte", "seconds": FOREVER, "times": 1},),
        connection={"timeout": 0.5, "max_retries": 4},
        requests=(2, 5),
    ),
    FaultCase(
        "slow_first_byte_past_deadline",
        # Nothing ever answers: the budget cuts the first attempt, and none follows. The server
        # may not even have read that request before the client gave up on it (0 requests).
        ({"kind": "slow_first_byte", "seconds": FOREVER, "times": None},),
        expect=core.TelnyxTimeoutError,
        connection={"timeout": 30.0, "max_retries": 6, "total_timeout": 0.5},
        requests=(0, 1),
        attempts=1,
    ),
    FaultCase(
        "stall_mid_stream",
        # Every attempt stalls after 14 chunks. A stream that began is never retried (the text
        # would repeat); an attempt starved before its first byte is retried once.
        ({"kind": "stall_after", "after": 14, "seconds": FOREVER, "times": None},),
        expect=core.TelnyxTimeoutError,
        stream_only=True,
        connection={"timeout": 0.5, "max_retries": 1},
        requests=(1, 2),
    ),
    FaultCase(
        "drop_mid_stream",
        ({"kind": "drop_after", "after": 14},),
        expect=core.StreamInterruptedError,
        stream_only=True,
    ),
    FaultCase(
        "error_event_nested",
        ({"kind": "error_event", "shape": "nested", "after": 14},),
        expect=core.StreamError,
        stream_only=True,
    ),
    FaultCase(
        "error_event_flat",
        ({"kind": "error_event", "shape": "flat", "after": 14},),
        expect=core.StreamError,
        stream_only=True,
    ),
    FaultCase(
        "malformed_sse_line",
        ({"kind": "malformed_line", "after": 14},),
        expect=core.StreamError,
        stream_only=True,
    ),
    FaultCase("missing_done", ({"kind": "no_done"},), stream_only=True),
    FaultCase("split_frames", ({"kind": "split_frames"},), stream_only=True),
    FaultCase(
        "crlf_and_keepalives",
        ({"kind": "crlf"}, {"kind": "keepalive_comments"}),
        stream_only=True,
    ),
    FaultCase(
        "caller_cancels",
        # Cancelled once the answer has begun (a stream) or the server holds the request (an
        # invoke): nothing else can end the call, so only the cancellation is seen.
        ({"kind": "stall_after", "after": 14, "seconds": FOREVER},),
        connection={"timeout": 30.0, "max_retries": 0},
        cancel=True,
        invoke_faults=({"kind": "slow_first_byte", "seconds": FOREVER},),
    ),
)
