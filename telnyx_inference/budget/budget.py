"""One Telnyx token budget, shared by every client that holds it (:class:`TokenBudget`).

Telnyx limits an organization's tokens per minute on each model and region, on three counters
at once (input, uncached input, output), whichever API key sends. A budget reserves a
request's tokens before it is sent, waiting — never failing — while a counter is full; puts
the answer's real ``usage`` in place of the guess; and after a 429 makes every holder wait
until the reset together. In one process the windows live in memory; with ``redis=`` they
live in Redis and every process and machine shares them.

    budget = TokenBudget(redis="redis://localhost:6379/0")
    llm = ChatTelnyx(rate_limiter=budget)          # LangChain
    llm = Telnyx(budget=budget)                    # LlamaIndex
    client = TelnyxClient(budget=budget)           # the core
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from telnyx_inference._constants import DEFAULT_TOKEN_LIMIT_TIER, TOKEN_LIMITS_BY_TIER
from telnyx_inference._flows import Flow, Invoke, Pause, ado_plain, adrive, do_plain, drive
from telnyx_inference.budget.estimate import CountTokens, request_input_tokens
from telnyx_inference.budget.local_backend import LocalWindows
from telnyx_inference.budget.turns import Turns
from telnyx_inference.budget.window import Grant, Usage

__all__ = ["Limits", "Reservation", "TokenBudget"]

logger = logging.getLogger("telnyx_inference.budget")

OnRedisError = Literal["local", "wait"]
_FALLBACK_SECONDS = 5.0
"""After Redis fails, how long reservations stay local before Redis is asked again."""
_RETRY_START, _RETRY_MAX = 0.25, 5.0
_EMA = 0.2


@dataclass(frozen=True, slots=True)
class Limits:
    """Tokens per window on each counter; 0 means no limit on that counter."""

    input: int = 0
    uncached_input: int = 0
    output: int = 0

    @classmethod
    def for_tier(cls, tier: str | None, scale: float = 1.0) -> Limits:
        """Telnyx's published default for a catalog ``tier``, times ``scale``."""
        values = (
            TOKEN_LIMITS_BY_TIER.get((tier or "").lower())
            or TOKEN_LIMITS_BY_TIER[DEFAULT_TOKEN_LIMIT_TIER]
        )
        a, b, c = (max(int(v * scale), 1) for v in values)
        return cls(a, b, c)

    def as_usage(self, headroom: float = 0.0) -> Usage:
        a, b, c = (int(v * (1 - headroom)) if v else 0 for v in self.values())
        return a, b, c

    def values(self) -> Usage:
        return self.input, self.uncached_input, self.output


@dataclass(slots=True)
class Reservation:
    """Tokens held for one request until :meth:`TokenBudget.settle` replaces them by its usage."""

    scope: str
    model: str
    need: Usage
    slot: int
    backend: Any
    settled: bool = False


def _backend_errors() -> tuple[type[BaseException], ...]:
    try:
        import redis
    except ImportError:  # no Redis, no Redis errors
        return (OSError,)
    return (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)


class TokenBudget:
    """An organization's Telnyx token budget; give the same object to every client.

    ``limits``: one :class:`Limits` for every model, a mapping of model id to limits, or None
    for Telnyx's default of each model's catalog tier (times ``scale``). ``redis``: a URL or a
    :class:`~.redis_backend.RedisWindows`, to share the budget across processes; without it
    the budget is this process's. ``on_redis_error``: ``"local"`` (default) keeps going on this
    process's own windows while Redis is away and goes back when it answers; ``"wait"`` waits
    for Redis. Either way no call fails or is lost because Redis went away.
    """

    def __init__(
        self,
        limits: Limits | Mapping[str, Limits] | None = None,
        *,
        redis: Any = None,
        scale: float = 1.0,
        window_seconds: float = 60.0,
        headroom: float = 0.05,
        count_tokens: CountTokens | None = None,
        default_output_tokens: int = 512,
        on_redis_error: OnRedisError = "local",
        name: str = "telnyx",
    ) -> None:
        if on_redis_error not in ("local", "wait"):
            raise ValueError(f"on_redis_error must be 'local' or 'wait'; got {on_redis_error!r}")
        if not 0 <= headroom < 1:
            raise ValueError(f"headroom must be in [0, 1); got {headroom!r}")
        self.limits, self.scale, self.headroom = limits, scale, headroom
        self.window_seconds = window_seconds
        self.count_tokens = count_tokens
        self.default_output_tokens = default_output_tokens
        self.on_redis_error: OnRedisError = on_redis_error
        self.name = name
        self._redis_spec = redis
        self._shared: Any = None
        self._local = _local_windows(window_seconds)
        self._local_until = 0.0
        self._output_mean: dict[str, float] = {}
        self._uncached_share: dict[str, float] = {}
        self._lock = threading.Lock()
        self._turns = Turns()

    # --- configuration ------------------------------------------------------------------------

    def __repr__(self) -> str:
        where = "redis" if self._redis_spec is not None else "in-process"
        return f"TokenBudget(name={self.name!r}, backend={where})"

    def __getstate__(self) -> dict[str, Any]:
        """Picklable for worker processes: clients and locks are rebuilt on the other side."""
        live = ("_shared", "_lock", "_local", "_turns")
        state = {k: v for k, v in self.__dict__.items() if k not in live}
        if not isinstance(self._redis_spec, str | None):
            if getattr(self._redis_spec, "url", None) is None:
                raise TypeError(
                    "a TokenBudget on your own redis clients cannot travel to another process: "
                    "build it with redis='redis://...' instead"
                )
            state["_redis_spec"] = self._redis_spec.url  # a RedisWindows travels as its URL
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._shared, self._lock, self._turns = None, threading.Lock(), Turns()
        self._local = _local_windows(self.window_seconds)

    def limits_for(self, model: str, tier: str | None = None) -> Limits:
        if isinstance(self.limits, Limits):
            return self.limits
        if isinstance(self.limits, Mapping) and model in self.limits:
            return self.limits[model]
        return Limits.for_tier(tier, self.scale)

    def _windows(self) -> Any:
        """The shared backend (Redis) unless it failed a moment ago; else the local one."""
        if self._redis_spec is None or time.monotonic() < self._local_until:
            return self._local
        if self._shared is None:
            with self._lock:
                if self._shared is None:
                    from telnyx_inference.budget.redis_backend import RedisWindows

                    spec = self._redis_spec
                    self._shared = (
                        RedisWindows.from_url(
                            spec, prefix=f"telnyx:budget:{self.name}", seconds=self.window_seconds
                        )
                        if isinstance(spec, str)
                        else spec
                    )
        return self._shared

    # --- the estimate -------------------------------------------------------------------------

    def estimate(self, body: Mapping[str, Any], model: str) -> Usage:
        """What ``body`` will spend on each counter, by this budget's current knowledge."""
        tokens = request_input_tokens(body, self.count_tokens)
        uncached = round(tokens * self._uncached_share.get(model, 1.0))
        if "messages" not in body:
            return tokens, uncached, 0
        cap = body.get("max_tokens") or body.get("max_completion_tokens")
        learned = self._output_mean.get(model)
        guess = learned if learned is not None else self.default_output_tokens
        output = min(int(cap), round(guess)) if isinstance(cap, int) and cap > 0 else round(guess)
        return tokens, uncached, max(output, 1)

    def _learn(self, model: str, used: Usage) -> None:
        prompt, uncached, output = used
        with self._lock:
            if output:
                mean = self._output_mean.get(model)
                self._output_mean[model] = output if mean is None else mean + _EMA * (output - mean)
            if prompt:
                share = uncached / prompt
                old = self._uncached_share.get(model)
                self._uncached_share[model] = share if old is None else old + _EMA * (share - old)

    # --- reserving: one body for sync and async -----------------------------------------------

    def reserving(
        self, body: Mapping[str, Any], model: str, region: str | None, tier: str | None
    ) -> Flow[Pause | Invoke, Reservation]:
        scope = f"{model}|{region or '-'}"
        limits = self.limits_for(model, tier).as_usage(self.headroom)
        turn = yield Invoke(self._turns, "take", (scope,))
        try:
            windows, need, slot, wait = yield from self._asking(scope, body, model, limits)
        finally:
            turn.release()  # booked: the next in line may ask while this one waits its slot
        if wait > 0:
            yield Pause(wait)
        return Reservation(scope, model, need, slot, windows)

    def _need(self, body: Mapping[str, Any], model: str, limits: Usage) -> Usage:
        tokens, uncached, output = self.estimate(body, model)
        # An answer is only guessed at: never hold more than the window, or a small budget
        # could refuse a call whose real answer fits (the input is known, and is checked).
        return tokens, uncached, min(output, limits[2]) if limits[2] else output

    def _asking(
        self, scope: str, body: Mapping[str, Any], model: str, limits: Usage
    ) -> Flow[Pause | Invoke, tuple[Any, Usage, int, float]]:
        """Ask the windows until the tokens are booked in a slot near enough to wait for.
        The estimate is made afresh each time: answers that came meanwhile improve it."""
        delay = _RETRY_START
        while True:
            windows, need = self._windows(), self._need(body, model, limits)
            try:
                grant: Grant = yield Invoke(windows, "reserve", (scope, need, limits))
            except _backend_errors() as exc:
                if self.on_redis_error == "local":
                    self._fall_back(exc)
                else:
                    logger.warning("Redis did not answer (%s); waiting %.2fs", exc, delay)
                    yield Pause(delay)
                    delay = min(delay * 2, _RETRY_MAX)
                continue
            if grant.slot is not None:
                return windows, need, grant.slot, grant.wait
            yield Pause(grant.wait)  # too far ahead to book: ask again when it would fit

    def _fall_back(self, exc: BaseException) -> None:
        self._local_until = time.monotonic() + _FALLBACK_SECONDS
        logger.warning(
            "Redis did not answer (%s): this process keeps to its own token windows for %.0fs",
            exc,
            _FALLBACK_SECONDS,
        )

    def settling(self, reservation: Reservation, usage: Any) -> Flow[Pause | Invoke, None]:
        if reservation.settled:
            return
        reservation.settled = True
        used = _used(usage) if usage is not None else None
        if used is None:
            return  # no usage reported: the estimate stands
        self._learn(reservation.model, used)
        # Moved to now even when the guess was right: the server counted it at its answer.
        args = (reservation.scope, reservation.slot, reservation.need, used)
        try:
            yield Invoke(reservation.backend, "settle", args)
        except _backend_errors() as exc:
            logger.warning("could not correct a token reservation in Redis (%s)", exc)

    def releasing(self, reservation: Reservation) -> Flow[Pause | Invoke, None]:
        """The request never reached Telnyx: give its tokens back."""
        return self.settling(reservation, {"prompt_tokens": 0, "completion_tokens": 0})

    def penalising(
        self, model: str, region: str | None, seconds: float
    ) -> Flow[Pause | Invoke, None]:
        try:
            yield Invoke(self._windows(), "block", (f"{model}|{region or '-'}", seconds))
        except _backend_errors() as exc:
            self._fall_back(exc)
            self._local.block(f"{model}|{region or '-'}", seconds)

    # --- the public calls ---------------------------------------------------------------------

    def reserve(
        self,
        body: Mapping[str, Any],
        *,
        model: str,
        region: str | None = None,
        tier: str | None = None,
    ) -> Reservation:
        """Hold ``body``'s tokens, waiting while the window is full."""
        return drive(self.reserving(body, model, region, tier), do_plain)

    async def areserve(
        self,
        body: Mapping[str, Any],
        *,
        model: str,
        region: str | None = None,
        tier: str | None = None,
    ) -> Reservation:
        return await adrive(self.reserving(body, model, region, tier), ado_plain)

    def settle(self, reservation: Reservation, usage: Mapping[str, Any] | None) -> None:
        """Replace the estimate by the answer's ``usage`` (OpenAI shape); None keeps the estimate."""
        drive(self.settling(reservation, usage), do_plain)

    async def asettle(self, reservation: Reservation, usage: Mapping[str, Any] | None) -> None:
        await adrive(self.settling(reservation, usage), ado_plain)

    def release(self, reservation: Reservation) -> None:
        drive(self.releasing(reservation), do_plain)

    async def arelease(self, reservation: Reservation) -> None:
        await adrive(self.releasing(reservation), ado_plain)

    def penalise(self, model: str, seconds: float, region: str | None = None) -> None:
        """Telnyx answered 429: nobody holding this budget sends to ``model`` for ``seconds``."""
        drive(self.penalising(model, region, seconds), do_plain)

    async def apenalise(self, model: str, seconds: float, region: str | None = None) -> None:
        await adrive(self.penalising(model, region, seconds), ado_plain)

    def used(self, model: str, region: str | None = None) -> dict[str, int]:
        """Tokens in the current window on each counter (as this budget has counted them)."""
        from telnyx_inference.budget.window import COUNTERS

        return dict(zip(COUNTERS, self._windows().totals(f"{model}|{region or '-'}"), strict=True))


_SLOTS = 60


def _shape(window_seconds: float) -> dict[str, Any]:
    """A budget's window: one slot longer than the server's, so slot boundaries that fall
    differently on the two clocks never free tokens before the server has."""
    return {"seconds": window_seconds * (_SLOTS + 1) / _SLOTS, "slots": _SLOTS + 1}


def _local_windows(window_seconds: float) -> LocalWindows:
    return LocalWindows(**_shape(window_seconds))


def _used(usage: Any) -> Usage:
    """(input, uncached input, output) from an OpenAI-shaped ``usage`` mapping or a parsed
    usage object (``prompt_tokens``, ``completion_tokens``, ``cached_tokens``)."""
    if isinstance(usage, Mapping):
        details = usage.get("prompt_tokens_details")
        cached = details.get("cached_tokens") if isinstance(details, Mapping) else None
        prompt, output = usage.get("prompt_tokens"), usage.get("completion_tokens")
    else:
        cached = getattr(usage, "cached_tokens", None)
        prompt = getattr(usage, "prompt_tokens", None)
        output = getattr(usage, "completion_tokens", None)
    prompt = int(prompt or 0)
    return prompt, max(prompt - int(cached or 0), 0), int(output or 0)
