"""Every fault of issue 9, with the connection settings it runs under and what must happen.

A case ends in one of two ways: a complete answer equal to the unfaulted one (``expect`` is
``None``; retried if the fault was transient), or a typed error (``expect`` names the core
type; the adapters' own types subclass it). ``within`` bounds the wall-clock time and
``requests`` the number of requests the server saw. Stream-only faults do not touch a plain
request, so invoke paths must simply succeed under them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from telnyx_inference import errors as core
from telnyx_inference.emulator import Fault

__all__ = ["CASES", "FaultCase"]

CHAT_ROUTE = "chat/completions"
"""Faults hit chat requests only (a LlamaIndex model may read the model catalog first)."""
FAST = {"timeout": 1.0, "max_retries": 2}


@dataclass(frozen=True)
class FaultCase:
    name: str
    faults: tuple[dict[str, Any], ...]
    expect: type[BaseException] | None = None
    stream_only: bool = False
    connection: dict[str, Any] = field(default_factory=lambda: dict(FAST))
    within: float = 1.5
    requests: tuple[int, int] = (1, 1)
    cancel: bool = False
    invoke_faults: tuple[dict[str, Any], ...] | None = None
    """Faults for invoke paths when they differ from the stream's."""

    def build_faults(self, streaming: bool) -> list[Fault]:
        """Fresh ``Fault`` objects (the emulator counts ``times`` down on the ones it holds)."""
        specs = self.faults if streaming or self.invoke_faults is None else self.invoke_faults
        return [Fault(**{"route": CHAT_ROUTE, **spec}) for spec in specs]

    @property
    def needs_deadline(self) -> bool:
        return "total_timeout" in self.connection

    def expectation(self, streaming: bool) -> type[BaseException] | None:
        return None if self.stream_only and not streaming else self.expect


CASES: tuple[FaultCase, ...] = (
    FaultCase(
        "429_then_ok",
        ({"kind": "status", "status": 429, "times": 1},),
        within=3.0,  # waits for x-ratelimit-reset (up to 1 s)
        requests=(2, 2),
    ),
    FaultCase(
        "429_past_deadline",
        ({"kind": "status", "status": 429, "times": None},),
        expect=core.RateLimitError,
        connection={"timeout": 1.0, "max_retries": 6, "total_timeout": 1.5},
        within=2.2,
        requests=(1, 3),
    ),
    FaultCase(
        "5xx_twice_then_ok",
        ({"kind": "status", "status": 503, "times": 2},),
        within=3.0,
        requests=(3, 3),
    ),
    FaultCase(
        "5xx_past_deadline",
        ({"kind": "status", "status": 500, "times": None},),
        expect=core.ServerError,
        # Room for a retry even when the first answer is slow on a busy machine (with 1.2 s,
        # a first answer later than 0.6 s left no room for the 0.5 s backoff).
        connection={"timeout": 1.0, "max_retries": 8, "total_timeout": 2.0},
        within=2.8,
        requests=(2, 4),
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
        ({"kind": "slow_first_byte", "seconds": 2.0, "times": 1},),
        # The retry must be answered within the timeout: 0.4 s proved too tight for a busy
        # two-core machine running two test workers (the second attempt timed out too).
        connection={"timeout": 0.8, "max_retries": 1},
        within=2.5,
        requests=(2, 2),
    ),
    FaultCase(
        "slow_first_byte_past_deadline",
        ({"kind": "slow_first_byte", "seconds": 3.0, "times": None},),
        expect=core.TelnyxTimeoutError,
        connection={"timeout": 0.4, "max_retries": 6, "total_timeout": 1.0},
        within=1.7,
        requests=(1, 3),
    ),
    FaultCase(
        "stall_mid_stream",
        ({"kind": "stall_after", "after": 14, "seconds": 2.0},),
        expect=core.TelnyxTimeoutError,
        stream_only=True,
        # Long enough that a busy machine still starts the answer within it (else the first
        # attempt fails before the stream and a clean retry completes it: 2 requests).
        connection={"timeout": 0.7, "max_retries": 1},
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
        ({"kind": "stall_after", "after": 14, "seconds": 3.0},),
        connection={"timeout": 5.0, "max_retries": 0},
        cancel=True,
        invoke_faults=({"kind": "slow_first_byte", "seconds": 3.0},),
    ),
)
