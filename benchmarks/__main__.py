"""``python -m benchmarks``: every figure, printed and written to ``benchmarks/results/``.

``--smoke`` runs the same scripts with tiny counts in well under a minute, writes only to a
temporary folder and never installs anything; it exits non-zero when a script or one of our
subjects is broken, never because a target was missed or a peer is not installed.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks import emulator_journal, envs, figures, recorder, report, scale
from benchmarks import storage as storage_bench
from benchmarks.runner import (
    HERE,
    SCRATCH,
    BenchmarkError,
    Server,
    WorkerProcess,
    main_env,
    plain_env,
)
from benchmarks.subjects import registry

RESULTS = HERE / "results"

METHOD = (
    "Every subject runs in its own worker process and times itself: client-process CPU "
    "(`time.process_time`, all threads of the worker) and wall time around a batch of calls. "
    "The server is a separate process (`benchmarks/server.py`: bare asyncio, answers prepared "
    "once from the emulator's fixed mode, each SSE frame its own HTTP chunk), so none of its "
    "CPU is counted. Each repetition runs one batch per subject, order reversed on alternate "
    "rounds (A B C, C B A) so drift cancels; a figure is the median over repetitions. Every "
    "answer is checked for the expected number of words after the clock stops. The official "
    "`langchain-telnyx` pins `openai<2` and shares our import name, so it runs in its own "
    "virtualenv (`benchmarks/.venv-official`, created by pip on the first full run). "
    "Framework floors are chat models doing no I/O, built on the framework alone. Import "
    "time: the import statement timed inside a fresh interpreter, after a warm-up run that "
    "writes bytecode caches."
)


def _progress(started: float) -> figures.Progress:
    def say(message: str) -> None:
        print(f"[{time.monotonic() - started:6.1f}s] {message}", flush=True)

    return say


def _workers(
    official: str | None, official_note: str, only: set[str] | None
) -> tuple[list[WorkerProcess], dict[str, Any]]:
    subjects: dict[str, Any] = {}
    workers = []
    for key, subject in registry().items():
        if only and key not in only:
            continue
        subjects[key] = {"label": subject.label, "group": subject.group, "env": subject.env}
        if subject.env == "official" and official is None:
            subjects[key]["skip"] = official_note
            continue
        python, env = (
            (official, plain_env()) if subject.env == "official" else (sys.executable, main_env())
        )
        assert python is not None
        worker = WorkerProcess(key, subject.label, python, env)
        worker.concurrent = subject.concurrent
        workers.append(worker)
    for worker in workers:
        worker.wait_ready()
        if worker.skip:
            subjects[worker.key]["skip"] = worker.skip
        subjects[worker.key]["versions"] = worker.versions
    return workers, subjects


def _import_cases(official: str | None) -> list[figures.ImportCase]:
    main, me = main_env(), sys.executable
    cases = [
        figures.ImportCase(
            "ours-lc",
            "langchain_telnyx.ChatTelnyx (ours)",
            "from langchain_telnyx import ChatTelnyx",
            me,
            main,
            ours=True,
        ),
        figures.ImportCase(
            "ours-li",
            "llama_index_telnyx.Telnyx (ours)",
            "from llama_index_telnyx import Telnyx",
            me,
            main,
            ours=True,
        ),
        figures.ImportCase(
            "core", "telnyx_inference (ours, core)", "import telnyx_inference", me, main, ours=True
        ),
    ]
    if official is not None:
        cases.append(
            figures.ImportCase(
                "official",
                "langchain_telnyx.ChatTelnyx (official 1.0)",
                "from langchain_telnyx import ChatTelnyx",
                official,
                plain_env(),
            )
        )
    cases += [
        figures.ImportCase(
            "chatopenai",
            "langchain_openai.ChatOpenAI",
            "from langchain_openai import ChatOpenAI",
            me,
            main,
        ),
        figures.ImportCase(
            "openailike",
            "llama_index.llms.openai_like.OpenAILike",
            "from llama_index.llms.openai_like import OpenAILike",
            me,
            main,
        ),
        figures.ImportCase(
            "floor-lc",
            "LangChain floor: langchain_core BaseChatModel",
            "from langchain_core.language_models import BaseChatModel",
            me,
            main,
        ),
        figures.ImportCase(
            "floor-li",
            "LlamaIndex floor: llama_index.core FunctionCallingLLM",
            "from llama_index.core.llms.function_calling import FunctionCallingLLM",
            me,
            main,
        ),
        figures.ImportCase("openai", "openai", "import openai", me, main),
        figures.ImportCase("httpx2", "httpx2", "import httpx2", me, main),
        figures.ImportCase("httpx", "httpx", "import httpx", me, main),
    ]
    return cases


def _ours_available(subjects: dict[str, Any], key: str) -> bool:
    return key in subjects and not subjects[key].get("skip")


def _profile_misses(
    results: dict[str, Any],
    workers: list[WorkerProcess],
    out: Path,
    server: Server,
    plan: figures.Plan,
) -> dict[str, str]:
    """pyinstrument (or ``-X importtime``) on our side of every missed target."""
    by_key = {w.key: w for w in workers if w.skip is None}
    profiles: dict[str, str] = {}
    for target in results["targets"]:
        if target["verdict"] != "miss":
            continue
        name = f"profile-{target['key']}.txt"
        path = out / name
        if target["key"] == "import":
            done = subprocess.run(
                [
                    sys.executable,
                    "-X",
                    "importtime",
                    "-c",
                    "from langchain_telnyx import ChatTelnyx",
                ],
                capture_output=True,
                text=True,
                cwd=SCRATCH,
                env=main_env(),
            )
            path.write_text(_top_imports(done.stderr))
        elif target["profile"] and target["ours"] in by_key:
            chunks = plan.stream_sizes[0] if target["profile"] == "stream" else plan.invoke_words
            calls = plan.calls_for(chunks) * 3 if target["profile"] == "stream" else 200
            by_key[target["ours"]].call(
                "profile",
                what=target["profile"],
                url=server.base_url(chunks),
                calls=calls,
                out=str(path),
            )
        elif target["key"].endswith("growth") and target["ours"] in by_key:
            by_key[target["ours"]].call(
                "profile",
                what="stream",
                url=server.base_url(plan.stream_sizes[-1]),
                calls=1,
                out=str(path),
            )
        else:
            continue
        profiles[name] = path.read_text()
    return profiles


def _top_imports(importtime: str, top: int = 30) -> str:
    rows = []
    for line in importtime.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)", line)
        if match:
            rows.append((int(match.group(2)), int(match.group(1)), match.group(4)))
    rows.sort(reverse=True)
    lines = ["cumulative_us  self_us  module"]
    lines += [f"{cum:>13,}  {own:>7,}  {name}" for cum, own, name in rows[:top]]
    return "\n".join(lines) + "\n"


def run_scale(plan: scale.ScalePlan) -> int:
    """Only the async-at-scale figures, printed (``--scale-only``).

    The full run owns ``latest.md`` (its scale tables and targets included), so this writes
    only the raw data of a full-size scale run to ``scale.raw.json``, for comparison."""
    say = _progress(time.monotonic())
    try:
        with Server([16, 200]) as server:
            data = scale.collect(plan, server, say)
    except BenchmarkError as exc:
        print(f"\nbenchmark failed: {exc}", file=sys.stderr)
        return 1
    results = {"subjects": {}, "plan": {"stream_sizes": [200]}, "scale": data}
    results["targets"] = scale.evaluate(data)
    text = report.terminal(results, only_scale=True)
    print(text)
    if plan is scale.FULL:
        (RESULTS / "scale.raw.json").write_text(json.dumps(results, indent=1, default=str))
    return 0


def run(
    plan: figures.Plan, *, out: Path, create_official: bool, only: set[str] | None, profile: bool
) -> int:
    started = time.monotonic()
    say = _progress(started)
    official, official_note = envs.official_python(create_official)
    say(f"official langchain-telnyx: {official_note}")
    workers: list[WorkerProcess] = []
    sizes = sorted({plan.invoke_words, *plan.stream_sizes})
    try:
        with Server(sizes) as server:
            say(f"server at {server.root}; starting workers")
            workers, subjects = _workers(official, official_note, only)
            results: dict[str, Any] = {
                "plan": plan.__dict__,
                "subjects": subjects,
                "method": METHOD,
            }
            results.update(figures.collect(plan, server, workers, say))
            if not only or "scale" in only:
                scale_plan = scale.SMOKE if plan is figures.SMOKE else scale.FULL
                results["scale"] = scale.collect(scale_plan, server, say)
            cases = _import_cases(official)
            if plan is figures.SMOKE:  # the script, not the numbers: a few, no warm-up
                cases = [c for c in cases if c.key in ("ours-lc", "core", "openai")]
            results["imports"] = figures.import_times(
                cases, plan.import_reps, say, warm=plan is not figures.SMOKE
            )
            say(f"storage: {plan.storage_docs} uploads, {storage_bench.LATENCY * 1e3:.0f} ms each")
            results["storage"] = storage_bench.run(
                plan.storage_docs, storage_bench.LATENCY, plan.storage_reps
            )
            say("record/replay: time to first chunk")
            results["recorder"] = recorder.measure(
                server, calls=5 if plan is figures.SMOKE else 200, say=say
            )
            results["targets"] = report.evaluate(results)
            profiles: dict[str, str] = {}
            if profile:
                say("profiling missed targets")
                profiles = _profile_misses(results, workers, out, server, plan)
    except BenchmarkError as exc:
        print(f"\nbenchmark failed: {exc}", file=sys.stderr)
        return 1
    finally:
        for worker in workers:
            worker.close()

    versions: dict[str, dict[str, str]] = {"main environment": {}, "official virtualenv": {}}
    for info in subjects.values():
        env = "official virtualenv" if info["env"] == "official" else "main environment"
        versions[env].update(info.get("versions", {}))
    results["machine"] = report.machine({k: v for k, v in versions.items() if v})
    print(report.terminal(results))
    out.mkdir(parents=True, exist_ok=True)
    (out / "latest.raw.json").write_text(json.dumps(results, indent=1, default=str))
    _write(results, out, profiles)
    say(f"wrote {out / 'latest.md'} and {out / 'stream_scaling.png'}")
    return 0


def _write(results: dict[str, Any], out: Path, profiles: dict[str, str]) -> None:
    notes_file = RESULTS / "NOTES.md"
    notes = notes_file.read_text() if notes_file.exists() else ""
    (out / "latest.md").write_text(report.markdown(results, notes, profiles))
    report.plot(results, out / "stream_scaling.png")


def render() -> int:
    """Rewrite latest.md and the plot from the last full run's data (after editing NOTES.md)."""
    raw = RESULTS / "latest.raw.json"
    if not raw.exists():
        print("no benchmarks/results/latest.raw.json: run the full benchmark first")
        return 1
    profiles = {p.name: p.read_text() for p in sorted(RESULTS.glob("profile-*.txt"))}
    _write(json.loads(raw.read_text()), RESULTS, profiles)
    print(f"wrote {RESULTS / 'latest.md'}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="tiny counts; for CI")
    parser.add_argument(
        "--no-official",
        action="store_true",
        help="do not create the official langchain-telnyx virtualenv",
    )
    parser.add_argument("--only", help="comma-separated subject keys (default: all)")
    parser.add_argument(
        "--no-profile", action="store_true", help="skip profiling the missed targets"
    )
    parser.add_argument(
        "--render", action="store_true", help="only rewrite latest.md from the last run's data"
    )
    parser.add_argument(
        "--scale-only",
        action="store_true",
        help="only the async-at-scale figures, printed (with --smoke: tiny counts)",
    )
    args = parser.parse_args(argv)
    if args.render:
        return render()
    if args.scale_only:
        return run_scale(scale.SMOKE if args.smoke else scale.FULL)
    only = set(args.only.split(",")) if args.only else None
    if args.smoke:
        with tempfile.TemporaryDirectory(prefix="benchmarks-smoke-") as tmp:
            failed = run(
                figures.SMOKE, out=Path(tmp), create_official=False, only=only, profile=False
            )
        # The emulator's own figure (chat latency during a journal read): a few seconds.
        return failed or emulator_journal.main(["--smoke"])
    for stale in RESULTS.glob("profile-*.txt"):
        stale.unlink()
    return run(
        figures.FULL,
        out=RESULTS,
        create_official=not args.no_official,
        only=only,
        profile=not args.no_profile,
    )


if __name__ == "__main__":
    sys.exit(main())
