"""Run the README's test command again and again: a suite that never flakes passes every time.

    python tests/repeat.py                 # 10 runs, 5 of them under -n 4 (a loaded machine)
    python tests/repeat.py --runs 4 --loaded 2 --log-dir /tmp/repeat

The command is read from the README (its second ``bash`` block: ``python -m pytest ...``) and
run with this interpreter from the checkout's root; the loaded runs swap its ``-n`` for
``--loaded-workers`` and alternate with the plain ones. The first failing run stops the
loop and names the tests that failed (each run's whole output is kept in ``--log-dir``).
A table of the runs ends the output; the exit status is 1 after a failure.
"""

from __future__ import annotations

import argparse
import re
import shlex
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASH_BLOCK = re.compile(r"```bash\n(.*?)```", re.DOTALL)
COUNTS = re.compile(r"(\d+) (passed|failed|errors?|skipped|xfailed|xpassed)\b")
SUMMARY = re.compile(r"\b(passed|failed|errors?)\b.* in [\d.]+s\b")
FAILED_LINE = re.compile(r"^(FAILED|ERROR) (\S+)", re.MULTILINE)


def readme_command(readme: Path = ROOT / "README.md") -> list[str]:
    """The pytest arguments of the README's test command (its second ``bash`` block)."""
    blocks = BASH_BLOCK.findall(readme.read_text(encoding="utf-8"))
    if len(blocks) < 2:
        raise SystemExit(f"{readme}: expected a second ```bash block holding the test command")
    for part in re.split(r"&&|\n", blocks[1]):
        words = shlex.split(part)
        if "pytest" in words and "-m" in words:
            return words[words.index("pytest") + 1 :]
    raise SystemExit(f"{readme}: no 'python -m pytest' in the second ```bash block")


def with_workers(args: Sequence[str], workers: int) -> list[str]:
    """``args`` with its ``-n`` value replaced (or added)."""
    out, skip = [], False
    for i, arg in enumerate(args):
        if skip:
            skip = False
        elif arg == "-n" and i + 1 < len(args):
            skip = True
        elif not arg.startswith("-n"):
            out.append(arg)
    return [*out, "-n", str(workers)]


def workers_of(args: Sequence[str]) -> str:
    return args[list(args).index("-n") + 1] if "-n" in args else "-"


def alternate(runs: int, loaded: int) -> list[bool]:
    """Which runs are loaded: every second one while both kinds are left (so a trend shows in
    either kind), the rest at the end."""
    plan: list[bool] = []
    for i in range(runs):
        plain_left = runs - loaded - plan.count(False)
        loaded_left = loaded - plan.count(True)
        plan.append(bool(loaded_left) and (i % 2 == 1 or not plain_left))
    return plan


@dataclass
class Run:
    number: int
    workers: str
    seconds: float
    code: int
    counts: dict[str, int]
    failures: list[str]
    log: Path

    @property
    def ok(self) -> bool:
        return self.code == 0

    def outcome(self) -> str:
        shown = ("passed", "failed", "errors", "skipped")
        text = ", ".join(f"{self.counts[k]} {k}" for k in shown if self.counts.get(k))
        return text or f"exit code {self.code}"


def _counts(output: str) -> dict[str, int]:
    """The counts of pytest's last summary line."""
    lines = reversed(output.splitlines())
    last = next((line for line in lines if SUMMARY.search(line)), "")
    counts: dict[str, int] = {}
    for number, word in COUNTS.findall(last):
        counts["errors" if word.startswith("error") else word] = int(number)
    return counts


def run_once(number: int, args: Sequence[str], log_dir: Path) -> Run:
    command = [sys.executable, "-m", "pytest", *args]
    print(f"run {number}: {shlex.join(['python', '-m', 'pytest', *args])}", flush=True)
    started = time.monotonic()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    seconds = time.monotonic() - started
    output = done.stdout + done.stderr
    log = log_dir / f"run-{number:02d}.log"
    log.write_text(output, encoding="utf-8")
    failures = [f"{kind} {test}" for kind, test in FAILED_LINE.findall(done.stdout)]
    return Run(
        number, workers_of(args), seconds, done.returncode, _counts(done.stdout), failures, log
    )


def table(runs: Sequence[Run]) -> str:
    lines = [
        f"{'run':>3}  {'-n':>2}  {'wall':>8}  result",
        f"{'---':>3}  {'--':>2}  {'-' * 8}  ------",
    ]
    for r in runs:
        verdict = "PASSED" if r.ok else "FAILED"
        lines.append(f"{r.number:>3}  {r.workers:>2}  {r.seconds:>7.1f}s  {verdict}: {r.outcome()}")
    passed = sum(r.ok for r in runs)
    lines.append(f"{passed} of {len(runs)} runs passed")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python tests/repeat.py",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--runs", type=int, default=10, help="how many runs (default 10)")
    parser.add_argument(
        "--loaded",
        type=int,
        default=None,
        help="how many of them under --loaded-workers (default: half)",
    )
    parser.add_argument(
        "--loaded-workers", type=int, default=4, help="-n of a loaded run (default 4)"
    )
    parser.add_argument(
        "--log-dir",
        type=Path,
        default=None,
        help="where each run's output is kept (default: a new temp folder)",
    )
    options = parser.parse_args(argv)
    loaded = options.runs // 2 if options.loaded is None else options.loaded
    if not 0 <= loaded <= options.runs:
        parser.error("--loaded must be between 0 and --runs")
    log_dir = options.log_dir or Path(tempfile.mkdtemp(prefix="repeat-suite-"))
    log_dir.mkdir(parents=True, exist_ok=True)
    plain = readme_command()
    heavy = with_workers(plain, options.loaded_workers)
    schedule = [heavy if is_loaded else plain for is_loaded in alternate(options.runs, loaded)]
    print(f"{options.runs} runs ({loaded} under -n {options.loaded_workers}); logs in {log_dir}")
    runs: list[Run] = []
    for number, args in enumerate(schedule, start=1):
        run = run_once(number, args, log_dir)
        runs.append(run)
        print(
            f"run {number}: {'passed' if run.ok else 'FAILED'} in {run.seconds:.1f}s "
            f"({run.outcome()})",
            flush=True,
        )
        if not run.ok:
            print(f"\nrun {number} failed; stopping. Failing tests:")
            for line in run.failures or ["(none named: see the log)"]:
                print(f"  {line}")
            print(f"whole output: {run.log}\n")
            break
    print()
    print(table(runs))
    return 0 if all(r.ok for r in runs) and len(runs) == options.runs else 1


if __name__ == "__main__":
    sys.exit(main())
