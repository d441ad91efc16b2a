"""Many processes, one Telnyx token budget: no limiter vs LangChain's limiter vs ours on Redis.

    python -m benchmarks.shared_budget            # 4 processes x 32 in flight, 3 arms, ~3 min
    python -m benchmarks.shared_budget --quick    # a smaller, shorter run (CI smoke)

The emulator (in its own process) enforces Telnyx's token limits for one model, scaled down
and with a shortened window (``--window``, 10 s here for a minute, so a run takes minutes,
not hours). Each arm runs the same workers — ``--processes`` processes, each with
``--concurrency`` ChatTelnyx calls in flight on one event loop — for ``--windows`` windows:

- ``none``: no limiter; the client retries its own 429s (the SDK's rules, max_retries=2);
- ``langchain``: langchain-core's ``InMemoryRateLimiter`` in each process, set to the budget
  (window tokens / window / tokens per call / processes, measured first), as a user would;
- ``ours``: one :class:`TokenBudget` on a real Redis server shared by all processes.

Reported per arm: goodput (output tokens answered between the end of the first window and
the end of the run, per window, over the window's budget), 429s in the first window and after it, and latency percentiles of
answered calls (waits included). Output tokens are the counter that binds here.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MODEL = "moonshotai/Kimi-K2.6"
MEDIUM_OUTPUT_PER_MINUTE = 400_000  # Telnyx's published medium tier (Kimi-K2.6)
PROMPT = "Describe a city you like in two sentences."
ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "results" / "shared_budget.md"


@dataclass(frozen=True)
class Plan:
    processes: int
    concurrency: int
    window: float
    windows: int
    scale: float

    @property
    def seconds(self) -> float:
        return self.window * self.windows

    @property
    def output_per_window(self) -> int:
        return max(int(MEDIUM_OUTPUT_PER_MINUTE * self.scale), 1)


# --- the workers (spawned: module-level, plain arguments) ---------------------------------------


def _worker(
    arm: str, base_url: str, redis_url: str, plan: Plan, rps: float, go: Any, out: Any
) -> None:
    import warnings

    warnings.simplefilter("ignore")
    out.put(asyncio.run(_calls(arm, base_url, redis_url, plan, rps, go, out)))


async def _calls(
    arm: str, base_url: str, redis_url: str, plan: Plan, rps: float, go: Any, out: Any
) -> list[tuple[float, float, int, str]]:
    from langchain_core.rate_limiters import InMemoryRateLimiter

    from langchain_telnyx import ChatTelnyx
    from telnyx_inference import TokenBudget

    limiter: Any = None
    if arm == "langchain":
        limiter = InMemoryRateLimiter(requests_per_second=rps, check_every_n_seconds=0.01)
    elif arm == "ours":
        limiter = TokenBudget(redis=redis_url, window_seconds=plan.window, scale=plan.scale)
    llm = ChatTelnyx(api_key="bench", base_url=base_url, rate_limiter=limiter, max_retries=2)
    out.put("ready")  # imported and built: the parent starts every process's clock at once
    await asyncio.to_thread(go.wait)
    start = go.start.value
    deadline = start + plan.seconds
    done: list[tuple[float, float, int, str]] = []  # (began, ended, output tokens, outcome)
    await asyncio.sleep(max(start - time.time(), 0))

    async def loop() -> None:
        while time.time() < deadline:
            began = time.time()
            try:
                answer = await llm.ainvoke(PROMPT)
            except Exception as exc:  # the benchmark counts failures, it does not stop on them
                done.append((began, time.time(), 0, type(exc).__name__))
                continue
            tokens = (answer.usage_metadata or {}).get("output_tokens", 0)
            done.append((began, time.time(), tokens, "ok"))

    await asyncio.gather(*(loop() for _ in range(plan.concurrency)))
    return done


# --- the run ----------------------------------------------------------------------------------


class _Go:
    """The start signal: one shared start time, and an event the workers wait on."""

    def __init__(self, ctx: Any) -> None:
        self.start = ctx.Value("d", 0.0)
        self.event = ctx.Event()

    def wait(self) -> None:
        self.event.wait()

    def set(self, start: float) -> float:
        self.start.value = start
        self.event.set()
        return start


def _http(url: str, body: Any = None, method: str = "GET") -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read() or b"null")


def _count_429(root: str) -> int:
    page = _http(f"{root}/_emulator/journal?status=429&last=1000000")
    entries = page["entries"] if isinstance(page, dict) else page
    return len(entries)


def _emulator(plan: Plan) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "telnyx_inference.emulator",
            "--port",
            "0",
            "--quiet",
            "--token-limits",
            "--token-window",
            str(plan.window),
            "--token-budget-scale",
            str(plan.scale),
            "--journal-max-entries",
            "1000000",
            "--journal-max-bytes",
            str(2**31),
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert proc.stdout is not None
    base_url = proc.stdout.readline().strip()
    return proc, base_url


def _calibrate(base_url: str) -> int:
    """Output tokens of one call, as every worker's calls will be (the emulator is
    deterministic for a prompt): what LangChain's per-request limiter must be told."""
    from langchain_telnyx import ChatTelnyx

    answer = ChatTelnyx(api_key="bench", base_url=base_url).invoke(PROMPT)
    return int((answer.usage_metadata or {}).get("output_tokens", 1))


def run_arm(arm: str, plan: Plan, base_url: str, redis_url: str, per_call: int) -> dict[str, Any]:
    root = base_url.split("/v2/")[0]
    _http(f"{root}/_emulator/reset", {}, "POST")
    rps = plan.output_per_window / plan.window / per_call / plan.processes
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    go = _Go(ctx)
    workers = [
        ctx.Process(target=_worker, args=(arm, base_url, redis_url, plan, rps, go, out))
        for _ in range(plan.processes)
    ]
    for w in workers:
        w.start()
    for _ in workers:  # every worker imported and ready before the clock starts
        assert out.get(timeout=300) == "ready"
    start = go.set(time.time() + 0.2)
    time.sleep(max(start + plan.window - time.time(), 0))
    first_429 = _count_429(root)
    calls = [c for _ in workers for c in out.get(timeout=plan.seconds + 300)]
    for w in workers:
        w.join(timeout=60)
    total_429 = _count_429(root)
    end = start + plan.seconds  # answers after the deadline (calls begun before it) count not
    measured = [c for c in calls if c[3] == "ok" and start + plan.window <= c[1] < end]
    windows_measured = (plan.seconds - plan.window) / plan.window
    goodput = sum(c[2] for c in measured) / windows_measured / plan.output_per_window
    latencies = sorted(c[1] - c[0] for c in calls if c[3] == "ok")
    failures = [c for c in calls if c[3] != "ok"]
    return {
        "arm": arm,
        "goodput": goodput,
        "429_first_window": first_429,
        "429_after": total_429 - first_429,
        "answered": len(latencies),
        "failed": len(failures),
        "p50": statistics.median(latencies) if latencies else float("nan"),
        "p95": latencies[int(0.95 * (len(latencies) - 1))] if latencies else float("nan"),
    }


def report(plan: Plan, rows: list[dict[str, Any]], per_call: int) -> str:
    lines = [
        f"Shared token budget: {plan.processes} processes x {plan.concurrency} in flight, "
        f"{plan.windows} windows of {plan.window:g} s (a scaled minute), output budget "
        f"{plan.output_per_window:,} tokens per window, ~{per_call} output tokens a call.",
        "",
        "| arm | goodput (of budget) | 429s, first window | 429s after | answered | failed "
        "| p50 s | p95 s |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['arm']} | {r['goodput']:.2f} | {r['429_first_window']} | {r['429_after']} "
            f"| {r['answered']} | {r['failed']} | {r['p50']:.2f} | {r['p95']:.2f} |"
        )
    ours = next((r for r in rows if r["arm"] == "ours"), None)
    if ours is not None:
        ok = ours["goodput"] >= 0.9 and ours["429_after"] == 0
        lines += [
            "",
            f"Target (ours >= 0.90 of the budget, no 429 after the first window): "
            f"{'met' if ok else 'MISSED'} ({ours['goodput']:.2f}, {ours['429_after']} after).",
        ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--processes", type=int, default=4)
    p.add_argument("--concurrency", type=int, default=32)
    p.add_argument("--window", type=float, default=10.0, help="seconds standing for a minute")
    p.add_argument("--windows", type=int, default=4)
    p.add_argument("--scale", type=float, default=0.015, help="of the per-minute tier limits")
    p.add_argument("--arms", default="none,langchain,ours")
    p.add_argument("--quick", action="store_true", help="2 processes x 8, 3 windows of 3 s")
    p.add_argument("--no-save", action="store_true", help=f"do not write {RESULTS.name}")
    args = p.parse_args(argv)
    plan = (
        Plan(2, 8, 3.0, 3, 0.004)
        if args.quick
        else Plan(args.processes, args.concurrency, args.window, args.windows, args.scale)
    )
    sys.path.insert(0, str(ROOT / "tests"))
    from redis_server import running_redis

    proc, base_url = _emulator(plan)
    try:
        with running_redis() as (redis_url, _):
            per_call = _calibrate(base_url)
            rows = []
            for arm in args.arms.split(","):
                print(f"running {arm} ...", flush=True)
                rows.append(run_arm(arm, plan, base_url, redis_url, per_call))
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    text = report(plan, rows, per_call)
    print(text)
    if not args.no_save and not args.quick:
        RESULTS.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
