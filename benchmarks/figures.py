"""Taking the measurements: every figure of the issue, subjects interleaved.

Each repetition runs one batch per subject, in list order on even rounds and reversed on odd
ones (A B C, C B A, …), so slow drift of the machine lands on every subject alike. A
figure's value is the median over repetitions of the batch's time divided by its calls.
"""

from __future__ import annotations

import statistics
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from benchmarks.runner import SCRATCH, Server, WorkerProcess

__all__ = ["FULL", "SMOKE", "Plan", "collect", "import_times", "median_of"]


@dataclass(frozen=True)
class Plan:
    """How much to run: the full run and the smoke run differ only here."""

    name: str
    reps: int
    invoke_calls: int
    invoke_words: int
    stream_sizes: tuple[int, ...]  # the first is the headline stream figure (200 chunks)
    stream_calls: dict[int, int] = field(default_factory=dict)
    scaling_reps: int = 5
    requests: int = 1000
    concurrency: int = 100
    concurrency_reps: int = 3
    import_reps: int = 5
    storage_docs: int = 1000
    storage_reps: int = 2

    def calls_for(self, chunks: int) -> int:
        return self.stream_calls.get(chunks, 1)


FULL = Plan(
    "full",
    reps=7,
    invoke_calls=100,
    invoke_words=16,
    stream_sizes=(200, 2000, 20000),
    stream_calls={200: 10, 2000: 2, 20000: 1},
)
SMOKE = Plan(
    "smoke",
    reps=2,
    invoke_calls=3,
    invoke_words=16,
    stream_sizes=(200, 300, 400),
    scaling_reps=1,
    requests=40,
    concurrency=10,
    concurrency_reps=1,
    import_reps=1,
    storage_docs=24,
    storage_reps=1,
)

Samples = dict[str, list[dict[str, float]]]
Progress = Callable[[str], None]


def median_of(samples: list[dict[str, float]], metric: str, per: float = 1.0) -> float:
    return statistics.median(s[metric] for s in samples) / per


def _interleaved(
    workers: list[WorkerProcess], reps: int, op: str, warm: dict[str, Any], **params: Any
) -> Samples:
    out: Samples = {w.key: [] for w in workers}
    for w in workers:  # warm-up: connections, lazy imports, caches
        w.call(op, **{**params, **warm})
    for rep in range(reps):
        for w in workers if rep % 2 == 0 else workers[::-1]:
            out[w.key].append(w.call(op, **params))
    return out


def collect(
    plan: Plan, server: Server, workers: list[WorkerProcess], progress: Progress
) -> dict[str, Any]:
    """Run every figure; the result is plain JSON-able data (see report.py)."""
    live = [w for w in workers if w.skip is None]
    results: dict[str, Any] = {}

    progress(f"invoke: {plan.reps} x {plan.invoke_calls} calls")
    samples = _interleaved(
        live,
        plan.reps,
        "invoke",
        {"calls": 2},
        url=server.base_url(plan.invoke_words),
        calls=plan.invoke_calls,
    )
    results["invoke"] = _per_call(samples, plan.invoke_calls)

    results["stream"] = {}
    for i, chunks in enumerate(plan.stream_sizes):
        calls, reps = plan.calls_for(chunks), plan.reps if i == 0 else plan.scaling_reps
        progress(f"stream: {chunks} chunks, {reps} x {calls} calls")
        samples = _interleaved(
            live, reps, "stream", {"calls": 1}, url=server.base_url(chunks), calls=calls
        )
        results["stream"][str(chunks)] = _per_call(samples, calls)

    concurrent = [w for w in live if w.concurrent]
    progress(
        f"concurrency: {plan.requests} requests at {plan.concurrency}, "
        f"{plan.concurrency_reps} reps, {len(concurrent)} subjects"
    )
    samples = _interleaved(
        concurrent,
        plan.concurrency_reps,
        "concurrency",
        {"requests": plan.concurrency},
        url=server.base_url(plan.invoke_words),
        requests=plan.requests,
        concurrency=plan.concurrency,
    )
    results["concurrency"] = _per_call(samples, 1)
    return results


def _per_call(samples: Samples, calls: int) -> dict[str, dict[str, Any]]:
    return {
        key: {
            "cpu": median_of(runs, "cpu", calls),
            "wall": median_of(runs, "wall", calls),
            "cpu_runs": [r["cpu"] / calls for r in runs],
        }
        for key, runs in samples.items()
    }


# --- import time --------------------------------------------------------------------------

_TIMER = "import time\nt = time.perf_counter()\n{statement}\nprint(time.perf_counter() - t)\n"


@dataclass(frozen=True)
class ImportCase:
    key: str
    label: str
    statement: str
    python: str
    env: dict[str, str]
    ours: bool = False  # ours must import; a peer that does not is reported as absent


def _import_once(case: ImportCase) -> float:
    done = subprocess.run(
        [case.python, "-c", _TIMER.format(statement=case.statement)],
        cwd=SCRATCH,
        env=case.env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{case.label}: {done.stderr.strip()[-500:]}")
    return float(done.stdout.strip().splitlines()[-1])


def import_times(
    cases: list[ImportCase], reps: int, progress: Progress, warm: bool = True
) -> dict[str, Any]:
    """Seconds to run each import statement in a fresh interpreter (median of ``reps``)."""
    progress(f"import time: {len(cases)} packages x {reps} fresh interpreters")
    runnable, out = [], {}
    for case in cases:  # warm-up run writes bytecode caches; a failure means "not installed"
        try:
            if warm:
                _import_once(case)
            runnable.append(case)
        except RuntimeError as exc:
            if case.ours:
                raise
            out[case.key] = {"label": case.label, "skip": str(exc).splitlines()[-1]}
    runs: dict[str, list[float]] = {c.key: [] for c in runnable}
    for rep in range(reps):
        for case in runnable if rep % 2 == 0 else runnable[::-1]:
            try:
                runs[case.key].append(_import_once(case))
            except RuntimeError as exc:
                if case.ours:
                    raise
                out[case.key] = {"label": case.label, "skip": str(exc).splitlines()[-1]}
    runnable = [c for c in runnable if c.key not in out]
    for case in runnable:
        out[case.key] = {
            "label": case.label,
            "seconds": statistics.median(runs[case.key]),
            "runs": runs[case.key],
        }
    return out
