"""The Python versions the package claims are exactly the ones CI runs the suite on."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _claimed() -> tuple[set[str], str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    prefix = "Programming Language :: Python :: 3."
    minors = {
        c.removeprefix("Programming Language :: Python :: ")
        for c in project["classifiers"]
        if c.startswith(prefix)
    }
    return minors, project["requires-python"]


def _tested() -> set[str]:
    script = (ROOT / ".ci" / "run").read_text()
    others = re.search(r'^other_pythons="([^"]*)"', script, re.MULTILINE)
    assert others, ".ci/run names no other Pythons"
    _, requires = _claimed()
    floor = re.search(r">=\s*(3\.\d+)", requires)
    assert floor, requires
    return {floor.group(1), *others.group(1).split()}  # the floor is the README venv's Python


def test_classifiers_are_the_tested_versions() -> None:
    minors, _ = _claimed()
    assert minors == _tested()


def test_requires_python_starts_at_the_lowest_tested_version() -> None:
    # No upper cap: a cap makes pip on a newer Python fall back to old releases instead of
    # trying this one; the classifiers say which versions are tested.
    _, requires = _claimed()
    tested = sorted(_tested(), key=lambda v: int(v.split(".")[1]))
    assert requires.replace(" ", "") == f">={tested[0]}"
