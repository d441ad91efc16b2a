"""Rolling windows of token use, counted in time slots: the one algorithm every backend runs.

Telnyx counts tokens per minute on three counters at once (total input, uncached input,
output). A window here is ``slots`` time slots (one second each for a one-minute window); a
reservation is granted only when it fits **all** counters, and then it is added to the
current slot of each. When it does not fit, the answer is how long until enough old slots
expire for it to fit. Pure and clock-free: callers pass ``now``.

The Redis backend runs the same rules in a server-side script (:mod:`.redis_backend`); the
tests hold both to the same cases.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from telnyx_inference.errors import TelnyxError

__all__ = ["BOOK_AHEAD", "COUNTERS", "Grant", "SlotWindow", "TooLarge", "Usage"]

BOOK_AHEAD = 1
"""How many slots ahead a reservation is booked; one further out asks again later."""

COUNTERS = ("input", "uncached_input", "output")
"""Telnyx's three per-minute token counters, in the order every backend stores them."""

Usage = tuple[int, int, int]
"""Tokens on each of :data:`COUNTERS`."""


@dataclass(frozen=True, slots=True)
class Grant:
    """A reservation's answer: booked in ``slot`` (send after ``wait`` seconds, 0: now), or
    not booked (``slot`` None): ask again after ``wait`` seconds."""

    slot: int | None
    wait: float = 0.0


class TooLarge(TelnyxError, ValueError):
    """One request needs more of a counter than the whole window allows: it can never fit."""

    def __init__(self, counter: str, need: int, limit: int) -> None:
        self.counter, self.need, self.limit = counter, need, limit
        super().__init__(
            f"one request needs {need:,} {counter.replace('_', ' ')} tokens, more than the "
            f"budget's {limit:,} per window: it could never be sent"
        )


def slot_of(now: float, slot_seconds: float) -> int:
    return math.floor(now / slot_seconds)


@dataclass(slots=True)
class SlotWindow:
    """Token use per slot for one scope (an organization's model in a region)."""

    seconds: float = 60.0
    slots: int = 60
    used: list[dict[int, int]] = field(default_factory=lambda: [{}, {}, {}])
    blocked_until: float = 0.0
    tail: int = 0
    """The latest slot booked: later bookings never go before it (first come, first served)."""

    @property
    def slot_seconds(self) -> float:
        return self.seconds / self.slots

    def _expire(self, now: float) -> int:
        oldest = slot_of(now, self.slot_seconds) - self.slots + 1
        for counter in self.used:
            for slot in [s for s in counter if s < oldest]:
                del counter[slot]
        return oldest

    def totals(self, now: float) -> Usage:
        self._expire(now)
        a, b, c = (sum(counter.values()) for counter in self.used)
        return a, b, c

    def wait(self, now: float, need: Usage, limits: Usage) -> float:
        """Seconds until ``need`` fits every limit (0 = it fits now); changes nothing."""
        if now < self.blocked_until:
            return self.blocked_until - now
        self._expire(now)
        wait = 0.0
        for name, counter, amount, limit in zip(COUNTERS, self.used, need, limits, strict=True):
            if limit <= 0 or amount <= 0:
                continue
            if amount > limit:
                raise TooLarge(name, amount, limit)
            wait = max(wait, self._wait_for(counter, amount, limit, now))
        return wait

    def add(self, now: float, amounts: Usage) -> int:
        """Count ``amounts`` in the current slot, whatever the limits; return the slot."""
        slot = slot_of(now, self.slot_seconds)
        for counter, amount in zip(self.used, amounts, strict=True):
            if amount:
                counter[slot] = counter.get(slot, 0) + amount
        return slot

    def reserve(self, now: float, need: Usage, limits: Usage) -> Grant:
        """Find the earliest slot where ``need`` fits every limit (0: no limit), no earlier
        than a booking already made nor than a 429's reset. Within :data:`BOOK_AHEAD` slots
        it is booked (the caller waits ``wait`` seconds, then sends: no rush when a window
        frees); further out nothing is booked and the caller asks again after ``wait``, when
        answers will have replaced today's guesses (a far booking would hold them)."""
        self._expire(now)
        slot = max(slot_of(now, self.slot_seconds), self.tail)
        if self.blocked_until > now:
            slot = max(slot, math.ceil(self.blocked_until / self.slot_seconds))
        for name, counter, amount, limit in zip(COUNTERS, self.used, need, limits, strict=True):
            if limit <= 0 or amount <= 0:
                continue
            if amount > limit:
                raise TooLarge(name, amount, limit)
            slot = self._first_fit(counter, amount, limit, slot)
        wait = max(slot * self.slot_seconds - now, 0.0)
        if slot - slot_of(now, self.slot_seconds) > BOOK_AHEAD:
            return Grant(None, wait)
        for counter, amount in zip(self.used, need, strict=True):
            if amount:
                counter[slot] = counter.get(slot, 0) + amount
        self.tail = slot
        return Grant(slot, wait)

    def _first_fit(self, counter: Mapping[int, int], amount: int, limit: int, slot: int) -> int:
        """The first slot from ``slot`` on whose window has room for ``amount`` (every
        booking lies at or before ``slot``, so later windows only lose entries)."""
        live = sorted((s, v) for s, v in counter.items() if s > slot - self.slots)
        used = sum(v for _, v in live)
        for s, v in live:
            if used + amount <= limit:
                break
            used -= v
            slot = max(slot, s + self.slots)
        return slot

    def _wait_for(self, counter: Mapping[int, int], amount: int, limit: int, now: float) -> float:
        used = sum(counter.values())
        if used + amount <= limit:
            return 0.0
        freed = 0
        for slot in sorted(counter):
            freed += counter[slot]
            if used - freed + amount <= limit:
                return max((slot + self.slots) * self.slot_seconds - now, 0.0) or 1e-3
        return self.seconds  # unreachable: amount <= limit, so freeing every slot fits

    def settle(self, now: float, slot: int, need: Sequence[int], used: Sequence[int]) -> None:
        """Replace a granted reservation by what the answer used: ``need`` leaves ``slot``
        (if still in the window) and ``used`` counts from now, when the server counted it —
        so the window frees when the server's does, not a request's latency earlier."""
        if slot >= self._expire(now):
            for counter, amount in zip(self.used, need, strict=True):
                if amount:
                    counter[slot] = max(counter.get(slot, 0) - amount, 0)
        self.add(now, (used[0], used[1], used[2]))

    def block(self, now: float, seconds: float) -> None:
        """Nothing is granted for ``seconds`` (the server said so, with a 429)."""
        self.blocked_until = max(self.blocked_until, now + seconds)
