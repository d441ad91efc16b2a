"""Time to first chunk: straight to the upstream, through the recorder, and replayed.

    python -m benchmarks.recorder [--calls 200]

The upstream is the benchmark server (its own process, canned 16-chunk streams); the
recorder and the replaying emulator run on threads of this process, as they would next to a
test suite. Each figure is the median over sequential streamed requests of the time from
sending the request to reading the first ``data:`` bytes, with a raw HTTP client so that the
client's own cost is the same in every column. ``python -m benchmarks`` prints these too.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.runner import Server

CHUNKS = 16
BODY = {
    "model": "moonshotai/Kimi-K2.6",
    "messages": [{"role": "user", "content": "hi"}],
    "stream": True,
}


def _first_chunk_ms(client: Any, url: str) -> float:
    started = time.perf_counter()
    with client.stream("POST", url, json=BODY) as answer:
        first = None
        for data in answer.iter_raw():
            if first is None and b"data:" in data:
                first = time.perf_counter() - started
        if first is None:
            raise RuntimeError(f"no SSE data from {url}")
    return first * 1000


def _median(client: Any, url: str, calls: int) -> float:
    _first_chunk_ms(client, url)  # warm the connection
    return statistics.median(_first_chunk_ms(client, url) for _ in range(calls))


def measure(server: Server, calls: int, say: Callable[[str], None] = print) -> dict[str, float]:
    """Median time to first chunk (ms): ``direct``, ``recorder``, ``replay``."""
    from telnyx_inference.emulator import Emulator
    from telnyx_inference.transport.sdk_http import http_module

    path = f"/n/{CHUNKS}/v2/ai/openai/chat/completions"
    figures: dict[str, float] = {}
    headers = {"Authorization": "Bearer bench-key"}
    with (
        tempfile.TemporaryDirectory(prefix="bench-cassette-") as tmp,
        http_module.Client(headers=headers, timeout=30) as client,
    ):
        figures["direct"] = _median(client, server.root + path, calls)
        with Emulator(record=Path(tmp), upstream=server.root) as recorder:
            figures["recorder"] = _median(client, recorder.root + path, calls)
        with Emulator(replay=Path(tmp)) as player:
            figures["replay"] = _median(client, player.root + path, calls)
    added = figures["recorder"] - figures["direct"]
    say(
        f"time to first chunk, median of {calls}: direct {figures['direct']:.2f} ms, "
        f"through the recorder {figures['recorder']:.2f} ms (+{added:.2f} ms, "
        f"{figures['recorder'] / figures['direct']:.1f}x), replayed {figures['replay']:.2f} ms"
    )
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.recorder", description=__doc__)
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args(argv)
    with Server([CHUNKS]) as server:
        measure(server, args.calls)
    return 0


if __name__ == "__main__":
    sys.exit(main())
