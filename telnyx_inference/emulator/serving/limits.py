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

from starlette.responses import Response

from telnyx_inference._constants import (
    DEFAULT_TOKEN_LIMIT_TIER,
    TOKEN_LIMIT_WINDOW_SECONDS,
    TOKEN_LIMITS_BY_TIER,
)
from telnyx_inference.budget.window import COUNTERS, SlotWindow, Usage
from telnyx_inference.emulator import errors

__all__ = ["DEFAULT_ORGANIZATION", "Refusal", "TokenLimits", "spent"]

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
    need: int = 0

    def response(self) -> Response:
        """Telnyx's gateway 429 saying which counter is full and when it frees."""
        return errors.token_limit_response(self.detail, self.limit, self.remaining, self.reset)

    @property
    def detail(self) -> str:
        where = f" in region {self.region}" if self.region else ""
        head = (
            f"Token rate limit reached: {self.counter.replace('_', ' ')} tokens per minute for "
            f"{self.model}{where} (limit {self.limit:,})"
        )
        if self.need > self.limit:
            return f"{head}: this request alone needs {self.need:,}"
        return f"{head}; retry in {math.ceil(self.reset)} s"


def spent(usage: Mapping[str, Any]) -> Usage:
    """(input, uncached input, output) of an answer's ``usage``."""
    prompt = int(usage.get("prompt_tokens") or 0)
    details = usage.get("prompt_tokens_details")
    cached = int(details.get("cached_tokens") or 0) if isinstance(details, Mapping) else 0
    return prompt, max(prompt - cached, 0), int(usage.get("completion_tokens") or 0)


class TokenLimits:
    """The emulator's token counters, behind one lock (the serving thread and control calls).

    Whether limits apply, the scale and the window length are the emulator's settings
    (``token_limits``, ``token_budget_scale``, ``token_window_seconds``), passed in on each
    call; per-model limits and which key belongs to which organization are kept here."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.per_model: dict[str, Usage] = {}
        self.organizations: dict[str, str] = {}
        self._windows: dict[tuple[str, str, str], SlotWindow] = {}
        self._lock = threading.Lock()

    def configure(
        self,
        *,
        models: Mapping[str, Mapping[str, int]] | None = None,
        organizations: Mapping[str, str] | None = None,
    ) -> None:
        """Set per-model limits (``{"input": n, "uncached_input": n, "output": n}``, 0 or
        absent: no limit on that counter) and key → organization; the counters start again."""
        checked: dict[str, Usage] = {}
        for model, values in (models or {}).items():
            unknown = set(values) - set(COUNTERS)
            if unknown:
                raise ValueError(f"unknown counters {sorted(unknown)}: use {list(COUNTERS)}")
            numbers = [values.get(name, 0) for name in COUNTERS]
            if any(isinstance(n, bool) or not isinstance(n, int) or n < 0 for n in numbers):
                raise ValueError(f"limits of {model!r} must be whole numbers ≥ 0: {dict(values)}")
            checked[model] = (numbers[0], numbers[1], numbers[2])
        with self._lock:
            self.per_model.update(checked)
            self.organizations.update(organizations or {})
            self._windows.clear()

    def reset(self) -> None:
        """No per-model limits, every key in the default organization, counters at zero."""
        with self._lock:
            self.per_model.clear()
            self.organizations.clear()
            self._windows.clear()

    def limits(self, model: str, tier: str | None, scale: float) -> Usage:
        if model in self.per_model:
            return self.per_model[model]
        values = (
            TOKEN_LIMITS_BY_TIER.get((tier or "").lower())
            or TOKEN_LIMITS_BY_TIER[DEFAULT_TOKEN_LIMIT_TIER]
        )
        a, b, c = (max(int(v * scale), 1) for v in values)
        return a, b, c

    def organization(self, api_key: str | None) -> str:
        return self.organizations.get(api_key or "", DEFAULT_ORGANIZATION)

    # --- the check ----------------------------------------------------------------------------

    def _window(self, scope: tuple[str, str, str], seconds: float) -> SlotWindow:
        window = self._windows.get(scope)
        if window is None or window.seconds != seconds:
            window = self._windows[scope] = SlotWindow(seconds, 60)
        return window

    def admit(
        self,
        api_key: str | None,
        model: str,
        region: str | None,
        tier: str | None,
        used: Usage,
        *,
        scale: float = 1.0,
        window_seconds: float = TOKEN_LIMIT_WINDOW_SECONDS,
    ) -> Refusal | None:
        """Count ``used`` (input, uncached input, output) and return None, or refuse it."""
        limits = self.limits(model, tier, scale)
        scope = (self.organization(api_key), model, region or "")
        now = self.clock()
        with self._lock:
            window = self._window(scope, window_seconds)
            totals = window.totals(now)
            for index, name in enumerate(COUNTERS):
                limit, have, need = limits[index], totals[index], used[index]
                over = have >= limit if name == "output" else have + need > limit
                if limit and over:
                    reset = self._reset(window, index, need, limit, now)
                    remaining = max(limit - have, 0)
                    return Refusal(name, limit, remaining, reset, model, region, need)
            window.add(now, used)
        return None

    def _reset(self, window: SlotWindow, index: int, need: int, limit: int, now: float) -> float:
        """Seconds until the counter would take this request (output: until it is under)."""
        probe, only = [0, 0, 0], [0, 0, 0]
        probe[index] = 1 if COUNTERS[index] == "output" else min(need, limit)
        only[index] = limit
        return window.wait(now, (probe[0], probe[1], probe[2]), (only[0], only[1], only[2])) or 1.0

    def state(self) -> dict[str, Any]:
        """Each scope's use, and the limits set per model, for the control API."""
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
            models = {m: dict(zip(COUNTERS, v, strict=True)) for m, v in self.per_model.items()}
            return {"models": models, "organizations": dict(self.organizations), "scopes": scopes}
