"""Telnyx's token rate limits, enforced: per organization × model × region, per rolling minute.

Three counters, as Telnyx keeps them: total input, uncached input (a prompt prefix the
prefix cache already holds does not count) and output. A request is refused with a 429 when
its input would push an input counter past its limit, or when the output counter is already
at its limit (the output of a request is not known before it runs). What a served request
used is added to every counter. Defaults come from each model's catalog ``tier`` and
Telnyx's published tier table, times ``scale`` (tests use a small scale, and may shorten the
window); per-model limits and which key belongs to which organization are settable.

The windows are the core budget's own (:class:`telnyx_inference.budget.window.SlotWindow`),
so the client's budget and this server count the same way.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from telnyx_inference._constants import (
    DEFAULT_TOKEN_LIMIT_TIER,
    TOKEN_LIMIT_WINDOW_SECONDS,
    TOKEN_LIMITS_BY_TIER,
)
from telnyx_inference.budget.window import COUNTERS, SlotWindow, Usage

__all__ = ["DEFAULT_ORGANIZATION", "Refusal", "TokenLimits"]

DEFAULT_ORGANIZATION = "default"
"""Every key's organization unless :meth:`TokenLimits.configure` says otherwise."""


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a request was refused: the counter, its limit, what is left and when it frees."""

    counter: str
    limit: int
    remaining: int
    reset: float
    model: str
    region: str | None

    @property
    def detail(self) -> str:
        where = f" in region {self.region}" if self.region else ""
        return (
            f"Token rate limit reached: {self.counter.replace('_', ' ')} tokens per minute for "
            f"{self.model}{where} (limit {self.limit:,}); retry in {math.ceil(self.reset)} s"
        )


class TokenLimits:
    """The emulator's token counters, behind one lock (the serving thread and control calls)."""

    def __init__(
        self,
        *,
        scale: float = 1.0,
        window_seconds: float = TOKEN_LIMIT_WINDOW_SECONDS,
        enabled: bool = True,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.scale, self.window_seconds, self.enabled = scale, window_seconds, enabled
        self.clock = clock
        self.per_model: dict[str, Usage] = {}
        self.organizations: dict[str, str] = {}
        self._windows: dict[tuple[str, str, str], SlotWindow] = {}
        self._lock = threading.Lock()

    # --- settings -----------------------------------------------------------------------------

    def configure(
        self,
        *,
        scale: float | None = None,
        window_seconds: float | None = None,
        enabled: bool | None = None,
        models: Mapping[str, Mapping[str, int]] | None = None,
        organizations: Mapping[str, str] | None = None,
    ) -> None:
        """Change limits; the counters start again (a new window length makes old ones moot)."""
        with self._lock:
            if scale is not None:
                if scale <= 0:
                    raise ValueError("scale must be above 0")
                self.scale = scale
            if window_seconds is not None:
                if window_seconds <= 0:
                    raise ValueError("window_seconds must be above 0")
                self.window_seconds = window_seconds
            if enabled is not None:
                self.enabled = enabled
            for model, values in (models or {}).items():
                unknown = set(values) - set(COUNTERS)
                if unknown:
                    raise ValueError(f"unknown counters {sorted(unknown)}: use {list(COUNTERS)}")
                a, b, c = (int(values.get(name, 0)) for name in COUNTERS)
                self.per_model[model] = (a, b, c)
            self.organizations.update(organizations or {})
            self._windows.clear()

    def reset(self) -> None:
        with self._lock:
            self._windows.clear()

    def limits(self, model: str, tier: str | None) -> Usage:
        if model in self.per_model:
            return self.per_model[model]
        values = (
            TOKEN_LIMITS_BY_TIER.get((tier or "").lower())
            or TOKEN_LIMITS_BY_TIER[DEFAULT_TOKEN_LIMIT_TIER]
        )
        a, b, c = (max(int(v * self.scale), 1) for v in values)
        return a, b, c

    def organization(self, api_key: str | None) -> str:
        return self.organizations.get(api_key or "", DEFAULT_ORGANIZATION)

    # --- the check ----------------------------------------------------------------------------

    def _window(self, scope: tuple[str, str, str]) -> SlotWindow:
        window = self._windows.get(scope)
        if window is None:
            window = self._windows[scope] = SlotWindow(self.window_seconds, 60)
        return window

    def admit(
        self,
        api_key: str | None,
        model: str,
        region: str | None,
        tier: str | None,
        used: Usage,
    ) -> Refusal | None:
        """Count ``used`` (input, uncached input, output) and return None, or refuse it."""
        if not self.enabled:
            return None
        limits = self.limits(model, tier)
        scope = (self.organization(api_key), model, region or "")
        now = self.clock()
        with self._lock:
            window = self._window(scope)
            totals = window.totals(now)
            for index, name in enumerate(COUNTERS):
                limit, have, need = limits[index], totals[index], used[index]
                over = have >= limit if name == "output" else have + need > limit
                if limit and over:
                    return Refusal(
                        name,
                        limit,
                        max(limit - have, 0),
                        self._reset(window, index, need, limit, now),
                        model,
                        region,
                    )
            window.add(now, used)
        return None

    def _reset(self, window: SlotWindow, index: int, need: int, limit: int, now: float) -> float:
        """Seconds until the counter would take this request (output: until it is under)."""
        probe, only = [0, 0, 0], [0, 0, 0]
        probe[index] = 1 if COUNTERS[index] == "output" else min(need, limit)
        only[index] = limit
        return window.wait(now, (probe[0], probe[1], probe[2]), (only[0], only[1], only[2])) or 1.0

    def state(self) -> dict[str, Any]:
        """Each scope's use and limits, for the control API."""
        now = self.clock()
        with self._lock:
            scopes = [
                {
                    "organization": org,
                    "model": model,
                    "region": region or None,
                    "used": dict(zip(COUNTERS, window.totals(now), strict=True)),
                }
                for (org, model, region), window in sorted(self._windows.items())
            ]
        return {
            "enabled": self.enabled,
            "scale": self.scale,
            "window_seconds": self.window_seconds,
            "models": {m: dict(zip(COUNTERS, v, strict=True)) for m, v in self.per_model.items()},
            "organizations": dict(self.organizations),
            "scopes": scopes,
        }
