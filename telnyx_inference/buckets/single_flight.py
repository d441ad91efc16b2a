"""One call in flight per key, its answer shared by every caller that asks meanwhile.

A search reads its hits concurrently and each read needs the bucket's home region: without
this, a client that does not know the region yet asks once per hit. :class:`SingleFlight`
(threads) and :class:`AsyncSingleFlight` (tasks) run the first caller's call and hand the
others its result or its error; once it ended, the next caller starts a new one::

    flights = SingleFlight()
    region = flights.run("handbook", lambda: lookup("handbook"))
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine, Hashable
from concurrent.futures import Future
from typing import Any, Generic, TypeVar

__all__ = ["AsyncSingleFlight", "SingleFlight"]

T = TypeVar("T")


class SingleFlight(Generic[T]):
    """For threads: the first caller runs ``call``, the others wait on its future."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._flights: dict[Hashable, Future[T]] = {}

    def run(self, key: Hashable, call: Callable[[], T]) -> T:
        with self._lock:
            flight = self._flights.get(key)
            mine = flight is None
            if flight is None:
                flight = self._flights[key] = Future()
        if mine:
            try:
                flight.set_result(call())
            except Exception as exc:
                flight.set_exception(exc)  # every waiter gets the same error
            except BaseException:
                flight.cancel()  # interrupted: the waiters' calls fail, this one stops
                raise
            finally:
                with self._lock:
                    self._flights.pop(key, None)
        return flight.result()


class AsyncSingleFlight(Generic[T]):
    """For tasks: one task per key, shielded, so a waiter's cancellation leaves the call
    running for the others."""

    def __init__(self) -> None:
        self._flights: dict[Hashable, asyncio.Task[T]] = {}

    async def run(self, key: Hashable, call: Callable[[], Coroutine[Any, Any, T]]) -> T:
        loop = asyncio.get_running_loop()
        flight = self._flights.get(key)
        if flight is None or flight.get_loop() is not loop:
            flight = loop.create_task(call())
            self._flights[key] = flight
            flight.add_done_callback(lambda done: self._landed(key, done))
        return await asyncio.shield(flight)

    def _landed(self, key: Hashable, flight: asyncio.Task[T]) -> None:
        if self._flights.get(key) is flight:
            del self._flights[key]
        if not flight.cancelled():
            flight.exception()  # retrieved: an error every waiter left is not "never retrieved"
