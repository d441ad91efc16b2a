"""Uploading many small documents: our storage layer against a sequential boto3 loop.

``python -m benchmarks.storage --docs 1000 --latency 0.05 --reps 2`` starts the emulator in its
own process with ``latency`` seconds added to every storage request (a real round trip: without
it both sides would only measure CPU on a small machine), then times, in this process:

- ``ours``: ``Storage.upload`` (bounded concurrency, default settings, no progress bar);
- ``boto3``: a ``put_object`` loop on one boto3 client configured as Telnyx documents it.

Each repetition uploads the documents to a fresh bucket, subjects interleaved (A B, B A). It
prints one JSON object: wall seconds and client CPU per document (``time.process_time``: all
threads of this process; the emulator's CPU is not counted), medians over repetitions.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

from benchmarks.runner import SCRATCH, BenchmarkError, main_env

KEY = "benchmark-key"
REGION = "us-central-1"
LATENCY = 0.05
"""Seconds the emulator adds to every storage request."""
__all__ = ["LATENCY", "measure", "run", "table"]


def _emulator(latency: float) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "telnyx_inference.emulator",
            "--port",
            "0",
            "--storage-latency",
            str(latency),
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=SCRATCH,
        env={**main_env(), "PYTHONUNBUFFERED": "1"},
    )
    assert proc.stdout is not None
    proc.stdout.readline()  # the API base URL
    line = proc.stdout.readline().strip()
    if not line.startswith("storage (S3): http://"):
        proc.terminate()
        raise BenchmarkError(f"the emulator printed no storage URL: {line!r}")
    return proc, line.split(": ", 1)[1]


def _boto3_client(url: str) -> Any:
    import boto3.session
    from botocore.config import Config

    return boto3.session.Session().client(
        "s3",
        endpoint_url=url,
        region_name=REGION,
        aws_access_key_id=KEY,
        aws_secret_access_key=KEY,
        config=Config(
            s3={"addressing_style": "path"},
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
        ),
    )


def _timed(fn: Callable[[], None], docs: int) -> dict[str, float]:
    cpu, wall = time.process_time(), time.perf_counter()
    fn()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {"wall": wall, "cpu_per_doc": cpu / docs}


def measure(url: str, docs: int, reps: int) -> dict[str, Any]:
    from telnyx_inference.buckets.storage import Storage

    texts = {
        f"doc-{i:05}.txt": f"Document {i}: Telnyx storage benchmark text." for i in range(docs)
    }
    store = Storage(
        api_key=KEY, base_url="http://127.0.0.1:1/v2/ai/openai", storage_url=url, progress=False
    )
    client = _boto3_client(url)
    bucket = iter(f"bench-{i}-{time.time_ns() % 10**9}" for i in range(2 * reps + 2))

    def ours() -> None:
        name = next(bucket)
        report = store.upload(name, texts)
        if len(report.stored) != docs:
            raise BenchmarkError(f"ours stored {len(report.stored)} of {docs}")

    def loop() -> None:
        name = next(bucket)
        client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
        for key, text in texts.items():
            client.put_object(Bucket=name, Key=key, Body=text.encode(), ContentType="text/plain")

    # Warm both (boto3 client creation, connection pools) on a tiny batch first.
    store.upload(next(bucket), dict(list(texts.items())[:4]))
    client.list_buckets()
    samples: dict[str, list[dict[str, float]]] = {"ours": [], "boto3": []}
    for rep in range(reps):
        order = [("ours", ours), ("boto3", loop)]
        for name, fn in order if rep % 2 == 0 else order[::-1]:
            samples[name].append(_timed(fn, docs))
    store.close()
    result: dict[str, Any] = {"docs": docs, "reps": reps}
    for name, runs in samples.items():
        result[name] = {
            metric: statistics.median(r[metric] for r in runs) for metric in ("wall", "cpu_per_doc")
        }
    result["speedup"] = result["boto3"]["wall"] / result["ours"]["wall"]
    return result


def run(docs: int, latency: float, reps: int) -> dict[str, Any]:
    """Measure in a fresh interpreter (so boto3 and our imports stay out of the caller)."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.storage",
            "--docs",
            str(docs),
            "--latency",
            str(latency),
            "--reps",
            str(reps),
        ],
        capture_output=True,
        text=True,
        cwd=SCRATCH,
        env=main_env(),
        check=False,
    )
    if done.returncode != 0:
        raise BenchmarkError(f"storage benchmark failed: {done.stderr.strip()[-500:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["latency"] = latency
    return result


def table(result: dict[str, Any]) -> tuple[str, list[str], list[list[str]]]:
    """The storage figures as a report table (title, head, rows)."""
    rows = []
    for key, label in (("ours", "Storage.upload (ours)"), ("boto3", "boto3 put_object loop")):
        wall = result[key]["wall"]
        rows.append(
            [
                label,
                f"{wall:.2f}",
                f"{result['docs'] / wall:,.0f}",
                f"{result[key]['cpu_per_doc'] * 1e6:,.0f}",
                f"{result['boto3']['wall'] / wall:.1f}×",
            ]
        )
    return (
        f"Storage: uploading {result['docs']:,} small documents, "
        f"{result['latency'] * 1e3:.0f} ms added per request",
        ["subject", "wall s", "docs/s", "client CPU/doc µs", "× faster than loop"],
        rows,
    )


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.storage")
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--reps", type=int, default=2)
    args = parser.parse_args()
    proc, url = _emulator(args.latency)
    try:
        print(json.dumps(measure(url, args.docs, args.reps)), flush=True)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
