"""``telnyx-emulator --record DIR --upstream URL`` then ``--replay DIR --replay-strict``."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import openai
import pytest

from telnyx_inference.emulator import Emulator

from ._support import PLAIN


@contextmanager
def cli(*args: str, stderr: list[str] | None = None) -> Iterator[str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "telnyx_inference.emulator", "--port", "0", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        assert proc.stdout is not None
        yield proc.stdout.readline().strip()
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=10)
        if stderr is not None:
            stderr.append(err)


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
    with cli("--replay", str(tmp_path), "--replay-strict", "--replay-speed", "2") as url:
        assert _ask(url, "hello from the CLI") == recorded
        with pytest.raises(openai.BadRequestError) as info:
            _ask(url, "something else")
    assert "Closest recording" in str(info.value.body)
    # The old spelling still makes misses errors, and says what to write instead.
    said: list[str] = []
    with cli("--replay", str(tmp_path), "--strict", stderr=said) as url, pytest.raises(
        openai.BadRequestError
    ):
        _ask(url, "something else")
    assert "--replay-strict" in said[0]


def test_replay_of_a_missing_folder_fails_at_start(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "telnyx_inference.emulator", "--replay", str(tmp_path / "nope")],
        capture_output=True, text=True, timeout=30)
    assert done.returncode == 2
    assert done.stdout == ""  # never served
    assert f"{tmp_path / 'nope'} does not exist" in done.stderr
    assert "--record" in done.stderr


def test_help_tells_request_strictness_from_replay_strictness() -> None:
    done = subprocess.run([sys.executable, "-m", "telnyx_inference.emulator", "--help"],
                          capture_output=True, text=True, timeout=30,
                          env={**os.environ, "COLUMNS": "400"})  # no line breaks in options
    text = " ".join(done.stdout.split())
    assert "(for replay misses see --replay-strict)" in text  # --strict is the schema's
    assert "--replay-strict with --replay, a request with no recording is a 400" in text


@pytest.mark.parametrize("args", [["--host", "0.0.0.0"], ["--replay-speed", "0"]])
def test_cli_refuses_remote_record_and_bad_speed(tmp_path: Path, args: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "telnyx_inference.emulator", "--record", str(tmp_path), *args],
        capture_output=True, text=True, timeout=30)
    assert done.returncode == 2
    assert ("--allow-remote-record" in done.stderr) or ("--replay-speed" in done.stderr)


@contextmanager
def _upstream_that_lingers() -> Iterator[str]:
    """An upstream that streams an answer, ``[DONE]`` included, then keeps the connection
    open until the test ends (as a slow network can before the last bytes)."""
    release = threading.Event()

    class Answer(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["content-length"]))
            self.send_response(200)
            self.send_header("content-type", "text/event-stream")
            self.end_headers()
            for word in ("Hello", " there"):
                chunk = {"choices": [{"index": 0, "delta": {"content": word}}]}
                self.wfile.write(b"data: " + json.dumps(chunk).encode() + b"\n\n")
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()
            release.wait(timeout=60)  # hang guard only

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Answer)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        release.set()
        server.shutdown()
        server.server_close()


def test_sigterm_right_after_the_end_of_a_stream_keeps_its_recording(tmp_path: Path) -> None:
    body = {"model": PLAIN, "stream": True, "messages": [{"role": "user", "content": "hi"}]}
    with _upstream_that_lingers() as upstream:
        for attempt in range(3):
            folder = tmp_path / str(attempt)
            proc = subprocess.Popen(
                [sys.executable, "-m", "telnyx_inference.emulator", "--port", "0", "--quiet",
                 "--record", str(folder), "--upstream", upstream],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                env={**os.environ, "PYTHONUNBUFFERED": "1"})
            try:
                assert proc.stdout is not None
                url = proc.stdout.readline().strip()
                with httpx.Client(headers={"Authorization": "Bearer cli-key"}) as http, \
                        http.stream("POST", f"{url}/chat/completions", json=body) as answer:
                    for line in answer.iter_lines():
                        if line == "data: [DONE]":
                            break
                    proc.send_signal(signal.SIGTERM)  # the client has seen the end
                _, err = proc.communicate(timeout=30)
            finally:
                proc.kill()
            assert proc.returncode == 0, err  # stopped cleanly, not killed
            (written,) = folder.iterdir()
            stream = json.loads(written.read_text())["response"]["stream"]
            assert stream["frames"][-1]["text"] == "data: [DONE]"
            assert not stream["cut"]
