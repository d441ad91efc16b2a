"""The budget's in-process backend: the windows of every scope, behind one lock.

Shared by every client in this process that holds the same budget, threads and event loops
alike (a reservation is a few dict operations, so async callers take the lock too).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence

from telnyx_inference.budget.window import Grant, SlotWindow, Usage

__all__ = ["LocalWindows"]


class LocalWindows:
    def __init__(
        self, *, seconds: float = 60.0, slots: int = 60, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.seconds, self.slots, self.clock = seconds, slots, clock
        self._windows: dict[str, SlotWindow] = {}
        self._lock = threading.Lock()

    def _window(self, scope: str) -> SlotWindow:
        window = self._windows.get(scope)
        if window is None:
            window = self._windows[scope] = SlotWindow(self.seconds, self.slots)
        return window

    def reserve(self, scope: str, need: Usage, limits: Usage) -> Grant:
        with self._lock:
            return self._window(scope).reserve(self.clock(), need, limits)

    def settle(self, scope: str, slot: int, need: Sequence[int], used: Sequence[int]) -> None:
        with self._lock:
            self._window(scope).settle(self.clock(), slot, need, used)

    def block(self, scope: str, seconds: float) -> None:
        with self._lock:
            self._window(scope).block(self.clock(), seconds)

    def totals(self, scope: str) -> Usage:
        with self._lock:
            return self._window(scope).totals(self.clock())

    async def areserve(self, scope: str, need: Usage, limits: Usage) -> Grant:
        return self.reserve(scope, need, limits)

    async def asettle(
        self, scope: str, slot: int, need: Sequence[int], used: Sequence[int]
    ) -> None:
        self.settle(scope, slot, need, used)

    async def ablock(self, scope: str, seconds: float) -> None:
        self.block(scope, seconds)

    def close(self) -> None:
        """Nothing to release; here so every backend closes the same way."""

    async def aclose(self) -> None:
        """Nothing to release."""
