"""What the emulator does to the process and the folder it runs in, run in a fresh
interpreter that compiles every module it imports (as CI does with PYTHONDONTWRITEBYTECODE
and a clean checkout):

* its threads import nothing and compile no source: an import (or ``ast.parse``) there can
  race pytest's own ``ast`` use on CPython 3.11 and crash the user's run (gh-106905);
* nothing is written into the current folder (Hypothesis's caches included).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

CHILD = r'''
import json, sys, threading

seen = {"background": [], "main_imports": 0}


def hook(event, args):
    if event not in ("import", "compile"):
        return
    thread = threading.current_thread()
    if thread is threading.main_thread():
        seen["main_imports"] += event == "import"
    else:
        what = args[0] if event == "import" else str(args[1])
        seen["background"].append([thread.name, event, str(what)])


sys.addaudithook(hook)

import httpx

from telnyx_inference.emulator import Emulator

MODEL = "meta-llama/Meta-Llama-3.1-8B-Instruct"
SCHEMA = {"type": "object", "properties": {"name": {"type": "string"}, "age": {"type": "integer"},
          "tags": {"type": "array", "items": {"type": "string"}}}, "required": ["name"]}
TOOL = {"type": "function", "function": {"name": "lookup", "parameters": SCHEMA}}


def ask(http, **extra):
    body = {"model": MODEL, "messages": [{"role": "user", "content": "I am Ann, 31."}], **extra}
    if not extra.get("stream"):
        answer = http.post("/chat/completions", json=body)
        assert answer.status_code == 200, answer.text
        return
    with http.stream("POST", "/chat/completions", json=body) as answer:
        assert answer.status_code == 200
        assert b"[DONE]" in answer.read()


with Emulator() as emu, httpx.Client(
    base_url=emu.base_url, headers={"Authorization": "Bearer k"}, timeout=60
) as http:
    ask(http)
    ask(http, guided_json=SCHEMA)
    ask(http, response_format={"type": "json_object"})
    ask(http, response_format={"type": "json_schema", "json_schema": {"name": "p", "schema": SCHEMA}})
    ask(http, guided_regex=r"[A-Z]{3}-\d{4}")  # not in the conversation: Hypothesis draws it
    ask(http, tools=[TOOL], tool_choice="required")
    ask(http, stream=True, stream_options={"include_usage": True})
    ask(http, stream=True, tools=[TOOL], tool_choice="required")
    assert http.post("/embeddings", json={"model": "thenlper/gte-large", "input": "a"}).is_success
print(json.dumps(seen))
'''


@pytest.fixture(scope="module")
def child(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The child's findings, and the folder it ran in."""
    root = tmp_path_factory.mktemp("fresh")
    work = root / "work"
    work.mkdir()
    (root / "child.py").write_text(CHILD)
    env = {
        **os.environ,
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONPYCACHEPREFIX": str(root / "no-bytecode"),  # empty: every import compiles
        "XDG_CACHE_HOME": str(root / "cache"),
    }
    env.pop("HYPOTHESIS_STORAGE_DIRECTORY", None)
    done = subprocess.run(
        [sys.executable, str(root / "child.py")],
        cwd=work, env=env, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return {**json.loads(done.stdout.splitlines()[-1]), "work": work}


def test_no_module_is_imported_or_compiled_on_an_emulator_thread(child: dict[str, Any]) -> None:
    assert child["main_imports"] > 100  # the hook saw the imports (on the main thread)
    assert child["background"] == []


def test_nothing_is_written_to_the_working_directory(child: dict[str, Any]) -> None:
    work: Path = child["work"]
    assert sorted(p.name for p in work.iterdir()) == []
