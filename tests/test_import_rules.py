"""The house rules: which room may import which, every room says what it is, no file grows huge.

The import contracts live in ``pyproject.toml`` (``[tool.importlinter]``) and are checked here
with import-linter, so a change that reaches across a room fails the suite, not a later review.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("telnyx_inference", "langchain_telnyx", "llama_index_telnyx")
MAX_LINES = 450


def _package_inits() -> list[Path]:
    return sorted(p for name in PACKAGES for p in (ROOT / name).rglob("__init__.py"))


def _modules() -> list[Path]:
    return sorted(p for name in PACKAGES for p in (ROOT / name).rglob("*.py"))


def test_the_import_contracts_hold() -> None:
    # In a child process: import-linter configures logging with dictConfig, which switches off
    # every logger that exists (later tests would capture no log records).
    lint = "from importlinter.cli import lint_imports; raise SystemExit(lint_imports(**{}))"
    options = {"config_filename": str(ROOT / "pyproject.toml"), "no_cache": True}
    done = subprocess.run(
        [sys.executable, "-c", lint.format(options)],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


@pytest.mark.parametrize("init", _package_inits(), ids=lambda p: str(p.parent.relative_to(ROOT)))
def test_every_package_says_what_lives_there(init: Path) -> None:
    doc = ast.get_docstring(ast.parse(init.read_text()))
    assert doc, f"{init.relative_to(ROOT)} has no docstring"
    opening = doc.split("\n\n")[0]
    assert "import" in opening.lower(), (
        f"{init.relative_to(ROOT)}: the docstring's first paragraph should say what the package "
        "may import"
    )


def test_no_module_is_over_the_size_limit() -> None:
    long = {
        str(p.relative_to(ROOT)): n
        for p in _modules()
        if (n := len(p.read_text().splitlines())) > MAX_LINES
    }
    assert long == {}, f"split these by job (limit {MAX_LINES} lines): {long}"
