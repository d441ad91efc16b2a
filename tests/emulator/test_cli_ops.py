"""The ``telnyx-emulator`` command as a user runs it: reset keeps the buckets it was started
with, one log line per request (``--quiet`` none), a loud token beyond loopback, and Ctrl-C
that exits cleanly whenever it comes."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from ._support import HOSTED

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")

SCRIPT = Path(sys.executable).with_name("telnyx-emulator")
AUTH = {"Authorization": "Bearer cli-key"}


def command(*args: str) -> list[str]:
    if SCRIPT.exists():
        return [str(SCRIPT), *args]
    return [sys.executable, "-m", "telnyx_inference.emulator", *args]


@contextmanager
def running(*args: str) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """The CLI started with ``args``; yields the process and its base URL."""
    proc = subprocess.Popen(
        command("--port", "0", *args),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # faulthandler: a hang ends in SIGABRT, which prints every thread's stack (see exited)
        env={**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONFAULTHANDLER": "1"},
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:"), proc.stderr.read() if proc.stderr else url
        storage = proc.stdout.readline()  # fully started (the Ctrl-C tests time their own)
        assert storage.startswith("storage (S3): "), storage
        yield proc, url
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
        exited(proc)


def exited(proc: subprocess.Popen[str], timeout: float = 30) -> None:
    """Wait for the CLI to end; if it hangs, fail with the stacks of its threads."""
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGABRT)
        _, err = proc.communicate(timeout=30)
        raise AssertionError(f"the CLI did not exit; its threads:\n{err[-6000:]}") from None


def stderr_of(proc: subprocess.Popen[str]) -> str:
    assert proc.stderr is not None
    return proc.stderr.read()


def search(native: str, bucket: str) -> httpx.Response:
    return httpx.post(
        f"{native}/ai/embeddings/similarity-search",
        json={"bucket_name": bucket, "query": "SIP"},
        headers=AUTH,
    )


def test_reset_keeps_the_buckets_given_on_the_command_line(tmp_path: Path) -> None:
    (tmp_path / "doc.txt").write_text("Telnyx offers elastic SIP trunking.")
    with running("--bucket", f"kb={tmp_path}") as (proc, url):
        native = url.removesuffix("/ai/openai")
        root = native.removesuffix("/v2")
        assert search(native, "kb").json()["data"][0]["metadata"]["filename"] == "doc.txt"
        httpx.post(f"{root}/_emulator/buckets", json={"name": "extra", "texts": {"e": "SIP"}})
        assert httpx.delete(f"{native}/ai/embeddings/buckets/kb", headers=AUTH).is_success
        assert search(native, "kb").status_code == 404
        assert httpx.post(f"{root}/_emulator/reset").json() == {"ok": True}
        assert search(native, "kb").json()["data"][0]["metadata"]["filename"] == "doc.txt"
        assert search(native, "extra").status_code == 404
        listed = httpx.get(f"{native}/ai/embeddings/buckets", headers=AUTH).json()
        assert listed["data"]["buckets"] == ["kb"]
    assert proc.returncode == 0
    err = stderr_of(proc)
    # One INFO line per request, control routes included; nothing noisier.
    assert re.search(r"INFO +POST /v2/ai/embeddings/similarity-search 404 [\d.]+ms", err), err
    assert re.search(r"INFO +POST /_emulator/reset 200 [\d.]+ms", err), err
    assert "Traceback" not in err


def test_quiet_turns_the_request_lines_off() -> None:
    with running("--quiet") as (proc, url):
        r = httpx.post(
            f"{url}/chat/completions",
            json={"model": HOSTED, "messages": [{"role": "user", "content": "hi"}]},
            headers=AUTH,
        )
        assert r.status_code == 200
    err = stderr_of(proc)
    assert "chat/completions" not in err, err
    assert proc.returncode == 0


def test_the_printed_base_url_answers_a_plain_get() -> None:
    with running() as (_, url):
        index = httpx.get(url)
        assert index.status_code == 200
        assert index.json()["base_urls"]["openai"] == url


def test_beyond_loopback_a_token_is_generated_and_printed_loudly() -> None:
    # 192.0.2.1 (TEST-NET-1) is never a local address: the notice comes before the bind,
    # which then fails; nothing is ever bound beyond loopback here.
    done = subprocess.run(
        command("--host", "192.0.2.1", "--port", "0"),
        capture_output=True,
        text=True,
        timeout=60,
        env={k: v for k, v in os.environ.items() if k != "TELNYX_EMULATOR_CONTROL_TOKEN"},
    )
    assert "WARNING" in done.stderr
    assert "beyond loopback" in done.stderr
    token = re.search(r"X-Emulator-Token: ([A-Za-z0-9_-]{24,})", done.stderr)
    assert token, done.stderr
    assert done.returncode == 2
    assert "cannot listen on 192.0.2.1" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_given_token_is_required_but_not_echoed() -> None:
    done = subprocess.run(
        command("--host", "192.0.2.1", "--control-token", "my-own-secret-token"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "the control token you gave" in done.stderr
    assert "my-own-secret-token" not in done.stderr + done.stdout


def test_ctrl_c_during_start_up_exits_cleanly(tmp_path: Path) -> None:
    # A bucket big enough that embedding it takes seconds: the signal lands mid start-up.
    words = " ".join(f"term{i} voice network" for i in range(25_000))
    (tmp_path / "big.txt").write_text(words)
    proc = subprocess.Popen(
        command("--port", "0", "--bucket", f"kb={tmp_path}"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    first = proc.stderr.readline()  # the CLI is running: it says it is seeding the bucket
    assert "seeding bucket kb" in first, first
    proc.send_signal(signal.SIGINT)  # now: the line says start-up is under way
    out, err = proc.communicate(timeout=30)
    assert out == "", "the server had already started"
    assert proc.returncode == 130
    assert "interrupted" in err
    assert "Traceback" not in err, err


def test_ctrl_c_while_serving_and_streaming_exits_cleanly() -> None:
    with running() as (proc, url), httpx.stream(
        "POST",
        f"{url}/chat/completions",
        json={"model": HOSTED, "messages": [{"role": "user", "content": "hi"}],
              "stream": True},
        headers={**AUTH, "X-Emulator-Fault": "stall_after=1;seconds=30"},
        timeout=30,
    ) as r:
        next(r.iter_lines())
        proc.send_signal(signal.SIGINT)
        exited(proc)
    assert proc.returncode == 0
    err = stderr_of(proc)
    assert "Traceback" not in err, err
