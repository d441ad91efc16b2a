"""docs/emulator-model.md: its Python blocks run, and its tables name every attribute of the
request view and every way to set a responder."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from telnyx_inference.emulator import ChatRequest, Emulator

DOC = Path(__file__).resolve().parents[2] / "docs" / "emulator-model.md"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.DOTALL | re.MULTILINE)


def test_the_python_blocks_run(capsys: pytest.CaptureFixture[str]) -> None:
    blocks = [body for lang, body in FENCE.findall(DOC.read_text()) if lang == "python"]
    assert len(blocks) >= 2
    exec(compile("\n".join(blocks), str(DOC), "exec"), {"__name__": "emulator_model_doc"})
    out = capsys.readouterr().out
    assert (
        "emulator_model_doc.<lambda> answered a value that does not match the request's "
        "guided_json: at $.age: 'old' is not of type 'integer'." in out
    )


def test_the_request_table_names_every_attribute() -> None:
    text = DOC.read_text()
    public = {n for n in vars(ChatRequest) if not n.startswith("_")} | {"body", "headers"}
    missing = sorted(n for n in public if f"`{n}`" not in text)
    assert missing == []


def test_every_way_named_exists() -> None:
    named = set(re.findall(r"`emu\.(\w+)\(", DOC.read_text()))
    assert {"respond_with", "script", "take_responder_errors", "reset"} <= named
    assert [n for n in named if not hasattr(Emulator, n)] == []
