"""``python -m telnyx_inference.emulator``: serve a local Telnyx API until interrupted."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any


def _bucket(spec: str) -> tuple[str, str]:
    name, sep, path = spec.partition("=")
    if not sep or not name or not path:
        raise argparse.ArgumentTypeError(f"expected NAME=DIR, got {spec!r}")
    return name, path


def _speed(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be above 0, got {text}")
    return value


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
    _cassette_arguments(p)
    return p


def _cassette_arguments(p: argparse.ArgumentParser) -> None:
    from telnyx_inference.emulator.matching import DEFAULT_IGNORED_FIELDS
    from telnyx_inference.emulator.tape import DEFAULT_UPSTREAM

    g = p.add_argument_group("record and replay")
    g.add_argument("--record", metavar="DIR", help="proxy to --upstream, write each answer to DIR")
    g.add_argument("--upstream", default=DEFAULT_UPSTREAM, help=f"default {DEFAULT_UPSTREAM}")
    g.add_argument(
        "--replay", metavar="DIR", help="answer from DIR (with --strict a miss is an error)"
    )
    g.add_argument(
        "--replay-speed",
        type=_speed,
        default=None,
        metavar="X",
        help="keep recorded stream timing, X times faster (default: as fast as possible)",
    )
    g.add_argument(
        "--replay-ignore",
        default=",".join(DEFAULT_IGNORED_FIELDS),
        metavar="FIELDS",
        help="comma-separated body fields left out of matching, dotted paths allowed "
        f"(default {','.join(DEFAULT_IGNORED_FIELDS)!r})",
    )
    g.add_argument(
        "--allow-remote-record",
        action="store_true",
        help="allow --record on an address other than loopback (an open proxy: beware)",
    )


def _cassette_options(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "record": args.record,
        "replay": args.replay,
        "upstream": args.upstream,
        "replay_speed": args.replay_speed,
        "ignore_fields": [f.strip() for f in args.replay_ignore.split(",") if f.strip()],
        "allow_remote_record": args.allow_remote_record,
    }


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    from telnyx_inference.emulator.server import Emulator, serve
    from telnyx_inference.emulator.tape import check_record_bind

    if args.record:
        try:
            check_record_bind(args.host, args.allow_remote_record)
        except RuntimeError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
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
        **_cassette_options(args),
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
