"""Everything one emulator remembers, behind one lock (the server thread and the test thread
both touch it): settings, scripted replies and queued responders, the responder, queued
faults, the journal, buckets, models."""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from telnyx_inference.budget.window import Usage
from telnyx_inference.emulator.faults import Fault, parse_fault_header
from telnyx_inference.emulator.model.prefix_cache import PrefixCache
from telnyx_inference.emulator.records import JournalEntry, ScriptedReply
from telnyx_inference.emulator.responders import Responder, ResponderError, responder_name
from telnyx_inference.emulator.serving.catalog import Catalog
from telnyx_inference.emulator.serving.journal import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_ENTRIES,
    Journal,
)
from telnyx_inference.emulator.serving.limits import Refusal, TokenLimits
from telnyx_inference.emulator.storage.buckets import BucketStore

if TYPE_CHECKING:
    from telnyx_inference.emulator.replay.tape import Tape

SECRET_SETTINGS = ("api_key", "control_token")
"""Settings never shown by ``GET /_emulator/state``: only whether they are set."""
CONTRACTS = ("current", "seed")
GUIDED_MODES = ("honour", "ignore", "reject")
"""What the current contract does with ``guided_*``: honour them as the seed did, ignore them
(accepted and answered unconstrained, as vLLM ≥ 0.12 does), or reject them with a 422."""
_CHOICES = {"contract": CONTRACTS, "guided": GUIDED_MODES}


_POSITIVE = ("token_budget_scale", "token_window_seconds")


def check_setting(name: str, value: object) -> None:
    """Raise ValueError naming ``name`` when ``value`` is not one of its choices."""
    allowed = _CHOICES.get(name)
    if allowed is not None and value not in allowed:
        raise ValueError(f"{name} must be one of {list(allowed)}, got {value!r}")
    if name in _POSITIVE and (
        isinstance(value, bool) or not isinstance(value, int | float) or value <= 0
    ):
        raise ValueError(f"{name} must be a number above 0, got {value!r}")


DEFAULT_FIXED_CHUNKS = 16
"""Chunks of the canned stream in the benchmark (``fixed``) mode, unless told otherwise."""


@dataclass
class Settings:
    api_key: str | None = None
    strict: bool = False
    seed: int = 0
    mode: str = "normal"
    chunks: int = DEFAULT_FIXED_CHUNKS
    journal_max_entries: int = DEFAULT_MAX_ENTRIES
    journal_max_bytes: int = DEFAULT_MAX_BYTES
    control_token: str | None = None
    adversarial: bool = False
    """Fill values with Hypothesis edge cases instead of values from the conversation."""
    contract: str = "current"
    """Which chat schema is served: ``"current"`` (Telnyx's published schema today:
    ``json_schema``, no ``guided_*``) or ``"seed"`` (the original endpoint doc: ``guided_*``,
    no ``json_schema``)."""
    guided: str = "honour"
    """What the current contract does with ``guided_*``: ``"honour"``, ``"ignore"`` (answer
    unconstrained) or ``"reject"`` (422). Strict mode refuses them whatever this says."""
    refuse_max_tokens_with_tools: bool = False
    """Answer ``max_tokens`` beside function tools on hosted models with 2025's 400 (10015)."""
    token_limits: bool = False
    """Enforce Telnyx's token rate limits (see :mod:`.limits`); off, nothing is refused."""
    token_budget_scale: float = 1.0
    """The limits of each model's tier times this (tests use a small scale)."""
    token_window_seconds: float = 60.0
    """The rolling window the limits count over (Telnyx's is a minute)."""


@dataclass
class FixedReplies:
    """Pre-encoded answers for ``mode="fixed"``: built once, served with no per-request work."""

    completion: bytes
    stream: list[bytes] = field(default_factory=list)
    stream_body: bytes = b""
    """The whole stream as one write: the client still parses every frame, the server does
    no per-chunk work."""

    def __post_init__(self) -> None:
        self.stream_body = b"".join(self.stream)


class State:
    def __init__(self, settings: Settings, responder: Responder | None = None) -> None:
        self._defaults = settings
        self._default_responder = responder
        self.lock = threading.RLock()
        self.settings = Settings(**vars(settings))
        self.scripts: deque[ScriptedReply | Responder] = deque()
        self.responder = responder
        """What answers chat requests before the heuristic model (:mod:`..responders`)."""
        self.responder_errors: list[ResponderError] = []
        self.faults: list[Fault] = []
        self.header_uses: dict[str, int] = {}
        self.journal = Journal(settings.journal_max_entries, settings.journal_max_bytes)
        self.buckets = BucketStore()
        self.catalog = Catalog()
        self.prefix_cache = PrefixCache()
        """Prompt blocks seen, for ``usage.prompt_tokens_details.cached_tokens``."""
        self.limits = TokenLimits()
        """Token use per organization × model × region, when ``settings.token_limits``."""
        self.fixed: FixedReplies | None = None
        self.tape: Tape | None = None
        """Record/replay (:mod:`telnyx_inference.emulator.replay.tape`); kept across resets, which rewind it."""
        self.storage: Any = None
        """The S3 endpoint (:class:`~.storage.StorageEndpoint`); it clears itself on reset."""
        self.in_flight = 0
        """HTTP requests the server is working on (changed on its event loop only)."""

    def reset(self) -> None:
        with self.lock:
            self.settings = Settings(**vars(self._defaults))
            self.scripts.clear()
            self.responder = self._default_responder
            self.responder_errors.clear()
            self.faults.clear()
            self.header_uses.clear()
            self.journal.clear()
            self.buckets.reset()
            self.catalog.reset()
            self.prefix_cache.clear()
            self.limits.reset()
            self.fixed = None
            if self.tape is not None:
                self.tape.rewind()

    def next_script(self) -> ScriptedReply | Responder | None:
        with self.lock:
            return self.scripts.popleft() if self.scripts else None

    def note_responder_error(self, error: ResponderError) -> None:
        with self.lock:
            self.responder_errors.append(error)

    def take_responder_errors(self) -> list[ResponderError]:
        with self.lock:
            taken, self.responder_errors = self.responder_errors, []
            return taken

    def take_faults(
        self, path: str, streaming: bool, header: str | None, body: bytes = b""
    ) -> list[Fault]:
        """Faults for this request: the header's (counted per header value) and queued ones,
        each queued fault consumed once. Raises ValueError for a malformed header."""
        taken: list[Fault] = []
        with self.lock:
            if header:
                uses = self.header_uses.get(header, 0)
                for fault in parse_fault_header(header):
                    if not fault.matches(path, streaming, body):
                        continue
                    if fault.times is None or uses < fault.times:
                        taken.append(fault)
                self.header_uses[header] = uses + 1
            kept: list[Fault] = []
            kinds = {f.kind for f in taken}
            for fault in self.faults:
                if fault.kind not in kinds and fault.matches(path, streaming, body):
                    kinds.add(fault.kind)
                    taken.append(fault)
                    if fault.times is not None:
                        fault.times -= 1
                        if fault.times <= 0:
                            continue
                kept.append(fault)
            self.faults = kept
        return taken

    def record(self, entry: JournalEntry, body_bytes: int | None = None) -> None:
        self.journal.append(entry, body_bytes)

    def mark_baseline(self) -> None:
        """The buckets and models present now become what :meth:`reset` returns to."""
        with self.lock:
            self.buckets.set_baseline()
            self.catalog.set_baseline()

    def admit(
        self, api_key: str | None, model: str, region: str | None, tier: str | None, used: Usage
    ) -> Refusal | None:
        """Count a served request's tokens; a :class:`.limits.Refusal` when a limit is full."""
        s = self.settings
        if not s.token_limits:
            return None
        return self.limits.admit(
            api_key,
            model,
            region,
            tier,
            used,
            scale=s.token_budget_scale,
            window_seconds=s.token_window_seconds,
        )

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            settings = vars(self.settings).copy()
            for name in SECRET_SETTINGS:
                settings[name] = "[SET]" if settings[name] is not None else None
            return {
                "settings": settings,
                "scripts": len(self.scripts),
                "responder": None if self.responder is None else responder_name(self.responder),
                "faults": [f.to_dict() for f in self.faults],
                "journal": len(self.journal),
                "buckets": self.buckets.names(),
            }
