"""Whose turn it is to ask for a scope's tokens, in this process: first come, first served.

Without turns, a caller that has just been answered asks again at once and can take the
tokens a window frees before callers that have waited since; some of them then wait for
ever (a 61 s p95 in the shared-budget benchmark). With a turn per scope, one caller at a
time asks the windows and waits for its slot to come near; the others queue behind it in the
order they came. Threads queue on a lock, each event loop's tasks on an asyncio lock.
"""

from __future__ import annotations

import asyncio
import threading
import weakref

__all__ = ["Turns"]


class Turns:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._threads: dict[str, threading.Lock] = {}
        self._loops: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, asyncio.Lock]]
        self._loops = weakref.WeakKeyDictionary()

    def take(self, scope: str) -> threading.Lock:
        """Wait for this thread's turn at ``scope``; release what is returned when done."""
        with self._lock:
            turn = self._threads.setdefault(scope, threading.Lock())
        turn.acquire()
        return turn

    async def atake(self, scope: str) -> asyncio.Lock:
        """Wait for this task's turn at ``scope`` (in its event loop's queue)."""
        loop = asyncio.get_running_loop()
        with self._lock:
            turn = self._loops.setdefault(loop, {}).setdefault(scope, asyncio.Lock())
        await turn.acquire()
        return turn
