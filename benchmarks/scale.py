"""Async at scale (issue 16): many requests in flight, on each installed openai major.

For one interpreter per installed openai major (this one, the README's ``.venv`` and
``.venv-openai2``, whichever exist: openai 2.x sits on httpx, 3.x on httpx2) every subject of :mod:`.async_subjects` runs in its own worker:
async invoke and 200-chunk streams at several concurrencies, and a thread-pool ``batch`` on
the sync path. The figure is client CPU per request (median over repetitions, subjects
interleaved as elsewhere); requests per second per core is its inverse. Targets are ratios
within one interpreter's run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from benchmarks.async_subjects import scale_registry
from benchmarks.envs import openai_pythons
from benchmarks.figures import Progress, _interleaved, _per_call
from benchmarks.runner import Server, WorkerProcess, main_env

__all__ = ["FULL", "SMOKE", "ScalePlan", "collect", "evaluate", "tables"]

METHOD = (
    "Each subject in its own worker process, one event loop, `concurrency` requests in "
    "flight (after a warm-up batch that fills the pool); figure = client-process CPU per "
    "request, median of 3 interleaved repetitions, against the same loopback server. Run "
    "once per openai major: 3.x (httpx2) and 2.x (httpx), each in a virtualenv of its own. "
    '"today" = our adapters with `async_transport="httpx"`, the SDK\'s plain client that '
    "every async call used before. The machine (2 cores) was shared with other work: read "
    "ratios, not absolute figures."
)
MEDIUM_TIER_RPS = 40_000_000 / 60 / 500
"""Telnyx's Medium tier: 40M input tokens a minute, at 500 tokens a request (≈1,333 req/s)."""
PER_CORE_AT = 200
BATCH_SUBJECTS = ("raw-sdk-http", "ours-lc", "ours-li")
BATCH_LABELS = {
    "ours-lc": "ChatTelnyx.batch (ours, sync path)",
    "ours-li": "Telnyx.chat (ours, LlamaIndex, sync path) on a thread pool",
}
"""The batch rows are the sync path, whatever async transport the subject was built with."""


@dataclass(frozen=True)
class ScalePlan:
    reps: int
    invoke: dict[int, int]  # concurrency -> requests per batch
    stream: dict[int, int]
    batch: tuple[int, int]  # (requests, threads)
    stream_chunks: int = 200
    invoke_words: int = 16


FULL = ScalePlan(
    reps=3,
    invoke={1: 30, 10: 100, 100: 300, 200: 400, 500: 500},
    stream={1: 3, 10: 10, 50: 50, 100: 100, 500: 500},
    batch=(200, 50),
)
SMOKE = ScalePlan(reps=1, invoke={1: 3, 10: 20}, stream={1: 2, 10: 10}, batch=(20, 5))


def interpreters() -> list[tuple[str, str]]:
    """(label, python): one interpreter per installed openai major (see ``openai_pythons``)."""
    return [(f"openai{major}", python) for major, python in openai_pythons()]


def collect(plan: ScalePlan, server: Server, progress: Progress) -> dict[str, Any]:
    """Every scale figure for every interpreter: plain JSON-able data."""
    out: dict[str, Any] = {"plan": plan.__dict__, "runs": {}}
    for label, python in interpreters():
        workers = [
            WorkerProcess(key, subject.label, python, main_env(), scale=True)
            for key, subject in scale_registry().items()
        ]
        try:
            for worker in workers:
                worker.wait_ready()
                if worker.key == "raw-sdk-http":  # named by the library the worker's SDK uses
                    worker.label = f"raw {_sdk_library(worker.versions)} + json"
            live = [w for w in workers if w.skip is None]
            versions: dict[str, str] = {}
            for w in live:
                versions.update(w.versions)
            run: dict[str, Any] = {
                "versions": versions,
                "subjects": {w.key: {"label": w.label, "skip": w.skip} for w in workers},
                "invoke": {},
                "stream": {},
            }
            major = versions.get("openai", "?").split(".")[0]
            for what, counts, size in (
                ("invoke", plan.invoke, plan.invoke_words),
                ("stream", plan.stream, plan.stream_chunks),
            ):
                for concurrency, requests in counts.items():
                    progress(
                        f"scale (openai {major}.x): async {what}, {requests} requests at "
                        f"concurrency {concurrency}, {plan.reps} reps"
                    )
                    samples = _interleaved(
                        live,
                        plan.reps,
                        "scale",
                        {"requests": concurrency},
                        url=server.base_url(size),
                        what=what,
                        requests=requests,
                        concurrency=concurrency,
                    )
                    run[what][str(concurrency)] = _per_call(samples, requests)
            requests, threads = plan.batch
            progress(f"scale (openai {major}.x): sync batch, {requests} calls on {threads} threads")
            batchers = [w for w in live if w.key in BATCH_SUBJECTS]
            samples = _interleaved(
                batchers,
                plan.reps,
                "batch",
                {"requests": threads},
                url=server.base_url(plan.invoke_words),
                requests=requests,
                concurrency=threads,
            )
            run["batch"] = _per_call(samples, requests)
            out["runs"][label] = run
        finally:
            for worker in workers:
                worker.close()
    return out


def _sdk_library(versions: dict[str, str]) -> str:
    return "httpx" if versions.get("openai", "3").startswith("2.") else "httpx2"


# --- targets ------------------------------------------------------------------------------


def _cpu(run: dict[str, Any], what: str, concurrency: int, key: str) -> float | None:
    entry = run.get(what, {}).get(str(concurrency), {}).get(key)
    return None if entry is None else float(entry["cpu"])


def _ratio(a: float | None, b: float | None) -> float | None:
    return None if a is None or not b else a / b


@dataclass(frozen=True)
class ScaleTarget:
    key: str
    text: str
    limit: float
    ratio: Callable[[dict[str, Any]], float | None]


def _invoke_vs_floor(ours: str, floor: str) -> Callable[[dict[str, Any]], float | None]:
    def ratio(run: dict[str, Any]) -> float | None:
        floor_cpu, post = _cpu(run, "invoke", 100, floor), _cpu(run, "invoke", 100, "sdk-aiohttp")
        if floor_cpu is None or post is None:
            return None
        return _ratio(_cpu(run, "invoke", 100, ours), floor_cpu + post)

    return ratio


def _vs_switch(what: str, concurrency: int, ours: str) -> Callable[[dict[str, Any]], float | None]:
    def ratio(run: dict[str, Any]) -> float | None:
        return _ratio(
            _cpu(run, what, concurrency, ours), _cpu(run, what, concurrency, f"{ours}-httpx")
        )

    return ratio


TARGETS = [
    ScaleTarget(
        "lc-invoke-100",
        "ChatTelnyx async invoke at 100 / (LangChain async floor + SDK aiohttp raw post)",
        1.2,
        _invoke_vs_floor("ours-lc", "floor-lc"),
    ),
    ScaleTarget(
        "li-invoke-100",
        "LlamaIndex Telnyx achat at 100 / (LlamaIndex async floor + SDK aiohttp raw post)",
        1.2,
        _invoke_vs_floor("ours-li", "floor-li"),
    ),
    ScaleTarget(
        "lc-stream-50",
        "ChatTelnyx 200-chunk astream at 50, CPU / today (httpx)",
        0.8,
        _vs_switch("stream", 50, "ours-lc"),
    ),
    ScaleTarget(
        "li-stream-50",
        "LlamaIndex Telnyx 200-chunk astream_chat at 50, CPU / today (httpx)",
        0.8,
        _vs_switch("stream", 50, "ours-li"),
    ),
    ScaleTarget(
        "lc-invoke-1",
        "ChatTelnyx async invoke at 1, CPU / today (httpx)",
        1.0,
        _vs_switch("invoke", 1, "ours-lc"),
    ),
    ScaleTarget(
        "li-invoke-1",
        "LlamaIndex Telnyx achat at 1, CPU / today (httpx)",
        1.0,
        _vs_switch("invoke", 1, "ours-li"),
    ),
    ScaleTarget(
        "lc-stream-1",
        "ChatTelnyx astream at 1, CPU / today (httpx)",
        1.0,
        _vs_switch("stream", 1, "ours-lc"),
    ),
    ScaleTarget(
        "li-stream-1",
        "LlamaIndex Telnyx astream_chat at 1, CPU / today (httpx)",
        1.0,
        _vs_switch("stream", 1, "ours-li"),
    ),
]


def evaluate(scale: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for label, run in scale.get("runs", {}).items():
        major = _major(run)
        for t in TARGETS:
            ratio = t.ratio(run)
            verdict = "n/a" if ratio is None else ("pass" if ratio <= t.limit else "miss")
            rows.append(
                {
                    "key": f"{t.key}-{label}",
                    "text": f"openai {major}: {t.text}",
                    "limit": t.limit,
                    "ratio": ratio,
                    "verdict": verdict,
                }
            )
    return rows


def _major(run: dict[str, Any]) -> str:
    version = str(run.get("versions", {}).get("openai", "?"))
    return f"{version.split('.')[0]}.x ({version})"


# --- tables -------------------------------------------------------------------------------

Table = tuple[str, list[str], list[list[str]]]


def _ms(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds * 1e3:.3f}"


def tables(scale: dict[str, Any]) -> list[Table]:
    out: list[Table] = []
    for run in scale.get("runs", {}).values():
        major = _major(run)
        subjects = run["subjects"]
        for what, title in (
            ("invoke", "async invoke"),
            ("stream", f"async {scale['plan']['stream_chunks']}-chunk stream"),
        ):
            levels = sorted(run[what], key=int)
            rows = []
            for key, info in subjects.items():
                if info.get("skip"):
                    continue
                rows.append([info["label"], *[_ms(_cpu(run, what, int(c), key)) for c in levels]])
            out.append(
                (
                    f"Async at scale, openai {major}: {title}, client CPU per request, ms, "
                    "by concurrency",
                    ["subject", *[f"c={c}" for c in levels]],
                    rows,
                )
            )
        rows = []
        per_core = str(PER_CORE_AT)
        for key, info in subjects.items():
            cpu = _cpu(run, "invoke", PER_CORE_AT, key)
            if cpu is None or info.get("skip") or key.startswith("floor"):
                continue
            rps = 1.0 / cpu
            rows.append(
                [
                    info["label"],
                    f"{rps:,.0f}",
                    f"{MEDIUM_TIER_RPS / rps:.2f}",
                ]
            )
        out.append(
            (
                f"Requests per second per core at concurrency {per_core} (async invoke), "
                f"openai {major}; Medium tier = 40M tokens/min ≈ {MEDIUM_TIER_RPS:,.0f} req/s "
                "at 500 tokens each",
                ["subject", "req/s per core", "cores for Medium tier"],
                rows,
            )
        )
        batch = run.get("batch", {})
        rows = [
            [
                BATCH_LABELS.get(key, subjects[key]["label"]),
                _ms(batch[key]["cpu"]),
                _ms(batch[key]["wall"]),
            ]
            for key in subjects
            if key in batch
        ]
        requests, threads = scale["plan"]["batch"]
        out.append(
            (
                f"Sync thread-pool batch, openai {major}: {requests} calls on {threads} "
                "threads, per call, ms",
                ["subject", "CPU", "wall"],
                rows,
            )
        )
    return out
