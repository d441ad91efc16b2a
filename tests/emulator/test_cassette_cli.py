"""``telnyx-emulator --record DIR --upstream URL`` then ``--replay DIR --strict``."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import openai
import pytest

from telnyx_inference.emulator import Emulator

from ._support import PLAIN


@contextmanager
def cli(*args: str) -> Iterator[str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "telnyx_inference.emulator", "--port", "0", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        assert proc.stdout is not None
        yield proc.stdout.readline().strip()
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _ask(url: str, text: str) -> str | None:
    with openai.OpenAI(base_url=url, api_key="cli-key", max_retries=0) as client:
        answer = client.chat.completions.create(
            model=PLAIN, messages=[{"role": "user", "content": text}]
        )
        return answer.choices[0].message.content


def test_cli_records_then_replays_strictly(tmp_path: Path) -> None:
    with Emulator() as upstream, cli("--record", str(tmp_path), "--upstream",
                                     upstream.root) as url:
        recorded = _ask(url, "hello from the CLI")
    assert [p.name for p in tmp_path.iterdir()] == ["0001-post-v2-ai-openai-chat-completions.json"]
    with cli("--replay", str(tmp_path), "--strict", "--replay-speed", "2") as url:
        assert _ask(url, "hello from the CLI") == recorded
        with pytest.raises(openai.BadRequestError) as info:
            _ask(url, "something else")
    assert "Closest recording" in str(info.value.body)


@pytest.mark.parametrize("args", [["--host", "0.0.0.0"], ["--replay-speed", "0"]])
def test_cli_refuses_remote_record_and_bad_speed(tmp_path: Path, args: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "telnyx_inference.emulator", "--record", str(tmp_path), *args],
        capture_output=True, text=True, timeout=30)
    assert done.returncode == 2
    assert ("--allow-remote-record" in done.stderr) or ("--replay-speed" in done.stderr)
