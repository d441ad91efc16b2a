"""``@pytest.mark.telnyx_cassette`` with ``--telnyx-record=all|new|none``, run in a child
pytest against a second emulator as the upstream; the record-and-replay page's pytest example
runs there too."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from telnyx_inference.emulator import Emulator
from telnyx_inference.emulator.replay.cassettes import CassettePathError
from telnyx_inference.emulator.replay.pytest_cassettes import marked_cassette

INNER = '''
import os
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
TWINS = '''
import openai
import pytest

def ask(emu, text):
    client = openai.OpenAI(base_url=emu.base_url, api_key="inner-key", max_retries=0)
    answer = client.chat.completions.create(
        model="zai-org/GLM-5.2", messages=[{"role": "user", "content": text}])
    return answer.choices[0].message.content

@pytest.mark.telnyx_cassette
@pytest.mark.parametrize("question", ["What is 2+2?", "What is 2-2?"])
def test_answer(telnyx_emulator, question):
    assert ask(telnyx_emulator, question)

class TestAgain:
    @pytest.mark.telnyx_cassette
    def test_answer(self, telnyx_emulator):
        assert ask(telnyx_emulator, "in a class")
'''
PAGE = Path(__file__).resolve().parents[2] / "docs" / "record-replay.md"


def _docs_example() -> str:
    blocks = re.findall(r"^```python\n(.*?)^```", PAGE.read_text(), re.DOTALL | re.MULTILINE)
    (example,) = [b for b in blocks if b.startswith("# test_support_bot.py")]
    return example


def _pytest(folder: Path, *args: str, prompt: str = "greetings") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ANSWERS": str(folder / "answers.txt"), "PROMPT": prompt}
    env.pop("TELNYX_API_KEY", None)
    plugins = ("cacheprovider", "benchmark", "xdist", "hypothesispytest", "syrupy")
    return subprocess.run(
        # --assert=plain: the plugin's package would be assertion-rewritten on first import,
        # and CPython 3.11.7 can fail to parse a module imported from a deep stack
        # ("AST constructor recursion depth mismatch"), as LangChain's invoke is.
        # --tb=native: pytest's own traceback formatting parses source with ast, which on
        # CPython 3.11 is not thread-safe (gh-106905) beside the in-process emulator's thread.
        [sys.executable, "-m", "pytest", "-q", "--assert=plain", "--tb=native",
         *(f"-pno:{p}" for p in plugins), *args],
        cwd=folder, env=env, capture_output=True, text=True, timeout=180,
    )


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*.json"))


@pytest.mark.timeout(600)  # four child pytest sessions; slow on a loaded machine
def test_marker_records_all_then_replays_offline(tmp_path: Path) -> None:
    (tmp_path / "test_inner.py").write_text(INNER)
    (tmp_path / "test_support_bot.py").write_text(_docs_example())
    cassettes = tmp_path / "cassettes"
    with Emulator() as upstream:
        done = _pytest(tmp_path, "--telnyx-record=all", f"--telnyx-upstream={upstream.root}")
        assert done.returncode == 0, done.stdout + done.stderr
    chat = "0001-post-v2-ai-openai-chat-completions.json"
    assert _files(cassettes) == [
        f"shared/greeting/{chat}", f"test_inner/test_hello/{chat}",
        f"test_support_bot/test_greeting/{chat}",
    ]
    # upstream gone, no key: the default mode (none) replays, the docs example included
    done = _pytest(tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "3 passed" in done.stdout
    first, second = (tmp_path / "answers.txt").read_text().splitlines()
    assert first == second
    assert first.strip()
    # new: a request the cassette lacks is recorded, what is there replays
    with Emulator() as upstream:
        done = _pytest(tmp_path, "--telnyx-record=new", f"--telnyx-upstream={upstream.root}",
                       "test_inner.py", prompt="something new")
        assert done.returncode == 0, done.stdout + done.stderr
    assert _files(cassettes) == [
        f"shared/greeting/{chat}", "shared/greeting/0002-post-v2-ai-openai-chat-completions.json",
        f"test_inner/test_hello/{chat}", f"test_support_bot/test_greeting/{chat}",
    ]
    assert "inner-key" not in "".join((cassettes / f).read_text() for f in _files(cassettes))
    # none again: a prompt never recorded fails, naming the closest recording
    done = _pytest(tmp_path, "test_inner.py", "-k", "test_named", prompt="yet another")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "No recorded answer" in done.stdout
    assert "Closest recording" in done.stdout
    assert "messages[0].content: recorded" in done.stdout


def test_tests_whose_ids_sanitise_alike_get_their_own_cassettes(tmp_path: Path) -> None:
    (tmp_path / "test_twins.py").write_text(TWINS)
    with Emulator() as upstream:
        done = _pytest(tmp_path, "--telnyx-record=all", f"--telnyx-upstream={upstream.root}")
        assert done.returncode == 0, done.stdout + done.stderr
    folders = sorted(str(Path(f).parent) for f in _files(tmp_path / "cassettes"))
    assert len(folders) == len(set(folders)) == 3, folders  # one recording each, none erased
    assert folders[0] == "test_twins/TestAgain/test_answer"
    assert all(f.startswith("test_twins/test_answer-What-is-2-2-") for f in folders[1:])
    done = _pytest(tmp_path)  # upstream gone: each replays its own recording
    assert done.returncode == 0, done.stdout + done.stderr
    assert "3 passed" in done.stdout


def test_a_marked_test_with_no_cassette_says_how_to_record(tmp_path: Path) -> None:
    (tmp_path / "test_inner.py").write_text(INNER)
    done = _pytest(tmp_path, "test_inner.py", "-k", "test_hello")
    assert done.returncode == 1, done.stdout + done.stderr
    text = " ".join(done.stdout.split())
    assert "empty or missing" in text
    assert "--telnyx-record=new" in text
    assert "--telnyx-upstream, now https://api.telnyx.com" in text


def test_marker_refuses_a_name_leaving_the_folder(tmp_path: Path) -> None:
    mark = pytest.mark.telnyx_cassette("../../etc").mark
    node = SimpleNamespace(path=tmp_path / "test_x.py", name="test_x",
                           get_closest_marker=lambda name: mark)
    config = SimpleNamespace(getoption=lambda name: "none" if name == "telnyx_record" else None)
    request = SimpleNamespace(node=node, config=config)
    with pytest.raises(CassettePathError), marked_cassette(request, None):  # type: ignore[arg-type]
        pass
