"""Chat latency of the emulator while its full journal is being read, against idle.

``python -m benchmarks.emulator_journal [--smoke]``

The emulator runs as the command-line server in its own process. Its journal is filled to the
byte cap with large request bodies; then the chat latency of small sequential requests is
measured idle, and again while another process reads the whole journal over and over
(``GET /_emulator/journal``). Printed: the medians and 95th percentiles, their ratios, and
how long one full read takes. A read that blocked the event loop would show as a latency
ratio near (read time / idle latency); a read that yields shows a ratio near 1.
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass

import httpx

from benchmarks.runner import REPO, main_env

CHAT_BODY = {
    "model": "meta-llama/Meta-Llama-3.1-8B-Instruct",
    "messages": [{"role": "user", "content": "Say hello."}],
    "max_tokens": 8,
}
AUTH = {"Authorization": "Bearer bench"}


@dataclass
class Plan:
    journal_bytes: int
    body_bytes: int
    chats: int
    rounds: int


FULL = Plan(journal_bytes=32 * 1024 * 1024, body_bytes=256 * 1024, chats=100, rounds=5)
SMOKE = Plan(journal_bytes=4 * 1024 * 1024, body_bytes=128 * 1024, chats=20, rounds=1)


def _start(plan: Plan) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "telnyx_inference.emulator",
            "--port",
            "0",
            "--quiet",
            "--journal-max-bytes",
            str(plan.journal_bytes),
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
        env=main_env(),
    )
    assert proc.stdout is not None
    url = proc.stdout.readline().strip()
    if not url:
        raise RuntimeError("the emulator did not start")
    return proc, url.removesuffix("/v2/ai/openai")


def _fill(http: httpx.Client, plan: Plan) -> dict[str, int]:
    # An unknown route is journalled with its body and answered at once: the cheapest filler.
    padding = "x" * plan.body_bytes
    for i in range(plan.journal_bytes // plan.body_bytes + 2):
        http.post("/v2/ai/openai/filler", json={"i": i, "padding": padding}, headers=AUTH)
    page = http.get("/_emulator/journal", params={"last": 0}).json()
    return {k: page[k] for k in ("kept", "kept_bytes", "dropped")}


def _read_forever(root: str, reads: multiprocessing.Queue[float]) -> None:  # type: ignore[type-arg]
    with httpx.Client(base_url=root, timeout=120) as http:
        while True:
            started = time.perf_counter()
            with http.stream("GET", "/_emulator/journal") as r:
                size = sum(len(b) for b in r.iter_bytes())
            reads.put(time.perf_counter() - started)
            reads.put(float(size))


def _latencies(http: httpx.Client, n: int) -> list[float]:
    out = []
    for _ in range(n):
        started = time.perf_counter()
        r = http.post("/v2/ai/openai/chat/completions", json=CHAT_BODY, headers=AUTH)
        out.append(time.perf_counter() - started)
        r.raise_for_status()
    return out


def _p95(values: list[float]) -> float:
    return sorted(values)[max(0, int(len(values) * 0.95) - 1)]


def run(plan: Plan) -> int:
    proc, root = _start(plan)
    idle: list[float] = []
    busy: list[float] = []
    reads: multiprocessing.Queue[float] = multiprocessing.Queue()
    try:
        with httpx.Client(base_url=root, timeout=120) as http:
            filled = _fill(http, plan)
            _latencies(http, 5)  # warm-up
            # Alternate idle and busy phases so drift on a shared machine hits both alike.
            for _ in range(plan.rounds):
                idle += _latencies(http, plan.chats)
                reader = multiprocessing.Process(
                    target=_read_forever, args=(root, reads), daemon=True
                )
                reader.start()
                time.sleep(0.3)  # the first read is under way
                busy += _latencies(http, plan.chats)
                reader.terminate()
                reader.join()
        times = []
        while not reads.empty():
            times.append(reads.get())
        read_s = times[0::2]
        read_bytes = times[1::2]
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    idle_med, busy_med = statistics.median(idle), statistics.median(busy)
    print(
        f"journal: {filled['kept']} entries, {filled['kept_bytes'] / 2**20:.1f} MiB kept, "
        f"{filled['dropped']} dropped"
    )
    if read_s:
        print(
            f"full journal read: {statistics.median(read_s) * 1000:.0f} ms for "
            f"{read_bytes[0] / 2**20:.1f} MiB ({len(read_s)} reads during the busy phase)"
        )
    else:
        print("full journal read: none finished during the busy phase (reads slower than it)")
    print(
        f"chat latency idle:        median {idle_med * 1000:7.2f} ms   p95 {_p95(idle) * 1000:7.2f} ms"
    )
    print(
        f"chat latency during read: median {busy_med * 1000:7.2f} ms   p95 {_p95(busy) * 1000:7.2f} ms"
    )
    print(
        f"ratio during/idle: median {busy_med / idle_med:.2f}x   p95 {_p95(busy) / _p95(idle):.2f}x"
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.emulator_journal", description=__doc__
    )
    parser.add_argument("--smoke", action="store_true", help="a small journal, few requests")
    args = parser.parse_args(argv)
    return run(SMOKE if args.smoke else FULL)


if __name__ == "__main__":
    sys.exit(main())
