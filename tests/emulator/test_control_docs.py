"""The control API page documents every ``/_emulator/`` route the server has, the Python twins
it names exist on ``Emulator``, and its examples and tables name the fields the server has."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx

from telnyx_inference.emulator import Emulator, Fault, ScriptedReply, faults
from telnyx_inference.emulator.serving import journal

DOC = Path(__file__).resolve().parents[2] / "docs" / "emulator-control-api.md"
README = DOC.parents[1] / "README.md"


def served_routes(emu: Emulator) -> set[str]:
    index = httpx.get(emu.root).json()
    return {f"{r['method']} {r['path']}" for r in index["control_routes"]}


def test_every_control_route_has_a_section(emu: Emulator) -> None:
    text = DOC.read_text()
    sections = set(
        re.findall(r"^### `((?:GET|POST|DELETE|PUT|PATCH) /_emulator/[^`]+)`", text, re.MULTILINE)
    )
    table = set(
        re.findall(r"^\| `((?:GET|POST|DELETE|PUT|PATCH) /_emulator/[^`]+)` \|", text, re.MULTILINE)
    )
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


# --- Fields, not only routes: what each example and table names is what the server has ------


def section(title: str) -> str:
    """The text of the ``### `title` `` section (or ``## title``), up to the next heading."""
    text = DOC.read_text()
    found = re.search(
        rf"^##+ {re.escape(title)}\n(.*?)(?=^##+ |\Z)", text, re.MULTILINE | re.DOTALL
    )
    assert found, f"no section {title!r}"
    return found.group(1)


def json_examples(title: str) -> list[Any]:
    return [
        json.loads(block) for block in re.findall(r"```json\n(.*?)```", section(title), re.DOTALL)
    ]


def table_names(text: str) -> list[str]:
    """The first backticked name of each table row."""
    return re.findall(r"^\| `(\w+)`", text, re.MULTILINE)


def test_the_index_example_has_the_served_fields(emu: Emulator) -> None:
    (example,) = json_examples("Index: `GET /`")
    assert set(example) == set(httpx.get(emu.root).json())


def test_the_state_example_has_the_served_fields(emu: Emulator) -> None:
    emu.fault(Fault(kind="status", status=503))
    served = httpx.get(f"{emu.root}/_emulator/state").json()
    (example,) = json_examples("`GET /_emulator/state`")
    assert set(example) == set(served)
    assert set(example["settings"]) == set(served["settings"])
    assert set(example["faults"][0]) == set(served["faults"][0])


def test_fault_kinds_and_fields_are_the_emulators() -> None:
    text = section("`POST /_emulator/faults`")
    kind_row = re.search(r"^\| `kind` \|[^|]*\|(.*)\|$", text, re.MULTILINE)
    assert kind_row
    assert set(re.findall(r"`(\w+)`", kind_row.group(1))) == set(faults.KINDS)
    fields = set(Fault.__dataclass_fields__) - {"n_chunks"}  # n_chunks: an alias of after
    assert set(table_names(text)) == fields
    assert "`n_chunks`" in text


def test_the_settings_route_documents_what_it_accepts(emu: Emulator) -> None:
    answer = httpx.post(f"{emu.root}/_emulator/settings", json={"no_such_setting": 1})
    assert answer.status_code == 400
    allowed = re.search(r"allowed: \[(.*?)\]", answer.json()["error"])
    assert allowed
    accepted = set(re.findall(r"'(\w+)'", allowed.group(1)))
    body = re.search(
        r"Body: any of\s+`(\{.*?\})`", section("`POST /_emulator/settings`"), re.DOTALL
    )
    assert body
    assert set(re.findall(r'"(\w+)":', body.group(1))) == accepted


def test_the_journal_example_and_filters_are_the_served_ones(emu: Emulator) -> None:
    httpx.post(
        f"{emu.base_url}/chat/completions",
        headers={"Authorization": "Bearer k"},
        json={"model": "zai-org/GLM-5.2", "messages": [{"role": "user", "content": "hi"}]},
    )
    served = httpx.get(f"{emu.root}/_emulator/journal", params={"last": 1}).json()
    (example,) = json_examples("`GET /_emulator/journal`")
    assert set(example) == set(served)
    assert set(example["entries"][0]) == set(served["entries"][0])
    assert set(table_names(section("`GET /_emulator/journal`"))) == set(journal.FILTERS)


def test_the_script_fields_are_a_scripted_replys() -> None:
    text = section("`POST /_emulator/script`")
    listed = re.search(r"Fields \(all optional\):(.*?)Unknown fields", text, re.DOTALL)
    assert listed
    assert set(re.findall(r"`(\w+)` \(", listed.group(1))) == set(
        ScriptedReply.__dataclass_fields__
    )
