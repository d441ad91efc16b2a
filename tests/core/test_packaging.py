"""The extras stay apart: LangChain users never get llama-index-core, and the other way round.

The installed metadata is checked first; the wheel built from this checkout (with hatchling,
the build backend) is checked for what a user gets: its dependencies and its license file.
"""

from __future__ import annotations

import email.parser
import re
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from email.message import Message
from importlib.metadata import requires
from pathlib import Path

import pytest
from packaging.requirements import Requirement

DIST = "telnyx-inference"
ROOT = Path(__file__).resolve().parents[2]


def closure(extra: str) -> set[str]:
    """Every distribution that installing ``telnyx-inference[extra]`` asks for."""
    reqs = [Requirement(r) for r in requires(DIST) or []]
    wanted, seen, names = [extra], set(), set()
    while wanted:
        current = wanted.pop()
        if current in seen:
            continue
        seen.add(current)
        for req in reqs:
            env = {"extra": current}
            if req.marker is not None and not req.marker.evaluate(env):
                continue
            if req.marker is None and current != "":
                continue
            name = re.sub(r"[-_.]+", "-", req.name).lower()
            if name == DIST:
                wanted.extend(req.extras)
            else:
                names.add(name)
    return names


def test_core_needs_only_openai_and_pydantic() -> None:
    assert closure("") == {"openai", "pydantic"}


def test_langchain_extra_does_not_pull_llama_index() -> None:
    names = closure("langchain")
    assert "langchain-core" in names
    assert not any(n.startswith("llama-index") for n in names)


def test_llama_index_extra_does_not_pull_langchain() -> None:
    names = closure("llama-index")
    assert "llama-index-core" in names
    assert not any(n.startswith("langchain") for n in names)


def test_all_has_both() -> None:
    names = closure("all")
    assert {"langchain-core", "llama-index-core", "starlette", "uvicorn"} <= names


def test_framework_extras_bring_the_aiohttp_transport() -> None:
    """The async clients' fast default needs ``openai[aiohttp]`` (aiohttp, and httpx-aiohttp
    on openai 2.x); the framework extras ask for it, the core alone does not."""
    reqs = [Requirement(r) for r in requires(DIST) or []]
    for extra in ("langchain", "llama-index", "aiohttp"):
        openai_reqs = [
            r
            for r in reqs
            if r.name == "openai" and r.marker is not None and r.marker.evaluate({"extra": extra})
        ]
        assert any("aiohttp" in r.extras for r in openai_reqs), extra
    core = [r for r in reqs if r.name == "openai" and r.marker is None]
    assert all(not r.extras for r in core)


def test_storage_extra_is_boto3_without_the_frameworks() -> None:
    names = closure("storage")
    assert "boto3" in names
    assert not any(n.startswith(("langchain", "llama-index")) for n in names)
    assert "boto3" in closure("all")
    assert "moto" in closure("emulator")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[zipfile.ZipFile]:
    """The wheel built from this checkout, as pip would build it."""
    pytest.importorskip("hatchling", reason="the build backend (the dev extra) builds the wheel")
    out = tmp_path_factory.mktemp("wheel")
    build = "import sys, hatchling.build as b; b.build_wheel(sys.argv[1])"
    subprocess.run(
        [sys.executable, "-c", build, str(out)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=180,
    )
    (built,) = out.glob("*.whl")
    with zipfile.ZipFile(built) as archive:
        yield archive


def _metadata(wheel: zipfile.ZipFile) -> Message:
    name = next(n for n in wheel.namelist() if n.endswith(".dist-info/METADATA"))
    return email.parser.Parser().parsestr(wheel.read(name).decode("utf-8"))


def test_framework_extras_bring_jsonschema(wheel: zipfile.ZipFile) -> None:
    """A JSON Schema dict is checked with jsonschema: each framework extra installs it, the
    core alone does not need it."""
    reqs = [Requirement(r) for r in _metadata(wheel).get_all("Requires-Dist") or []]
    for extra in ("langchain", "llama-index"):
        assert any(
            r.name == "jsonschema" and r.marker is not None and r.marker.evaluate({"extra": extra})
            for r in reqs
        ), extra
    assert {r.name for r in reqs if r.marker is None} == {"openai", "pydantic"}


def test_the_wheel_ships_the_mit_license(wheel: zipfile.ZipFile) -> None:
    licenses = [n for n in wheel.namelist() if re.search(r"\.dist-info/licenses/LICENSE$", n)]
    assert len(licenses) == 1
    text = wheel.read(licenses[0]).decode("utf-8")
    assert text.startswith("MIT License")
    assert "telnyx-inference contributors" in text
    assert text == (ROOT / "LICENSE").read_text(encoding="utf-8")
    metadata = _metadata(wheel)
    assert metadata["License-Expression"] == "MIT"
    assert metadata.get_all("License-File") == ["LICENSE"]
