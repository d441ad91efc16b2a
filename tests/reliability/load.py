"""Load: many concurrent requests through each adapter's async path, against the emulator.

    python -m tests.reliability.load --requests 10000 --concurrency 200
    python -m tests.reliability.load --async-transport httpx     # one HTTP client only

The emulator runs in a child process, so this process's memory and file descriptors are the
client's alone. Half the requests are ``ainvoke``/``achat`` and half ``astream``/``astream_chat``
(every answer is checked against the expected text). Printed per adapter: errors, throughput,
latency percentiles, resident memory after warm-up and at the end, and open file descriptors
before, at the peak and after the event loop has shut down.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import psutil
from llama_index.core.llms import ChatMessage

from langchain_telnyx import ChatTelnyx
from llama_index_telnyx import Telnyx

__all__ = ["ASYNC_TRANSPORTS", "LoadReport", "emulator_process", "main", "run_load"]

PROMPT = "Say hello"
EXPECTED = "You asked me to say hello. This is the Telnyx emulator's offline reply."
FRAMEWORKS = ("langchain", "llama_index")
ASYNC_TRANSPORTS = ("aiohttp", "httpx")
_PROCESS = psutil.Process()


@dataclass
class LoadReport:
    framework: str
    requests: int
    concurrency: int
    async_transport: str = "aiohttp"
    errors: Counter[str] = field(default_factory=Counter)
    wrong_answers: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    rss_after_warmup: int = 0
    rss_end: int = 0
    fds_before: int = 0
    fds_peak: int = 0
    fds_after: int = 0

    @property
    def rss_growth_mb(self) -> float:
        return (self.rss_end - self.rss_after_warmup) / 2**20

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0

    def lines(self) -> list[str]:
        errors = sum(self.errors.values())
        return [
            f"{self.framework} on {self.async_transport}: {self.requests} requests at "
            f"concurrency {self.concurrency} "
            f"in {self.seconds:.1f}s ({self.requests / max(self.seconds, 1e-9):.0f} req/s)",
            f"  errors: {errors} {dict(self.errors) if errors else ''}"
            f"  wrong answers: {self.wrong_answers}",
            f"  latency ms: p50 {self.percentile(0.5) * 1e3:.1f}  "
            f"p99 {self.percentile(0.99) * 1e3:.1f}  max {self.percentile(1.0) * 1e3:.1f}",
            f"  RSS MiB: after warm-up {self.rss_after_warmup / 2**20:.1f}  "
            f"end {self.rss_end / 2**20:.1f}  growth {self.rss_growth_mb:+.1f}",
            f"  open fds: before {self.fds_before}  peak {self.fds_peak}  "
            f"after loop shutdown {self.fds_after}",
        ]


@contextmanager
def emulator_process() -> Iterator[str]:
    """Start ``python -m telnyx_inference.emulator`` in a child process; yield its base URL."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "telnyx_inference.emulator", "--port", "0", "--quiet"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        base_url = proc.stdout.readline().strip()
        if not base_url.startswith("http"):
            raise RuntimeError(f"the emulator did not start (printed {base_url!r})")
        yield base_url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _model(framework: str, base_url: str, async_transport: str) -> Any:
    conn: dict[str, Any] = {
        "base_url": base_url,
        "api_key": "load-key",
        "timeout": 30.0,
        "async_transport": async_transport,
    }
    return ChatTelnyx(**conn) if framework == "langchain" else Telnyx(**conn)


async def _one(model: Any, stream: bool) -> str:
    if isinstance(model, ChatTelnyx):
        if not stream:
            return str((await model.ainvoke(PROMPT)).content)
        return "".join([str(chunk.content) async for chunk in model.astream(PROMPT)])
    messages = [ChatMessage(role="user", content=PROMPT)]
    if not stream:
        return str((await model.achat(messages)).message.content)
    text = ""
    async for response in await model.astream_chat(messages):
        text += response.delta or ""
    return text


async def _drive(model: Any, report: LoadReport, warmup: int) -> None:
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(report.requests):
        queue.put_nowait(i)
    done = 0

    async def worker() -> None:
        nonlocal done
        while True:
            try:
                i = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            start = time.perf_counter()
            try:
                text = await _one(model, stream=i % 2 == 1)
            except Exception as exc:
                report.errors[type(exc).__name__] += 1
            else:
                report.wrong_answers += text != EXPECTED
            report.latencies.append(time.perf_counter() - start)
            done += 1
            if done == warmup:
                gc.collect()
                report.rss_after_warmup = _PROCESS.memory_info().rss
            if done % 100 == 0:
                report.fds_peak = max(report.fds_peak, _PROCESS.num_fds())

    await asyncio.gather(*(worker() for _ in range(report.concurrency)))


def run_load(
    framework: str,
    base_url: str,
    requests: int,
    concurrency: int,
    warmup: int | None = None,
    async_transport: str = "aiohttp",
) -> LoadReport:
    """Send ``requests`` through one adapter's async path in a fresh event loop."""
    report = LoadReport(framework, requests, concurrency, async_transport)
    warmup = warmup if warmup is not None else max(1, requests // 10)
    model = _model(framework, base_url, async_transport)
    # One call first, in a loop of its own: lazy imports, and the model catalog LlamaIndex
    # reads once (over a pooled sync connection that then stays, legitimately, open).
    asyncio.run(_one(model, stream=False))
    gc.collect()
    report.fds_before = report.fds_peak = _PROCESS.num_fds()
    start = time.perf_counter()
    asyncio.run(_drive(model, report, warmup))
    report.seconds = time.perf_counter() - start
    gc.collect()
    report.rss_end = _PROCESS.memory_info().rss
    report.fds_after = _PROCESS.num_fds()
    return report


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.reliability.load", description=__doc__)
    parser.add_argument("--requests", type=int, default=10_000, help="per adapter")
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--framework", choices=FRAMEWORKS, action="append")
    parser.add_argument("--async-transport", choices=ASYNC_TRANSPORTS, action="append")
    args = parser.parse_args(argv)
    failed = False
    with emulator_process() as base_url:
        print(f"emulator: {base_url} (child process); client pid {os.getpid()}")
        for transport in args.async_transport or ASYNC_TRANSPORTS:
            for framework in args.framework or FRAMEWORKS:
                report = run_load(
                    framework, base_url, args.requests, args.concurrency, None, transport
                )
                print("\n".join(report.lines()), flush=True)
                failed |= bool(report.errors) or bool(report.wrong_answers)
                failed |= report.fds_after > report.fds_before
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
