"""One subject in its own process, timed from inside: JSON lines in on stdin, out on stdout.

Started by the runner as ``<python> benchmarks/worker.py <subject-key>`` — by path, so the
repository root is not put on ``sys.path`` (inside the official package's virtualenv our own
``langchain_telnyx`` must not shadow the official one). Each request names an operation and
a batch size; the answer is the process CPU time (``time.process_time``: every thread of
this process, nothing of the server's) and wall time for the whole batch::

    -> {"op": "stream", "url": "http://127.0.0.1:4321/n/200/v2/ai/openai", "calls": 10}
    <- {"cpu": 0.0123, "wall": 0.0150}

Every answer is checked (the text must hold the expected number of words) after the clock
stops, so a subject that silently drops chunks cannot look fast.
"""

from __future__ import annotations

import asyncio
import gc
import importlib.util
import json
import os
import sys
import time
import traceback
import warnings
from pathlib import Path
from typing import Any

WORD = "emulated"


def _bootstrap() -> None:
    # Load the ``benchmarks`` package from this file's folder without adding its parent
    # (the repository root) to sys.path.
    if "benchmarks" in sys.modules:
        return
    here = Path(__file__).resolve().parent
    spec = importlib.util.spec_from_file_location(
        "benchmarks", here / "__init__.py", submodule_search_locations=[str(here)]
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["benchmarks"] = module
    spec.loader.exec_module(module)
    if sys.path and Path(sys.path[0]).resolve() == here:
        sys.path.pop(0)  # the script's own folder: sibling names like ``server`` must not leak


def _check(text: str, words: int, what: str) -> None:
    found = text.count(WORD)
    if found != words:
        raise AssertionError(f"{what}: expected {words} words in the answer, got {found}")


class Worker:
    def __init__(self, subject: Any) -> None:
        self.subject = subject
        self.handles: dict[str, Any] = {}
        self.loop = asyncio.new_event_loop()  # one loop for the worker's life: pools stay valid

    def handle(self, url: str) -> Any:
        if url not in self.handles:
            self.handles[url] = self.subject.make(url)
        return self.handles[url]

    def invoke(self, url: str, calls: int) -> dict[str, float]:
        from benchmarks.subjects import chunks_in

        handle, answers = self.handle(url), []
        gc.collect()
        cpu, wall = time.process_time(), time.perf_counter()
        for _ in range(calls):
            answers.append(self.subject.invoke(handle))
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        for text in answers:
            _check(text, chunks_in(url), "invoke")
        return {"cpu": cpu, "wall": wall}

    def stream(self, url: str, calls: int) -> dict[str, float]:
        from benchmarks.subjects import chunks_in

        handle, answers = self.handle(url), []
        stream = self.subject.stream
        gc.collect()
        cpu, wall = time.process_time(), time.perf_counter()
        for _ in range(calls):
            parts = []
            for piece in stream(handle):
                parts.append(piece)
            answers.append(parts)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        for parts in answers:
            _check("".join(parts), chunks_in(url), "stream")
        return {"cpu": cpu, "wall": wall}

    def concurrency(self, url: str, requests: int, concurrency: int) -> dict[str, float]:
        return self.loop.run_until_complete(self._concurrency(url, requests, concurrency))

    async def _concurrency(self, url: str, requests: int, concurrency: int) -> dict[str, float]:
        from benchmarks.subjects import chunks_in

        handle = await self.subject.amake(url)
        try:
            await self._fan_out(handle, concurrency, concurrency, chunks_in(url))  # warm pool
            gc.collect()
            cpu, wall = time.process_time(), time.perf_counter()
            await self._fan_out(handle, requests, concurrency, chunks_in(url))
            return {"cpu": time.process_time() - cpu, "wall": time.perf_counter() - wall}
        finally:
            await self.subject.aclose(handle)

    async def _fan_out(
        self, handle: Any, requests: int, concurrency: int, words: int, call: Any = None
    ) -> None:
        left = iter(range(requests))
        answers: list[str] = []
        call = call or self.subject.ainvoke

        async def lane() -> None:
            for _ in left:
                answers.append(await call(handle))

        await asyncio.gather(*(lane() for _ in range(concurrency)))
        if len(answers) != requests:
            raise AssertionError(f"concurrency: {len(answers)} answers for {requests} requests")
        for text in answers[:: max(1, requests // 20)]:
            _check(text, words, "concurrency")

    def scale(self, url: str, what: str, requests: int, concurrency: int) -> dict[str, float]:
        """``requests`` async calls (``what``: invoke or stream), ``concurrency`` in flight."""
        return self.loop.run_until_complete(self._scale(url, what, requests, concurrency))

    async def _scale(
        self, url: str, what: str, requests: int, concurrency: int
    ) -> dict[str, float]:
        from benchmarks.subjects import chunks_in

        call = self.subject.ainvoke if what == "invoke" else self._astream_text
        handle = await self.subject.amake(url)
        try:
            await self._fan_out(handle, concurrency, concurrency, chunks_in(url), call)  # warm
            gc.collect()
            cpu, wall = time.process_time(), time.perf_counter()
            await self._fan_out(handle, requests, concurrency, chunks_in(url), call)
            return {"cpu": time.process_time() - cpu, "wall": time.perf_counter() - wall}
        finally:
            await self.subject.aclose(handle)

    async def _astream_text(self, handle: Any) -> str:
        return "".join([piece async for piece in self.subject.astream(handle)])

    def batch(self, url: str, requests: int, concurrency: int) -> dict[str, float]:
        """``requests`` sync calls through the subject's thread-pool ``batch``."""
        from benchmarks.subjects import chunks_in

        handle = self.handle(url)
        self.subject.batch(handle, concurrency, concurrency)  # warm: threads' connections
        gc.collect()
        cpu, wall = time.process_time(), time.perf_counter()
        answers = self.subject.batch(handle, requests, concurrency)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        if len(answers) != requests:
            raise AssertionError(f"batch: {len(answers)} answers for {requests} requests")
        for text in answers[:: max(1, requests // 20)]:
            _check(text, chunks_in(url), "batch")
        return {"cpu": cpu, "wall": wall}

    def profile(self, what: str, url: str, calls: int, out: str) -> dict[str, Any]:
        from pyinstrument import Profiler

        run = self.stream if what == "stream" else self.invoke
        run(url, 1)  # warm
        profiler = Profiler(interval=0.0002)
        profiler.start()
        timing = run(url, calls)
        profiler.stop()
        Path(out).write_text(profiler.output_text(unicode=False, color=False))
        return timing

    def serve(self, out: Any) -> None:
        for line in sys.stdin:
            request = json.loads(line)
            op = request.pop("op")
            if op == "quit":
                return
            try:
                answer: dict[str, Any] = getattr(self, op)(**request)
            except Exception:
                answer = {"error": traceback.format_exc()}
            out.write(json.dumps(answer) + "\n")
            out.flush()


def main() -> None:
    _bootstrap()
    # The protocol owns the real stdout; anything a library prints goes to stderr instead.
    out = os.fdopen(os.dup(sys.stdout.fileno()), "w")
    sys.stdout = sys.stderr
    # The benchmark's model name is made up on purpose; the notice about it would repeat for
    # every worker and bury the progress lines.
    warnings.filterwarnings("ignore", message="model '.*' is in neither Telnyx's model catalog")
    from benchmarks.async_subjects import scale_registry
    from benchmarks.subjects import registry, unavailable

    key = sys.argv[1]
    subject = scale_registry()[key[6:]] if key.startswith("scale:") else registry()[key]
    try:
        reason = unavailable(subject.requires)
    except Exception:
        out.write(json.dumps({"error": traceback.format_exc()}) + "\n")
        out.flush()
        return
    if reason is not None:
        out.write(json.dumps({"skip": reason}) + "\n")
        out.flush()
        return
    ready = {"ready": True, "versions": subject.versions(), "python": sys.version.split()[0]}
    out.write(json.dumps(ready) + "\n")
    out.flush()
    Worker(subject).serve(out)


if __name__ == "__main__":
    main()
