"""Processes: the loopback server and one worker per subject, driven over pipes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from types import TracebackType
from typing import Any

__all__ = [
    "HERE",
    "REPO",
    "SCRATCH",
    "BenchmarkError",
    "Server",
    "WorkerProcess",
    "main_env",
    "plain_env",
]

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SCRATCH = tempfile.gettempdir()  # cwd of children: never the repo root (see worker.py)


class BenchmarkError(RuntimeError):
    """A script or subject is broken (as opposed to a peer being absent)."""


def main_env() -> dict[str, str]:
    """Environment for children running this project's interpreter: the working tree first."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # import timings must not recompile every run
    return env


def plain_env() -> dict[str, str]:
    """Environment for the official package's virtualenv: nothing of ours on the path."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


class Server:
    """``python -m benchmarks.server`` in its own process; stops when we close its stdin."""

    def __init__(self, chunks: list[int]) -> None:
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.server", "--chunks", *map(str, chunks)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=REPO,
            env=main_env(),
        )
        assert self._proc.stdout is not None
        self.root = self._proc.stdout.readline().strip()
        if not self.root.startswith("http://"):
            self.close()
            raise BenchmarkError("the benchmark server did not start")

    def base_url(self, chunks: int) -> str:
        """The OpenAI-compatible base URL whose streams have ``chunks`` content chunks."""
        return f"{self.root}/n/{chunks}/v2/ai/openai"

    def close(self) -> None:
        if self._proc.stdin is not None and not self._proc.stdin.closed:
            self._proc.stdin.close()
        try:
            self._proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()

    def __enter__(self) -> Server:
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class WorkerProcess:
    """One subject's worker; ``skip`` holds the reason when its peer is not installed."""

    def __init__(
        self, key: str, label: str, python: str, env: dict[str, str], scale: bool = False
    ) -> None:
        self.key, self.label = key, label
        self.skip: str | None = None
        self.versions: dict[str, str] = {}
        self.python_version = ""
        self.concurrent = True
        self._proc = subprocess.Popen(
            [python, str(HERE / "worker.py"), f"scale:{key}" if scale else key],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=SCRATCH,
            env=env,
        )

    def wait_ready(self) -> None:
        """Read the worker's greeting (started separately, so workers load in parallel)."""
        hello = self._read()
        if "skip" in hello:
            self.skip = str(hello["skip"])
            self.close()
        else:
            self.versions = dict(hello.get("versions", {}))
            self.python_version = str(hello.get("python", ""))

    def _read(self) -> dict[str, Any]:
        assert self._proc.stdout is not None
        line = self._proc.stdout.readline()
        if not line:
            self._proc.wait()
            raise BenchmarkError(f"{self.label}: worker exited (code {self._proc.returncode})")
        answer: dict[str, Any] = json.loads(line)
        if "error" in answer:
            raise BenchmarkError(f"{self.label}: {answer['error']}")
        return answer

    def call(self, op: str, **params: Any) -> dict[str, Any]:
        assert self._proc.stdin is not None
        self._proc.stdin.write(json.dumps({"op": op, **params}) + "\n")
        self._proc.stdin.flush()
        return self._read()

    def close(self) -> None:
        if self._proc.poll() is None and self._proc.stdin is not None:
            try:
                self._proc.stdin.write('{"op": "quit"}\n')
                self._proc.stdin.close()
            except BrokenPipeError:
                pass
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
