"""``python -m telnyx_inference.emulator``: serve a local Telnyx API until interrupted."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def _bucket(spec: str) -> tuple[str, str]:
    name, sep, path = spec.partition("=")
    if not sep or not name or not path:
        raise argparse.ArgumentTypeError(f"expected NAME=DIR, got {spec!r}")
    return name, path


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m telnyx_inference.emulator",
        description="A local, offline Telnyx Inference API. Prints its OpenAI-compatible "
        "base URL, then serves until interrupted.",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=0, help="port; 0 picks a free one (default)")
    p.add_argument(
        "--bucket",
        action="append",
        type=_bucket,
        default=[],
        metavar="NAME=DIR",
        help="seed and embed a bucket from a directory or file (repeatable)",
    )
    p.add_argument(
        "--api-key", default=None, help="accept only this key (default: any non-empty key)"
    )
    p.add_argument(
        "--strict", action="store_true", help="reject unknown top-level request fields with 422"
    )
    p.add_argument("--seed", type=int, default=0, help="seed of the deterministic model")
    p.add_argument(
        "--fixed",
        type=int,
        default=None,
        metavar="CHUNKS",
        help="benchmark mode: canned answers, streams of CHUNKS chunks",
    )
    p.add_argument(
        "--storage-latency",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="add this delay to every storage (S3) request, e.g. 0.05",
    )
    p.add_argument("--log-level", default="warning", help="uvicorn log level")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    from telnyx_inference.emulator.server import Emulator, serve

    emu = Emulator(
        host=args.host,
        port=args.port,
        api_key=args.api_key,
        strict=args.strict,
        seed=args.seed,
        mode="fixed" if args.fixed is not None else "normal",
        chunks=args.fixed or 16,
        log_level=args.log_level,
        storage_latency=args.storage_latency,
    )
    for name, path in args.bucket:
        try:
            emu.seed_bucket(name, paths=[path])
        except OSError as exc:
            print(f"error: bucket {name}: {exc}", file=sys.stderr)
            return 2
    serve(emu)
    return 0


if __name__ == "__main__":
    sys.exit(main())
