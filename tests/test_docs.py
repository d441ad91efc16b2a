"""Every code block of the README and the docs site is checked: Python blocks run, page by page
and in order, against a fresh emulator; pytest files shown on a page run under pytest; shell
commands are shown, not run, and name options and extras that exist; JSON parses. The README
keeps the two commands CI reads."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from telnyx_inference.emulator import Emulator
from telnyx_inference.emulator.__main__ import parser as emulator_parser

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = ROOT / "docs"
PAGES = [README, *sorted(p for p in DOCS.rglob("*.md") if "_ext" not in p.parts)]
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.DOTALL | re.MULTILINE)
SHOWN = {"python", "console", "json", "text"}
"""Fences a page may use: python runs; console (commands after ``$ ``, and output) and text
are shown, not run; json parses. Only the README has bash: the two commands below."""
README_COMMANDS = [
    'python3 -m venv .venv && .venv/bin/pip install -q -e ".[all]" && .venv/bin/python examples/quickstart.py',
    'python3 -m venv .venv && .venv/bin/pip install -q -e ".[dev]" && .venv/bin/python -m pytest -q -n 2',
]
RUN_ELSEWHERE = {
    "docs/emulator-model.md": "tests/emulator/test_model_doc.py runs it and checks its output",
}
HANDBOOK = {
    "vacation.txt": "Employees get 25 vacation days a year. Unused days carry over once.",
    "expenses.txt": "Submit expenses within 30 days with receipts attached.",
}
KEY = "docs-test-key-5d1c"
# The child pytest's flags, for the reasons given in tests/emulator/test_cassette_marker.py:
# plain asserts and native tracebacks avoid CPython 3.11's ast troubles beside the
# in-process emulator's thread; plugins the example does not need stay off.
CHILD_PYTEST = [
    "--assert=plain",
    "--tb=native",
    "-p",
    "no:cacheprovider",
    "-p",
    "no:xdist",
    "-p",
    "no:hypothesispytest",
    "-p",
    "no:syrupy",
]


def name(page: Path) -> str:
    return page.relative_to(ROOT).as_posix()


def blocks(page: Path) -> list[tuple[str, str]]:
    return [(lang, body) for lang, body in FENCE.findall(page.read_text())]


def python_pages() -> list[Path]:
    return [p for p in PAGES if any(lang == "python" for lang, _ in blocks(p))]


def pytest_files() -> list[tuple[str, str]]:
    """(page, body) of each block that is a pytest file (starts ``# test_<name>.py``)."""
    return [
        (name(page), body)
        for page in PAGES
        for lang, body in blocks(page)
        if lang == "python" and re.match(r"# test_\w+\.py\n", body)
    ]


def commands() -> list[tuple[str, str]]:
    """(page, command) for each ``$ `` line of a console block, the comment cut off."""
    found = []
    for page in PAGES:
        for lang, body in blocks(page):
            if lang != "console":
                continue
            for line in body.splitlines():
                if line.startswith("$ "):
                    found.append((name(page), line[2:].split("  #", 1)[0].strip()))
    return found


def emulator_env(emu: Emulator) -> dict[str, str]:
    env = {
        **os.environ,
        "TELNYX_API_KEY": KEY,
        "TELNYX_API_BASE": emu.base_url,
        "HF_HUB_OFFLINE": "1",
    }
    env.pop("OPENAI_API_KEY", None)
    return env


# --- What each page may hold -----------------------------------------------------------


@pytest.mark.parametrize("page", PAGES, ids=name)
def test_every_block_is_run_checked_or_plainly_shown(page: Path) -> None:
    langs = [lang for lang, _ in blocks(page)]
    allowed = SHOWN | {"bash"} if page == README else SHOWN
    assert set(langs) <= allowed, (
        f"{name(page)}: fences {set(langs) - allowed} (use console for commands)"
    )


def test_the_readme_keeps_the_two_commands_ci_reads() -> None:
    bash = [body.strip() for lang, body in blocks(README) if lang == "bash"]
    assert bash == README_COMMANDS
    # .ci/run takes the first line after the second ```bash fence as the test command.
    after = README.read_text().split("```bash\n")[2]
    assert after.splitlines()[0] == README_COMMANDS[1]
    assert "n==2" in (ROOT / ".ci" / "run").read_text()


def test_the_readme_stays_a_landing_page() -> None:
    assert len(README.read_text().splitlines()) <= 250


@pytest.mark.parametrize("page", PAGES, ids=name)
def test_console_blocks_show_commands(page: Path) -> None:
    for lang, body in blocks(page):
        if lang == "console":
            assert body.startswith("$ "), f"{name(page)}: a console block starts with its command"


def test_commands_name_options_and_extras_that_exist(pytestconfig: pytest.Config) -> None:
    emulator_options = {s for action in emulator_parser()._actions for s in action.option_strings}
    extras = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    )
    checked = 0
    for page, command in commands():
        words = shlex.split(command)
        if "telnyx_inference.emulator" in words or "telnyx-emulator" in words:
            for word in words:
                if word.startswith("--"):
                    assert word.split("=")[0] in emulator_options, f"{page}: {command}"
                    checked += 1
        for word in words:
            if word.startswith("--telnyx-"):
                pytestconfig.getoption(word.split("=")[0])  # raises for an unknown option
                checked += 1
            for found in re.findall(r"telnyx-inference\[([\w,-]+)\]", word):
                assert set(found.split(",")) <= extras, f"{page}: {command}"
                checked += 1
    assert checked >= 5


@pytest.mark.parametrize("page", PAGES, ids=name)
def test_json_blocks_parse(page: Path) -> None:
    for lang, body in blocks(page):
        if lang == "json":
            json.loads(body)


def test_the_readme_links_exist() -> None:
    """The site build checks the docs' links; the README is read on GitHub and PyPI."""
    targets = re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", README.read_text())
    assert len(targets) >= 15
    assert [t for t in targets if not (ROOT / t).exists()] == []


def test_the_reference_documents_the_public_api() -> None:
    import langchain_telnyx
    import llama_index_telnyx
    import telnyx_inference
    import telnyx_inference.emulator

    documented = set(
        re.findall(
            r"^::: ([\w.]+)$",
            "".join(p.read_text() for p in (DOCS / "reference").glob("*.md")),
            re.M,
        )
    )
    packages = [telnyx_inference, telnyx_inference.emulator, langchain_telnyx, llama_index_telnyx]
    public = {f"{pkg.__name__}.{n}" for pkg in packages for n in pkg.__all__}
    assert public - documented == set()


# --- Running the Python ----------------------------------------------------------------


@pytest.mark.parametrize("page", python_pages(), ids=name)
def test_python_blocks_run(page: Path, tmp_path: Path) -> None:
    if name(page) in RUN_ELSEWHERE:
        pytest.skip(RUN_ELSEWHERE[name(page)])
    python = [body for lang, body in blocks(page) if lang == "python"]
    script = tmp_path / "page_blocks.py"
    script.write_text(
        "".join(
            f"# --- {name(page)} python block {n} ---\n{body}\n" for n, body in enumerate(python, 1)
        )
    )
    with Emulator() as emu:
        emu.seed_bucket("handbook", texts=HANDBOOK)
        done = subprocess.run(
            [sys.executable, str(script)],
            env=emulator_env(emu),
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=180,
        )
    if done.returncode != 0:
        lines = script.read_text().splitlines()
        failing = [int(m) for m in re.findall(r'page_blocks.py", line (\d+)', done.stderr)]
        block = (
            next(
                (line for line in reversed(lines[: failing[-1]]) if line.startswith("# --- ")),
                "unknown block",
            )
            if failing
            else "unknown block"
        )
        raise AssertionError(f"{block} failed:\n{done.stderr[-3000:]}")
    assert KEY not in done.stdout + done.stderr


@pytest.mark.parametrize(
    ("page", "body"),
    [pf for pf in pytest_files() if "telnyx_cassette" not in pf[1]],
    ids=lambda v: v if v.endswith(".md") else re.match(r"# (\S+)", v).group(1),  # type: ignore[union-attr]
)
def test_pytest_files_pass(page: str, body: str, tmp_path: Path) -> None:
    """A page's pytest file runs under pytest, with the plugin's fixtures. (A cassette example
    needs a recording first: tests/emulator/test_cassette_marker.py runs that one.)"""
    filename = re.match(r"# (test_\w+\.py)", body).group(1)  # type: ignore[union-attr]
    (tmp_path / filename).write_text(body)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELNYX_", "OPENAI_"))}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", *CHILD_PYTEST, filename],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, f"{page}: {filename}\n{done.stdout[-3000:]}{done.stderr[-2000:]}"
    assert re.search(r"\b[1-9]\d* passed\b", done.stdout), done.stdout
