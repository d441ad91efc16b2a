"""``@pytest.mark.telnyx_cassette`` with ``--telnyx-record=all|new|none``, run in a child
pytest against a second emulator as the upstream."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from telnyx_inference.emulator import Emulator

INNER = '''
import os
import re
import openai
import pytest

def ask(emu, text):
    client = openai.OpenAI(base_url=emu.base_url, api_key="inner-key", max_retries=0)
    answer = client.chat.completions.create(
        model="zai-org/GLM-5.2", messages=[{"role": "user", "content": text}])
    return answer.choices[0].message.content

@pytest.mark.telnyx_cassette
def test_hello(telnyx_emulator):
    with open(os.environ["ANSWERS"], "a") as out:
        out.write(ask(telnyx_emulator, "hello") + "\\n")

@pytest.mark.telnyx_cassette("shared/greeting")
def test_named(telnyx_emulator):
    assert ask(telnyx_emulator, os.environ.get("PROMPT", "greetings"))
'''


def _pytest(folder: Path, *args: str, prompt: str = "greetings") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ANSWERS": str(folder / "answers.txt"), "PROMPT": prompt}
    env.pop("TELNYX_API_KEY", None)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_inner.py", *args],
        cwd=folder, env=env, capture_output=True, text=True, timeout=120,
    )


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*.json"))


def test_marker_records_all_then_replays_offline(tmp_path: Path) -> None:
    (tmp_path / "test_inner.py").write_text(INNER)
    cassettes = tmp_path / "cassettes"
    with Emulator() as upstream:
        done = _pytest(tmp_path, "--telnyx-record=all", f"--telnyx-upstream={upstream.root}")
        assert done.returncode == 0, done.stdout + done.stderr
    assert _files(cassettes) == [
        "shared/greeting/0001-post-v2-ai-openai-chat-completions.json",
        "test_inner/test_hello/0001-post-v2-ai-openai-chat-completions.json",
    ]
    # upstream gone: the default mode (none) replays
    done = _pytest(tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    first, second = (tmp_path / "answers.txt").read_text().splitlines()
    assert first == second
    assert "hello" in first
    # a request the cassette lacks fails, naming the closest recording
    done = _pytest(tmp_path, "-k", "test_named", prompt="something new")
    assert done.returncode == 1
    assert "No recorded answer" in done.stdout
    assert "0001-post-v2-ai-openai" in done.stdout
    # new: what is recorded replays, what is missing is recorded
    with Emulator() as upstream:
        done = _pytest(tmp_path, "--telnyx-record=new", f"--telnyx-upstream={upstream.root}",
                       prompt="something new")
        assert done.returncode == 0, done.stdout + done.stderr
    assert _files(cassettes) == [
        "shared/greeting/0001-post-v2-ai-openai-chat-completions.json",
        "shared/greeting/0002-post-v2-ai-openai-chat-completions.json",
        "test_inner/test_hello/0001-post-v2-ai-openai-chat-completions.json",
    ]
    assert "inner-key" not in "".join((cassettes / f).read_text() for f in _files(cassettes))


def test_marker_refuses_a_name_leaving_the_folder(tmp_path: Path) -> None:
    (tmp_path / "test_inner.py").write_text(
        "import pytest\n\n@pytest.mark.telnyx_cassette('../../etc')\n"
        "def test_escape(telnyx_emulator):\n    pass\n"
    )
    done = _pytest(tmp_path)
    assert done.returncode == 1
    assert "CassettePathError" in done.stdout


README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_pytest_example_records_then_replays(tmp_path: Path) -> None:
    blocks = re.findall(r"^```python\n(.*?)^```", README.read_text(), re.DOTALL | re.MULTILINE)
    (example,) = [b for b in blocks if b.startswith("# test_support_bot.py")]
    (tmp_path / "test_inner.py").write_text(example)
    with Emulator() as upstream:
        done = _pytest(tmp_path, "--telnyx-record=all", f"--telnyx-upstream={upstream.root}")
        assert done.returncode == 0, done.stdout + done.stderr
    assert _files(tmp_path / "cassettes") == [
        "test_inner/test_greeting/0001-post-v2-ai-openai-chat-completions.json"
    ]
    done = _pytest(tmp_path)  # upstream gone, no key: replayed
    assert done.returncode == 0, done.stdout + done.stderr
