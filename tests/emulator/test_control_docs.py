"""The control API page documents every ``/_emulator/`` route the server has, and the Python
twins it names exist on ``Emulator``."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from telnyx_inference.emulator import Emulator

DOC = Path(__file__).resolve().parents[2] / "docs" / "emulator-control-api.md"
README = DOC.parents[1] / "README.md"


def served_routes(emu: Emulator) -> set[str]:
    index = httpx.get(emu.root).json()
    return {f"{r['method']} {r['path']}" for r in index["control_routes"]}


def test_every_control_route_has_a_section(emu: Emulator) -> None:
    text = DOC.read_text()
    sections = set(re.findall(r"^### `((?:GET|POST|DELETE|PUT|PATCH) /_emulator/[^`]+)`", text,
                              re.MULTILINE))
    table = set(re.findall(r"^\| `((?:GET|POST|DELETE|PUT|PATCH) /_emulator/[^`]+)` \|", text,
                           re.MULTILINE))
    served = served_routes(emu)
    assert served - sections == set(), "routes without a section"
    assert sections - served == set(), "sections for routes that do not exist"
    assert table == served


def test_the_python_twins_named_exist() -> None:
    names = re.findall(r"`emu\.(\w+)", DOC.read_text())
    assert len(set(names)) >= 12
    missing = [n for n in set(names) if not hasattr(Emulator, n)]
    assert missing == []


def test_the_readme_links_the_page() -> None:
    assert "docs/emulator-control-api.md" in README.read_text()
