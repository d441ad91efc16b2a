"""``python -m telnyx_inference.emulator``: serve a local Telnyx API until interrupted."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from typing import Any

from telnyx_inference.emulator.serving.journal import DEFAULT_MAX_BYTES, DEFAULT_MAX_ENTRIES


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


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number above 0, got {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a number above 0, got {text}")
    return value


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value}")
    return value


def _token(text: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError("the control token must not be empty")
    return text


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
        "--strict",
        action="store_true",
        help="exactly the contract's published schema: any other top-level request field "
        "(guided_* under the current contract) is a 422 (for replay misses see "
        "--replay-strict)",
    )
    p.add_argument(
        "--contract",
        choices=["current", "seed"],
        default="current",
        help="chat schema served: current (Telnyx's published schema today: response_format "
        "json_schema, no guided_*; default) or seed (the original endpoint doc: guided_*, no "
        "json_schema)",
    )
    p.add_argument(
        "--guided",
        choices=["honour", "ignore", "reject"],
        default="honour",
        help="what the current contract does with guided_json/guided_regex/guided_choice: "
        "honour them (default), ignore them (unconstrained answers) or reject them (422)",
    )
    p.add_argument("--seed", type=int, default=0, help="seed of the deterministic model")
    p.add_argument(
        "--adversarial",
        action="store_true",
        help="fill structured output and tool arguments with edge cases (robustness tests)",
    )
    p.add_argument(
        "--responder",
        default=None,
        metavar="MODULE:FUNCTION",
        help="your function answers chat requests before the heuristic model (imported from "
        "the current directory or the installed packages; see docs/emulator-model.md)",
    )
    p.add_argument(
        "--fixed",
        type=_positive,
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
    p.add_argument(
        "--log-level",
        default="info",
        choices=["debug", "info", "warning", "error", "critical"],
        help="log level on stderr (default info: one line per request)",
    )
    p.add_argument("--quiet", action="store_true", help="no log line per request")
    p.add_argument(
        "--journal-max-entries",
        type=_positive,
        default=DEFAULT_MAX_ENTRIES,
        metavar="N",
        help="requests kept in the journal; the oldest are dropped (default 1000)",
    )
    p.add_argument(
        "--journal-max-bytes",
        type=_positive,
        default=DEFAULT_MAX_BYTES,
        metavar="BYTES",
        help="bytes kept in the journal; the oldest are dropped (default 32 MiB)",
    )
    p.add_argument(
        "--control-token",
        type=_token,
        default=None,
        help="token the /_emulator/ control routes require (also "
        "TELNYX_EMULATOR_CONTROL_TOKEN); generated and printed when --host is not loopback",
    )
    _limit_arguments(p)
    _cassette_arguments(p)
    return p


def _limit_arguments(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("token rate limits (see GET /_emulator/limits)")
    g.add_argument(
        "--token-limits",
        action="store_true",
        help="enforce Telnyx's per-minute token limits (input, uncached input, output)",
    )
    g.add_argument(
        "--token-budget-scale",
        type=_positive_float,
        default=1.0,
        metavar="X",
        help="each tier's published limits times X, e.g. 0.001 (implies --token-limits)",
    )
    g.add_argument(
        "--token-window",
        type=_positive_float,
        default=60.0,
        metavar="SECONDS",
        help="length of the rolling window (default 60, Telnyx's)",
    )


def _cassette_arguments(p: argparse.ArgumentParser) -> None:
    from telnyx_inference.emulator.replay.matching import DEFAULT_IGNORED_FIELDS
    from telnyx_inference.emulator.replay.tape import DEFAULT_UPSTREAM

    g = p.add_argument_group("record and replay")
    g.add_argument("--record", metavar="DIR", help="proxy to --upstream, write each answer to DIR")
    g.add_argument("--upstream", default=DEFAULT_UPSTREAM, help=f"default {DEFAULT_UPSTREAM}")
    g.add_argument(
        "--replay",
        metavar="DIR",
        help="answer from DIR (a request with no recording: see --replay-strict)",
    )
    g.add_argument(
        "--replay-strict",
        action="store_true",
        help="with --replay, a request with no recording is a 400 naming the closest "
        "recording (default: the emulator's model answers it, and the miss is logged)",
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
    replay_strict = args.replay_strict
    if args.replay and args.strict and not replay_strict:
        print(
            "note: --strict also makes replay misses errors until the next release; say "
            "--replay-strict for that (--strict checks request fields).",
            file=sys.stderr,
        )
        replay_strict = True
    return {
        "record": args.record,
        "replay": args.replay,
        "replay_strict": replay_strict,
        "upstream": args.upstream,
        "replay_speed": args.replay_speed,
        "ignore_fields": [f.strip() for f in args.replay_ignore.split(",") if f.strip()],
        "allow_remote_record": args.allow_remote_record,
    }


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return _run(args)
    except KeyboardInterrupt:
        # Ctrl-C before the server was up (imports, seeding buckets): no traceback.
        print("interrupted", file=sys.stderr)
        return 130


def _run(args: argparse.Namespace) -> int:
    from telnyx_inference.emulator.replay.tape import check_record_bind, check_replay_folder
    from telnyx_inference.emulator.serving.foreground import serve
    from telnyx_inference.emulator.serving.ops import configure_cli_logging
    from telnyx_inference.emulator.serving.server import Emulator

    if args.record:
        try:
            check_record_bind(args.host, args.allow_remote_record)
        except RuntimeError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    try:
        check_replay_folder(args.replay, args.record)
    except FileNotFoundError as exc:
        print(f"error: --replay: {exc}", file=sys.stderr)
        return 2
    responder = None
    if args.responder:
        from telnyx_inference.emulator.responders import load_responder

        if os.getcwd() not in sys.path:  # as `python -m` would: modules next to you import
            sys.path.insert(0, os.getcwd())
        try:
            responder = load_responder(args.responder)
        except ValueError as exc:
            print(f"error: --responder: {exc}", file=sys.stderr)
            return 2
    uvicorn_level = configure_cli_logging(args.log_level, args.quiet)
    emu = Emulator(
        host=args.host,
        port=args.port,
        api_key=args.api_key,
        strict=args.strict,
        seed=args.seed,
        mode="fixed" if args.fixed is not None else "normal",
        **({"chunks": args.fixed} if args.fixed is not None else {}),
        log_level=uvicorn_level,
        journal_max_entries=args.journal_max_entries,
        journal_max_bytes=args.journal_max_bytes,
        control_token=args.control_token,
        storage_latency=args.storage_latency,
        adversarial=args.adversarial,
        contract=args.contract,
        guided=args.guided,
        responder=responder,
        token_limits=args.token_limits or args.token_budget_scale != 1.0,
        token_budget_scale=args.token_budget_scale,
        token_window_seconds=args.token_window,
        **_cassette_options(args),
    )
    for name, path in args.bucket:
        logging.getLogger("telnyx_inference.emulator").info("seeding bucket %s from %s", name, path)
        try:
            emu.seed_bucket(name, paths=[path])
        except OSError as exc:
            print(f"error: bucket {name}: {exc}", file=sys.stderr)
            return 2
    try:
        serve(emu)
    except OSError as exc:
        print(f"error: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
